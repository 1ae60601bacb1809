"""What a tool pack contributes besides tools: examples, prompt rules, task templates."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

__all__ = ["SLOT_KINDS", "Example", "PromptRule", "TaskTemplate"]


@dataclass(frozen=True)
class Example:
    """An in-context example: a request and the plan text that answers it."""

    query: str
    plan: str
    pack: str = field(default="", compare=False)


@dataclass(frozen=True)
class PromptRule:
    """A planner guideline, shown when every tool in ``tools`` is in the prompt (always if empty)."""

    text: str
    tools: tuple[str, ...] = ()
    pack: str = field(default="", compare=False)


# Slot kinds the synthetic-data generator knows how to fill.
SLOT_KINDS = frozenset(
    {
        "person",  # one contact name
        "persons",  # several contact names (a list argument)
        "email",  # a literal e-mail address
        "phone",  # a literal phone number
        "datetime",  # a date/time expression; the plan gets the resolved ISO value
        "date",  # a day expression
        "duration",  # minutes
        "file",  # a file name
        "place",  # a location
        "title",  # a short title (note, event, reminder, todo)
        "text",  # free text (message, note content)
        "priority",  # a small integer
    }
)


@dataclass(frozen=True)
class TaskTemplate:
    """One intent: ways to say it, typed slots, and the plan it produces.

    ``phrasings`` and ``plan`` use ``{slot}`` placeholders. The plan's ``$N`` references are local
    to the intent (numbered from 1); the generator renumbers them when it composes intents.
    A placeholder may read an attribute of a slot's value: ``{when.end}``, ``{when.minutes}``.

    ``held_out`` pins the two phrasings kept out of training (the first for the ``test_heldout``
    split, the second for ``val_heldout``); by default the generator draws them at random. Pinning
    keeps a pack's held-out benchmark comparable when later versions add phrasings.
    """

    id: str
    phrasings: tuple[str, ...]
    plan: str
    slots: dict[str, str] = field(default_factory=dict)
    weight: float = 1.0
    held_out: tuple[str, ...] = ()
    pack: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.phrasings:
            raise ValueError(f"task template {self.id!r} has no phrasings")
        for kind in self.slots.values():
            if kind not in SLOT_KINDS:
                raise ValueError(f"task template {self.id!r}: unknown slot kind {kind!r}")
        for text in (*self.phrasings, self.plan):
            for _, name, _, _ in string.Formatter().parse(text):
                base = (name or "").split(".")[0].split("[")[0]
                if base and base not in self.slots:
                    raise ValueError(f"task template {self.id!r}: placeholder {{{name}}} has no slot")
        if self.held_out:
            if len(set(self.held_out)) != 2 or len(self.held_out) != 2 or not set(self.held_out) <= set(self.phrasings):
                raise ValueError(f"task template {self.id!r}: held_out must name two different phrasings of its own")
            if len(self.phrasings) < 4:
                raise ValueError(f"task template {self.id!r}: held_out needs at least 4 phrasings (2 stay in training)")

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "phrasings": list(self.phrasings),
            "plan": self.plan,
            "slots": dict(sorted(self.slots.items())),
            "weight": self.weight,
        } | ({"held_out": list(self.held_out)} if self.held_out else {})
