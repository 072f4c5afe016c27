"""Saved team runs waiting for human approval: one JSON file per run, written atomically, readable by any process."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


class RunNotFound(LookupError):
    pass


class RunStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, run_id: str) -> Path:
        if not _RUN_ID.match(run_id):
            raise RunNotFound(f"'{run_id}' is not a run id")
        return self.folder / f"{run_id}.json"

    def save(self, run_id: str, blob: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(run_id)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".run-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(blob)
        os.replace(tmp, path)
        return path

    def load(self, run_id: str) -> str:
        path = self._path(run_id)
        try:
            blob = path.read_text(encoding="utf-8")
            json.loads(blob)
        except FileNotFoundError as exc:
            raise RunNotFound(f"no saved run {run_id} (it was approved, expired or never reached approval)") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RunNotFound(f"the saved run {run_id} is damaged; start a new run for this lead") from exc
        return blob

    def delete(self, run_id: str) -> None:
        self._path(run_id).unlink(missing_ok=True)
