"""`amia scoring fit`: learn a conversion model from a CRM export and report how well it validates."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.base import print_json
from bot.errors import UsageError
from bot.settings import Settings

MODEL_NAME = "crm_history"


def register(sub: Any) -> None:
    p = sub.add_parser("scoring", help="learn scoring weights from CRM history")
    inner = p.add_subparsers(dest="scoring_command", metavar="SUBCOMMAND")
    fit = inner.add_parser("fit", help="fit a model on a CRM export and print cross-validated AUC")
    fit.add_argument("--history", required=True, metavar="FILE.csv", help="CRM export (HubSpot/Salesforce CSV)")
    fit.add_argument("--label", required=True, metavar="COLUMN", help="column saying won/lost, yes/no or 1/0")
    fit.add_argument("--exclude", nargs="+", action="extend", default=[], metavar="COLUMN", help="columns to leave out")
    fit.add_argument("--json", action="store_true", help="machine-readable report")
    fit.add_argument("--save", action="store_true", help="save the model as the active CRM model")
    fit.set_defaults(handler=handle_fit)
    p.set_defaults(handler=lambda args, settings: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    raise UsageError("usage: amia scoring fit --history FILE.csv --label COLUMN [--exclude COLUMN ...] [--json]")


def handle_fit(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.learning.history_csv import read_history
    from knowledge.learning.history_fit import fit_history
    from knowledge.learning.model_store import save_model

    table = read_history(args.history)
    report, model = fit_history(table, args.label, args.exclude)
    saved = None
    if args.save:
        saved = save_model(settings.data_path("models"), MODEL_NAME, model, report.to_json() | {"source": args.history})
    if args.json:
        data = report.to_json()
        if saved:
            data["saved_to"] = str(saved)
        print_json(data)
        return 0
    print(render_report(report.to_json()))
    if saved:
        print(f"\nsaved as the active CRM model: {saved}")
    return 0


def render_report(r: dict[str, Any]) -> str:
    """The fit report as text a sales-ops person can read."""
    lines = [
        f"label '{r['label']}': {r['n_rows']} rows, {r['positive_rate']:.1%} positive, {r['n_features']} feature "
        f"columns ({r['n_encoded_features']} encoded)",
        "",
        "5-fold cross-validated ROC AUC (mean ± sd):",
    ]
    for name, c in r["candidates"].items():
        mark = "  <- chosen" if name == r["model"] else ""
        lines.append(f"  {name:<30} {c['auc']:.3f} ± {c['auc_std']:.3f}{mark}")
    lines += [
        "",
        f"calibration: Brier {r['brier']:.4f} (baseline {r['brier_baseline']:.4f}); reliability by decile:",
        "  predicted  observed     n",
    ]
    lines += [f"  {b['predicted']:>9.3f} {b['observed']:>9.3f} {b['n']:>5}" for b in r["reliability"]]
    lines += ["", "top features (change in log-odds per SD or for the category; from the logistic regression):"]
    lines += [f"  {f['effect']:+.3f}  {f['direction']:<6}  {f['feature']}" for f in r["top_features"]]
    dropped = [c for c in r["columns"] if c["use"] == "dropped"]
    if dropped:
        lines += ["", "columns not used:"] + [f"  {c['name']}: {c['reason']}" for c in dropped]
    if r["warnings"]:
        lines += ["", "warnings:"] + [f"  ! {w}" for w in r["warnings"]]
    return "\n".join(lines)
