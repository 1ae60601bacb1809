"""Listed together, looked up together: when a plan looks up one of the items a request lists
("Lucius and Petra, cc Ambrose", "slides.pptx and Q4_numbers.xlsx"), it looks up every one.

Planners dropped an item of such lists in 5 of 173 requests of natural dev batches twelve to
nineteen (the cc'd "Ambrose", the second of two texted people, the third of four invitees, the second
file), always the same way: the lookups stop one short and the next step uses the ones written.
:func:`missed` finds that item when the plan reaches a step that is not a lookup (or its end); the
agent then writes the missing lookup there and lets the planner go on from it (:func:`~tinyagent.grammar.resumed`).

A *lookup* is a tool of one parameter, a name copied from the request (``FROM_REQUEST_NAME``); its
items are the request's runs of capitalized words ("Amy Chen", "Dr. Okafor"), or the request's
matches of the parameter's pattern (an :class:`~tinyagent.plugins.IfSaid` file name) when the value
is one. Items are listed together when only ", ", "and", "&", "+", "plus" or "cc" stand between them;
a bare comma only within a list that "and" or "cc" closes ("text Alice, Friday works" lists nothing).

And a role or a pronoun is not whom it names: a lookup of "the team lead" where the request goes on ",
Haruki, that ..." looks up "Haruki", and one of "him" the name said before it (:func:`renamed`); nor is
a looked-up e-mail address a number to text (:func:`retyped`, from what the packs' plans feed each
parameter, :func:`feeds`). Both are written the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .grammar import PRONOUN, TITLES
from .plan import Plan, PlanError, Step, parse_plan, references
from .plugins.tools import KEYWORD_SKIPS, Tool
from .plugins.types import TaskTemplate
from .when import MONTHS, WEEKDAYS, times_said

__all__ = [
    "Missed",
    "attached",
    "completed",
    "corrected",
    "feeds",
    "lookup_tools",
    "missed",
    "placed",
    "referred",
    "labelled",
    "renamed",
    "repeated",
    "retyped",
    "told",
    "topical",
    "trimmed",
    "unopened",
    "whole_name",
]

_WORD = r"[A-Z][\w'\u2019-]*"
_NAMES = re.compile(rf"(?:(?:{'|'.join(TITLES)})\. )?{_WORD}(?: {_WORD})*")
_STRONG = re.compile(r"\s*,?\s*(?:(?:and|&|\+|plus)\s+)?(?:b?cc\s*:?\s+)?", re.IGNORECASE)
_CLOSES = re.compile(r"\b(?:and|plus|b?cc)\b|[&+]", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+)\W*$")
# capitalized words that are not people: a day or month ("email Bob, Monday is off"), "I"
_TITLE_WORDS = {t.lower() for t in TITLES}
_NOT_NAMES = {w.lower() for w in (*WEEKDAYS, *MONTHS, "I", "I'm", "I'll", "I've", "I'd")}


# A role said before the name: "text my colleague Evander" looks up "Evander", and "copy in Beatrice"
# "Beatrice" (dev batch thirty-five)
_ROLE_NAMED = re.compile(rf"(?:(?:my|our) (?:[a-z]+ ){{1,2}}|(?:in|to|and|with) )(?P<name>{_NAMES.pattern})")
# A role the request names in commas right after it, outside a list: "email the team lead, Haruki, that
# the build is green" (not "text my sister, Eitan, Jordan and Chinedu")
_APPOSITIVE = re.compile(
    rf"(?P<role>\b(?:the|my|our|your) (?:[a-z]+ ){{0,2}}[a-z]+), (?P<name>{_NAMES.pattern}), (?!and\b|[A-Z&+])"
)


@dataclass(frozen=True)
class Missed:
    """The lookup a plan left out: call ``tool`` with one of ``values`` (the item's spellings)."""

    tool: str
    values: tuple[str, ...]


def lookup_tools(tools: Iterable[Tool]) -> dict[str, Tool]:
    """The tools that look one named thing up: one parameter, a string copied as a name."""
    return {
        t.name: t for t in tools if len(t.params) == 1 and t.params[0].source == "name" and "str" in t.params[0].type
    }


def _strings(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower())) - _TITLE_WORDS


def _is(value: str, spellings: Sequence[str], whole: bool) -> bool:
    """Whether a looked-up ``value`` is this item: one of its spellings, or (a name) its words within
    the item's or the item's within its ("Amy" of "Amy Chen"; not "Andre Kaya" of "Andre Clark")."""
    if whole:
        return value.lower() in (s.lower() for s in spellings)
    a, b = _words(value), _words(spellings[-1])
    return bool(a and b) and (a <= b or b <= a)


def _named(spellings: Sequence[str], strings: Sequence[str], whole: bool) -> bool:
    """Whether ``strings`` name an item: hold one of its ``spellings`` (``whole``: a file name), or a
    word of its longest (a name)."""
    if whole:
        return any(sp.lower() in s.lower() for sp in spellings for s in strings)
    return any(_words(spellings[-1]) & _words(s) for s in strings)


def _items(request: str, pattern: str, possessive: bool = False) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, spellings) of each item: a pattern's matches, or runs of capitalized words (the
    run's first words, then all of it; a sentence's first word is taken for a verb: "Email Bob", "Reply
    and cc Zekot"). A name said with "'s" is no item ("Alice's mom" is not Alice) unless ``possessive``,
    when it is the name ("Imogen's number": Imogen)."""
    if pattern:  # "Anneliese slides.pptx" matches from its capitalized word: "slides.pptx" is one spelling
        found = []
        for m in re.finditer(pattern, request):
            starts = [i for i in range(len(m[0])) if i == 0 or m[0][i - 1] == " "]
            spellings = tuple(t for i in starts if re.fullmatch(pattern, t := m[0][i:]))
            if spellings:
                found.append((m.start(), m.end(), spellings))
        return found
    out = []
    for m in _NAMES.finditer(request):
        words, start = m[0].split(" "), m.start()
        if _SENTENCE_START.search(request[:start]) and not words[0].endswith("."):
            start += len(words[0]) + 1
            words = words[1:]
        # a run ends before a word that is no name: "Genevieve I'd send her" is Genevieve (dev batch thirty)
        if cut := next((i for i, w in enumerate(words) if i and w.lower() in _NOT_NAMES), None):
            words = words[:cut]
        end = start + len(" ".join(words))
        if possessive and words and words[-1].endswith(("'s", "\u2019s")):
            words[-1] = words[-1][:-2]
        if not words or words[-1].endswith(("'s", "\u2019s")) or words[0].lower() in _NOT_NAMES:
            continue  # "Alice's mom" is not Alice
        titled = words[0].endswith(".")
        out.append((start, end, tuple(" ".join(words[:n]) for n in range(1 + titled, len(words) + 1))))
    return out


def _lists(request: str, items: list[tuple[int, int, tuple[str, ...]]]) -> list[list[tuple[str, ...]]]:
    """The items grouped into the lists they form (lists of one included)."""
    groups: list[list[tuple[str, ...]]] = []
    links: list[str] = []  # how each item joins the one before it: "strong", "comma" or ""
    for i, (start, _, _) in enumerate(items):
        between = request[items[i - 1][1] : start] if i else None
        if between is not None and between.strip() and _STRONG.fullmatch(between):
            links.append("strong" if _CLOSES.search(between) else "comma")
        else:
            links.append("")
    # a comma joins only inside a list that a strong link closes: walk back from each strong link
    valid = [False] * len(items)
    for i in range(len(items) - 1, 0, -1):
        if links[i] == "strong" or (links[i] == "comma" and i + 1 < len(items) and valid[i + 1]):
            valid[i] = True
    for i, (_, _, spellings) in enumerate(items):
        if valid[i]:
            groups[-1].append(spellings)
        else:
            groups.append([spellings])
    return groups


@functools.lru_cache(maxsize=64)  # read at every step of a streaming plan, for each of its lookups
def _request_lists(request: str, pattern: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The lists the request's items (file names when ``pattern``, else names) form."""
    return tuple(map(tuple, _lists(request, _items(request, pattern))))


@dataclass(frozen=True)
class _Looked:
    step: Step
    whole: bool  # its items are file names (a pattern's matches), not names
    group: tuple[bool, int] | None  # which of the request's lists (of file names or of names)
    items: tuple[tuple[str, ...], ...]  # that list's items
    at: int  # which of them it looks up


def _looked(request: str, steps: Sequence[Step], lookups: Mapping[str, Tool]) -> list[_Looked]:
    """The lookup steps of ``steps`` with the list each looked an item of up."""
    out, said = [], []
    for step in steps:
        tool = lookups.get(step.tool)
        value = step.args[0] if tool and step.args else None
        if not isinstance(value, str) or not value.strip():
            continue
        pattern = tool.params[0].matching
        if not (pattern and re.fullmatch(pattern, value)):
            pattern = ""
            if not value[:1].isupper():
                continue
        whole = bool(pattern)
        # a name the request says twice is in its first list first: "let Bruno and Leilani know ..., then
        # email it to Leilani and Mrs. Smirnova" (the held-out synthetic split)
        lists = _request_lists(request, pattern)
        groups = [i for i, g in enumerate(lists) if any(_is(value, s, whole) for s in g)]
        said.append(value.lower())
        group = groups[min(said.count(value.lower()), len(groups)) - 1] if groups else -1
        items = lists[group] if groups else ()
        at = next((j for j, s in enumerate(items) if _is(value, s, whole)), -1)
        out.append(_Looked(step, whole, (whole, group) if groups else None, items, at))
    return out


def missed(request: str, steps: Sequence[Step], lookups: Mapping[str, Tool], ended: bool = False) -> Missed | None:
    """The first item listed together with one that ``steps`` looked up, that no step's strings name;
    None when there is none. Unless the plan ``ended`` with them, when the last step is a lookup, only
    an item its list gives before the one it looks up, in a list whose lookups began before: the plan
    skipped it ("Ottavia, Leif, Ines and Bogdan" looked up without Ines before Bogdan), where the
    later ones may still come."""
    strings = [s for step in steps for s in _strings(list(step.args))]
    looked = _looked(request, steps, lookups)
    if not ended and steps and steps[-1].tool in lookups:
        if not looked or looked[-1].step is not steps[-1]:
            return None
        last = looked[-1]
        before = last.items[: last.at]  # a list being looked up, one item skipped: not "about Cizo and cc Nia"
        values = [v for x in looked[:-1] for v in _strings(x.step.args[:1])]
        if not any(_named(s, values, last.whole) for s in before):
            return None
        candidates = [(last, before)]
    else:
        candidates = [(x, x.items) for x in looked if len(x.items) > 1]
    for x, items in candidates:
        for spellings in items:
            if not _named(spellings, strings, x.whole):
                return Missed(x.step.tool, spellings)
    return None


_REF = re.compile(r"\$\d+")


def _resolved(values: Sequence[object], by_id: Mapping[int, Step]) -> list[str]:
    """The strings of ``values``, a reference to an earlier step standing for what that step looked up
    ("$1" of ``get_email_address("Marcus")``: "Marcus"); empty ones and other references left out."""
    out = []
    for item in _strings(list(values)):
        step = by_id.get(int(item[1:])) if _REF.fullmatch(item) else None
        out += _strings(list(step.args[:1])) if step else [item]
    return [v for v in out if v.strip() and not _REF.fullmatch(v)]


# what joins a message, a subject or a recipient to the file it goes with: "... by Thursday and attach notes.docx"
_ATTACH = re.compile(
    r"[\s,;:]*(?:and\s+)?(?i:attach(?:ed|ing)?|with|w/|plus|incl(?:uding)?)\s+(?:(?i:the|my|file)\s+)*"
)


def _replaced(step: Step, args: Sequence[object]) -> Step | None:
    """``step`` with ``args``, or None when they are its own (no rewrite applied)."""
    return None if list(args) == list(step.args) else dataclasses.replace(step, args=tuple(args))


def _with_args(step: Step, args: Sequence[object], earlier: Sequence[Step]) -> Step:
    """``step`` with ``args`` and the dependencies they reference among ``earlier``."""
    deps = references(list(args), [s.idx for s in earlier])[0]
    return Step(step.idx, step.tool, tuple(args), step.thought, tuple(sorted(deps)), step.line)


def _attachable(
    request: str, steps: Sequence[Step], lookups: Mapping[str, Tool], fed: Mapping[tuple[str, int], frozenset[str]]
) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(position, lookup tool, spellings) for each file the last of ``steps`` goes with and could take
    at that position (:func:`feeds`: attachments) but does not: one it names itself ("agenda.docx" as
    the subject), or one the request names right after what it copies or whom it looks up ("saying I'll
    send the draft by Thursday and attach notes.docx"). A file said elsewhere may be another step's
    ("forward this to Ana, then share notes.pdf with Bo")."""
    *earlier, last = steps
    if last.tool in lookups:
        return
    by_id = {s.idx: s for s in earlier}
    own = _strings(list(last.args))
    anchors = {v.lower() for v in _resolved(list(last.args), by_id)}
    low = request.lower()
    follows = {
        m.end() for a in anchors for at in re.finditer(re.escape(a), low) if (m := _ATTACH.match(request, at.end()))
    }
    for i, arg in enumerate(last.args):
        for name in sorted(fed.get((last.tool, i), ())):
            # a lookup tool the packs' plans give a result to (a summary of an opened file) finds nothing
            pattern = lookups[name].params[0].matching if name in lookups and not fed.get((name, 0)) else ""
            if not pattern or any(by_id[n].tool == name for n in references(arg, by_id)[0] if n in by_id):
                continue
            for _, end, spellings in _items(request, pattern):
                said = tuple(sp for sp in spellings if end - len(sp) in follows or _named((sp,), own, True))
                if said:  # as it is said there: "agenda.docx", not "Bo agenda.docx" of "email Bo agenda.docx"
                    yield i, name, said


def unopened(
    request: str, steps: Sequence[Step], lookups: Mapping[str, Tool], fed: Mapping[tuple[str, int], frozenset[str]]
) -> Missed | None:
    """The lookup of a file the last of ``steps`` goes with (:func:`_attachable`) that no earlier step
    looked up, or None. Planners replied without the file, or wrote before looking it up, in 2 of 382
    natural dev requests (batches eleven and twenty-seven); over 6,317 gold plans (dev batches,
    hand-written requests, 5,000 synthetic) this finds none at any step."""
    looked = [x.step.args[0] for x in _looked(request, steps[:-1], lookups) if x.whole]
    for _, name, spellings in _attachable(request, steps, lookups, fed):
        if not _named(spellings, looked, True):
            return Missed(name, spellings)
    return None


def attached(
    request: str, steps: Sequence[Step], lookups: Mapping[str, Tool], fed: Mapping[tuple[str, int], frozenset[str]]
) -> Step | None:
    """The last of ``steps`` with the file it goes with (:func:`_attachable`) among its attachments
    when an earlier step looked the file up and no step took it; None otherwise. "find Octavian's email
    and send him agenda.docx saying the agenda is attached" looked the file up and attached nothing
    (dev batch sixteen)."""
    *earlier, last = steps
    used = {d for s in steps for d in s.deps}
    args = [list(a) if isinstance(a, list) else a for a in last.args]
    for i, name, spellings in _attachable(request, steps, lookups, fed):
        found = next(
            (
                s
                for s in earlier
                if s.tool == name and s.idx not in used and _named(spellings, _strings(list(s.args)), True)
            ),
            None,
        )
        if found is not None and isinstance(args[i], list):
            args[i].append(f"${found.idx}")
            used.add(found.idx)
    if not used - {d for s in steps for d in s.deps}:
        return None
    return _with_args(last, args, earlier)


def completed(request: str, steps: Sequence[Step], lookups: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with the lookups it left out of its lists put in, or None when it left
    none out: a lookup of an item that no step uses yet goes into the list that holds its nearest
    neighbour in the request's list, looked up by the same tool, beside it ("email Priya, Tomas and
    Greta ..." looked all three up and wrote to ["$1", "$2"]; dev batch twenty-two)."""
    *earlier, last = steps
    if last.tool in lookups:
        return None
    used = {d for s in steps for d in s.deps}
    looked = [x for x in _looked(request, earlier, lookups) if x.group and x.at >= 0]
    args = [list(a) if isinstance(a, list) else a for a in last.args]
    added = False
    for x in looked:
        if x.step.idx in used:
            continue
        mates = sorted(
            ((abs(m.at - x.at), m.at > x.at, m) for m in looked if m.group == x.group and m.step.tool == x.step.tool),
            key=lambda t: t[:2],
        )
        for distance, after, mate in mates:
            ref = f"${mate.step.idx}"
            spot = next((a for a in args if isinstance(a, list) and ref in a), None)
            if distance and spot is not None:
                spot.insert(spot.index(ref) + (not after), f"${x.step.idx}")
                used.add(x.step.idx)
                added = True
                break
    if not added:
        return None
    return _with_args(last, args, earlier)


_PLACE_BEFORE = re.compile(r"\b(?:at|in|near|from|on|of)\s+$", re.IGNORECASE)


_LOWER_WORDS = re.compile(r"[a-z]+(?: [a-z]+)?")  # one or two words, no file name, number or address
_LISTED = re.compile(r"[,.;:!?&+]|\b(?:and|or|cc|copy|plus)\b", re.IGNORECASE)  # another clause or list item


def _antecedent(request: str, pronoun: str) -> str | None:
    """The person a pronoun stands for: the last name the request says before it, alone and not a
    place ("email Tancredi and text him", "Imogen's number ... send her"; not "Ana and Bo ... them",
    nor Zuni of "lunch with Ottavio at Zuni and text him")."""
    at = next((m.start() for m in PRONOUN.finditer(request) if m[0] == pronoun), 0)
    before = request[:at]
    people = [x for x in _items(before, "", possessive=True) if not _PLACE_BEFORE.search(before[: x[0]])]
    if not people or len(_lists(before, people)[-1]) > 1:  # the last of a list is no one person
        return None
    return people[-1][2][-1]


def renamed(request: str, step: Step, lookups: Mapping[str, Tool], earlier: Sequence[Step] = ()) -> Step | None:
    """``step`` looking up the name the request gives in commas after the role it looks up, or the one
    a pronoun it looks up stands for (:func:`_antecedent`), or None: "email the team lead, Haruki, that
    the build is green" looks up "Haruki", never "the team lead"; "... Quentin ... email him" "Quentin".
    Planners looked the role up in 3 of 659 natural dev requests (batches twelve, twenty-one and
    twenty-three; "the new" of "the new hire, Oskar," in batch twenty-four), and a grammar that ruled
    the role out made them look up another phrase ("the build"). A role or a preposition said before the
    name is left out of it ("my colleague Evander": "Evander"; "copy in Beatrice": "Beatrice").

    So is a lowercase word said after a pronoun in its clause, where the request capitalizes the name
    the pronoun stands for and no step of ``earlier`` looked that name up this way: "forward this email
    to Tancredi and text him to read it" looked up "read", "remind me at 6 to call Eudora and text her
    now that ..." "later" (dev batches twenty-six and thirty-four)."""
    value = step.args[0] if step.tool in lookups and len(step.args) == 1 else None
    if not isinstance(value, str):
        return None
    if PRONOUN.fullmatch(value):
        name = _antecedent(request, value)
        return dataclasses.replace(step, args=(name,)) if name else None
    if (m := _ROLE_NAMED.fullmatch(value)) and m["name"].split()[0].lower() not in _NOT_NAMES:
        return dataclasses.replace(step, args=(m["name"],))
    words = value.lower().split()
    for m in _APPOSITIVE.finditer(request):  # the role, or its first words ("the new" of "the new hire")
        if words and m["role"].lower().split()[: len(words)] == words:
            return dataclasses.replace(step, args=(m["name"],))
    if _LOWER_WORDS.fullmatch(value):
        for m in PRONOUN.finditer(request):
            at = re.search(rf"(?<![\w'])(?i:{re.escape(value)})(?![\w'])", request[m.end() :])
            if not at or _LISTED.search(request[m.end() : m.end() + at.start()]):  # "text him ... and zainab"
                continue
            name = _antecedent(request, m[0])
            if name and not any(s.tool == step.tool and s.args[:1] == (name,) for s in earlier):
                return dataclasses.replace(step, args=(name,))
    return None


def _parsed(text: str) -> Plan | None:
    try:
        return parse_plan(text, require_join=False)
    except PlanError:
        return None


def feeds(plans: Iterable[str], templates: Iterable[TaskTemplate] = ()) -> dict[tuple[str, int], frozenset[str]]:
    """Which tools' results each parameter (tool, position) takes in ``plans`` and in the chains of
    ``templates`` (a chain's ``{it}`` takes the last tool of each template producing a kind it accepts):
    the packs' own templates and examples say that an SMS goes to looked-up phone numbers and an e-mail
    to addresses, and that a message may be a summary or a meeting link."""
    found: defaultdict[tuple[str, int], set[str]] = defaultdict(set)
    for plan in filter(None, map(_parsed, plans)):
        tool = {step.idx: step.tool for step in plan.steps}
        for step in plan.steps:
            for i, arg in enumerate(step.args):
                found[step.tool, i] |= {tool[n] for n in references(arg, tool)[0] if n in tool}
    templates = list(templates)
    made: defaultdict[str, set[str]] = defaultdict(set)  # a kind -> the tools whose result it is
    for t in templates:  # the last call's tool (a plan's slots, such as a duration, may not parse)
        if t.produces and (last := re.match(r"\s*\d+\.\s*(\w+)\(", t.plan.strip().splitlines()[-1])):
            made[t.produces].add(last[1])
    for chain in (c for t in templates for c in t.chains):
        for step in (plan := _parsed(chain.plan)).steps if plan else ():
            for i, arg in enumerate(step.args):
                if "{it}" in _strings(arg):
                    found[step.tool, i] |= {tool for kind in chain.accepts for tool in made[kind]}
    return {key: frozenset(tools) for key, tools in found.items()}


def retyped(
    steps: Sequence[Step], lookups: Mapping[str, Tool], fed: Mapping[tuple[str, int], frozenset[str]]
) -> Step | None:
    """What to write in place of the last of ``steps`` when it takes a lookup's result where the packs'
    plans take only another lookup's (:func:`feeds`): itself taking that lookup of the same value when
    an earlier step made it, else that lookup; None when its references are all of a kind the packs
    use. "look up Imogen's number and email and send her a text" texted the looked-up e-mail address
    (dev batch twenty-six), and three plans of the synthetic held-out split did the like. Without that
    lookup it takes the one earlier result of a kind it takes that no step uses yet (a message: a
    summary, a link); a lookup is written only where nothing but that lookup feeds the parameter."""
    *earlier, last = steps
    by_id = {s.idx: s for s in earlier}
    args = list(last.args)
    refs = [references(a, by_id)[0] for a in args]  # what each argument references
    used = set().union(*refs, *(references(list(s.args), by_id)[0] for s in earlier))
    for i, arg in enumerate(args):
        takes = fed.get((last.tool, i), frozenset())
        wanted = [t for t in takes if t in lookups]
        # the one earlier result of a kind it takes that no step uses yet: "get me a zoom link ... and email
        # it to Marguerite, Anselm and Ottavio" mailed the third address as the body (dev batch thirty-four)
        unused = [s for s in earlier if s.tool in takes and s.idx not in used]
        elsewhere = set().union(*(r for j, r in enumerate(refs) if j != i))
        for n in sorted(refs[i]):
            source = by_id.get(n)
            # a lookup's result taken twice by one step ("text Bertrand the link" texted Bertrand his own
            # number, dev batch thirty-six) belongs where nothing but that lookup feeds the parameter
            twice = n in elsewhere and set(wanted) != takes
            if source is None or source.tool not in lookups or (source.tool in takes and not twice):
                continue
            twin = next((s for s in earlier if s.tool in wanted and s.args[:1] == source.args[:1] and s.idx != n), None)
            if twin is None and len(unused) == 1:
                twin = unused[0]
            # else the one product of a kind it takes, sent on a second time: "send Thaddeus the summary
            # of minutes.pdf by text and email it to Wilhelmina" mailed her own address (dev batch 37)
            if twin is None and not unused:
                products = [s for s in earlier if s.tool in takes and s.tool != source.tool]
                twin = products[0] if len(products) == 1 else None
            if twin is None and len(wanted) == 1 and set(wanted) == takes:  # only a lookup feeds it: look up
                return Step(last.idx, wanted[0], source.args[:1], line=last.line)
            if twin is not None:
                args[i] = _swap(arg, f"${n}", f"${twin.idx}")
                return _with_args(last, args, earlier)
    return None


def _swap(value: object, old: str, new: str) -> object:
    if isinstance(value, list):
        return [_swap(v, old, new) for v in value]
    return new if value == old else value


# A place described, then given by its street address: "to his place at 12 Elm Street"
_DESCRIBED = re.compile(r"(?:his|her|their|my|our|your|the)\s+\w+", re.IGNORECASE)
_ADDRESS_AFTER = re.compile(r"\s+(?:at|on)\s+(\d+[A-Za-z]?(?:\s+[A-Z][\w'.-]*)+)")


def _said(step: Step, tools: Mapping[str, Tool], source: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """The position and value of each of ``step``'s strings that a parameter copied from ``source``
    holds and ``pattern`` matches whole (stripped); none for an unknown tool (arity is checked elsewhere)."""
    tool = tools.get(step.tool)
    params = tool.params if tool else ()
    return [
        (i, v)
        for i, (p, v) in enumerate(zip(params, step.args, strict=False))
        if p.source == source and isinstance(v, str) and pattern.fullmatch(v.strip())
    ]


_WRITTEN = re.compile(r"(?!\$)\S.*", re.DOTALL)  # words written out, not a reference


def placed(request: str, step: Step, tools: Mapping[str, Tool]) -> Step | None:
    """``step`` with a place it names by description ("his place", "the office") replaced by the
    street address the request gives right after it ("his place at 12 Elm Street"), or None. Planners
    took the description in the hand-written 40 ("his office at 5 Market Street") and dev batch
    twenty-six."""
    args = list(step.args)
    for i, value in _said(step, tools, "name", _DESCRIBED):
        for m in re.finditer(re.escape(value), request):
            address = _ADDRESS_AFTER.match(request, m.end())
            if address and address[1].split()[1].lower() not in _NOT_NAMES:  # "at 9 Monday" is a time
                args[i] = address[1]
                break
    return _replaced(step, args)


def referred(steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with a value "it" of a parameter an earlier step gave a value under the same
    name (a note's ``name``) taking that value, or None: "open my Groceries note and add almond milk to
    it" appended to a note called "it" (dev batch twenty-six)."""
    *earlier, last = steps
    tool = tools.get(last.tool)
    if tool is None:
        return None
    args = list(last.args)
    for i, (param, value) in enumerate(zip(tool.params, args, strict=False)):  # arity is checked elsewhere
        if not (isinstance(value, str) and value.lower() == "it"):
            continue
        for step in reversed(earlier):
            before = tools.get(step.tool)
            named = (
                [a for p, a in zip(before.params, step.args, strict=False) if p.name == param.name] if before else []
            )
            if named and isinstance(named[0], str) and named[0].strip() and not named[0].startswith("$"):
                args[i] = named[0]
                break
    return _replaced(last, args)


_SAME = re.compile(r"(?:the )?same(?: (?:thing|message|text|again))?", re.IGNORECASE)


def repeated(steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with a message "the same" taking the message an earlier step wrote, or
    None: "email Dorothea that the cabin is booked, and text Sylvester the same" texted "the same"
    (dev batch thirty-four)."""
    *earlier, last = steps
    args = list(last.args)
    for i, _ in _said(last, tools, "text", _SAME):
        for step in reversed(earlier):
            said = [v for _, v in _said(step, tools, "text", _WRITTEN)]
            if said and not _SAME.fullmatch(said[-1].strip()):
                args[i] = said[-1]
                break
    return _replaced(last, args)


# How a request says to send a message, which the message never starts with: "tell her", "asking", "saying",
# and the sending verb itself ("email with sounds great", "text and by email that the office ...")
_CUE = re.compile(
    r"(?i:(?:and |then |also )?(?:tell(?:ing)? (?:him|her|them)|let (?:him|her|them) know|asking|saying)"
    r"(?: that)?[,:]?\s+)"
)
# A clause that goes on with "and" and a verb of the same subject: "I'm sick today and won't be in" was
# cut at "and" (dev batch twenty-eight); "rehearsal is at 7 and add it to my calendar" asks for more
_GOES_ON = re.compile(
    r"\s+and\s+(?i:won't|will|can't|cannot|can|could|would|should|might|may|must|am|is|are|was|were|don't"
    r"|doesn't|didn't|isn't|aren't|wasn't|haven't|hasn't|have|has|had|need|needs)\b(?!\s+(?i:you|u|let)\b)"
    r"[^,.;:!?\"]*(?=[,.;:!?\"]|$)"  # not "and can you summarize ...", "and don't let me forget ..."
)
# "... needs to know that the flight lands at 6:40" (dev batch twenty-eight); not "body: that works"
_THAT = re.compile(r"(?i:that\s+)")
_SENDING = re.compile(r"(?i:(?:re)?(?:text|txt|sms|message|msg|e-?mail|mail|reply|forward|fwd)\b)")
_SENT_AS = re.compile(r"(?i::\s+|\s+(?:that|saying|with)\s+)")
_TO_WHOM = re.compile(rf"(?:(?:{_SENDING.pattern}|(?i:tell))\s+)?(?i:(?:my|our)\s+\w+\s+(?:\w+\s+)?)?")
# how it goes, said after whom: "tell Gianni via text to bring the cooler" (dev batches twenty-one, twenty-two)
_BY_MEANS = r"(?:(?:via|by|over)\s+(?:text|txt|sms|e-?mail|mail|message)\s+)"
_AFTER_WHOM = re.compile(rf"(?i:^[\s,:;-]*{_BY_MEANS}?(?:(?:that|saying|to)\s+)?)")
_MEANS_FIRST = re.compile(rf"(?i:^{_BY_MEANS}(?:(?:that|saying|to)\s+)?)")
_TOLD_TO = re.compile(r"(?i:to\s+)(?=\w)")


def trimmed(request: str, steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with a message (``FROM_REQUEST_TEXT``) cut to what is sent, or None when
    it is: never the words that say how or to whom it goes. "tell her the spare set is with the
    concierge" is "the spare set is with the concierge"; "txt 415 555 0123 im here" "im here" (its
    number is the recipient); "text My Neighbor Hortensia to grab my mail" (Hortensia looked up)
    "grab my mail". Planners wrote such messages in 8 of 332 requests of natural dev batches sixteen to
    twenty-six, and a grammar that kept a message from starting there made them start elsewhere (the
    twentieth round). A subject written as the same words is cut the same way."""
    *earlier, last = steps
    tool = tools.get(last.tool)
    if tool is None:
        return None
    by_id = {s.idx: s for s in earlier}
    recipients = [a for p, a in zip(tool.params, last.args, strict=False) if p.matching and isinstance(a, list)]
    whom = _resolved(recipients, by_id)  # recipients, cc: looked up ($N), or an address or number
    args = list(last.args)
    for param, value in zip(tool.params, last.args, strict=False):  # arity is checked elsewhere
        if param.source != "text" or not isinstance(value, str) or not value.strip() or value.startswith("$"):
            continue
        text = value
        for name in whom:  # the message goes on after its recipient, said first ("Hi Marcus, ..." is a message)
            at = text.lower().rfind(name.lower())
            if at >= 0 and _TO_WHOM.fullmatch(text[:at]) and not text[at + len(name) : at + len(name) + 1].isalnum():
                text = _AFTER_WHOM.sub("", text[at + len(name) :], count=1)
        if _SENDING.match(text) and (said := _SENT_AS.search(text)):
            text = text[said.end() :]
        text = _CUE.sub("", text, count=1) if _CUE.match(text) else text
        text = _MEANS_FIRST.sub("", text, count=1)
        told = _TOLD_TO.match(text)
        if told and re.search(rf"(?i:\btell(?:ing)?\s+[\w.'-]+\s+){re.escape(text)}", request):
            text = text[told.end() :]  # "tell him to start without me" sends "start without me" (dev batch 37)
        before = re.search(rf"(\w+)\s+{re.escape(text)}", request)  # after a word, but not "that that ..."
        if (that := _THAT.match(text)) and before and before[1].lower() != "that":
            text = text[that.end() :]
        if (at := request.find(text)) >= 0 and (more := _GOES_ON.match(request, at + len(text))):
            text += more[0]
        if text != value and text.strip():
            args = [text if a == value else a for a in args]
    return _replaced(last, args)


# A message the request gives with a file: "email Seraphina deck_v4.key and tell her to check slide 9"
# sends "check slide 9", where planners wrote the pack's attachment sentence (3 of the 859 requests of
# natural dev batches eighteen to forty)
_TOLD = re.compile(
    r"(?i:\b(?:tell(?:ing)?\s+(?P<whom>[\w.'-]+)|say(?:ing)?)\s+(?:that\s+|to\s+)?)"
    r"(?!(?i:by|via|over)\s)(?P<message>\w[^,;!?\"]*?)(?=[,;!?\"]|\.(?:\s|$)|\s+(?i:and|then|also|thanks)\b|$)"
)

# what starts another clause or request between the file and the message ("... and text Bo saying hi")
_ELSEWHERE = re.compile(
    rf"[.;!?]|{_SENDING.pattern}|\b(?i:send|write|also|then|add|put|create|make|set|schedule|book|remind|note)\b"
)


def told(request: str, steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with a message left as one of its parameter's forms ("Please find
    deck_v4.key attached.") taking the message the request tells its recipient ("... and tell her
    to check slide 9": "check slide 9"), or None."""
    *earlier, last = steps
    tool = tools.get(last.tool)
    if tool is None:
        return None
    args = list(last.args)
    for i, (param, value) in enumerate(zip(tool.params, last.args, strict=False)):  # arity is checked elsewhere
        file = param.forms.filled(value) if param.forms and isinstance(value, str) else None
        if not file or (at := request.find(file)) < 0:
            continue
        at += len(file)
        recipients = [a for p, a in zip(tool.params, last.args, strict=False) if p.matching and isinstance(a, list)]
        whom = {w.lower() for w in _resolved(recipients, {s.idx: s for s in earlier})} | {"him", "her", "them"}
        for m in _TOLD.finditer(request, at):  # the first told after the file, in its clause
            if _ELSEWHERE.search(request, at, m.start()):
                break  # "... and text Bo saying hi" is Bo's message
            if m["whom"] is None or m["whom"].lower() in whom:
                args[i] = m["message"]
                break
    return _replaced(last, args)


_FILLER = {*KEYWORD_SKIPS, "this", "that", "in", "on", "to", "of", "called", "named", "titled", "and", "or", "with",
           "from", "for", "at", "by", "via"}  # fmt: skip


# A quoted value: an opening quote after a space, its closing one before a space or a mark (an
# apostrophe inside, "'Mom's party'", closes nothing)
_OPEN = r"""(?<![\w'"\u2018\u2019\u201c\u201d])['"\u2018\u201c]"""
_CLOSE = r"""['"\u2019\u201d](?![\w'"])"""


_COPIED = ("name", "request", "untimed", "text")
_NEXT_WORD = re.compile(rf" ({_WORD})")
_CLOSING = {"many", "thanks", "thank", "please", "pls", "also", "then", "and", "ok", "so"}


def _capitalized_run(request: str, m: re.Match[str]) -> str:
    """What ``m`` matched of ``request``, as written and on through the capitalized words after it (not a
    day, a month or "I")."""
    end = m.end()
    while (w := _NEXT_WORD.match(request, end)) and w[1].lower() not in _NOT_NAMES | _CLOSING:
        end = w.end()
    return request[m.start() : end]


def whole_name(request: str, step: Step, tools: Mapping[str, Tool]) -> Step | None:
    """``step`` with a name cut short before what the request calls the thing ("my Christmas list note",
    "Home todo note": a note named "Christmas", "Home") taken whole, or None: a name copied from the
    request that it goes on from with one or two words and then the noun the tool's own name says ("note"
    of ``open_note``). Planners cut three note names so in 382 natural dev requests (batches eleven,
    sixteen and twenty-five). A value cut short inside quotes is taken to the closing quote ("Put
    'Flight to Lisbon' in my calendar" was titled "Flight"; dev batch thirty), and a place's name before
    "of" and capitalized words to their end ("the Legion" of "the Legion of Honor")."""
    tool = tools.get(step.tool)
    if tool is None or len(tool.params) < 2:  # a lookup's name is a person's: "Ama by email"
        return None
    nouns = {part for part in tool.name.lower().split("_") if len(part) > 3}
    args = list(step.args)
    for i, (param, value) in enumerate(zip(tool.params, args, strict=False)):  # arity is checked elsewhere
        if param.source not in _COPIED or not isinstance(value, str) or not value.strip():
            continue
        said = list(re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", request, re.IGNORECASE))
        longer = [
            m[0][: -len(m[2]) - 1]
            for m in re.finditer(rf"(?<!\w){re.escape(value)}((?: [\w'-]+){{1,2}}) (\w+)\b", request, re.IGNORECASE)
            if m[2].lower() in nouns and not ({w.lower() for w in m[1].split()} & (_FILLER | nouns))
        ]
        # said once, only so: not "note Wishlist ... the Wishlist 12 note"
        if len(longer) == len(said) == 1 and param.source in ("name", "request"):
            args[i] = longer[0]
        # a place named on with "of": "the Legion of Honor", "the Academy of Sciences" (dev batch thirty-one)
        named_of = [m[0] for m in re.finditer(rf"(?<!\w){re.escape(value)} of(?: [A-Z][\w'-]*)+", request)]
        if len(named_of) == len(said) == 1 and param.source == "name":
            args[i] = named_of[0]
        # a place said in capitals is copied with them, to the end of its capitalized words: "Green apple"
        # of "at Green Apple Books" (dev batch thirty-seven; the grammar lets a word's first letter change)
        runs = [_capitalized_run(request, m) for m in said] if param.source == "name" and args[i] == value else []
        if len(runs) == 1 and runs[0][1 : len(value)] != value[1:]:  # other capitals than its first letter's
            args[i] = runs[0]
        quoted = [m[1] for m in re.finditer(rf"{_OPEN}({re.escape(value)}[^\n]*?){_CLOSE}", request)]
        if len(quoted) == len(said) == 1 and quoted[0] != value:  # "Put 'Flight to Lisbon' in my calendar"
            args[i] = quoted[0]
    return _replaced(step, args)


# A meeting's topic, said after the kind of meeting: up to a mark, a word that goes on to a time, a
# person or another request, or a number
_TOPIC = re.compile(
    r"\b(?:about|re:?|titled|called|named)\s+(?P<topic>[^,.;:!?]+?)(?=\s*(?:$|[,.;:!?]"
    rf"|\s(?i:and|then|with|for|on|at|by|from|to|next|this|tomorrow|today|tonight|in|{'|'.join(WEEKDAYS)})\b|\s\d))",
    re.IGNORECASE,
)


# Between the kind and its topic, nothing that goes on to another request: "a run with the babysitter
# tomorrow at 19:00 and set up a zoom with Davune about X", "a gym with Bruno at 3, create a note named X"
_NEXT_REQUEST = re.compile(r"[,.;!?]|\b(?:also|then|with)\b", re.IGNORECASE)


# A title's full stop ends no sentence: "a call with Mrs. Fairweather for Monday at 9:30 about the renovation"
_ABBREVIATED = re.compile(rf"\b(?:{'|'.join(TITLES)})\.")


def _untimed(m: re.Match[str], request: str) -> str:
    """The topic ``m`` found, up to a time said in it ("meeting the day after tomorrow": "meeting")."""
    end = m.end("topic")
    for ref in times_said(request):
        if m.start("topic") <= (at := request.find(ref.text)) < end:
            end = at
    return request[m.start("topic") : end].strip()


def topical(request: str, step: Step, tools: Mapping[str, Tool]) -> Step | None:
    """``step`` titled by the topic the request gives, or None: a one-word title that is the kind of
    meeting the request says ("a 45 min call with Tobias and Elif on Tuesday at 3pm about onboarding",
    "a call with Leopold ... titled Roadmap review") becomes the one topic said after it ("onboarding",
    "Roadmap review"). Planners titled four natural dev requests so (batches nineteen to twenty-seven)."""
    tool = tools.get(step.tool)
    if tool is None:
        return None
    args = list(step.args)
    plain = _ABBREVIATED.sub(lambda t: t[0][:-1] + " ", request)  # as long: the same positions
    for i, (param, value) in enumerate(zip(tool.params, args, strict=False)):  # arity is checked elsewhere
        if param.source != "untimed" or not isinstance(value, str) or not value.strip() or " " in value.strip():
            continue
        kind = re.search(rf"(?<!\w){re.escape(value)} with\b", request, re.IGNORECASE)
        topics = [
            _untimed(m, request)
            for m in _TOPIC.finditer(request)
            if kind and m.start() > kind.end() and not _NEXT_REQUEST.search(plain[kind.end() : m.start()])
        ]
        if len(topics) == 1 and topics[0]:
            args[i] = topics[0]
    return _replaced(step, args)


# A value that goes on into another parameter's label: ", list Chores" of a reminder's name
_LABELLED = re.compile(r",\s+(?P<label>\w+)\s+(?P<value>[^,]+)$")


def labelled(step: Step, tools: Mapping[str, Tool]) -> Step | None:
    """``step`` with a value that ends in another parameter's label and value ("put the bins out, list
    Chores": the ``list_name`` said) split between the two, or None. Only where that parameter is empty
    or holds a filler word ("for"): planners wrote "dentist, list Health" with the list "for" (dev
    batches twenty-two and twenty-four). The label is a word of the parameter's own name."""
    tool = tools.get(step.tool)
    if tool is None:
        return None
    args = list(step.args)
    for i, (param, value) in enumerate(zip(tool.params, args, strict=False)):  # arity is checked elsewhere
        if param.source not in _COPIED or not isinstance(value, str) or not (m := _LABELLED.search(value)):
            continue
        for j, other in enumerate(tool.params[: len(args)]):
            free = isinstance(args[j], str) and (not args[j].strip() or args[j].lower() in _FILLER)
            if j != i and other.source in _COPIED and free and m["label"].lower() in other.name.lower().split("_"):
                args[i], args[j] = value[: m.start()], m["value"]
                break
    return _replaced(step, args)


# A parameter the request names, and its value, at its end: ", subject Q4 numbers", ", list Pets"
_STATED = re.compile(r",\s+(?P<label>[a-z]+):?\s+(?P<value>[\w'-]+(?: [\w'-]+){0,4})[.!]?$", re.IGNORECASE)
_UNLABELLED = {"name", "file", "path", "date", "time", "start", "end"}  # words of names no one says as labels


def stated(request: str, steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` with the value the request gives a parameter by a word of its name (",
    subject Q4 numbers", ", list Pets"), or None: only a name or a request's word (not a message, a title
    or a time), only where the plan holds that value nowhere and no earlier step has a parameter so
    named. Planners titled "email Ignacio the numbers.xlsx, subject Q4 numbers" by the file and left
    "call the vet, list Pets" on no list (dev batches thirty-six and thirty-seven)."""
    *earlier, last = steps
    tool = tools.get(last.tool)
    if tool is None:
        return None
    m = _STATED.search(request)
    if m is None or (label := m["label"].lower()) in _UNLABELLED:
        return None
    value = m["value"].casefold()
    if any(value in w.casefold() for s in steps for w in _strings(s.args)):
        return None
    args = list(last.args)
    said_once = len(re.findall(rf"\b{label}\b", request, re.IGNORECASE)) == 1
    named = [i for i, p in enumerate(tool.params[: len(args)]) if label in p.name.split("_")]
    clash = any(label in p.name.split("_") for s in earlier if (t := tools.get(s.tool)) for p in t.params)
    if len(named) != 1 or clash or not said_once or tool.params[named[0]].source not in ("name", "request"):
        return None
    # said right after what the step copies (a time between): not ", subject X" of a later e-mail
    by_id = {s.idx: s for s in earlier}
    copied = [a for a in last.args if isinstance(a, str) and a.strip() and not a.startswith("$")]
    copied += [str(by_id[n].args[0]) for n in references(list(last.args), by_id)[0] if by_id[n].args]
    ends = [at + len(c) for c in copied if c.strip() and (at := request.rfind(c, 0, m.start())) >= 0]
    gap = request[max(ends, default=m.start() + 1) : m.start()]
    for ref in times_said(request):
        gap = gap.replace(ref.text, "")
    held = args[named[0]]
    if gap.strip(" '\"\u2019\u201d") or not isinstance(held, str) or (held.strip() and held in m[0]):
        return None  # (nor a piece of what it labels)
    args[named[0]] = m["value"]
    return _replaced(last, args)


def invited(steps: Sequence[Step], tools: Mapping[str, Tool]) -> Step | None:
    """The last of ``steps`` inviting everyone the meeting it takes invites, or None: a list of invitees
    that is part of the list of an earlier step it references ("schedule a zoom with Evadne and Tobin ...
    and put it on my calendar" invited Tobin to the zoom, not to the event; dev batch thirty-four)."""
    *earlier, last = steps
    tool = tools.get(last.tool)
    if tool is None:
        return None
    by_id = {s.idx: s for s in earlier}
    args = list(last.args)
    for i, (param, value) in enumerate(zip(tool.params, args, strict=False)):
        if not param.name.endswith("invitees") or not isinstance(value, list):
            continue
        for n in sorted(references([a for j, a in enumerate(args) if j != i], by_id)[0]):
            source, known = by_id[n], tools.get(by_id[n].tool)
            params = known.params if known else ()
            theirs = [a for p, a in zip(params, source.args, strict=False) if p.name.endswith("invitees")]
            if theirs and isinstance(theirs[0], list) and set(value) < set(theirs[0]):
                args[i] = list(theirs[0])
    return None if args == list(last.args) else _with_args(last, args, earlier)


def corrected(
    request: str,
    steps: Sequence[Step],
    lookups: Mapping[str, Tool],
    tools: Mapping[str, Tool],
    fed: Mapping[tuple[str, int], frozenset[str]],
) -> Step | None:
    """What to write in place of the last of ``steps``, when one of this module's rewrites applies:
    :func:`renamed`, :func:`retyped`, :func:`placed`, :func:`referred`, :func:`repeated`, :func:`trimmed`,
    :func:`told`, :func:`whole_name`, :func:`topical`, :func:`labelled`, :func:`stated` or :func:`invited`, in
    that order; else None."""
    return (
        renamed(request, steps[-1], lookups, steps[:-1])
        or retyped(steps, lookups, fed)
        or placed(request, steps[-1], tools)
        or referred(steps, tools)
        or repeated(steps, tools)
        or trimmed(request, steps, tools)
        or told(request, steps, tools)
        or whole_name(request, steps[-1], tools)
        or topical(request, steps[-1], tools)
        or labelled(steps[-1], tools)
        or stated(request, steps, tools)
        or invited(steps, tools)
    )
