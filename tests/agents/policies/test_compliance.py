"""The compliance gate on real messages, per jurisdiction, with SpamAssassin really scoring each one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.policies.compliance import ConsentRecord, ReviewContext, Verdict
from agents.policies.compliance_config import ComplianceConfig
from agents.workflows.review import review_raw
from knowledge.deliverability.spamassassin import SpamAssassin
from knowledge.models import Suppression, SuppressionReason

MESSAGES = Path(__file__).parent / "messages"
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def cfg(**overrides: object) -> ComplianceConfig:
    data: dict[str, object] = {"legitimate_interest_assessment": "https://wiki.example.com/lia-2026"}
    data.update(overrides)
    return ComplianceConfig(**data)  # type: ignore[arg-type]


def raw(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def rules(result: object) -> set[str]:
    return {f.rule for f in result.findings if f.severity != "info"}  # type: ignore[attr-defined]


async def test_clean_us_message_passes_can_spam(spam_scorer: SpamAssassin) -> None:
    result = await review_raw(raw("clean_us.eml"), cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert result.verdict == Verdict.PASS, result.findings
    assert result.spam_score is not None and result.spam_score < 2


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (
            lambda b: b.replace(b"Example Co, 548 Market St, Suite 300, San Francisco, CA 94104, USA", b""),
            "can_spam.postal_address",
        ),
        (lambda b: b.replace(b"Subject: Reporting", b"Subject: Re: Reporting"), "can_spam.deceptive_subject"),
        (lambda b: b.replace(b"From: Alex Rivera <", b'From: "ceo@acme-analytics.com" <'), "can_spam.deceptive_from"),
        (
            lambda b: (
                b.split(b"List-Unsubscribe:")[0] + b"\nHi Jane, a short note from Example Co, 548 Market St, "
                b"Suite 300, San Francisco, CA 94104.\n"
            ),
            "can_spam.unsubscribe",
        ),
        (
            lambda b: b.replace(b"https://example.com/unsubscribe/8f3a2c", b"http://127.0.0.1:3000/u/8f3a2c"),
            "can_spam.unsubscribe_broken",
        ),
    ],
)
async def test_can_spam_violations_block(spam_scorer: SpamAssassin, mutate: object, rule: str) -> None:
    message = mutate(raw("clean_us.eml"))  # type: ignore[operator]
    result = await review_raw(message, cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert result.verdict == Verdict.BLOCK
    assert rule in rules(result)


async def test_german_quoted_printable_latin1_passes_gdpr_with_recorded_lia(spam_scorer: SpamAssassin) -> None:
    result = await review_raw(raw("clean_de_qp.eml"), cfg(), spam=spam_scorer)  # country from the .de TLD
    assert result.verdict == Verdict.PASS, result.findings


async def test_gdpr_blocks_without_lawful_basis_or_personal_mailbox(spam_scorer: SpamAssassin) -> None:
    no_lia = await review_raw(raw("clean_de_qp.eml"), cfg(legitimate_interest_assessment=""), spam=spam_scorer)
    assert "gdpr.lawful_basis" in rules(no_lia) and no_lia.verdict == Verdict.BLOCK
    gmail = raw("clean_de_qp.eml").replace(b"anna.schmidt@kunde-gmbh.de", b"anna.schmidt@gmx.de")
    personal = await review_raw(gmail, cfg(), spam=spam_scorer)
    assert "gdpr.personal_address" in rules(personal)


async def test_uk_gdpr_requires_right_to_object_in_the_body(spam_scorer: SpamAssassin) -> None:
    body_without_opt_out = raw("clean_us.eml").replace(
        b"Don't want to hear from us? Unsubscribe: https://example.com/unsubscribe/8f3a2c", b""
    )
    result = await review_raw(body_without_opt_out, cfg(), ctx=ReviewContext(country="GB"), spam=spam_scorer)
    assert "uk_gdpr.right_to_object" in rules(result)
    assert result.verdict == Verdict.BLOCK


async def test_html_only_windows_1252_french_message_is_read(spam_scorer: SpamAssassin) -> None:
    result = await review_raw(raw("html_only_fr.eml"), cfg(), spam=spam_scorer)
    assert result.verdict != Verdict.BLOCK, result.findings
    assert "gdpr.right_to_object" not in rules(result)  # the opt-out is inside the HTML


async def test_casl_needs_recorded_consent(spam_scorer: SpamAssassin) -> None:
    message = raw("clean_us.eml")
    none = await review_raw(message, cfg(), ctx=ReviewContext(country="CA"), spam=spam_scorer)
    assert none.verdict == Verdict.BLOCK and "casl.consent" in rules(none)
    implied = ConsentRecord(kind="implied", source="published on company site", expires_at=NOW + timedelta(days=300))
    ok = await review_raw(message, cfg(), ctx=ReviewContext(country="CA", consent=implied, now=NOW), spam=spam_scorer)
    assert ok.verdict == Verdict.PASS, ok.findings
    lapsed = implied.model_copy(update={"expires_at": NOW - timedelta(days=1)})
    old = await review_raw(message, cfg(), ctx=ReviewContext(country="CA", consent=lapsed, now=NOW), spam=spam_scorer)
    assert "casl.consent_expired" in rules(old)


async def test_spammy_multipart_blocks_for_every_reason(spam_scorer: SpamAssassin) -> None:
    result = await review_raw(raw("spammy_multipart.eml"), cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert result.verdict == Verdict.BLOCK
    found = rules(result)
    for rule in (
        "recipients.hidden",
        "can_spam.deceptive_subject",
        "can_spam.deceptive_from",
        "claims.guarantee",
        "claims.free_money",
        "attachments.policy",
        "links.domain_not_allowed",
    ):
        assert rule in found, (rule, found)


@pytest.mark.parametrize(
    ("entry", "to"),
    [
        (Suppression(value="jane@acme-analytics.com", kind="email", reason=SuppressionReason.UNSUBSCRIBED), None),
        (Suppression(value="acme-analytics.com", kind="domain", reason=SuppressionReason.DO_NOT_CONTACT), None),
        (
            Suppression(
                value=__import__("hashlib").sha256(b"jane@acme-analytics.com").hexdigest(),
                kind="email",
                reason=SuppressionReason.ERASED,
                hashed=True,
            ),
            None,
        ),
    ],
)
async def test_suppressed_addresses_block(spam_scorer: SpamAssassin, entry: Suppression, to: None) -> None:
    ctx = ReviewContext(country="US", suppressions=[entry])
    result = await review_raw(raw("clean_us.eml"), cfg(), ctx=ctx, spam=spam_scorer)
    assert "suppression.listed" in rules(result) and result.verdict == Verdict.BLOCK


@pytest.mark.parametrize(
    ("address", "rule", "verdict"),
    [
        ("abuse@acme-analytics.com", "address.never_contact", Verdict.BLOCK),
        ("info@acme-analytics.com", "address.role", Verdict.FLAG),
        ("j.doe@state.gov", "address.sensitive_domain", Verdict.BLOCK),
    ],
)
async def test_role_and_sensitive_addresses(
    spam_scorer: SpamAssassin, address: str, rule: str, verdict: Verdict
) -> None:
    message = raw("clean_us.eml").replace(b"jane@acme-analytics.com", address.encode())
    result = await review_raw(message, cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert rule in rules(result) and result.verdict == verdict


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        (b"I hope your recovery from the diagnosis went well.", "privacy.sensitive.health"),
        (b"Happy birthday! I saw your date of birth online.", "privacy.minimisation.birth_date"),
        (b"Our tool is risk-free and we guarantee results.", "claims.guarantee"),
        (b"This supplement is a miracle cure.", "claims.health_claim"),
    ],
)
async def test_banned_claims_and_sensitive_data(spam_scorer: SpamAssassin, sentence: bytes, rule: str) -> None:
    message = raw("clean_us.eml").replace(b"Would a short call", sentence + b"\nWould a short call")
    result = await review_raw(message, cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert rule in rules(result) and result.verdict != Verdict.PASS


async def test_gtube_blocks_on_spam_score(spam_scorer: SpamAssassin) -> None:
    gtube = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
    message = raw("clean_us.eml").replace(b"Would a short call", gtube + b"\nWould a short call")
    result = await review_raw(message, cfg(), ctx=ReviewContext(country="US"), spam=spam_scorer)
    assert result.spam_score is not None and result.spam_score >= 5
    assert {"deliverability.spam_score", "deliverability.hard_fail"} <= rules(result)
    assert any("GTUBE" in f.text for f in result.findings)


@pytest.mark.parametrize(
    "data", [b"", b"\x00\x01binary\x00", b"just some words, no headers at all\n", b"%PDF-1.7\n%\xe2\xe3\n"]
)
async def test_unparseable_input_blocks_with_a_clear_finding(data: bytes) -> None:
    result = await review_raw(data, cfg(), spam=None)
    assert result.verdict == Verdict.BLOCK
    assert result.findings[0].rule == "message.unparseable"


async def test_unscored_message_never_passes() -> None:
    result = await review_raw(raw("clean_us.eml"), cfg(), ctx=ReviewContext(country="US"), spam=None)
    assert result.verdict == Verdict.BLOCK and "deliverability.unscored" in rules(result)
