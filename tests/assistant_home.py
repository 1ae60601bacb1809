"""Helpers for tests on the assistant pack's real files (the fixtures ``home`` and ``data`` are in conftest)."""

from __future__ import annotations

from pathlib import Path


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(text)
