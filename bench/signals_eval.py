"""Benchmark: signal detection quality on the labelled corpus in bench/data/signals/ (dev or held-out test split).

Run: .venv/bin/python bench/signals_eval.py [dev|test|FILE.jsonl] [--in-process] [--json] [--show N]
Runs the real command (`amia signals --jsonl`) on the split unless --in-process (the same function, no subprocess),
then prints per-type precision/recall/F1, micro and macro F1, F1 per language and the worst misses.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.signals.evaluation import Report, evaluate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "signals"


def load(split: str) -> tuple[Path, list[dict[str, Any]]]:
    path = DATA / f"{split}.jsonl" if split in ("dev", "test") else Path(split)
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict_cli(path: Path) -> dict[str, list[dict[str, Any]]]:
    amia = ROOT / ".venv" / "bin" / "amia"
    cmd = [str(amia)] if amia.exists() else [sys.executable, "-m", "bot.cli"]
    out = subprocess.run(
        [*cmd, "signals", "--jsonl", str(path)], capture_output=True, text=True, check=True, timeout=600, cwd=ROOT
    ).stdout
    return {str(row["id"]): row["signals"] for row in map(json.loads, out.splitlines())}


def predict_in_process(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    from bot.commands.signals import answer_line

    return {str(item["id"]): answer_line(json.dumps(item))["signals"] for item in items}


def render(report: Report, show: int) -> str:
    lines = [f"{'type':<21}{'tp':>4}{'fp':>4}{'fn':>4}{'prec':>7}{'rec':>7}{'f1':>7}"]
    for kind, c in report.per_type.items():
        lines.append(f"{kind:<21}{c.tp:>4}{c.fp:>4}{c.fn:>4}{c.precision:>7.2f}{c.recall:>7.2f}{c.f1:>7.2f}")
    m = report.micro
    lines.append(f"{'micro':<21}{m.tp:>4}{m.fp:>4}{m.fn:>4}{m.precision:>7.2f}{m.recall:>7.2f}{m.f1:>7.2f}")
    lines.append(f"{'macro F1':<21}{'':>26}{report.macro_f1:>7.2f}")
    lines.append("")
    for lang, c in sorted(report.per_lang.items()):
        lines.append(f"lang {lang:<16}{c.tp:>4}{c.fp:>4}{c.fn:>4}{c.precision:>7.2f}{c.recall:>7.2f}{c.f1:>7.2f}")
    if show:
        lines.append(f"\nfalse positives ({len(report.false_positives)}):")
        for miss in report.false_positives[:show]:
            lines.append(f"  {miss.id} {miss.type}: “{miss.evidence[:140]}”")
        lines.append(f"\nfalse negatives ({len(report.false_negatives)}):")
        for miss in report.false_negatives[:show]:
            lines.append(f"  {miss.id} {miss.type}: {miss.text[:140]!r}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", default="dev", help="dev, test or a JSONL file")
    parser.add_argument("--in-process", action="store_true", help="call the CLI's function instead of `amia`")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", type=int, default=25, help="how many false positives/negatives to list")
    args = parser.parse_args()
    path, items = load(args.split)
    started = time.perf_counter()
    predictions = predict_in_process(items) if args.in_process else predict_cli(path)
    elapsed = time.perf_counter() - started
    report = evaluate(items, predictions)
    if args.json:
        print(json.dumps({"split": args.split, "seconds": round(elapsed, 2), **report.as_dict()}, indent=2))
        return 0
    langs = sorted({str(i.get("lang")) for i in items})
    print(f"signals eval: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} — {len(items)} items")
    print(f"languages {', '.join(langs)}; {sum(1 for i in items if not i['expected'])} without any signal")
    print(f"detector time {elapsed:.2f} s ({'in-process' if args.in_process else 'amia signals --jsonl'})\n")
    print(render(report, args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
