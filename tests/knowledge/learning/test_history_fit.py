"""`amia scoring fit` on generated CRM exports: known signal found, leakage warned, bad input refused cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.learning.history_columns import parse_label, parse_number
from knowledge.learning.history_csv import HistoryError, read_history
from tests.knowledge.learning.crm_data import run, write_crm


def test_known_signal_gives_good_auc_and_tops_the_features(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    csv_path = write_crm(tmp_path / "crm.csv")
    code, out, _ = run(capsys, "--config", str(config), "scoring", "fit", "--history", str(csv_path),
                       "--label", "Deal Stage", "--json", "--save")  # fmt: skip
    assert code == 0
    r = json.loads(out)
    assert r["auc"] > 0.7 and r["baseline_auc"] > 0.6 and 0 < r["auc_std"] < 0.1
    assert r["n_rows"] == 1500 and 0.2 < r["positive_rate"] < 0.6
    assert r["top_features"][0]["feature"].startswith("Demo Requested")
    assert r["top_features"][0]["effect"] > 0
    assert 0 < r["brier"] < 0.25 and 0 < r["brier_uncalibrated"] < 0.25
    # the calibrated model's out-of-fold probabilities: no worse than before calibration (beyond noise), and
    # each well-filled reliability bin predicts close to what happened
    assert r["brier"] <= r["brier_uncalibrated"] + 0.005
    bins = [b for b in r["reliability"] if b["n"] >= 100]
    assert bins and all(abs(b["predicted"] - b["observed"]) < 0.12 for b in bins), bins
    predicted = sum(b["predicted"] * b["n"] for b in r["reliability"]) / r["n_rows"]
    assert abs(predicted - r["positive_rate"]) < 0.03
    assert not any("leakage" in w for w in r["warnings"])
    used = {c["name"]: c["use"] for c in r["columns"]}
    assert used["Record ID"] == "dropped" and used["Company Name"] == "dropped"
    assert used["Annual Revenue"] == "numeric"  # "$1,234" parsed as a number
    assert (tmp_path / "var" / "models" / "crm_history.joblib").exists()


def test_leakage_and_junk_values_are_warned(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path) -> None:
    csv_path = write_crm(tmp_path / "tricky.csv", n=800, tricky=True)
    code, out, _ = run(capsys, "--config", str(config), "scoring", "fit", "--history", str(csv_path),
                       "--label", "deal stage")  # fmt: skip
    assert code == 0
    assert "possible leakage: 'Close Date' alone predicts the label" in out
    assert "'Lost Reason'" in out and "'Last Activity Date' looks like a field filled in after contact" in out
    assert "5-fold cross-validated ROC AUC" in out and "baseline_logistic_regression" in out


def test_missing_label_lists_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path) -> None:
    csv_path = write_crm(tmp_path / "crm.csv", n=60)
    code, _, err = run(capsys, "--config", str(config), "scoring", "fit", "--history", str(csv_path),
                       "--label", "Won?", "--save")  # fmt: skip
    assert code == 1
    assert "no column 'Won?'" in err and "Deal Stage" in err
    assert not (tmp_path / "var" / "models").exists()


def test_one_class_label_is_refused_and_nothing_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("size,won\n" + "".join(f"{i},yes\n" for i in range(30)))
    code, _, err = run(capsys, "--config", str(config), "scoring", "fit", "--history", str(path), "--label", "won",
                       "--save")  # fmt: skip
    assert code == 1 and "only one class" in err
    assert not (tmp_path / "var" / "models").exists()


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes("Firma;Größe;Gewonnen\nMüller GmbH;1.200;ja\n".encode("cp1252"))
    table = read_history(path)
    assert table.delimiter == ";" and table.columns[1] == "Größe"
    assert any("Windows-1252" in w for w in table.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"a,b\n", "header but no data rows"),
        (b"a,b,label\n1,2,yes\n1,2,3,no\n", "line 3 has 4 fields"),
        (b"a,b\n\x00\x01\x02,3\n", "NUL bytes"),
        (b"a,b\n\x81\x8d\x8f,1\n", "not UTF-8"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match=message):
        read_history(path)


def test_label_parsing() -> None:
    y, keep, warnings = parse_label(
        ["Closed Won", "closed lost", "Yes", "no", "1", "0", "TRUE", "false", "Won", "Lost", "", "Negotiation"]
        + ["yes", "no"] * 4,
        "stage",
    )
    assert list(y[:10]) == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
    assert not keep[10] and not keep[11]
    assert any("Negotiation" in w for w in warnings) and any("blank" in w for w in warnings)
    with pytest.raises(HistoryError, match="cannot tell positive from negative"):
        parse_label(["red", "blue", "red"], "colour")
    # a deals export where most deals are still open: the closed ones are used, the open ones reported
    y, keep, warnings = parse_label(["Closed Won"] * 10 + ["Closed Lost"] * 10 + ["Negotiation"] * 30, "Stage")
    assert keep.sum() == 20 and y.sum() == 10 and "30 row(s)" in warnings[0]


def test_number_parsing() -> None:
    assert parse_number("$1,234.50") == 1234.5
    assert parse_number("1.234,5 €") == 1234.5
    assert parse_number("(300)") == -300
    assert parse_number("2.5M") == 2_500_000
    assert parse_number("N/A") is None and parse_number("abc") is None
