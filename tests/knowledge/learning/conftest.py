"""Fixtures for the CRM-history tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config.yaml whose data folder is private to the test (saved models land there)."""
    path = tmp_path / "config.yaml"
    path.write_text(f"storage:\n  data_dir: {tmp_path / 'var'}\n")
    return path
