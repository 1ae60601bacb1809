"""Tools: plain typed, documented functions whose schema is read from their signature."""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FROM_REQUEST",
    "FROM_REQUEST_KEYWORD",
    "FROM_REQUEST_NAME",
    "FROM_REQUEST_TEXT",
    "FROM_REQUEST_UNTIMED",
    "FROM_TIME",
    "Forms",
    "IfSaid",
    "KEYWORD_SKIPS",
    "Keyword",
    "Labeled",
    "Levels",
    "Matching",
    "Name",
    "Param",
    "Said",
    "Title",
    "Text",
    "Tool",
    "ToolDefinitionError",
    "ToolInputError",
    "When",
    "keyword",
    "make_tool",
    "tool",
    "type_name",
]

# The literal types a plan can carry. Anything else cannot be written by a planner.
_SCALARS = {str: "str", int: "int", float: "float", bool: "bool", type(None): "None"}


class Source(str):
    """Where a string parameter's value comes from, for the plan grammar (``Annotated[str, FROM_REQUEST]``)."""


#: The value is a piece of the user's request (a name, a title, a message), copied; letter case may
#: change. The grammar then lets a model write only pieces of the request, so it cannot invent one.
FROM_REQUEST = Source("request")
#: A piece of the request outside the dates and times it states: a title whose time has its own
#: parameter ("remind me to call grandma sunday" can only be titled "call grandma", never "... sunday").
FROM_REQUEST_UNTIMED = Source("untimed")
#: A person, place, file or list the request names: copied as ``FROM_REQUEST``, never across "by",
#: "via", "on foot" or a pronoun ("I", "me", "him", "her", "them", "us"; lowercase, so "Via Roma" and
#: the surname "Her" stay whole): "send Delphine the address of Nopa by text" cannot look up "Nopa by
#: text"; a lone "him", "her" or "them" is written as said and looked up as the person it stands for
#: (the name said before it). Not for titles or note names ("Books by Murakami").
FROM_REQUEST_NAME = Source("name")
#: Words to search by: copied as ``FROM_REQUEST``, never starting with an article or a possessive
#: ("the", "a", "an", "my", "our", "your", "his", "her", "their"): "do I have todos about the garden"
#: can filter by "garden", never "the garden", which a task "Weed garden" does not hold.
FROM_REQUEST_KEYWORD = Source("keyword")
#: What the user wants said or written (a message, a note's content): copied as ``FROM_REQUEST``, but
#: as a whole clause. A copy ends only where the request's clause can ("... and", "... to my Errands
#: note", "... thanks", a punctuation mark, the end), so "sure, thursday morning works for me" is never
#: cut to "sure, thursday"; and it never starts right after a subject, an auxiliary, an article or a
#: conjunction inside the clause ("im running late" is never "running late").
FROM_REQUEST_TEXT = Source("text")
#: What a ``FROM_REQUEST_KEYWORD`` value never starts with (the grammar and the generator read it here)
KEYWORD_SKIPS = ("the", "a", "an", "my", "our", "your", "his", "her", "their")
_LEADING_SKIPS = re.compile(rf"^(?:(?:{'|'.join(KEYWORD_SKIPS)})\s+)+", re.IGNORECASE)


def keyword(value: str) -> str:
    """``value`` as a ``FROM_REQUEST_KEYWORD`` value can be: without its leading articles ("garden")."""
    return _LEADING_SKIPS.sub("", value)


#: The value is a date and time the request states ("tomorrow at 3"): the grammar allows only the
#: values tinyagent resolved from the request and showed the model (or "" for none).
FROM_TIME = Source("time")


class Forms(tuple[str, ...]):
    """Fixed sentences a ``FROM_REQUEST`` value may also be, each with a copied piece of the request in
    place of its ``{}``: ``Annotated[str, FROM_REQUEST, Forms("Please find {} attached.")]`` lets an
    e-mail body be a piece of the request or that sentence around a file name the request gives.
    ``piece=IfSaid(pattern)``: the ``{}`` is a piece the pattern finds where the request has one."""

    piece: str

    def __new__(cls, *forms: str, piece: str = "") -> Forms:
        for form in forms:
            if form.count("{}") != 1 or re.search(r'["\\<$\n{}]', form.replace("{}", "", 1)):
                raise ToolDefinitionError(f"a form holds one {{}} and no quote, backslash, '<', '$' or brace: {form!r}")
        if piece and not isinstance(piece, IfSaid):
            raise ToolDefinitionError(f"a form's piece is an IfSaid pattern: {piece!r}")
        obj = super().__new__(cls, forms)
        obj.piece = piece
        return obj

    def filled(self, value: str) -> str | None:
        """The piece ``value`` holds in one of these forms ("deck.key" of "Please find deck.key attached."),
        or None when it is none of them."""
        for form in self:
            before, after = form.split("{}")
            if len(value) > len(before) + len(after) and value.startswith(before) and value.endswith(after):
                return value[len(before) : len(value) - len(after)]
        return None

    def __eq__(self, other: object) -> bool:
        return tuple.__eq__(self, other) and getattr(other, "piece", "") == self.piece

    def __hash__(self) -> int:
        return hash((tuple(self), self.piece))


class Matching(str):
    """What a ``FROM_REQUEST`` value (or list item) may be when it is not a ``$N`` reference: a piece of the
    request this regular expression matches, as written. ``Annotated[list[str], FROM_REQUEST,
    Matching(EMAIL)]`` lets an e-mail's recipients be looked-up addresses or an address the user typed,
    never "him agenda.docx" (which a planner put there, dev batch sixteen)."""

    def __new__(cls, pattern: str) -> Matching:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ToolDefinitionError(f"Matching needs a regular expression: {pattern!r} ({exc})") from None
        return super().__new__(cls, pattern)


class IfSaid(Matching):
    """Like :class:`Matching`, for a value copied by any source, but only where the request says such a
    piece, and every piece it matches wherever it starts, overlapping ones too: ``Annotated[str,
    FROM_REQUEST_NAME, IfSaid(FILE)]`` makes a file name one the request writes ("Budget plan
    v3.docx" or "v3.docx"; never "lease, email" nor "the onboarding_guide.pdf", which planners wrote,
    dev batches fifteen and twenty) and leaves "open the budget spreadsheet" copied as a name."""


_PLACE_NOUNS = "(?:station|stop|terminal|building|depot|wash|park|rank|platform|line|lane|road|street)"


@dataclass(frozen=True, init=False)
class Levels:
    """Words that state an ``int`` or ``str`` parameter's value beside a noun:
    ``Annotated[int, Levels("priority", 0, high=1, medium=5, low=9)]``. A request that says "high
    priority", "high-priority", "priority: high" or "priority high" states 1; the grammar then lets
    a model write only the values the request states, or ``none`` (0 here) for its other tasks ("add
    milk to my list and a high priority reminder to call mom"); a request that states none leaves the
    value free. With no noun (``""``) a word states its value alone, unless a place noun follows it:
    ``Levels("", "d", walk="w", ferry="r")`` reads "walking directions" and "by ferry", not "the ferry
    building". Like a :class:`Source`, it narrows decoding
    only, so declaring one needs no retrain."""

    noun: str
    none: int | str
    words: tuple[tuple[str, int | str], ...]

    def __init__(self, noun: str, none: int | str, **words: int | str) -> None:
        if not re.fullmatch(r"\w*", noun) or not words:
            raise ToolDefinitionError(f"Levels need a one-word noun (or none) and at least one word: {noun!r}")
        object.__setattr__(self, "noun", noun.lower())
        object.__setattr__(self, "none", none)
        object.__setattr__(self, "words", tuple((w.lower(), v) for w, v in words.items()))

    def stated(self, text: str) -> list[int | str]:
        """The values ``text`` states, in the order it states them (any letter case)."""
        names = "|".join(re.escape(w) for w, _ in self.words)
        noun = re.escape(self.noun)
        if not noun:  # a word naming a place states nothing: "directions to the train station"
            said = re.finditer(rf"\b({names})()\b(?![\s-]+{_PLACE_NOUNS}\b)", text, re.IGNORECASE)
        else:
            # "a priority C task" states C: a word before the noun states nothing when one follows it
            after = rf"{noun}\s*[:=]?\s*({names})\b"
            said = re.finditer(rf"\b(?:({names})[\s-]+{noun}\b(?!\s*[:=]?\s*(?:{names})\b)|{after})", text, re.I)
        values = dict(self.words)
        return list(dict.fromkeys(values[(m[1] or m[2]).lower()] for m in said))


class Labeled(str):
    """A string result that says whose it is: ``Labeled("+34 600 123 456", "Maria García")``. It is
    the plain value wherever a plan uses it; output and consent prompts show ``Maria García <+34 ...>``
    so the user sees who a resolved number or address belongs to."""

    label: str

    def __new__(cls, value: str, label: str) -> Labeled:
        obj = super().__new__(cls, value)
        obj.label = label
        return obj

    def shown(self) -> str:
        return f"{self.label} <{self}>"


#: The common marked types, so packs need not spell them: ``def add_todo(task: Said, due: When, ...)``.
Said = typing.Annotated[str, FROM_REQUEST]
When = typing.Annotated[str, FROM_TIME]
Title = typing.Annotated[str, FROM_REQUEST_UNTIMED]
Name = typing.Annotated[str, FROM_REQUEST_NAME]
Keyword = typing.Annotated[str, FROM_REQUEST_KEYWORD]
Text = typing.Annotated[str, FROM_REQUEST_TEXT]


class ToolInputError(ValueError):
    """Raised by a tool when its input was wrong in a way a new plan can fix (an ambiguous
    contact, a file that does not exist). The joiner replans on it; the message is shown."""


class ToolDefinitionError(TypeError):
    """A function cannot become a tool (missing hints, unsupported types, no docstring)."""


def type_name(annotation: Any) -> str:
    """Canonical text for a supported annotation: ``str``, ``list[str]``, ``int | None``..."""
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if typing.get_origin(annotation) is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and len(args) >= 1:
        return f"list[{type_name(args[0])}]"
    if origin is list or annotation is list:
        return "list[str]" if args else "list"
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    raise ToolDefinitionError(f"unsupported parameter type {annotation!r}")


@dataclass(frozen=True)
class Param:
    """``source`` ("request", "text", "name", "untimed", "keyword", "time" or "") only narrows what the grammar
    lets a model write; it is not part of the schema a model is trained on, so marking a parameter
    needs no retrain."""

    name: str
    type: str
    description: str = ""
    source: str = ""
    forms: tuple[str, ...] = ()  # a FROM_REQUEST(_TEXT) value may also be one of these (:class:`Forms`)
    levels: Levels | None = None  # words that state the value (:class:`Levels`)
    matching: str = ""  # a pattern its literal strings match (:class:`Matching`, :class:`IfSaid`)


def _source(annotation: Any) -> str:
    """The :class:`Source` marked on an ``Annotated`` string parameter, or ""."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return ""
    marks = [m for m in typing.get_args(annotation)[1:] if isinstance(m, Source)]
    if not marks:
        return ""
    text = type_name(annotation)
    if text != "list[str]" and "str" not in (t.strip() for t in text.split("|")):
        raise ToolDefinitionError(f"{marks[0]} marks a string or a list of strings, not {text}")
    return str(marks[0])


def _levels(annotation: Any) -> Levels | None:
    """The :class:`Levels` marked on an ``Annotated`` int or str parameter, or None."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return None
    marks = [m for m in typing.get_args(annotation)[1:] if isinstance(m, Levels)]
    if not marks:
        return None
    kind = type_name(annotation)
    values = [marks[0].none, *(v for _, v in marks[0].words)]
    if kind not in ("int", "str") or any(type_name(type(v)) != kind for v in values):
        raise ToolDefinitionError(f"Levels mark an int or a str parameter with values of its type, not {kind}")
    return marks[0]


def _matching(annotation: Any) -> str:
    """The :class:`Matching` pattern marked on an ``Annotated`` parameter (only with ``FROM_REQUEST``), or ""."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return ""
    marks = [m for m in typing.get_args(annotation)[1:] if isinstance(m, Matching)]
    if marks and not isinstance(marks[0], IfSaid) and _source(annotation) != FROM_REQUEST:
        raise ToolDefinitionError("Matching goes with FROM_REQUEST")
    if marks and not _source(annotation):
        raise ToolDefinitionError("IfSaid goes with a FROM_REQUEST source")
    return marks[0] if marks else ""  # an IfSaid stays one: the grammar reads which


def _forms(annotation: Any) -> tuple[str, ...]:
    """The :class:`Forms` marked on an ``Annotated`` parameter (only with ``FROM_REQUEST`` or
    ``FROM_REQUEST_TEXT``), or ()."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return ()
    marks = [m for m in typing.get_args(annotation)[1:] if isinstance(m, Forms)]
    if marks and _source(annotation) not in (FROM_REQUEST, FROM_REQUEST_TEXT):
        raise ToolDefinitionError("Forms go with FROM_REQUEST or FROM_REQUEST_TEXT")
    if len(marks) > 1:
        raise ToolDefinitionError("one Forms mark per parameter: give it every form")
    return marks[0] if marks else ()  # a Forms stays one: the grammar reads its piece


@dataclass(frozen=True)
class Tool:
    """A callable the planner may use. ``params`` are positional, in order."""

    name: str
    description: str
    params: tuple[Param, ...]
    returns: str
    func: Callable[..., Any] = field(compare=False, repr=False)
    side_effects: bool = False
    pack: str = ""
    # What a side-effecting call will do, for the consent prompt: args -> "saves an SMS draft in ...".
    # Not part of the schema: wording it differently needs no retrain.
    effect: Callable[[list[Any]], str] | None = field(default=None, compare=False, repr=False)

    def describe_effect(self, args: list[Any]) -> str:
        """What calling the tool with ``args`` will do ("" when the pack does not say, or cannot)."""
        if self.effect is None:
            return ""
        try:
            return self.effect(args)
        except Exception as exc:  # a broken description must not block the question
            return f"(the pack could not describe it: {type(exc).__name__})"

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.func)

    def signature(self) -> str:
        args = ", ".join(f"{p.name}: {p.type}" for p in self.params)
        return f"{self.name}({args}) -> {self.returns}"

    def schema(self) -> dict[str, Any]:
        """Everything about the tool that a trained model depends on (JSON-able)."""
        return {
            "name": self.name,
            "description": self.description,
            "params": [{"name": p.name, "type": p.type, "description": p.description} for p in self.params],
            "returns": self.returns,
            "side_effects": self.side_effects,
        }


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a docstring into its description and the Google-style ``Args:`` entries."""
    doc = inspect.cleandoc(doc or "")
    parts = re.split(r"^(?:Args|Arguments|Parameters):\s*$", doc, maxsplit=1, flags=re.M)
    head = parts[0].strip()
    params: dict[str, str] = {}
    if len(parts) == 2:
        current = None
        for line in parts[1].splitlines():
            m = re.match(r"^\s+(\w+)(?:\s*\([^)]*\))?:\s*(.*)$", line)
            if m:
                current = m.group(1)
                params[current] = m.group(2).strip()
            elif line.strip() and current and line.startswith((" ", "\t")):
                params[current] += " " + line.strip()
            elif line.strip():
                break
    return head, params


def make_tool(
    func: Callable[..., Any] | Tool,
    *,
    name: str | None = None,
    side_effects: bool | None = None,
    pack: str = "",
    effect: Callable[[list[Any]], str] | None = None,
) -> Tool:
    """Build a :class:`Tool` from a typed function with a docstring.

    Given a ready :class:`Tool`, the options given here are applied to it (``side_effects=True`` makes
    it ask for consent; ``None`` keeps what the tool says), never silently dropped.
    """
    if isinstance(func, Tool):
        changes: dict[str, Any] = {"name": name} if name else {}
        if side_effects is not None:
            changes["side_effects"] = side_effects
        if pack:
            changes["pack"] = pack
        if effect is not None:
            changes["effect"] = effect
        return dataclasses.replace(func, **changes) if changes else func
    side_effects = bool(side_effects)
    tool_name = name or func.__name__
    if not func.__doc__ or not func.__doc__.strip():
        raise ToolDefinitionError(f"tool {tool_name!r} needs a docstring: it becomes the planner's description")
    description, arg_docs = _parse_docstring(func.__doc__)
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception as exc:  # unresolvable forward reference and the like
        raise ToolDefinitionError(f"tool {tool_name!r}: cannot read type hints: {exc}") from exc
    params = []
    for p in inspect.signature(func).parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            raise ToolDefinitionError(f"tool {tool_name!r}: parameter {p.name!r} must be positional")
        if p.name not in hints:
            raise ToolDefinitionError(f"tool {tool_name!r}: parameter {p.name!r} has no type hint")
        try:
            hint = hints[p.name]
            params.append(
                Param(
                    p.name,
                    type_name(hint),
                    arg_docs.get(p.name, ""),
                    _source(hint),
                    _forms(hint),
                    _levels(hint),
                    _matching(hint),
                )
            )
        except ToolDefinitionError as exc:
            raise ToolDefinitionError(f"tool {tool_name!r}, parameter {p.name!r}: {exc}") from None
    returns = hints.get("return", str)
    returns_name = type_name(returns) if returns in _SCALARS or typing.get_origin(returns) else "str"
    return Tool(tool_name, description, tuple(params), returns_name, func, side_effects, pack, effect)


def tool(func: Callable[..., Any] | None = None, *, name: str | None = None, side_effects: bool = False) -> Any:
    """Mark a function as a tool: ``@tool`` or ``@tool(side_effects=True)``.

    The function stays callable; the decorator only records the options, read when registered.
    """

    def mark(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__tinyagent_tool__ = {"name": name, "side_effects": side_effects}  # type: ignore[attr-defined]
        return f

    return mark(func) if func is not None else mark
