"""A fake tool pack for tests, registered in-process by conftest (no entry point)."""

from __future__ import annotations

import asyncio
import threading
import time

from tinyagent.plugins import Example, PromptRule, TaskTemplate, ToolInputError, hookimpl, tool

CALLS: list[tuple[str, tuple]] = []
RELEASE = threading.Event()


def get_phone_number(name: str) -> str:
    """Look up a contact's phone number.

    Args:
        name: the contact's name
    """
    CALLS.append(("get_phone_number", (name,)))
    if name == "Nobody":
        raise ToolInputError(f"no contact named {name!r}")
    return {"Maria": "+34 600 000 001", "Yuki": "+81 90 0000 0002"}.get(name, "+1 555 0100")


@tool(side_effects=True)
def send_sms(recipients: list[str], message: str) -> str:
    """Write an SMS draft to the recipients."""
    CALLS.append(("send_sms", (recipients, message)))
    return f"SMS to {', '.join(recipients)}: {message}"


def slow_lookup(name: str) -> str:
    """A sync lookup that takes 0.3 s (blocking I/O)."""
    time.sleep(0.3)
    return name.upper()


async def async_lookup(name: str) -> str:
    """An async lookup that takes 0.3 s."""
    await asyncio.sleep(0.3)
    return name.lower()


def blocked_until_released(name: str) -> str:
    """Blocks its thread until the test releases it."""
    RELEASE.wait(5)
    return name


def broken(name: str) -> str:
    """Always fails."""
    raise RuntimeError("disk on fire")


def count(items: list[str], limit: int, ratio: float | None, flag: bool) -> int:
    """Takes every literal type."""
    return len(items)


@hookimpl
def register_tools(register):
    for fn in (get_phone_number, send_sms, slow_lookup, async_lookup, blocked_until_released, broken, count):
        register(fn)


@hookimpl
def register_examples(register):
    register(Example("Text Yuki hi", '1. get_phone_number("Yuki")\n2. send_sms(["$1"], "hi")\n3. join()<END_OF_PLAN>'))


@hookimpl
def register_prompt_rules(register):
    register(PromptRule("Look up the phone number before sending an SMS.", ("get_phone_number", "send_sms")))


@hookimpl
def register_task_templates(register):
    register(
        TaskTemplate(
            "sms",
            ("text {person} that {text}",),
            '1. get_phone_number("{person}")\n2. send_sms(["$1"], "{text}")',
            {"person": "person", "text": "text"},
        )
    )
