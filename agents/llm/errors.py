"""Errors of the LLM engine. Each carries a message a user can act on; none carries a key or raw model output.

LlmError
├── LlmConfigError      the settings cannot describe a working client (unknown model without model_info, …)
├── LlmAuthError        the endpoint rejected the API key (401/403)
├── LlmModelNotFound    the endpoint does not serve the configured model (404, or 400 "model not found")
├── LlmUnavailable      the endpoint is down, timed out, or kept answering 429/5xx after the retries
├── LlmBadOutput        the model ignored the tool schemas or returned junk, after bounded retries
└── BudgetExceeded      a token or cost cap was hit; the run stopped before the next model call
"""

from __future__ import annotations


class LlmError(Exception):
    """Base class; ``str(exc)`` is safe to show to a user."""


class LlmConfigError(LlmError):
    pass


class LlmAuthError(LlmError):
    pass


class LlmModelNotFound(LlmError):
    pass


class LlmUnavailable(LlmError):
    pass


class LlmBadOutput(LlmError):
    pass


class BudgetExceeded(LlmError):
    """A hard cap was reached. ``scope`` is run, lead, day or day_cost."""

    def __init__(self, scope: str, used: float, cap: float, unit: str = "tokens") -> None:
        self.scope, self.used, self.cap, self.unit = scope, used, cap, unit
        shown = f"{used:.4f}/{cap:.4f}" if unit != "tokens" else f"{int(used)}/{int(cap)}"
        super().__init__(
            f"LLM budget exhausted: {scope} cap reached ({shown} {unit}); the run stopped cleanly before the next "
            f"model call. Raise llm.budget.{_KEYS[scope]} in config.yaml or wait for the next UTC day."
        )


_KEYS = {"run": "tokens_per_run", "lead": "tokens_per_lead", "day": "tokens_per_day", "day_cost": "cost_per_day"}


class RevisionLimitReached(LlmError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"this draft was already revised {limit} times (llm.max_revisions); edit it by hand or start a new run"
        )
