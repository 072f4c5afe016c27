"""The team's brand persona and languages (the `persona:` and `languages:` sections of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CaseStudy(BaseModel):
    """A customer result we are allowed to cite, with where it is published."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(description="short stable id, used in citations (case:<case_id>)")
    customer: str = Field(description="the customer's name as we may publish it")
    industry: str | None = Field(None, description="industry code it is most relevant to (matches ICP industries)")
    summary: dict[str, str] = Field(description="one-sentence result per language code, e.g. {en: ..., de: ...}")
    url: str = Field(description="public page that states the result (the citation)")


class PersonaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_name: str = Field("Example Co", description="our company name, used in signatures and footers")
    sender_name: str = Field("Alex from Example Co", description="display name of the sender")
    sender_title: str | None = Field(None, description="sender's job title shown under the signature")
    website: str = Field("https://example.com", description="our website; links to it are always allowed")
    postal_address: str = Field(
        "", description="physical postal address printed in every message (CAN-SPAM); drafts block while empty"
    )
    voice: str = Field("clear, friendly, concise; no hype", description="tone the copywriter writes in")
    banned_words: list[str] = Field(
        default_factory=list, description="words the brand never uses; a draft containing one is flagged"
    )
    sign_off: dict[str, str] = Field(
        default_factory=lambda: {"en": "Best", "de": "Viele Grüße", "fr": "Bien cordialement", "es": "Saludos"},
        description="closing line per language code",
    )
    value_props: dict[str, list[str]] = Field(
        default_factory=dict, description="what we do for customers, one short phrase each, per language code"
    )
    case_studies: list[CaseStudy] = Field(
        default_factory=list, description="customer results we may cite (each with a public URL)"
    )


class LanguageSettings(BaseModel):
    """Per-language choices of the copywriter."""

    model_config = ConfigDict(extra="forbid")

    formal: bool = Field(False, description="use the formal address (Sie / vous / usted)")


class LanguagesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str = Field("en", description="language used when a lead's language is unknown")
    supported: list[str] = Field(
        default_factory=lambda: ["en", "de", "fr", "es"], description="languages drafts may be written in"
    )
    by_country: dict[str, str] = Field(
        default_factory=lambda: {
            "DE": "de",
            "AT": "de",
            "CH": "de",
            "FR": "fr",
            "BE": "fr",
            "LU": "fr",
            "ES": "es",
            "MX": "es",
            "AR": "es",
            "CO": "es",
            "CL": "es",
        },
        description="language for a company's HQ country when its site language is unknown (ISO code → language)",
    )
    settings: dict[str, LanguageSettings] = Field(
        default_factory=lambda: {"de": LanguageSettings(formal=True), "fr": LanguageSettings(formal=True)},
        description="per-language settings, e.g. {de: {formal: true}}",
    )
