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
    pred = inner.add_parser("predict", help="score open leads in a CRM export with the saved CRM model")
    pred.add_argument("--file", required=True, metavar="FILE.csv", help="CRM export of leads to score")
    pred.add_argument("--id", metavar="COLUMN", help="column that names each row (default: guessed)")
    pred.add_argument("--top", type=int, default=0, metavar="N", help="print only the N most likely (0: all)")
    pred.add_argument("--json", action="store_true", help="machine-readable output")
    pred.set_defaults(handler=handle_predict)
    p.set_defaults(handler=lambda args, settings: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    raise UsageError(
        "usage: amia scoring fit --history FILE.csv --label COLUMN [--exclude COLUMN ...] [--json] [--save]\n"
        "       amia scoring predict --file FILE.csv [--id COLUMN] [--top N] [--json]"
    )


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
        print(
            f"\nsaved as the active CRM model: {saved}\nscore open leads with it: amia scoring predict --file FILE.csv"
        )
    return 0


def handle_predict(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.learning.history_csv import read_history
    from knowledge.learning.history_fit import HistoryModel
    from knowledge.learning.history_predict import predict_history
    from knowledge.learning.model_store import ModelStoreError, load_model

    if args.top < 0:
        raise UsageError("--top must be 0 (all rows) or a positive number")
    model = load_model(settings.data_path("models"), MODEL_NAME)
    if model is None:
        raise UsageError(
            "no CRM model is saved yet: fit one first with amia scoring fit --history FILE.csv --label COLUMN --save"
        )
    if not isinstance(model, HistoryModel):
        raise ModelStoreError(
            "the saved CRM model was written by an older version of AMIA and cannot explain its predictions; "
            "refit it: amia scoring fit --history FILE.csv --label COLUMN --save"
        )
    report = predict_history(model, read_history(args.file), id_column=args.id)
    if args.top:
        report.predictions = report.predictions[: args.top]
    if args.json:
        print_json(report.to_json())
        return 0
    print(
        f"{report.n_rows} rows scored for '{report.label}' with the saved {report.model} "
        f"(cross-validated AUC {report.trained_auc:.3f}); most likely first:"
    )
    for rank, pr in enumerate(report.predictions, 1):
        why = "; ".join(f"{r.effect:+.2f} {r.column} = {r.value}" for r in pr.reasons) or "close to average"
        print(f"  {rank:>4}. {pr.probability:6.1%}  {pr.id}  ({why})")
    for w in report.warnings:
        print(f"  ! {w}")
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
        f"calibration (out of fold): Brier {r['brier']:.4f} calibrated, {r['brier_uncalibrated']:.4f} before "
        f"calibration, {r['brier_baseline']:.4f} plain baseline; reliability by decile:",
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
