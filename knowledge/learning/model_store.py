"""Save and load the active scoring model atomically: a half-written model is never visible."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from knowledge.errors import KnowledgeError


class ModelStoreError(KnowledgeError):
    """The model file cannot be written or read."""


def save_model(directory: Path, name: str, model: Any, metadata: dict[str, Any]) -> Path:
    """Write ``name.joblib`` and ``name.json`` via temp files + rename; returns the model path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.joblib"
    meta_target = directory / f"{name}.json"
    meta = {**metadata, "saved_at": datetime.now(UTC).isoformat()}
    tmp_model = tmp_meta = None
    try:
        fd, tmp_model = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".joblib.tmp")
        with os.fdopen(fd, "wb") as fh:
            joblib.dump(model, fh)
            fh.flush()
            os.fsync(fh.fileno())
        fd, tmp_meta = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".json.tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=2, default=str)
        os.replace(tmp_model, target)
        tmp_model = None
        os.replace(tmp_meta, meta_target)
        tmp_meta = None
    except OSError as exc:
        raise ModelStoreError(f"could not save the model to {directory}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp_model, tmp_meta):
            if leftover and os.path.exists(leftover):
                os.unlink(leftover)
    return target


def load_metadata(directory: Path, name: str) -> dict[str, Any] | None:
    path = directory / f"{name}.json"
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelStoreError(f"{path}: unreadable model metadata ({exc})") from exc
    return data


def load_model(directory: Path, name: str) -> Any | None:
    path = directory / f"{name}.joblib"
    if not path.exists():
        return None
    try:
        return joblib.load(path)  # our own file, written by save_model
    except Exception as exc:
        raise ModelStoreError(f"{path}: cannot load the model ({type(exc).__name__}); refit it") from exc
