"""Reading JSONL files with errors that name the file, the line and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["read_jsonl"]


def read_jsonl(path: Path, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Objects, one a line (blank lines skipped); each must have string values for ``required``.
    Raises ValueError("FILE:LINE: ...")."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str) for k in required):
            names = ", ".join(repr(k) for k in required)
            raise ValueError(f"{path}:{n}: each line needs string fields {names}")
        rows.append(row)
    return rows
