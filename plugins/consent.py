"""Consent from inside a tool: for an action a tool takes beyond its own result (launching an app).

The executor sets :data:`current` for the duration of each tool call to the run's consent function
(``--yes``: allowed; interactive: the user is asked; otherwise refused). Outside a run nothing is
allowed, so calling a tool from a script never launches a program by surprise.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

__all__ = ["ask_consent", "current"]

#: (action, arguments) -> allowed? Set by the executor around each tool call.
current: ContextVar[Callable[[str, list[object]], bool] | None] = ContextVar("tinyagent_consent", default=None)


def ask_consent(action: str, *args: object) -> bool:
    """Whether the user allows ``action(*args)`` now, asked the same way as a side-effecting step."""
    ask = current.get()
    return bool(ask is not None and ask(action, list(args)))
