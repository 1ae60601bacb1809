"""Alarms and countdown timers, written as an outside author would, from docs/tool-packs.md alone.

The alarms live in ``<data dir>/alarms/alarms.json``. Nothing rings by itself: ``tinyagent alarms due``
(or the ``tinyagent-alarms-due`` script, from cron or a login item) prints the alarms whose time has
come and marks them done.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from tinyagent.plugins import (
    DATETIME_FORMAT,
    Example,
    PromptRule,
    Said,
    TaskTemplate,
    ToolInputError,
    When,
    atomic_write,
    best_match,
    hookimpl,
    locked,
    pack_data_dir,
)

__version__ = "0.1.0"

_FORMAT = DATETIME_FORMAT


def store() -> Path:
    return pack_data_dir("alarms") / "alarms.json"


def _load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ToolInputError(
            f"{path} is not a valid alarms file ({exc}); fix or move it, nothing was changed"
        ) from None
    if not isinstance(data, list):
        raise ToolInputError(f"{path} is not a valid alarms file (not a list); nothing was changed")
    return data


def _add(kind: str, at: datetime, label: str) -> dict[str, Any]:
    item = {"id": uuid.uuid4().hex[:8], "kind": kind, "at": at.strftime(_FORMAT), "label": label, "done": False}
    with locked(store()) as path:
        items = _load(path)
        items.append(item)
        atomic_write(path, json.dumps(items, ensure_ascii=False, indent=1))
    return item


def set_alarm(time: When, label: Said) -> str:
    """Sets an alarm that goes off at a date and time.
    - time is 'YYYY-MM-DD HH:MM:SS'; label says what the alarm is for (may be empty).
    - For something to do (not a sound at a time), use a reminder or a todo instead.
    """
    try:
        at = datetime.strptime(time.strip(), _FORMAT)
    except ValueError:
        raise ToolInputError(f"the alarm time {time!r} is not in the form YYYY-MM-DD HH:MM:SS") from None
    _add("alarm", at, " ".join(label.split()))
    return f"Alarm set for {at:%Y-%m-%d %H:%M}" + (f" ({label})" if label.strip() else "")


def set_timer(minutes: int, label: Said) -> str:
    """Starts a countdown timer that goes off after a number of minutes.
    - minutes is a whole number from 1 to 1440.
    """
    if not 1 <= minutes <= 1440:
        raise ToolInputError(f"a timer runs 1 to 1440 minutes, not {minutes}")
    at = datetime.now().replace(microsecond=0) + timedelta(minutes=minutes)
    _add("timer", at, " ".join(label.split()))
    return f"Timer for {minutes} min set, goes off at {at:%H:%M}" + (f" ({label})" if label.strip() else "")


def list_alarms() -> str:
    """Lists the alarms and timers that have not gone off yet, soonest first."""
    pending = sorted((a for a in _load(store()) if not a.get("done")), key=lambda a: a["at"])
    if not pending:
        return "No alarms or timers set"
    return "\n".join(f"- {a['kind']} at {a['at'][:16]}" + (f": {a['label']}" if a["label"] else "") for a in pending)


def cancel_alarm(label: Said) -> str:
    """Cancels the pending alarm or timer whose label best matches."""
    with locked(store()) as path:
        items = _load(path)
        pending = {a["label"] or a["at"]: a for a in items if not a.get("done")}
        if not pending:
            raise ToolInputError("there are no alarms or timers to cancel")
        found = best_match(label, pending, "alarm")
        items = [a for a in items if a is not found]
        atomic_write(path, json.dumps(items, ensure_ascii=False, indent=1))
    return f"Cancelled the {found['kind']} at {found['at'][:16]}" + (f" ({found['label']})" if found["label"] else "")


def due(now: datetime | None = None) -> list[dict[str, Any]]:
    """The alarms whose time has come, marked done (each is reported once)."""
    now = now or datetime.now()
    with locked(store()) as path:
        items = _load(path)
        ready = [a for a in items if not a.get("done") and datetime.strptime(a["at"], _FORMAT) <= now]
        for a in ready:
            a["done"] = True
        if ready:
            atomic_write(path, json.dumps(items, ensure_ascii=False, indent=1))
    return ready


def print_due(as_json: bool = False) -> None:
    ready = due()
    if as_json:
        click.echo(json.dumps(ready, ensure_ascii=False, indent=2))
        return
    for a in ready:
        click.echo(f"\a{a['kind']} {a['at'][:16]}" + (f": {a['label']}" if a["label"] else ""))


@click.group()
def alarms() -> None:
    """Alarms and timers."""


@alarms.command("due")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of the alarms (kind, at, label).")
def _due_command(as_json: bool) -> None:
    """Print the alarms and timers whose time has come (and mark them done)."""
    print_due(as_json)


@hookimpl
def register_tools(register: Callable[..., Any]) -> None:
    register(set_alarm, side_effects=True, effect=lambda args: f"adds an alarm to {store()}")
    register(set_timer, side_effects=True, effect=lambda args: f"adds a timer to {store()}")
    register(list_alarms)
    register(cancel_alarm, side_effects=True, effect=lambda args: f"removes an alarm from {store()}")


@hookimpl
def register_examples(register: Callable[..., Any]) -> None:
    for query, plan in [
        ("Wake me up tomorrow at 6:30", '1. set_alarm("2026-01-06 06:30:00", "")'),
        ("Set a 10 minute timer for the pasta", '1. set_timer(10, "the pasta")'),
        ("What alarms do I have?", "1. list_alarms()"),
        ("Cancel the pasta timer", '1. cancel_alarm("pasta")'),
    ]:
        n = plan.count("\n") + 2
        register(Example(query, f"{plan}\n{n}. join()<END_OF_PLAN>"))


@hookimpl
def register_prompt_rules(register: Callable[..., Any]) -> None:
    register(
        PromptRule(
            "An alarm or timer makes a sound at a time; something to do is a reminder or a todo.",
            ("set_alarm", "set_timer"),
        )
    )


@hookimpl
def register_task_templates(register: Callable[..., Any]) -> None:
    register(
        TaskTemplate(
            "alarm_set",
            (
                "wake me up {when}",
                "set an alarm {when}",
                "alarm {when}",
                "I need an alarm {when}",
                "put an alarm on {when}",
                "can you set my alarm for {when}",
                "ring me {when}",
                "set the alarm clock for {when}",
            ),
            '1. set_alarm("{when}", "")',
            {"when": "datetime"},
            held_out=("ring me {when}", "put an alarm on {when}"),
        )
    )
    register(
        TaskTemplate(
            "alarm_label",
            (
                "set an alarm {when} for {label}",
                "alarm {when}: {label}",
                "wake me {when} for {label}",
                "I need an alarm called {label} {when}",
                "alarm for {label} {when}",
                "set a {label} alarm {when}",
                "create an alarm {when} labelled {label}",
                "alarm named {label} at {when}",
            ),
            '1. set_alarm("{when}", "{label}")',
            {"when": "datetime", "label": "title"},
            held_out=("wake me {when} for {label}", "alarm named {label} at {when}"),
        )
    )
    register(
        TaskTemplate(
            "timer",
            (
                "set a timer for {minutes}",
                "start a {minutes} timer",
                "timer {minutes} for {label}",
                "countdown {minutes} for {label}",
                "set a {minutes} timer for {label}",
                "give me a {minutes} timer",
                "time {label} for {minutes}",
                "start a timer: {minutes}, {label}",
            ),
            '1. set_timer({minutes}, "{label}")',
            {"minutes": "duration", "label": "title"},
            held_out=("time {label} for {minutes}", "give me a {minutes} timer"),
        )
    )
    register(
        TaskTemplate(
            "alarm_list",
            (
                "what alarms do I have",
                "list my alarms",
                "show my timers",
                "any alarms set?",
                "which alarms are on",
                "show alarms and timers",
                "do I have a timer running",
                "what time is my alarm",
            ),
            "1. list_alarms()",
            {},
            held_out=("do I have a timer running", "which alarms are on"),
        )
    )
    register(
        TaskTemplate(
            "alarm_cancel",
            (
                "cancel the {label} alarm",
                "turn off my {label} alarm",
                "stop the {label} timer",
                "delete the alarm for {label}",
                "remove the {label} timer",
                "cancel my alarm called {label}",
                "kill the {label} timer",
                "I don't need the {label} alarm anymore",
            ),
            '1. cancel_alarm("{label}")',
            {"label": "title"},
            held_out=("kill the {label} timer", "turn off my {label} alarm"),
        )
    )


@hookimpl
def register_commands(cli: Any) -> None:
    cli.add_command(alarms)
