"""The ``assistant`` tool pack's hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinyagent.plugins import hookimpl

from .examples import EXAMPLES, HANDWRITTEN, RULES
from .templates import TEMPLATES
from .tools import EFFECTS, SIDE_EFFECTS, TOOLS


@hookimpl
def register_tools(register: Callable[..., Any]) -> None:
    for fn in TOOLS:
        register(fn, side_effects=fn.__name__ in SIDE_EFFECTS, effect=EFFECTS.get(fn.__name__))


@hookimpl
def register_examples(register: Callable[..., Any]) -> None:
    for example in (*EXAMPLES, *HANDWRITTEN):
        register(example)


@hookimpl
def register_prompt_rules(register: Callable[..., Any]) -> None:
    for rule in RULES:
        register(rule)


@hookimpl
def register_task_templates(register: Callable[..., Any]) -> None:
    for template in TEMPLATES:
        register(template)


@hookimpl
def register_commands(cli: Any) -> None:
    from .commands import assistant

    cli.add_command(assistant)
