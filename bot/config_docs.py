"""Generate docs/configuration.md from the settings model, so the reference can never drift from the code."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.settings import Secrets, Settings


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        try:
            value: Any = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(computed)"
        if isinstance(value, BaseModel):
            return ""
    else:
        value = field.default
    if value is None:
        return "unset"
    return f"`{value!r}`" if not isinstance(value, str) else f"`{value}`"


def _type(field: FieldInfo) -> str:
    return str(field.annotation).replace("typing.", "").replace("<class '", "").replace("'>", "")


def iter_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, FieldInfo]]:
    """Every leaf setting as (dotted.path, field), depth first, secrets excluded."""
    out: list[tuple[str, FieldInfo]] = []
    for name, field in model.model_fields.items():
        if name == "secrets":
            continue
        path = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(iter_fields(ann, path + "."))
        else:
            out.append((path, field))
    return out


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from the settings model by `amia config docs`; do not edit by hand.",
        "Behaviour lives in `config.yaml` (committed, commented); secrets only in the environment.",
        "",
        "## config.yaml",
        "",
    ]
    section = None
    for path, field in iter_fields(Settings):
        top = path.split(".")[0]
        if top != section:
            section = top
            desc = Settings.model_fields[top].description or ""
            lines += [
                "",
                f"### `{top}` — {desc}",
                "",
                "| key | type | default | meaning |",
                "|---|---|---|---|",
            ]
        lines.append(
            f"| `{path}` | {_type(field)} | {_default(field)} | {(field.description or '').replace('|', '/')} |"
        )
    lines += ["", "## Environment (secrets)", "", "| variable | meaning |", "|---|---|"]
    for name, field in Secrets.model_fields.items():
        lines.append(f"| `{name}` | {field.description} |")
    lines += [
        "",
        "Also read: `AMIA_CONFIG` (path of config.yaml), `MEM0_TELEMETRY` (forced to false), "
        "`NEO4J_BOLT_PORT`/`NEO4J_JAVA` (local server).",
        "",
    ]
    return "\n".join(lines)
