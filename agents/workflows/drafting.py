"""Drafting workflow: stored facts → cited sequence (template or model writer) → compliance review per step."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from agents.copywriting.facts import CitedFact, citable_facts, evidence_for
from agents.copywriting.sequence import DraftPackage, DraftStep, Variant
from agents.copywriting.writer import Angle, TemplateWriter, Writer, WritingBrief, available_languages, write_checked
from agents.persona import LanguagesConfig, PersonaConfig
from agents.policies.compliance import Finding, ReviewContext, check_message, verdict_of
from agents.policies.compliance_config import ComplianceConfig
from agents.policies.compliance_rules.base import host_of
from agents.workflows.review import SpamScorer, score_findings
from knowledge.deliverability.message import parse_message, render_message
from knowledge.graph.store import CompanyProfile, PersonRow
from knowledge.models import Suppression, company_id_for, fact_id_for, normalise_domain, person_id_for

log = logging.getLogger(__name__)
CAMPAIGN = "default"

FOOTER = {
    "en": "{company} · {address}\nSource of your contact details: {source}.\n"
    'Not interested? Reply "no" or unsubscribe: {url}',
    "de": "{company} · {address}\nIhre Adresse stammt von {source}.\n"
    'Kein Interesse? Antworten Sie mit "Nein" oder hier abmelden: {url}',
    "fr": "{company} · {address}\nNous avons trouvé votre adresse sur {source}.\n"
    "Pas intéressé ? Répondez « non » ou désinscrivez-vous : {url}",
    "es": "{company} · {address}\nEncontramos su dirección en {source}.\n"
    '¿No le interesa? Responda "no" o darse de baja: {url}',
}
UNKNOWN_SOURCE = {
    "en": "a public business source",
    "de": "einer öffentlichen Geschäftsquelle",
    "fr": "une source professionnelle publique",
    "es": "una fuente profesional pública",
}


class UnknownCompany(LookupError):
    """The company has not been researched; the message tells the user what to run."""


@dataclass
class Sender:
    """Trusted sending facts from config: who sends and where recipients can unsubscribe."""

    address: str
    public_url: str


def choose_language(
    requested: str | None, profile: CompanyProfile, languages: LanguagesConfig
) -> tuple[str, list[Finding]]:
    have = available_languages() & set(languages.supported)
    site = profile.properties.get("language")
    country = profile.properties.get("hq_country")
    wanted = requested or (str(site)[:2].lower() if site else None) or languages.by_country.get(str(country or ""))
    wanted = wanted or languages.default
    if wanted in have:
        return wanted, []
    finding = Finding(
        rule="language.no_templates",
        severity="flag",
        text=f"no templates for '{wanted}'",
        fix=f"drafted in '{languages.default}' instead; add agents/copywriting/templates/{wanted}/ "
        f"and list it in languages.supported",
    )
    return languages.default, [finding]


def pick_contact(people: Sequence[PersonRow], email: str | None) -> PersonRow | None:
    if email:
        return next((p for p in people if p.email and p.email.lower() == email.lower()), None)
    return next((p for p in people if p.email), None)


def plan_angles(facts: Sequence[CitedFact]) -> list[Angle]:
    angles: list[Angle] = ["signal"] if any(f.kind == "signal" for f in facts) else []
    return [*angles, "pain", "case_study", "breakup"]


async def draft_sequence(
    profile: CompanyProfile | None,
    *,
    domain: str,
    persona: PersonaConfig,
    languages: LanguagesConfig,
    compliance: ComplianceConfig,
    sender: Sender,
    contact_email: str | None = None,
    language: str | None = None,
    writer: Writer | None = None,
    spam: SpamScorer | None = None,
    suppressions: Sequence[Suppression] = (),
    untrusted_texts: Sequence[str] = (),
) -> DraftPackage:
    """Draft and review a whole sequence. Raises UnknownCompany when nothing is stored about ``domain``."""
    domain = normalise_domain(domain)
    if profile is None:
        raise UnknownCompany(f"nothing is stored about {domain}: research it first with `amia research {domain}`")
    lang, findings = choose_language(language, profile, languages)
    company = profile.name or domain
    contact = pick_contact(profile.people, contact_email)
    package = DraftPackage(
        domain=domain,
        company=company,
        contact=contact.email if contact else contact_email,
        contact_name=contact.full_name if contact else None,
        language=lang,
        mode="llm" if writer else "template",
        findings=findings,
    )
    if contact is None or not contact.email:
        who = (
            f"{contact_email} is not a stored contact at {domain}"
            if contact_email
            else f"no contact with an email at {domain}"
        )
        package.findings.append(
            Finding(
                rule="lead.no_email",
                severity="block",
                text=who,
                fix="research the company's people (or add the contact) before drafting",
            )
        )
        return package
    if not persona.value_props.get(lang) and not persona.value_props.get(languages.default):
        package.findings.append(
            Finding(
                rule="persona.missing",
                severity="block",
                text="persona.value_props is empty",
                fix="fill persona (value_props, postal_address, sign_off) in config.yaml",
            )
        )
        return package
    lead_id = fact_id_for("lead", person_id_for(contact.email), company_id_for(domain), CAMPAIGN)
    package.lead_id = lead_id
    facts = citable_facts(profile)
    case = next((c for c in persona.case_studies if c.industry in (profile.properties.get("industries") or [])), None)
    case = case or (persona.case_studies[0] if persona.case_studies else None)
    names = contact.full_name.split() if contact.full_name else []
    value_prop = (persona.value_props.get(lang) or persona.value_props[languages.default])[0]
    url = f"{sender.public_url.rstrip('/')}/unsubscribe/{lead_id}"
    source = host_of(contact.source_url) if contact.source_url else UNKNOWN_SOURCE.get(lang, UNKNOWN_SOURCE["en"])
    footer = FOOTER.get(lang, FOOTER["en"]).format(
        company=persona.company_name, address=persona.postal_address, source=source, url=url
    )
    evidence = evidence_for(profile, persona.case_studies)
    trusted = [
        footer,
        value_prop,
        persona.sign_off.get(lang, ""),
        persona.sender_name,
        persona.company_name,
        *(c.url for c in persona.case_studies),
        *(v for c in persona.case_studies for v in c.summary.values()),
    ]
    hosts = [host_of(c.url) for c in persona.case_studies]
    cfg = compliance.model_copy(update={"allowed_link_domains": [*compliance.allowed_link_domains, *hosts]})
    templates = TemplateWriter()
    for number, angle in enumerate(plan_angles(facts), start=1):
        brief = WritingBrief(
            angle=angle,
            step=number,
            language=lang,
            company=company,
            first_name=names[0] if names else None,
            full_name=contact.full_name or None,
            formal=languages.settings.get(lang).formal if lang in languages.settings else False,  # type: ignore[union-attr]
            sender_name=persona.sender_name,
            sign_off=persona.sign_off.get(lang, ""),
            value_prop=value_prop,
            facts=facts,
            case=case,
            voice=persona.voice,
        )
        written, writer_findings = await write_checked(writer or templates, brief, fallback=templates)
        body = f"{written.body}\n\n--\n{footer}\n"
        message_id = fact_id_for("message", lead_id, number)
        raw = render_message(
            from_name=persona.sender_name,
            from_address=sender.address,
            to_address=contact.email,
            to_name=contact.full_name or None,
            subject=written.subjects[0],
            body=body,
            unsubscribe_url=url,
            language=lang,
        )
        ctx = ReviewContext(
            country=profile.properties.get("hq_country"),
            suppressions=list(suppressions),
            draft=True,
            expected_recipient=contact.email,
            sender_address=sender.address,
            company_name=persona.company_name,
            postal_address=persona.postal_address or None,
            website=persona.website,
            unsubscribe_url=url,
            claims=written.claims,
            facts=evidence,
            trusted_texts=trusted,
            untrusted_texts=list(untrusted_texts),
            banned_words=persona.banned_words,
            contact_source_url=contact.source_url,
        )
        step_findings = writer_findings + check_message(parse_message(raw), ctx, cfg)
        spam_extra, report = await score_findings(raw, spam, cfg)
        step_findings += spam_extra
        variants = [Variant(tag=f"s{number}-{angle}-{'ab'[i]}", subject=s) for i, s in enumerate(written.subjects)]
        package.steps.append(
            DraftStep(
                step=number,
                angle=angle,
                language=lang,
                subject=written.subjects[0],
                body=body,
                variants=variants,
                citations=written.claims,
                mode=written.mode,
                message_id=message_id,
                raw=raw.decode("utf-8", "replace"),
                findings=step_findings,
                spam_score=report.score + 0.0 if report else None,
                verdict=verdict_of(step_findings),
            )
        )
    return package
