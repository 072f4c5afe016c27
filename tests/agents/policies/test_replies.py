"""Reply classification: what a rep needs to know from a reply, in four languages, with referrals and dates."""

from __future__ import annotations

from datetime import date

import pytest

from agents.policies.replies import ReplyLabel, classify_reply, extract_return_date, own_text

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ("Sounds interesting — can we book a call next week?", ReplyLabel.INTERESTED),
        ("Gerne, lassen Sie uns einen Termin finden.", ReplyLabel.INTERESTED),
        ("Not right now, maybe reach out again next quarter.", ReplyLabel.NOT_NOW),
        ("Please remove me from your list.", ReplyLabel.UNSUBSCRIBE),
        ("Bitte austragen, danke.", ReplyLabel.UNSUBSCRIBE),
        ("Merci de me désabonner.", ReplyLabel.UNSUBSCRIBE),
        ("I'm not the right person, you should talk to Maria Lopez (maria@acme.io).", ReplyLabel.WRONG_PERSON),
        ("We already use Salesforce for this and are happy with it.", ReplyLabel.OBJECTION),
        ("Too expensive for us, no budget this year.", ReplyLabel.OBJECTION),
        ("Thanks.", ReplyLabel.OTHER),
    ],
)
def test_labels(body: str, label: ReplyLabel) -> None:
    assert classify_reply("Re: hello", body, today=TODAY).label is label


def test_unsubscribe_wins_over_interest_words() -> None:
    verdict = classify_reply("Re: demo", "Not interested, please remove me. Don't send a demo.", today=TODAY)
    assert verdict.label is ReplyLabel.UNSUBSCRIBE and not verdict.needs_human


def test_referral_is_extracted_and_needs_a_human() -> None:
    verdict = classify_reply(
        "Re: hi", "Wrong person — please reach out to Maria Lopez, maria.lopez@acme.io, she handles this.",
        today=TODAY, own_addresses=frozenset({"alex@example.com"}),
    )  # fmt: skip
    assert verdict.label is ReplyLabel.WRONG_PERSON and verdict.needs_human
    assert verdict.referrals[0].email == "maria.lopez@acme.io"
    assert verdict.referrals[0].name == "Maria Lopez"


def test_objection_type_is_named() -> None:
    assert classify_reply("Re", "We already use HubSpot.", today=TODAY).objection == "competitor"
    assert classify_reply("Re", "Sorry, no budget.", today=TODAY).objection == "price"


def test_out_of_office_header_and_return_date() -> None:
    verdict = classify_reply(
        "Automatic reply", "I'm away until 3 December and will reply when I'm back.", auto_submitted=True,
        today=TODAY,
    )  # fmt: skip
    assert verdict.label is ReplyLabel.OUT_OF_OFFICE and verdict.return_date == date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("back on 2026-12-07", date(2026, 12, 7)),
        ("zurück am 07.12.2026", date(2026, 12, 7)),
        ("returning January 5th", date(2027, 1, 5)),
        ("please try again in 3 months", date(2027, 2, 22)),
        ("no date here", None),
    ],
)
def test_return_dates(text: str, expected: date | None) -> None:
    assert extract_return_date(text, TODAY) == expected


def test_quoted_history_is_ignored() -> None:
    body = "Thanks.\n\nOn Tue, Alex wrote:\n> Are you interested in a demo? Unsubscribe here."
    assert own_text(body) == "Thanks."
    assert classify_reply("Re: hi", body, today=TODAY).label is ReplyLabel.OTHER
