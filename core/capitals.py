"""A request written all in capitals ("TEXT MOM IM HOME") is planned in lowercase, and the words a
plan copies from it get their capitals back ("IM HOME").

The planner saw almost no capitals in training: it planned ``join()`` for "TEXT MOM IM HOME" and "OPEN
SLIDES_FINAL.PPTX" (dev batches twenty and twenty-two), and planned both in lowercase. Showing it the
request in capitals while the grammar held it to them copied "sLIDES_FINAL.PPTX" and "hOME".
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["as_written", "lowered", "shouted"]

_WORD = re.compile(r"\w(?:[\w'.-]*\w)?")


def shouted(text: str) -> bool:
    """Whether ``text`` has capitals and no lowercase letter at all."""
    return any(c.isupper() for c in text) and not any(c.islower() for c in text)


def lowered(text: str) -> str:
    """``text`` in lowercase if it is :func:`shouted`, character for character (so positions stay)."""
    if not shouted(text):
        return text
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def as_written(value: Any, text: str) -> Any:
    """``value`` (a plan argument, lists included) with each word the :func:`lowered` ``text`` holds
    written as ``text`` writes it; references and other words unchanged."""
    if isinstance(value, list):
        return [as_written(v, text) for v in value]
    if not isinstance(value, str) or value.startswith("$"):
        return value
    low = lowered(text)

    def written(m: re.Match[str]) -> str:
        found = re.search(rf"(?<!\w){re.escape(m[0].lower())}(?!\w)", low)
        return text[found.start() : found.end()] if found else m[0]

    return _WORD.sub(written, value)
