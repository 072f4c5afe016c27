"""ICP, scoring and risk config: bad values are refused with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_CONFIG, SettingsError, load_settings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("icp:\n  industy: [x]\n", "unknown key 'icp.industy'"),
        ("icp:\n  countries: [Germany]\n", "icp.countries: .*not ISO 3166-1 alpha-2"),
        ("icp:\n  regions: [MARS]\n", "icp.regions: .*unknown region"),
        ("icp:\n  min_employees: 500\n  max_employees: 50\n", "min_employees .500. is above max_employees"),
        ("icp:\n  exclusions:\n    competitor_domains: ['not a domain']\n", "is not a domain name"),
        ("scoring:\n  signals:\n    funding: {weight: lots, half_life_days: 3}\n", "scoring.signals.funding.weight"),
        ("scoring:\n  signals:\n    fundng: {weight: 1, half_life_days: 3}\n", "unknown signal type .'fundng'."),
        ("scoring:\n  signals:\n    funding: {weight: 1, half_life_days: 0}\n", "half_life_days"),
        ("scoring:\n  fit_max: 60\n", "must add up to 100"),
        ("scoring:\n  warm_threshold: 80\n", "warm_threshold .80.0. must not be above hot_threshold"),
        ("risk:\n  autonomy: yolo\n", "risk.autonomy"),
        ("risk:\n  routes:\n    low: {approvers: owner}\n", "missing a route for tier"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(path, environ={})


def test_shipped_icp_is_usable() -> None:
    s = load_settings(DEFAULT_CONFIG, environ={})
    assert "DE" in s.icp.fit_countries() and s.risk.autonomy.value == "approve_all"
    assert s.scoring.signals["layoffs"].weight < 0
