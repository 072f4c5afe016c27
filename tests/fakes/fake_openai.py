"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 speaking the real wire protocol.

It routes on the ``ROLE=<agent>`` marker each agent's system prompt starts with (never on call order), answers
with tool calls or text, reports usage, and can be told to misbehave: wrong key (401), unknown model (404),
429/5xx bursts (with Retry-After), malformed JSON, slow answers, hangs (until the client gives up), junk instead of
tool calls, and drafts citing facts that don't exist. ``fault_script`` builds "N failures of one kind" lists.
Run standalone with ``python tests/fakes/fake_openai.py --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Spec = dict[str, Any]
Responder = Callable[[dict[str, Any]], Spec]
ROLES = ("researcher", "scorer", "copywriter", "compliance")


def fault_script(kind: str, n: int = 1, *, retry_after: float | None = None) -> list[Spec]:
    """``n`` failures of one kind for ``FakeOpenAI.failures``: "429", "500", "503", "hang" or "malformed"."""
    if kind == "hang":
        return [{"hang": True} for _ in range(n)]
    if kind == "malformed":
        return [{"malformed": True} for _ in range(n)]
    spec: Spec = {"status": int(kind)}
    if retry_after is not None:
        spec["retry_after"] = retry_after
    return [dict(spec) for _ in range(n)]


def approx_tokens(obj: Any) -> int:
    return max(1, len(json.dumps(obj, ensure_ascii=False)) // 4)


def text_of(message: dict[str, Any]) -> str:
    c = message.get("content")
    if isinstance(c, list):
        return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
    return c or ""


def role_of(body: dict[str, Any]) -> str:
    system = next((text_of(m) for m in body.get("messages", []) if m.get("role") in ("system", "developer")), "")
    m = re.search(r"ROLE=(\w+)", system)
    return m.group(1) if m else "unknown"


@dataclass
class LeadScenario:
    """A rule-based model for the lead team. Switches change how one role misbehaves."""

    bogus_citations: int = 0  # the copywriter's first N drafts cite a fact that doesn't exist
    ignore_tools: set[str] = field(default_factory=set)  # roles that answer text instead of calling their tool
    junk_args: set[str] = field(default_factory=set)  # roles whose tool arguments are not JSON
    body_words: int = 90  # size of the copywriter's email
    language_greeting: dict[str, str] = field(
        default_factory=lambda: {"en": "Hi", "de": "Hallo", "fr": "Bonjour", "es": "Hola"}
    )
    drafts_seen: int = 0

    def __call__(self, body: dict[str, Any]) -> Spec:
        role = role_of(body)
        msgs = body.get("messages", [])
        tools = [t["function"]["name"] for t in body.get("tools", [])]
        last = msgs[-1] if msgs else {}
        if role in self.ignore_tools:
            return {"content": f"As the {role}, I think this lead looks great. APPROVED."}
        if role in self.junk_args and tools:
            return {"tool_calls": [(tools[0], "{not json")]}
        if role == "analyst":
            return self._analyst(msgs, last)
        if last.get("role") == "tool":  # after a tool result (copywriter retries)
            result = text_of(last)
            if role == "copywriter" and result.startswith("REJECTED") and "no retries" not in result:
                return self._draft(msgs)
            return {"content": f"{role}: done."}
        if role == "copywriter" and "submit_draft" in tools:
            return self._draft(msgs)
        if tools:
            return {"tool_calls": [(tools[0], {})]}
        return {"content": f"({role}) ok"}

    def _analyst(self, msgs: list[dict[str, Any]], last: dict[str, Any]) -> Spec:
        result = text_of(last) if last.get("role") == "tool" else ""
        if "matching companies" in result:
            domains = re.findall(r"^([a-z0-9.-]+\.[a-z]{2,}) —", result, flags=re.M)
            return {"tool_calls": [("rank_leads", {"domains": domains})]}
        if re.search(r"^1\. \S+ score", result, flags=re.M):
            first = re.search(r"^1\. (\S+) score (\d+)", result, flags=re.M)
            return {"content": f"Call {first.group(1)} first (score {first.group(2)})." if first else "No one."}
        if result:
            return {"content": "Nothing matched."}
        question = text_of(next((m for m in msgs if m.get("role") == "user"), {}))
        signal = next((s for s in ("hiring", "funding", "expansion") if s in question.lower()), "")
        industry = next((i for i in ("fintech", "saas") if i in question.lower()), "")
        country = "DE" if "germany" in question.lower() else ""
        args = {"signal_type": signal, "industry": industry, "country": country, "days": 90}
        return {"tool_calls": [("find_leads", args)]}

    def _draft(self, msgs: list[dict[str, Any]]) -> Spec:
        everything = "\n".join(text_of(m) for m in msgs)
        refs = list(dict.fromkeys(re.findall(r"\[(F\d+)\]", everything)))
        lang = m.group(1) if (m := re.search(r"Email language: (\w+)", everything)) else "en"
        greet = self.language_greeting.get(lang, "Hi")
        self.drafts_seen += 1
        cite = "F99" if self.drafts_seen <= self.bogus_citations else (refs[0] if refs else "F1")
        fact = m.group(1).strip() if (m := re.search(rf"\[{cite}\] (.+?)(?: \(source: |\n|$)", everything)) else ""
        news = f"I read that {fact.rstrip('.')} [{cite}]." if fact else f"I saw your recent news [{cite}]."
        filler = " ".join(["We help teams like yours ship onboarding flows faster."] * max(1, self.body_words // 9))
        body = f"{greet} there,\n\n{news} {filler}\n\nWould a short call next week help?"
        return {"tool_calls": [("submit_draft", {"subject": "A quick idea for your team", "body": body})]}


class FakeOpenAI:
    """POST /v1/chat/completions and GET /v1/models on 127.0.0.1:<random port>."""

    def __init__(
        self,
        responder: Responder,
        *,
        api_key: str | None = None,
        models: tuple[str, ...] | None = None,
        port: int = 0,
    ) -> None:
        self.responder, self.api_key, self.models, self.port = responder, api_key, models, port
        self.requests: list[dict[str, Any]] = []
        # consumed first: {"status": 429, "retry_after": 1} / {"malformed": True} / {"delay": s} / {"hang": True}
        self.failures: list[Spec] = []
        self.arrivals: list[float] = []  # time.monotonic() of every chat request, in order
        self.served: list[dict[str, int]] = []  # the usage block of every successful (200) answer
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeOpenAI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _models(self, request: web.Request) -> web.Response:
        ids = self.models or ("fake",)
        return web.json_response({"object": "list", "data": [{"id": i, "object": "model"} for i in ids]})

    @staticmethod
    def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> web.Response:
        body = {"error": {"message": message, "type": code, "code": code}}
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    async def _hang(request: web.Request, limit: float = 60.0) -> None:
        """Answer nothing until the client hangs up (its timeout) or ``limit`` passes."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            await asyncio.sleep(0.05)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self._error(401, "Incorrect API key provided", "invalid_api_key")
        body = await request.json()
        self.requests.append(body)
        self.arrivals.append(time.monotonic())
        if self.models is not None and body.get("model") not in self.models:
            return self._error(404, f"The model `{body.get('model')}` does not exist", "model_not_found")
        spec = self.failures.pop(0) if self.failures else self.responder(body)
        if spec.get("hang"):
            await self._hang(request)
            return web.Response(status=504, text="hung")  # nobody is listening any more
        if spec.get("delay"):
            await asyncio.sleep(spec["delay"])
            if len(spec) == 1:
                spec = self.responder(body)
        if "status" in spec:
            status = int(spec["status"])
            code = "rate_limit_exceeded" if status == 429 else "server_error"
            headers = {"Retry-After": f"{spec['retry_after']:g}"} if spec.get("retry_after") is not None else None
            return self._error(status, "scripted failure", code, headers)
        if spec.get("malformed"):
            return web.Response(text='{"id": "chatcmpl-x", "choices": [', content_type="application/json")
        calls = [
            {
                "id": f"call_{uuid.uuid4().hex[:8]}",
                "type": "function",
                "function": {"name": n, "arguments": a if isinstance(a, str) else json.dumps(a)},
            }
            for n, a in spec.get("tool_calls", [])
        ]
        content = spec.get("content")
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        prompt = approx_tokens(body.get("messages", [])) + approx_tokens(body.get("tools", []))
        completion = approx_tokens([content, calls])
        self.served.append({"prompt_tokens": prompt, "completion_tokens": completion})
        return web.json_response(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:10]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if calls else "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8765)

    async def _main(port: int) -> None:
        srv = await FakeOpenAI(LeadScenario(), port=port).start()
        print(f"fake openai on {srv.base_url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await srv.stop()

    asyncio.run(_main(ap.parse_args().port))
