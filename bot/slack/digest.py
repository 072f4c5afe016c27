"""The digest: new hot leads with why, signals, approvals waiting, replies, the funnel, what learning changed,
and a PNG chart (funnel + score distribution). Built the same way for Slack, the console and `amia digest`.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.errors import ServiceError
from bot.slack import blocks
from bot.state import BotState
from bot.workflows import Funnel, LeadSummary, SignalHit, Workflows

log = logging.getLogger(__name__)
CHART_NAME = "amia-digest.png"


@dataclass
class Digest:
    title: str
    hot: list[LeadSummary] = field(default_factory=list)
    signals: list[SignalHit] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    funnel: Funnel = field(default_factory=Funnel)
    learning: list[str] = field(default_factory=list)
    score_bins: list[int] = field(default_factory=list)  # companies per 10-point bin, every scored lead
    unavailable: list[str] = field(default_factory=list)
    chart: bytes = b""

    def text(self) -> str:
        out = [self.title, "", "New hot leads:"]
        out += [f"- {x.name} ({x.domain}) {x.score:.0f}: {'; '.join(x.reasons[:2])}" for x in self.hot] or ["- none"]
        out += ["", "Signals:"]
        out += [f"- {h.name} ({h.domain}): {h.type}: {h.evidence[:160]}" for h in self.signals[:15]] or ["- none"]
        out += ["", f"Approvals waiting: {len(self.waiting)}"] + [f"- {w}" for w in self.waiting[:10]]
        out += ["", "Replies:"] + ([f"- {r}" for r in self.replies[:10]] or ["- none"])
        out += ["", "Funnel: " + (" → ".join(f"{k} {v}" for k, v in self.funnel.stages.items()) or "no data")]
        out += ["", "What learning changed:"] + ([f"- {x}" for x in self.learning] or ["- nothing yet"])
        if self.unavailable:
            out += ["", "Not available: " + ", ".join(self.unavailable)]
        return "\n".join(out)

    def blocks(self) -> list[dict[str, Any]]:
        hot = (
            "\n".join(f"• *{x.name}* ({x.domain}) {x.score:.0f} — {'; '.join(x.reasons[:2])}" for x in self.hot)
            or "None this time."
        )
        sig = (
            "\n".join(
                f"• *{h.name}*: {h.type.replace('_', ' ')} — {blocks.clip(h.evidence, 160)}" for h in self.signals[:15]
            )
            or "None."
        )
        funnel = " → ".join(f"{k} *{v}*" for k, v in self.funnel.stages.items()) or "No data yet."
        out = [
            blocks.header(self.title),
            blocks.section("*New hot leads*\n" + hot),
            blocks.section("*Signals*\n" + sig),
            blocks.section(
                f"*Approvals waiting:* {len(self.waiting)}\n" + "\n".join(f"• {w}" for w in self.waiting[:10])
            ),
            blocks.section("*Replies*\n" + ("\n".join(f"• {r}" for r in self.replies[:10]) or "None.")),
            blocks.section("*Funnel*\n" + funnel),
            blocks.section(
                "*What learning changed*\n" + ("\n".join(f"• {x}" for x in self.learning) or "Nothing yet.")
            ),
        ]
        if self.unavailable:
            out.append(blocks.context("Not available: " + ", ".join(self.unavailable)))
        return out


async def build_digest(workflows: Workflows, state: BotState, *, since: datetime, title: str) -> Digest:
    d = Digest(title=title)

    async def part(name: str, call: Any) -> Any:
        try:
            return await call
        except ServiceError as exc:
            d.unavailable.append(f"{name} ({exc})")
            return None

    d.hot = [x for x in (await part("leads", workflows.leads("hot", 10)) or [])]
    d.signals = await part("signals", workflows.signals(since, industry=None, types=None)) or []
    d.waiting = [f"{a.draft.subject} → {a.draft.contact} ({a.draft.domain})" for a in await state.open_approvals(50)]
    d.replies = await part("replies", workflows.replies(10)) or []
    d.funnel = await part("funnel", workflows.funnel()) or Funnel()
    d.learning = await part("learning", workflows.learning_changes(since)) or []
    d.score_bins = await part("scores", workflows.score_bins()) or []
    d.chart = await asyncio.to_thread(render_chart, d.funnel, d.score_bins)
    return d


def render_chart(funnel: Funnel, score_bins: list[int]) -> bytes:
    """Funnel bars and the score histogram (counts per 10-point bin) side by side, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6), dpi=100)
    left, right = fig.subplots(1, 2)
    names = list(funnel.stages) or ["no data"]
    values = list(funnel.stages.values()) or [0]
    left.barh(names[::-1], values[::-1], color="#4a90d9")
    left.set_title("Funnel")
    for y, v in enumerate(values[::-1]):
        left.text(v, y, f" {v}", va="center")
    bins = score_bins or [0] * 10
    width = 100 / len(bins)
    right.bar([i * width for i in range(len(bins))], bins, width=width, align="edge", color="#e8a33d",
              edgecolor="white")  # fmt: skip
    right.set_xlim(0, 100)
    right.set_title(f"Score distribution ({sum(bins)} companies)")
    right.set_xlabel("score")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
