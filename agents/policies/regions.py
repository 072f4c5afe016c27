"""Named groups of ISO country codes used by the ICP (regions) and by risk (privacy jurisdictions)."""

from __future__ import annotations

EU: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
EEA: frozenset[str] = EU | {"IS", "LI", "NO"}

REGIONS: dict[str, frozenset[str]] = {
    "EU": EU,
    "EEA": EEA,
    "DACH": frozenset({"DE", "AT", "CH"}),
    "BENELUX": frozenset({"BE", "NL", "LU"}),
    "NORDICS": frozenset({"DK", "FI", "IS", "NO", "SE"}),
    "UK": frozenset({"GB"}),
    "EUROPE": EEA | {"GB", "CH"},
    "NA": frozenset({"US", "CA"}),
    "LATAM": frozenset(
        [
            "AR",
            "BO",
            "BR",
            "CL",
            "CO",
            "CR",
            "DO",
            "EC",
            "GT",
            "HN",
            "MX",
            "NI",
            "PA",
            "PE",
            "PY",
            "SV",
            "UY",
            "VE",
        ]
    ),
    "APAC": frozenset(["AU", "NZ", "JP", "KR", "SG", "HK", "TW", "IN", "ID", "MY", "PH", "TH", "VN"]),
    "ANZ": frozenset({"AU", "NZ"}),
    "MENA": frozenset(["AE", "SA", "QA", "KW", "BH", "OM", "IL", "EG", "MA", "TN", "JO"]),
}
"""Region name → countries. Config keys name these (upper case)."""
