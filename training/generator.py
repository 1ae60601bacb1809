"""Synthetic training data composed from the packs' task templates.

Each example joins 1-4 intents into one request, renumbers their plans into one plan (merging
identical lookups), varies the surface (casing, politeness, filler, typos, connectors) without ever
touching slot values, and passes :func:`check_example` before it is kept.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import random
import re
import string
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx

from ..grammar import POLITE_QUESTION, says_when
from ..plan import Plan, PlanError, Step, parse_plan, plan_graph, render_plan, substitute, validate_plan
from ..plugins.host import Registry
from ..plugins.tools import keyword
from ..plugins.types import Chain, TaskTemplate
from ..shorthand import SHORTHAND
from ..when import DATETIME_FORMAT, resolve_times
from .slots import SlotValue, fill_slot

__all__ = [
    "dataset_sha256",
    "SPLITS",
    "DataConfig",
    "Example",
    "chain_pairs",
    "check_example",
    "generate",
    "handwritten_rows",
    "render_template",
    "split_counts",
    "write_dataset",
]

CONNECTORS = [" and ", " and ", ", then ", ". Also, ", ". Then ", "; also ", " and also ", ". ", ", and then ", ", "]
PREFIXES = [
    "",
    "",
    "",
    "",
    "please ",
    "can you ",
    "could you ",
    "hey, ",
    "I need you to ",
    "would you ",
    "quick one: ",
    "um, ",
    "so, ",
    "hello there, could you please ",
    "hi! I was wondering if you could ",
    "when you get a chance, ",
    "ok so ",
    "yo ",
    "pls ",
]
SUFFIXES = [
    "",
    "",
    "",
    "",
    " please",
    " thanks",
    "!",
    " thank you",
    ".",
    " Many thanks!",
    " thx",
    " if you can",
    "? Thank you!",
    "? thanks",
]
# A false start the request takes back ("text Yara... sorry, email Yara that ..."): the planner must
# plan only what follows. core/retract.py removes the ones it reads without guessing before planning;
# these markers include the ambiguous ones (", no, ") it leaves to the planner
CORRECTIONS = [
    "... sorry, ",
    "... no wait, ",
    ", no, ",
    "... actually ",
    " - I mean ",
    ", scratch that, ",
    "... oops, ",
]


# Values people put in quotes ("new note 'Gift ideas': ...", "subject 'Tickets'"): the request gets
# the quotes, the plan the value (dev batch five: three of its 12 wrong arguments were quoted values)
QUOTABLE = {"text", "title", "note", "event"}
QUOTES = {"'": "'", '"': '"', "\u201c": "\u201d"}


_DROPS_ON = ("by ", "for ", "until ", "before ", "due ")


class _PlanFormatter(string.Formatter):
    """Fills a template's plan: slot values become escaped literal text (``{when.end}`` works)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        plan_value = getattr(value, "plan", value)
        if isinstance(plan_value, str):
            return json.dumps(plan_value, ensure_ascii=False)[1:-1]
        return str(plan_value)


_PLAN_FORMAT = _PlanFormatter()


@dataclass
class Example:
    query: str
    now: str
    plan: str
    tools: list[str]
    templates: list[str]
    phrasings: list[str]
    split: str = "train"
    expected_deps: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "now": self.now,
            "plan": self.plan,
            "tools": self.tools,
            "templates": self.templates,
            "phrasings": self.phrasings,
            "split": self.split,
        }


def _short(word: str, rng: random.Random) -> str:
    """``word`` as the data writes it short, if it does (:data:`~tinyagent.shorthand.SHORTHAND`)."""
    shorts = SHORTHAND.get(word.lower(), (word,))
    return shorts[0] if len(shorts) == 1 else rng.choice(shorts)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@functools.lru_cache(maxsize=1024)  # once per template, not per example rendered
def _copied_words(plan: str) -> frozenset[str]:
    """The words a plan copies from its phrasing as written ("meeting" of an untitled zoom, said "zoom
    meeting"): noise never touches them, or no plan could copy the value ("mtg", "meeitng")."""
    literals = (lit for lit in re.findall(r'"([^"]*)"', plan) if "{" not in lit and "$" not in lit)
    return frozenset(w.lower() for lit in literals for w in lit.split())


def render_template(
    template: TaskTemplate,
    phrasing: int,
    rng: random.Random,
    now: datetime,
    noise: float = 1.0,
    lower: bool = False,
    short: bool = False,
    fixed: dict[str, Any] | None = None,
) -> tuple[str, Plan]:
    """One intent: the request text and the plan (local numbering). Noise (typos, ``lower``,
    ``short``hand) touches only the template's own words, never slot values nor words its plan copies,
    so every value can be copied from the request. ``fixed`` gives some slots their values instead of drawing them."""
    values: dict[str, Any] = dict(fixed or {})
    kept = _copied_words(template.plan)
    for name, kind in template.slots.items():
        if name in values:
            continue
        for _ in range(20):  # two slots of one intent ("to" and "cc") get different values
            value = fill_slot(kind, rng, now, name)
            if format(value) not in {format(v) for v in values.values()}:
                break
        values[name] = value
    pieces = []
    for literal, name, spec, _ in string.Formatter().parse(template.phrasings[phrasing]):
        if literal:
            words = literal.split(" ")
            if rng.random() < 0.06 * noise:
                k = rng.randrange(len(words))
                words[k] = words[k] if words[k].lower() in kept else _typo(words[k], rng)
            if short:
                words = [_short(w, rng) if rng.random() < 0.7 and w.lower() not in kept else w for w in words]
            pieces.append(" ".join(words).lower() if lower else " ".join(words))
        if name is not None:
            said = format(string.Formatter().get_field(name, (), values)[0], spec or "")
            if said.startswith("on ") and literal.endswith(_DROPS_ON):  # "by Friday", not "by on Friday"
                said = said[3:]
            quoted = literal[-1:] in QUOTES  # the phrasing quotes it already: "tell {person} '{text}'"
            if template.slots.get(name) in QUOTABLE and not quoted and rng.random() < 0.06 * noise:
                opening = rng.choice(list(QUOTES))  # "add 'call back Vera' to my Todo note"
                said = opening + said + QUOTES[opening]
            pieces.append(said)
    text = "".join(pieces)
    plan = parse_plan(_PLAN_FORMAT.format(template.plan, **values), require_join=False)
    return text, plan


def _merge(plans: list[Plan]) -> tuple[Plan, dict[int, list[int]]]:
    """Renumber intent plans into one, reusing identical independent lookups."""
    steps: list[Step] = []
    seen: dict[tuple[str, str], int] = {}
    expected: dict[int, list[int]] = {}
    for plan in plans:
        local: dict[int, int] = {}
        for step in plan.steps:
            mapping = {d: f"${local[d]}" for d in step.deps}
            args = tuple(substitute(list(step.args), mapping, step.deps))
            key = (step.tool, json.dumps(args, ensure_ascii=False))
            if not step.deps and key in seen:
                local[step.idx] = seen[key]
                continue
            new_idx = len(steps) + 1
            local[step.idx] = new_idx
            deps = tuple(sorted({local[d] for d in step.deps}))
            steps.append(Step(new_idx, step.tool, args, None, deps))
            expected[new_idx] = list(deps)
            if not step.deps:
                seen[key] = new_idx
    return Plan(tuple(steps), len(steps) + 1), expected


def _keywords(plan: Plan, reg: Registry) -> Plan:
    """Search words as the grammar lets a planner write them (``FROM_REQUEST_KEYWORD``): "tasks about
    the garden" filters by "garden" (a todo template's slot said "the garden", and the planner copied it)."""
    steps = []
    for step in plan.steps:
        tool = reg.tools.get(step.tool)
        if tool is not None and any(p.source == "keyword" for p in tool.params):
            args = tuple(
                keyword(a) if p.source == "keyword" and isinstance(a, str) and not a.startswith("$") else a
                for p, a in zip(tool.params, step.args, strict=False)
            )
            step = dataclasses.replace(step, args=args)
        steps.append(step)
    return dataclasses.replace(plan, steps=tuple(steps))


def _strings(plan: Plan) -> list[str]:
    """The plan's string values, lists' items included."""
    values = (v for s in plan.steps for a in s.args for v in (a if isinstance(a, list) else [a]))
    return [v for v in values if isinstance(v, str) and v]


def _question_taken(query: str, plan: Plan) -> bool:
    """Whether a value of ``plan`` ends at the question mark of a polite request ("Pls can you text Ana
    that lunch tomorrow?"): the grammar gives that mark to the request, so no plan could copy the value."""
    ends = {m.end(1) for m in POLITE_QUESTION.finditer(query)}
    return any((at := query.find(v)) >= 0 and at + len(v) in ends for v in _strings(plan) if v[-1:] == "?")


def _capitalized(text: str, values: Sequence[str]) -> str:
    """``text`` with a capital first letter, unless it opens with a value the plan copies as said
    ("pitch yoga proposal list: ..." keeps the list's name)."""
    if any(v[:1].islower() and text.startswith(v) for v in values):
        return text
    return text[:1].upper() + text[1:]


def _undated_taken(query: str, plan: Plan, reg: Registry, now: datetime) -> bool:
    """Whether the plan leaves the time of its one timed tool empty where the request says a time that
    the grammar gives that tool (:func:`~tinyagent.grammar.says_when`: "email Ana saying we'll be there at
    4am :), and remember to return the book, add it to my to-do list" has no due date)."""
    tools = [reg.tools[t] for t in dict.fromkeys(plan.tools) if t in reg.tools]
    if not says_when(tools, [query]) or not resolve_times(query, now):
        return False
    return any(
        a == ""
        for s in plan.steps
        for p, a in zip(reg.tools[s.tool].params, s.args, strict=False)
        if p.source == "time"
    )


def _surface(texts: list[str], rng: random.Random, noise: float, values: Sequence[str] = ()) -> str:
    query = texts[0]
    for clause in texts[1:]:
        joiner = rng.choice(CONNECTORS)
        if joiner[:1] in ".;" and query[-1:] in "?!.":  # "upstairs. Also", never "upstairs.. Also" (see below)
            joiner = joiner[1:]
        query += joiner + (_capitalized(clause, values) if joiner.strip().startswith(".") else clause)
    if rng.random() < 0.5 * noise:
        prefix = rng.choice(PREFIXES)
        query = prefix + query if prefix else query
    if rng.random() < 0.5 * noise:
        suffix = rng.choice(SUFFIXES)
        # "...running late? Thank you!": the request's own question mark, never one after "?" or "!";
        # nor a full stop or "!" after one ("left.." would end the message inside "..")
        query += suffix if not (suffix[:1] in ("?", ".", "!") and query[-1:] in "?!.") else suffix[1:]
    return _capitalized(query, values) if rng.random() < 0.7 else query


_DOUBLE_DETERMINER = re.compile(r"\b(?:the|my|a|an|your|our)\s+the\b", re.IGNORECASE)
_IT = "@@IT@@"  # where a chain's plan takes the product, until it becomes a $N reference


def chain_pairs(templates: list[TaskTemplate]) -> list[tuple[TaskTemplate, TaskTemplate, Chain]]:
    """Every (producer, consumer, chain) the packs declare: each producer with each chain accepting its kind."""
    return [
        (producer, owner, chain)
        for producer in templates
        if producer.produces
        for owner in templates
        for chain in owner.chains
        if producer.produces in chain.accepts and owner is not producer
    ]


def _chain_template(producer: TaskTemplate, owner: TaskTemplate, chain: Chain, inline: bool) -> TaskTemplate:
    """The chain as a one-off template: ``{it}`` is a slot for the words naming the product (given
    to :func:`render_template` as ``fixed``, so noise never touches them: an e-mail subject copies
    them), and its plan holds :data:`_IT` where the product's reference goes. ``inline``: the noun
    carries the producer's slots ("email {person} the summary of {file}"), so the request says the
    producer only through it."""
    return TaskTemplate(
        f"{owner.id}{'<<' if inline else '<'}{producer.id}",
        chain.phrasings,
        chain.plan.replace("{it}", _IT),
        chain.slots | {"it": "text", "noun": "text"},
    )


def _noun(
    producer: TaskTemplate, noun: str, rng: random.Random, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The producer's slot values, and the chain's fixed values: ``it``, the words naming the product
    with those values as said ("the zoom link for standup at 9"), and ``noun``, how a message names
    it (the producer's ``subject``, else those words)."""
    values = {name: fill_slot(kind, rng, now, name) for name, kind in producer.slots.items()}
    it = SlotValue(noun.format(**values))
    return values, {"it": it, "noun": SlotValue(producer.subject.format(**values)) if producer.subject else it}


def _false_start(templates: list[TaskTemplate], first: TaskTemplate, rng: random.Random, now: datetime) -> str:
    """The first words of another intent and a correction ("text Bruno... sorry, "), to go before a request."""
    other = rng.choice([t for t in templates if t is not first] or templates)
    words = render_template(other, rng.randrange(len(other.phrasings)), rng, now)[0].split()
    return " ".join(words[: rng.randint(1, max(1, min(4, len(words) - 1)))]) + rng.choice(CORRECTIONS)


def _link(merged: Plan, expected: dict[int, list[int]], producer_last: int) -> tuple[Plan, dict[int, list[int]]]:
    """Turn :data:`_IT` into a reference to the producer's last step (and declare that dependency)."""
    users = [s.idx for s in merged.steps if _IT in json.dumps(list(s.args))]
    plan = parse_plan(render_plan(merged).replace(_IT, f"${producer_last}"))
    for idx in users:
        expected[idx] = sorted(set(expected[idx]) | {producer_last})
    return plan, expected


def check_example(example: dict[str, Any], reg: Registry) -> list[str]:
    """Why an example must be rejected (empty when it is sound).

    The plan must parse, validate against the installed tools, form a DAG, list the tools it uses,
    carry a valid ``now``, and (when known) have exactly the dependencies its intents declare.
    """
    problems = []
    for key, kind in (("query", str), ("now", str), ("plan", str), ("tools", list)):
        if not isinstance(example.get(key), kind):
            problems.append(f"field {key!r} is missing or not a {kind.__name__}")
    if problems:
        return problems
    if not example["query"].strip():
        problems.append("empty query")
    try:
        datetime.strptime(example["now"], DATETIME_FORMAT)
    except ValueError:
        problems.append(f"'now' {example['now']!r} is not YYYY-MM-DD HH:MM:SS")
    try:
        plan = parse_plan(example["plan"])
    except PlanError as exc:
        return problems + [f"plan does not parse: {exc}"]
    problems += [f"plan invalid: {issue}" for issue in validate_plan(plan, reg.tools)]
    if not nx.is_directed_acyclic_graph(plan_graph(plan)):
        problems.append("plan is not a DAG")
    if sorted(set(plan.tools)) != sorted(set(example["tools"])):
        problems.append(f"'tools' {example['tools']} does not match the plan's tools {sorted(set(plan.tools))}")
    expected = example.get("expected_deps")
    if expected is not None:
        got = {s.idx: list(s.deps) for s in plan.steps}
        if {int(k): v for k, v in expected.items()} != got:
            problems.append(f"references {got} differ from what the intents declare {expected}")
    return problems


@dataclass
class DataConfig:
    train: int = 80_000
    val: int = 1_000
    test: int = 1_000
    test_heldout: int = 1_000
    val_heldout: int = 1_000  # held-out phrasings for tuning (never the test's): see _held_out
    seed: int = 0
    max_intents: int = 4
    noise: float = 1.0
    chain_rate: float = 0.3  # requests of 2+ intents where one intent's product feeds another (see Chain)
    fanout_rate: float = 0.4  # of those with 3+ intents: a second intent takes the same product
    correction_rate: float = 0.04  # requests that begin with a false start they take back (CORRECTIONS)
    # The packs' hand-written requests (Example.now set) make about this share of the train split, each
    # repeated as often as that takes (at least once): see handwritten_rows.
    handwritten_share: float = 0.04

    @classmethod
    def sized(cls, train: int, seed: int = 0) -> DataConfig:
        """``train`` examples; the evaluation splits scale down for small runs (at most 1000 each)."""
        other = min(1000, max(20, train // 8))
        return cls(train, other, other, other, other, seed)


SPLITS = ("train", "val", "val_heldout", "test", "test_heldout")  # a dataset's files, DataConfig's counts
HELD_OUT_SPLITS = tuple(s for s in SPLITS if s.endswith("_heldout"))  # phrasings no other split sees


def _held_out(templates: list[TaskTemplate], rng: random.Random) -> dict[str, dict[str, int]]:
    """Two phrasings of every template with at least 4, never used by train/val/test: one is the
    ``test_heldout`` split's (it measures generalization), the other ``val_heldout``'s (it tunes
    the Tool RAG threshold on unseen wording without looking at the test). A template's own
    ``held_out`` pins them; otherwise they are drawn at random."""
    held: dict[str, dict[str, int]] = {split: {} for split in HELD_OUT_SPLITS}
    for t in templates:
        if t.held_out:
            a, b = (t.phrasings.index(p) for p in t.held_out)
        elif len(t.phrasings) >= 4:
            a, b = rng.sample(range(len(t.phrasings)), 2)
        else:
            continue
        held["test_heldout"][t.id], held["val_heldout"][t.id] = a, b
    return held


def generate(
    reg: Registry,
    cfg: DataConfig,
    progress: Callable[[int, int], None] | None = None,
    stats: dict[str, int] | None = None,
) -> Iterator[Example]:
    """Yield examples for every split, deterministic for ``cfg.seed``. ``stats["rejected"]`` counts
    the composed examples that failed :func:`check_example` (none should)."""
    stats = stats if stats is not None else {}
    stats.setdefault("rejected", 0)
    templates = sorted(reg.templates, key=lambda t: (t.pack, t.id))
    if not templates:
        raise ValueError("the installed packs register no task templates: nothing to generate")
    rng = random.Random(cfg.seed)
    held = _held_out(templates, rng)
    weights = [t.weight for t in templates]
    pairs = chain_pairs(templates)
    base_now = datetime(2026, 1, 5, 9, 0)
    seen: set[str] = set()
    counts = {split: getattr(cfg, split) for split in SPLITS}
    banned = {t_id: {held[s][t_id] for s in HELD_OUT_SPLITS} for t_id in held["test_heldout"]}
    total, done = sum(counts.values()), 0
    for split, wanted in counts.items():
        made = attempts = 0
        while made < wanted:
            attempts += 1
            if attempts > wanted * 20 + 1000:
                raise RuntimeError(f"could not make {wanted} distinct {split} examples (made {made})")
            now = base_now + timedelta(days=rng.randrange(730), minutes=rng.randrange(0, 12 * 60, 5))
            k = rng.choices(range(1, cfg.max_intents + 1), weights=[45, 35, 15, 5][: cfg.max_intents])[0]
            chosen: list[TaskTemplate] = []
            while len(chosen) < k:
                t = rng.choices(templates, weights=weights)[0]
                if t not in chosen:
                    chosen.append(t)
                if len(chosen) == len(templates):
                    break
            forced = -1
            own = held.get(split, {})
            if split in HELD_OUT_SPLITS:  # at least one intent says it in a phrasing training never saw
                candidates = [i for i, t in enumerate(chosen) if t.id in own]
                if not candidates:
                    continue
                forced = rng.choice(candidates)
            texts, plans, phrasing_ids = [], [], []
            lower = rng.random() < 0.15 * cfg.noise  # people who never press shift
            short = rng.random() < 0.08 * cfg.noise  # nor spell words out
            linked: list[TaskTemplate] = []  # the chained intents, producer first
            chained = pairs and k >= 2 and forced < 0 and rng.random() < cfg.chain_rate
            if chained:  # the producer first, then the chain that takes its product, then the rest
                producer, owner, chain = rng.choice(pairs)
                j = rng.choice([j for j in range(len(producer.phrasings)) if j not in banned.get(producer.id, set())])
                noun = rng.choice(producer.nouns)
                values, fixed = _noun(producer, noun, rng, now)
                # an inline noun ("the summary of {file}") asks for the product in the clause that
                # sends it on: the producer's plan, with the noun's values, and no words of its own
                inline = "{" in noun
                text, plan = render_template(producer, j, rng, now, cfg.noise, lower, short, values)
                link = _chain_template(producer, owner, chain, inline)
                if not inline and producer.slots.get("person") == link.slots.get("person") == "person":
                    if rng.random() < 0.5:  # "set up a zoom with Theo and email him the link": Theo's address
                        fixed["person"] = SlotValue(rng.choice(["him", "her", "them"]), values["person"].plan)
                c = rng.randrange(len(link.phrasings))
                ctext, cplan = render_template(link, c, rng, now, cfg.noise, lower, short, fixed)
                texts, plans = ([] if inline else [text]) + [ctext], [plan, cplan]
                phrasing_ids = ([] if inline else [f"{producer.id}#{j}"]) + [f"{link.id}#{c}"]
                linked = [producer, owner]
                # the product sent on twice ("summarize q3.pdf, save it in a note called Q3 and send it to
                # Bertille": dev batch thirty-four texted the summary, no chain took two consumers)
                others = [(o, ch) for p, o, ch in pairs if p is producer and o is not owner]
                if k >= 3 and others and rng.random() < cfg.fanout_rate:
                    owner2, chain2 = rng.choice(others)
                    link2 = _chain_template(producer, owner2, chain2, False)
                    c2 = rng.randrange(len(link2.phrasings))
                    again = {"it": SlotValue("it"), "noun": fixed["noun"]}  # said once, then "it"
                    text2, plan2 = render_template(link2, c2, rng, now, cfg.noise, lower, short, again)
                    texts, plans = [*texts, text2], [*plans, plan2]
                    phrasing_ids.append(f"{link2.id}#{c2}")
                    linked.append(owner2)
                chosen = [*linked, *[t for t in chosen if t not in linked][: k - len(linked)]]
            for i, t in enumerate(chosen):
                if i < len(linked):  # rendered with the chain above
                    continue
                unseen = banned.get(t.id, set())
                options = [own[t.id]] if i == forced else [j for j in range(len(t.phrasings)) if j not in unseen]
                j = rng.choice(options)
                text, plan = render_template(t, j, rng, now, cfg.noise, lower, short)
                texts.append(text)
                plans.append(plan)
                phrasing_ids.append(f"{t.id}#{j}")
            merged, expected = _merge(plans)
            if chained:
                merged, expected = _link(merged, expected, len(plans[0].steps))
            merged = _keywords(merged, reg)
            if rng.random() < cfg.correction_rate:
                texts[0] = _false_start(templates, chosen[0], rng, now) + texts[0]
            query = _surface(texts, rng, cfg.noise, _strings(merged))
            if query in seen or _DOUBLE_DETERMINER.search(query):  # "my the Party review note"
                continue
            if _question_taken(query, merged) or _undated_taken(query, merged, reg, now):
                continue
            ex = Example(
                query,
                now.strftime(DATETIME_FORMAT),
                render_plan(merged),
                sorted(set(merged.tools)),
                [t.id for t in chosen],
                phrasing_ids,
                split,
                expected,
            )
            if check_example(ex.to_json() | {"expected_deps": expected}, reg):
                stats["rejected"] += 1
                continue
            seen.add(query)
            made += 1
            done += 1
            if progress and done % 500 == 0:
                progress(done, total)
            yield ex
    if progress:
        progress(total, total)


def dataset_sha256(folder: Path) -> str:
    """A hash of every split file's content: the dataset's identity."""
    content = hashlib.sha256()
    for split in SPLITS:
        path = folder / f"{split}.jsonl"
        content.update(f"{split}\0".encode() + (path.read_bytes() if path.exists() else b"") + b"\0")
    return content.hexdigest()


def handwritten_rows(reg: Registry) -> list[dict[str, Any]]:
    """The packs' hand-written requests (examples with ``now``) as train rows, marked ``templates:
    ["handwritten"]``. Each must pass :func:`check_example`: a pack that ships a plan its own tools
    reject is an error here, never a silently smaller dataset."""
    rows = []
    for e in reg.examples:
        if not e.now:
            continue
        try:
            tools = sorted(set(parse_plan(e.plan).tools))
        except PlanError:
            tools = []  # check_example says why
        row = Example(e.query, e.now, e.plan, tools, ["handwritten"], []).to_json()
        problems = check_example(row, reg)
        if problems:
            raise ValueError(f"pack {e.pack!r}: hand-written example {e.query!r}: {'; '.join(problems)}")
        rows.append(row)
    return rows


def split_counts(reg: Registry, cfg: DataConfig) -> dict[str, int]:
    """The rows :func:`write_dataset` writes per split: the generated ones plus, in train, each
    hand-written request repeated to make about ``cfg.handwritten_share`` of it."""
    counts = {split: getattr(cfg, split) for split in SPLITS}
    n = sum(bool(e.now) for e in reg.examples)
    counts["train"] += n * _handwritten_repeat(n, cfg)
    return counts


def _handwritten_repeat(n: int, cfg: DataConfig) -> int:
    return max(1, round(cfg.train * cfg.handwritten_share / n)) if n else 0


def write_dataset(
    reg: Registry, out: Path, cfg: DataConfig, fingerprint: str, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Write ``<split>.jsonl`` files and ``manifest.json`` into ``out`` as a whole: they are built in a
    staging folder that replaces ``out`` only once every file is written."""
    from ..atomic import atomic_write, replace_dir, staging_dir

    t0 = time.perf_counter()
    buffers: dict[str, list[str]] = {split: [] for split in SPLITS}
    stats: dict[str, int] = {}
    for ex in generate(reg, cfg, progress, stats):
        buffers[ex.split].append(json.dumps(ex.to_json(), ensure_ascii=False))
    handwritten = [json.dumps(row, ensure_ascii=False) for row in handwritten_rows(reg)]
    if handwritten:  # spread through train, so that a run on its first N rows (--examples N) sees them too
        buffers["train"] += handwritten * _handwritten_repeat(len(handwritten), cfg)
        random.Random(cfg.seed).shuffle(buffers["train"])
    tmp = staging_dir(out)
    for split, lines in buffers.items():
        atomic_write(tmp / f"{split}.jsonl", "\n".join(lines) + "\n" if lines else "")
    manifest = {
        "sha256": dataset_sha256(tmp),  # the dataset's identity: what later stages compare
        "fingerprint": fingerprint,
        "seed": cfg.seed,
        "counts": {k: len(v) for k, v in buffers.items()},
        "rejected": stats["rejected"],
        "handwritten": len(handwritten),
        "templates": sorted(t.id for t in reg.templates),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    atomic_write(tmp / "manifest.json", json.dumps(manifest, indent=2))
    replace_dir(tmp, out)
    return manifest
