"""Team preferences from memory become rules the scorer applies."""

from __future__ import annotations

import pytest

from knowledge.memory.rules import parse_rules


@pytest.mark.parametrize(
    "sentence",
    [
        "no companies under 50 people",
        "No companies with fewer than 50 employees, please",
        "only leads with at least 50 employees",
        "min 50 staff",
        "Keine Firmen unter 50 Mitarbeitern",
    ],
)
def test_minimum_headcount_phrasings(sentence: str) -> None:
    rules = parse_rules([sentence])
    assert rules.min_employees == 50
    assert rules.exclusion_reason(employee_count=49, industries=[], country=None) is not None
    assert rules.exclusion_reason(employee_count=50, industries=[], country=None) is None


def test_unknown_headcount_is_not_excluded_and_later_rule_wins() -> None:
    rules = parse_rules(["no companies under 50 people", "actually, no companies under 200 people"])
    assert rules.min_employees == 200
    assert rules.exclusion_reason(employee_count=None, industries=[], country=None) is None


def test_industries_countries_maximum_and_writing_rules() -> None:
    rules = parse_rules(
        [
            "no gambling companies",
            "exclude industry crypto",
            "no leads in RU",
            "no companies over 5,000 employees",
            "never use emojis in subject lines",
        ]
    )
    assert rules.excluded_industries == ["crypto", "gambling"]
    assert rules.excluded_countries == ["RU"]
    assert rules.max_employees == 5000
    assert rules.writing == ["never use emojis in subject lines"]
    assert rules.exclusion_reason(employee_count=100, industries=["Gambling"], country="DE") == (
        "team rule: industry gambling is excluded"
    )
    assert rules.exclusion_reason(employee_count=100, industries=[], country="ru") == "team rule: no leads in RU"
    assert "at most 5000 employees" in rules.describe()
