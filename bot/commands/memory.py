"""`amia memory add|list|search|rules|forget`: the team's long-term memory from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.base import print_json
from bot.errors import ServiceError, UsageError
from bot.services import memory_handle
from bot.settings import Settings

SCOPES = ("team", "company", "lesson", "thread")
KEYLESS = {"team": "team"}


def register(sub: Any) -> None:
    p = sub.add_parser("memory", help="long-term memory: team rules, company notes, lessons")
    verbs = p.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", help='remember a sentence, e.g. amia memory add team "no companies under 50 people"')
    add.add_argument("scope", choices=SCOPES)
    add.add_argument("text")
    add.add_argument("--key", help="company domain, lesson segment or <channel>:<thread_ts> (not for team)")
    add.add_argument("--kind", default=None, help="team: rule (default) or preference; others: note/lesson")
    add.add_argument("--person", metavar="EMAIL", help="the person this memory is about (for erasure)")
    lst = verbs.add_parser("list", help="list memories of a scope")
    lst.add_argument("scope", choices=SCOPES, nargs="?")
    lst.add_argument("--key")
    search = verbs.add_parser("search", help="memories most similar to a question")
    search.add_argument("query")
    search.add_argument("--scope", choices=SCOPES)
    search.add_argument("--key")
    search.add_argument("--limit", type=int, default=5)
    rules = verbs.add_parser("rules", help="the team rules the scorer and copywriter apply, parsed")
    forget = verbs.add_parser("forget", help="delete one memory by id")
    forget.add_argument("memory_id")
    for verb in (add, lst, search, rules, forget):
        verb.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handle)


def _key(args: argparse.Namespace) -> str | None:
    scope = getattr(args, "scope", None)
    if scope in KEYLESS:
        return KEYLESS[scope]
    if scope is not None and args.verb == "add" and not args.key:
        raise UsageError(f"memory add {scope} needs --key (company domain, lesson segment or channel:thread_ts)")
    return args.key.strip().lower() if args.key else None


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.memory.store import Scope

    handle_ = memory_handle(settings)
    try:
        store = await handle_.get()
        if store is None:
            raise ServiceError(handle_.error or "long-term memory is unavailable")
        out: Any
        if args.verb == "add":
            kind = args.kind or ("rule" if args.scope == "team" else "lesson" if args.scope == "lesson" else "note")
            try:
                mid = await store.remember(
                    args.text, Scope(args.scope), _key(args), kind=kind, author="cli", person_email=args.person
                )
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
            out = {"id": mid, "scope": args.scope, "kind": kind}
            text = f"remembered ({args.scope}/{kind}): {mid}"
        elif args.verb == "list":
            rows = await store.list(Scope(args.scope) if args.scope else None, _key(args))
            out = [r.model_dump() for r in rows]
            text = "\n".join(f"{r.id}  [{r.scope}:{r.key}/{r.kind}]  {r.text}" for r in rows) or "no memories"
        elif args.verb == "search":
            rows = await store.recall(
                args.query, Scope(args.scope) if args.scope else None, _key(args), limit=args.limit
            )
            out = [r.model_dump() for r in rows]
            text = "\n".join(f"{r.score or 0:.3f}  [{r.scope}:{r.key}]  {r.text}" for r in rows) or "nothing similar"
        elif args.verb == "rules":
            rules = await store.team_rules()
            out = rules.model_dump()
            text = rules.describe() + (
                "\nwriting rules:\n" + "\n".join(f"- {w}" for w in rules.writing) if rules.writing else ""
            )
        else:
            ok = await store.forget(args.memory_id)
            if not ok:
                raise UsageError(f"no memory with id {args.memory_id} (see amia memory list)")
            out, text = {"deleted": args.memory_id}, f"forgot {args.memory_id}"
    finally:
        handle_.close()
    if args.json:
        print_json(out)
    else:
        print(text)
    return 0
