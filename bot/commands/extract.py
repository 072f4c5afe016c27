"""`amia extract --jsonl`: main text, title and date of HTML pages (stdin JSON lines → stdout JSON lines)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.settings import Settings
from knowledge.web.extract import extract_article


def register(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="extract title, date and main text from HTML pages",
        description='Reads lines {"id": ..., "url": "...", "html": "..."} and prints {"id","title","date","text"} '
        "for each, in order. Pages without readable text give empty fields; a bad line gives "
        '{"id": ..., "error": "..."} and the rest go on.',
    )
    p.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in on stdin, JSON lines out")
    p.set_defaults(handler=handle)


def answer(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"id": None, "error": 'expected a JSON object {"id","url","html"}'}
    html = item.get("html")
    url = item.get("url")
    if html is not None and not isinstance(html, str):
        return {"id": item.get("id"), "error": "'html' must be a string"}
    article = extract_article(html or "", url if isinstance(url, str) else None, language=False)
    return {"id": item.get("id"), "title": article.title, "date": article.date, "text": article.text}


def handle(args: argparse.Namespace, settings: Settings) -> int:
    for line in sys.stdin:
        if not line.strip():
            sys.stdout.write(json.dumps({"id": None, "error": "empty line"}) + "\n")
            continue
        sys.stdout.write(json.dumps(answer(line), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0
