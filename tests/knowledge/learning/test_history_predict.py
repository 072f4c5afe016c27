"""`amia scoring predict`: the saved CRM model scores an open pipeline, with reasons; bad input is refused clearly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.knowledge.learning.crm_data import run, write_crm


@pytest.fixture
def fitted(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path) -> Path:
    history = write_crm(tmp_path / "history.csv")
    code, _, err = run(capsys, "--config", str(config), "scoring", "fit", "--history", str(history),
                       "--label", "Deal Stage", "--save", "--json")  # fmt: skip
    assert code == 0, err
    return config


def write_open(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def lead(name: str, demo: str, industry: str = "SaaS", visits: str = "10") -> dict[str, str]:
    return {"Company Name": name, "Industry": industry, "Number of Employees": "1,200", "Annual Revenue": "$90,000,000",
            "Country": "DE", "Web Visits": visits, "Create Date": "2024-11-02", "Demo Requested": demo}  # fmt: skip


def test_known_driver_ranks_leads_and_is_named_as_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fitted: Path
) -> None:
    open_leads = write_open(tmp_path / "open.csv", [lead("Slowco", "No"), lead("Hotco", "Yes", "Fintech", "40"),
                                                    lead("Midco", "Yes")])  # fmt: skip
    code, out, err = run(capsys, "--config", str(fitted), "scoring", "predict", "--file", str(open_leads), "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["label"] == "Deal Stage" and r["n_rows"] == 3 and r["id_column"] == "Company Name"
    ranked = [p["id"] for p in r["predictions"]]
    assert ranked == ["Hotco", "Midco", "Slowco"]
    by_id = {p["id"]: p for p in r["predictions"]}
    # the generator's true model: P(won | demo) is far above P(won | no demo)
    assert by_id["Midco"]["probability"] > by_id["Slowco"]["probability"] + 0.3
    top = by_id["Hotco"]["reasons"][0]
    assert top["column"] == "Demo Requested" and top["value"] == "Yes" and top["effect"] > 0
    assert by_id["Slowco"]["reasons"][0]["column"] == "Demo Requested" and by_id["Slowco"]["reasons"][0]["effect"] < 0
    assert r["warnings"] == []

    code, out, _ = run(capsys, "--config", str(fitted), "scoring", "predict", "--file", str(open_leads), "--top", "1")
    assert code == 0
    assert "1. " in out and "Hotco" in out and "Slowco" not in out
    assert "Demo Requested = Yes" in out


def test_missing_columns_warn_and_label_is_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fitted: Path
) -> None:
    rows = [lead("A", "Yes") | {"Deal Stage": "Closed Lost"}, lead("B", "No") | {"Deal Stage": "Closed Won"}]
    header = ["Company Name", "Demo Requested", "Industry", "Deal Stage"]
    path = write_open(tmp_path / "partial.csv", rows, header)
    code, out, err = run(capsys, "--config", str(fitted), "scoring", "predict", "--file", str(path), "--json")
    assert code == 0, err
    r = json.loads(out)
    assert any("Web Visits" in w and "treated as missing" in w for w in r["warnings"])
    assert any("label column 'Deal Stage'" in w for w in r["warnings"])
    assert [p["id"] for p in r["predictions"]] == ["A", "B"]  # the label column did not decide the order


def test_no_model_and_unrelated_file_are_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    path = write_open(tmp_path / "open.csv", [lead("A", "Yes")])
    code, _, err = run(capsys, "--config", str(config), "scoring", "predict", "--file", str(path))
    assert code == 1 and "no CRM model is saved yet" in err and "--save" in err

    history = write_crm(tmp_path / "history.csv", n=300)
    assert run(capsys, "--config", str(config), "scoring", "fit", "--history", str(history),
               "--label", "Deal Stage", "--save")[0] == 0  # fmt: skip
    other = write_open(tmp_path / "other.csv", [{"Email": "a@b.io", "Owner": "sam"}])
    code, _, err = run(capsys, "--config", str(config), "scoring", "predict", "--file", str(other))
    assert code != 0 and "none of the model's columns are in the file" in err and "Demo Requested" in err

    code, _, err = run(capsys, "--config", str(config), "scoring", "predict", "--file", str(path), "--id", "Nope")
    assert code != 0 and "--id: no column 'Nope'" in err
