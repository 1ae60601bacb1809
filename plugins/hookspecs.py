"""The hooks a tool pack implements. Every hook receives a ``register`` callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("tinyagent")
hookimpl = pluggy.HookimplMarker("tinyagent")


@hookspec
def register_tools(register: Callable[..., Any]) -> None:
    """Register tools: ``register(fn_or_Tool, side_effects=None, name=None, effect=None)``. Options
    given with a ready ``Tool`` are applied to it; ``effect(args) -> str`` says what a side-effecting
    call will do (shown when consent is asked). Returns nothing."""


@hookspec
def register_examples(register: Callable[..., Any]) -> None:
    """Register in-context example plans: ``register(Example(query, plan))``. Returns nothing."""


@hookspec
def register_prompt_rules(register: Callable[..., Any]) -> None:
    """Register planner rules: ``register(PromptRule(text, tools))``; shown when those tools are. Returns nothing."""


@hookspec
def register_task_templates(register: Callable[..., Any]) -> None:
    """Register intents for synthetic data: ``register(TaskTemplate(...))``. Returns nothing."""


@hookspec
def register_backends(register: Callable[..., Any]) -> None:
    """Register LLM backends: ``register(name, factory)``; ``factory(**options)`` returns a Backend."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands to the ``tinyagent`` group ``cli``. Returns nothing."""


@hookspec
def register_status(register: Callable[..., Any]) -> None:
    """Report state for ``tinyagent doctor``: ``register(title, lines)`` where ``lines()`` returns the
    lines to show (called only by doctor, so it may be slow, e.g. ask a server). Returns nothing."""
