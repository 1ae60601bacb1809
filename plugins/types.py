"""What a tool pack contributes besides tools: examples, prompt rules, task templates."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

__all__ = ["SLOT_KINDS", "Chain", "Example", "PromptRule", "TaskTemplate"]


@dataclass(frozen=True)
class Example:
    """A request and the plan text that answers it: an in-context example, and a stored plan that
    Tool RAG can retrieve. One with ``now`` (when it was asked, ``YYYY-MM-DD HH:MM:SS``, which its
    plan's dates are resolved against) is a hand-written request that ``tinyagent retrain`` also
    trains the classifier and planner on (docs/synthetic-data.md#hand-written-requests)."""

    query: str
    plan: str
    pack: str = field(default="", compare=False)
    now: str = ""


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
        "timed",  # a date/time whose duration is said before the event: "a {when.lead} call {when}"
        "date",  # a day expression
        "duration",  # minutes
        "file",  # a file name
        "place",  # a location
        "title",  # a short title or topic ("about {title}"); slot names ending in "task" get to-do phrases
        "event",  # a calendar event's name as said ("a call", "the retro"); the plan drops "a"/"an";
        # slot names ending in "kind" get no article ("a {when.lead} {kind}": "a 30 minute call")
        "note",  # a note's name ("Groceries", "Books")
        "text",  # free text (message, note content)
        "priority",  # a small integer
    }
)


def _placeholders(text: str) -> set[str]:
    return {(name or "").split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text)} - {""}


@dataclass(frozen=True)
class Chain:
    """A way an intent takes another intent's product into one of its arguments.

    The producing template says what it ``produces`` (a kind, e.g. ``"summary"``) and how a request
    names it (``nouns``: "the summary", "it"). A chain ``accepts`` some kinds; its ``phrasings`` say
    ``{it}`` where the request names the product ("email {it} to {person}"), and its ``plan`` says
    ``{it}`` where the product's value goes: the generator turns that into a ``$N`` reference to the
    producing step. ``{noun}`` in the plan is the words the request used for it (an e-mail subject).
    A noun that says the producer's slots ("the summary of {file}") names the product *and* asks for
    it in one clause: "email Greg the summary of lease.pdf" is the producer's plan, then the chain's.
    The generator composes every producer with every chain that accepts its kind, so no template is
    written per pair, and a third-party pack's intents chain with the others' through the same API.
    """

    accepts: tuple[str, ...]
    phrasings: tuple[str, ...]
    plan: str
    slots: dict[str, str] = field(default_factory=dict)

    def check(self, owner: str) -> None:
        if not self.accepts or not self.phrasings:
            raise ValueError(f"task template {owner!r}: a chain needs accepted kinds and phrasings")
        if "{it}" not in self.plan or any("{it}" not in p for p in self.phrasings):
            raise ValueError(f"task template {owner!r}: a chain's plan and every phrasing must say {{it}}")
        for kind in self.slots.values():
            if kind not in SLOT_KINDS:
                raise ValueError(f"task template {owner!r}: unknown slot kind {kind!r} in a chain")
        for text in (*self.phrasings, self.plan):
            missing = _placeholders(text) - set(self.slots) - {"it", "noun"}
            if missing:
                raise ValueError(f"task template {owner!r}: chain placeholder {{{sorted(missing)[0]}}} has no slot")

    def to_json(self) -> dict[str, object]:
        return {
            "accepts": list(self.accepts),
            "phrasings": list(self.phrasings),
            "plan": self.plan,
            "slots": dict(sorted(self.slots.items())),
        }


@dataclass(frozen=True)
class TaskTemplate:
    """One intent: ways to say it, typed slots, and the plan it produces.

    ``phrasings`` and ``plan`` use ``{slot}`` placeholders. The plan's ``$N`` references are local
    to the intent (numbered from 1); the generator renumbers them when it composes intents.
    A placeholder may read an attribute of a slot's value: ``{when.end}``, ``{when.minutes}``.

    ``held_out`` pins the two phrasings kept out of training (the first for the ``test_heldout``
    split, the second for ``val_heldout``); by default the generator draws them at random. Pinning
    keeps a pack's held-out benchmark comparable when later versions add phrasings.

    Composition: ``produces`` names the kind of value the plan's last step returns and ``nouns`` how a
    request refers to it; ``chains`` are the ways this intent takes such a value (see :class:`Chain`).
    ``subject`` is how a message that sends the product names it (``"{title}"``: the meeting's topic);
    by default, the noun's words.
    """

    id: str
    phrasings: tuple[str, ...]
    plan: str
    slots: dict[str, str] = field(default_factory=dict)
    weight: float = 1.0
    held_out: tuple[str, ...] = ()
    produces: str = ""
    nouns: tuple[str, ...] = ()
    chains: tuple[Chain, ...] = ()
    subject: str = ""
    pack: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if bool(self.produces) != bool(self.nouns):
            raise ValueError(f"task template {self.id!r}: 'produces' and 'nouns' go together")
        if self.subject and not self.produces:
            raise ValueError(f"task template {self.id!r}: 'subject' names a product it does not declare")
        for chain in self.chains:
            chain.check(self.id)
        if not self.phrasings:
            raise ValueError(f"task template {self.id!r} has no phrasings")
        for kind in self.slots.values():
            if kind not in SLOT_KINDS:
                raise ValueError(f"task template {self.id!r}: unknown slot kind {kind!r}")
        for text in (*self.phrasings, self.plan, *self.nouns, self.subject):
            for _, name, _, _ in string.Formatter().parse(text):
                base = (name or "").split(".")[0].split("[")[0]
                if base and base not in self.slots:
                    raise ValueError(f"task template {self.id!r}: placeholder {{{name}}} has no slot")
        for noun in self.nouns:  # an inline noun asks for the product: it must say every value the plan uses
            missing = _placeholders(self.plan) - _placeholders(noun)
            if _placeholders(noun) and missing:
                raise ValueError(f"task template {self.id!r}: noun {noun!r} does not say {{{sorted(missing)[0]}}}")
        if self.held_out:
            if len(set(self.held_out)) != 2 or len(self.held_out) != 2 or not set(self.held_out) <= set(self.phrasings):
                raise ValueError(f"task template {self.id!r}: held_out must name two different phrasings of its own")
            if len(self.phrasings) < 4:
                raise ValueError(f"task template {self.id!r}: held_out needs at least 4 phrasings (2 stay in training)")

    def to_json(self) -> dict[str, object]:
        return (
            {
                "id": self.id,
                "phrasings": list(self.phrasings),
                "plan": self.plan,
                "slots": dict(sorted(self.slots.items())),
                "weight": self.weight,
            }
            | ({"held_out": list(self.held_out)} if self.held_out else {})
            | ({"produces": self.produces, "nouns": list(self.nouns)} if self.produces else {})
            | ({"subject": self.subject} if self.subject else {})
            | ({"chains": [c.to_json() for c in self.chains]} if self.chains else {})
        )
