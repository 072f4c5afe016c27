"""`amia outreach ...`: schedule approved messages, run the sender, read replies, stop/resume sequences,
settle in-doubt sends, A/B reports, CRM exports and webhooks, suppression import, ad audiences, analytics."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.commands.base import print_json
from bot.errors import ServiceError, UsageError
from bot.outreach.audiences import PLATFORMS, export_audience, ingest_visits
from bot.outreach.crm import deliver_outcome_webhooks, export_csv, import_suppressions
from bot.outreach.errors import CsvImportError, NotSendable
from bot.outreach.http import OUTREACH_KEY
from bot.outreach.runtime import Outreach, build_poller, secret_key
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("outreach", help="email sequences: schedule, send, replies, exports")
    s = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = s.add_parser("schedule", help="schedule an approved message (its lead's next step)")
    a.add_argument("message_ids", nargs="+", metavar="MESSAGE_ID", help="one id, or several A/B variants")
    a.add_argument("--by", metavar="USER", help="who approved (default: the recorded approver)")
    a = s.add_parser("run", help="send due steps (once, or keep running with --forever)")
    a.add_argument("--forever", action="store_true", help="keep polling until interrupted")
    a = s.add_parser("status", help="steps by status, and any that need a human")
    a.add_argument("--json", action="store_true")
    a = s.add_parser("pause", help="stop a lead's sequence (pending steps are cancelled)")
    a.add_argument("lead_id", metavar="LEAD_ID")
    a = s.add_parser("resume", help="allow a paused lead to be scheduled again")
    a.add_argument("lead_id", metavar="LEAD_ID")
    a = s.add_parser("resolve", help="settle a step left 'unknown' by a crash mid-send")
    a.add_argument("step_id", metavar="STEP_ID")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--sent", action="store_true", help="it did go out (found in the Sent folder): record it")
    g.add_argument("--resend", action="store_true", help="it did not go out: send it again")
    a.add_argument("--by", default="cli", metavar="USER")
    s.add_parser("poll", help="read new replies and bounces from IMAP once")
    a = s.add_parser("experiment", help="A/B results for a step: rates, 95%% intervals, winner")
    a.add_argument("step", type=int, metavar="STEP")
    a.add_argument("--metric", choices=["replies", "positive", "clicks"], default="replies")
    a.add_argument("--json", action="store_true")
    a = s.add_parser("export", help="CSV for a CRM: leads, emails or outcomes")
    a.add_argument("kind", choices=["leads", "emails", "outcomes"])
    a.add_argument("--style", choices=["hubspot", "salesforce"], default="hubspot")
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    s.add_parser("webhooks", help="POST pending outcomes to outreach.crm.webhook_url")
    a = s.add_parser("suppress-import", help="import a suppression list CSV (email/domain column)")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--skip-invalid", action="store_true", help="import the good rows of a partly broken file")
    a = s.add_parser("audience", help="hashed customer-match file for an ad platform")
    a.add_argument("platform", choices=PLATFORMS)
    a.add_argument("-o", "--output", metavar="FILE")
    a = s.add_parser("visits", help="ingest a Plausible/GA4 CSV or JSON export as engagement")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--source", default="analytics", help="label for where the export came from")
    p.set_defaults(handler=handle)


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _read(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


async def _run(args: argparse.Namespace, settings: Settings, out: Outreach) -> int:
    action = args.action
    if action == "schedule":
        try:
            if len(args.message_ids) > 1:
                step = await out.sender.schedule_best_variant(args.message_ids, approved_by=args.by)
            else:
                step = await out.sender.schedule_approved_message(args.message_ids[0], approved_by=args.by)
        except NotSendable as exc:
            print(f"not scheduled: {exc}", file=sys.stderr)
            return 2
        print(f"step {step['step_id']} ({step.get('variant') or 'no variant'}) due {step['due_at']:%Y-%m-%d %H:%M} UTC")
        return 0
    if action == "run":
        if args.forever:
            stop = asyncio.Event()
            await out.worker.run_forever(stop)
            return 0
        report = await out.worker.run_once()
        print(", ".join(f"{k}: {v}" for k, v in sorted(report.items())) or "nothing due")
        return 0
    if action == "status":
        steps = await out.store.steps()
        counts = Counter(s["status"] for s in steps)
        unknown = [s["step_id"] for s in steps if s["status"] == "unknown"]
        unmatched = len(await out.store.inbound(kind="unmatched"))
        retrying = [s for s in steps if s["status"] == "scheduled" and s.get("defer_reason") == "retry"]
        if args.json:
            print_json(
                {
                    "steps": dict(counts),
                    "unknown": unknown,
                    "unmatched_inbound": unmatched,
                    "retrying": [
                        {k: s.get(k) for k in ("step_id", "attempts", "last_error", "due_at")} for s in retrying
                    ],
                }
            )
        else:
            print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no steps")
            for s in retrying:
                print(
                    f"not sent yet, will retry: step {s['step_id']} (attempt {s.get('attempts')} failed: "
                    f"{s.get('last_error')}); next try {s['due_at']:%Y-%m-%d %H:%M} UTC"
                )
            for step_id in unknown:
                print(f"needs a human: step {step_id} may or may not have been sent (amia outreach resolve)")
            if unmatched:
                print(f"{unmatched} inbound messages matched no send; see docs/outreach.md")
        return 0
    if action in ("pause", "resume"):
        if action == "pause":
            print(f"paused; {await out.store.cancel_lead(args.lead_id, 'paused')} pending steps cancelled")
        else:
            await out.store.resume_lead(args.lead_id)
            print("resumed; schedule the next approved message again")
        return 0
    if action == "resolve":
        if not await out.sender.resolve(args.step_id, delivered=args.sent, actor=args.by):
            print(f"step {args.step_id} is not waiting for a decision", file=sys.stderr)
            return 2
        print("recorded as sent" if args.sent else "queued to send again")
        return 0
    if action == "poll":
        poller = build_poller(settings, out)
        if poller is None:
            raise ServiceError("IMAP is off: set outreach.imap.enabled, outreach.imap.user and IMAP_PASSWORD")
        results = await poller.poll_once()
        print(", ".join(f"{k}: {v}" for k, v in Counter(r.kind for r in results).items()) or "no new mail")
        return 0
    if action == "experiment":
        result = await out.sender.experiment(args.step, metric=args.metric)
        if args.json:
            print_json(
                {"winner": result.winner, "reason": result.reason, "variants": [v.__dict__ for v in result.variants]}
            )
        else:
            for v in result.variants:
                print(f"{v.variant:<16} {v.successes}/{v.sends} = {v.rate:.1%}  95% CI {v.low:.1%}–{v.high:.1%}"
                      f"  P(best) {v.p_best:.0%}")  # fmt: skip
            print(f"winner: {result.winner} ({result.reason})" if result.winner else result.reason)
        return 0
    if action == "export":
        _write(await export_csv(out.store, args.kind, args.style), args.output)
        return 0
    if action == "webhooks":
        url = settings.outreach.crm.webhook_url
        if not url:
            raise ServiceError("outreach.crm.webhook_url is not set in config.yaml")
        timeout = settings.outreach.crm.webhook_timeout_seconds
        hooks = await deliver_outcome_webhooks(out.store, url, secret_key(settings), request_timeout=timeout)
        print(f"delivered {hooks.delivered}, still pending {hooks.pending}")
        for error in hooks.errors:
            print(f"  {error}", file=sys.stderr)
        return 0 if not hooks.errors else 1
    if action == "suppress-import":
        try:
            imported = await import_suppressions(out.store, _read(args.file), source=Path(args.file).name,
                                               skip_invalid=args.skip_invalid)  # fmt: skip
        except CsvImportError as exc:
            print(f"{args.file}: {exc}", file=sys.stderr)
            return 2
        print(f"added {imported.added}, already there {imported.already}")
        for note in imported.skipped:
            print(f"skipped: {note}", file=sys.stderr)
        return 0
    if action == "audience":
        export = await export_audience(out.store, args.platform)
        _write(export.csv, args.output)
        print(f"{export.included} contacts; left out {export.excluded_no_basis} without a lawful basis for ads and "
              f"{export.excluded_suppressed} suppressed", file=sys.stderr)  # fmt: skip
        return 0
    if action == "visits":
        try:
            ingest = await ingest_visits(out.store, _read(args.file), source=args.source)
        except CsvImportError as exc:
            print(f"{args.file}: {exc}", file=sys.stderr)
            return 2
        print(f"stored {ingest.stored} visits" + (f"; skipped {len(ingest.skipped)}" if ingest.skipped else ""))
        return 0
    raise UsageError(f"unknown outreach action {action}")


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        return await _run(args, settings, services.extras[OUTREACH_KEY])
