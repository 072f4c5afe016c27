"""Generated CRM-like exports with a known signal (and optional leakage and junk) for the fit tests."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest

from bot.cli import main


def write_crm(path: Path, n: int = 1500, *, tricky: bool = False, seed: int = 7) -> Path:
    """HubSpot-style export. 'Demo Requested' drives the label; tricky adds leaky columns and placeholders."""
    rnd = random.Random(seed)
    industries = ["Fintech", "SaaS", "Retail", "Healthcare", "Manufacturing"]
    header = ["Record ID", "Company Name", "Industry", "Number of Employees", "Annual Revenue", "Country",
              "Web Visits", "Create Date", "Demo Requested", "Deal Stage"]  # fmt: skip
    if tricky:
        header += ["Close Date", "Lost Reason", "Last Activity Date"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(n):
            ind = rnd.choice(industries)
            emp = int(math.exp(rnd.gauss(5, 1.5)))
            demo = rnd.random() < 0.3
            visits = int(rnd.expovariate(1 / 10))
            logit = -2.2 + 3.0 * demo + 0.5 * (ind == "Fintech") + 0.02 * min(visits, 50)
            won = rnd.random() < 1 / (1 + math.exp(-logit))
            row = [str(100000 + i), f"Company {i}", ind, f"{emp:,}", f"${emp * rnd.uniform(5e4, 3e5):,.0f}",
                   rnd.choice(["US", "DE", "GB"]), str(visits),
                   f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                   "Yes" if demo else "No", "Closed Won" if won else "Closed Lost"]  # fmt: skip
            if tricky:
                for k in (2, 3, 4, 6):
                    if rnd.random() < 0.12:
                        row[k] = rnd.choice(["N/A", "-", "unknown", "", "n/a"])
                row += [
                    f"2025-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}" if won else "",
                    "" if won else rnd.choice(["price", "timing", "no budget"]),
                    f"2025-{rnd.randint(1, 12):02d}-01",
                ]
            w.writerow(row)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`amia ARGV…` in process: exit code, stdout, stderr."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err
