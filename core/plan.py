"""The LLMCompiler plan language: a streaming parser, references, validation, rendering, graphs.

A plan is numbered calls with positional Python-literal arguments, optional ``Thought:`` lines,
and a final ``N. join()`` followed by ``<END_OF_PLAN>``::

    1. get_email_address("Eren")
    2. compose_new_email(["$1"], [], "Hello", "Hi ${1}, the tickets cost $5.", [])
    Thought: The draft is ready.
    3. join()<END_OF_PLAN>

Reference rule (documented in docs/plan-language.md):

* a whole string ``"$N"`` or ``"${N}"`` (also as a list item) is always a reference;
* ``${N}`` inside a longer string is always a reference;
* a bare ``$N`` inside a longer string is a reference only when step N exists and comes earlier,
  and is not followed by a digit, ``.digit`` or ``,digit``; otherwise it is prose ("costs $5").

References that are always references must point at an earlier step, or validation fails.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = [
    "END_OF_PLAN",
    "Plan",
    "PlanError",
    "PlanIssue",
    "PlanParser",
    "Step",
    "check_type",
    "parse_plan",
    "plan_graph",
    "references",
    "render_call",
    "render_plan",
    "render_value",
    "split_union",
    "type_options",
    "substitute",
    "validate_plan",
    "validate_step",
]

END_OF_PLAN = "<END_OF_PLAN>"


def _outside_strings(line: str, marker: str) -> int:
    """Where ``marker`` first occurs outside double-quoted string literals, or -1."""
    quoted = escaped = False
    for i, ch in enumerate(line):
        if quoted:
            escaped, quoted = (not escaped and ch == "\\"), quoted and (escaped or ch != '"')
        elif ch == '"':
            quoted = True
        elif line.startswith(marker, i):
            return i
    return -1


# Step numbers and references have at most 6 digits: int() on a 5,000-digit number raised Python's own
# ValueError (its digit limit) instead of a PlanError; a longer run of digits is not a number here.
_WHOLE_REF = re.compile(r"^\$(?:\{(\d{1,6})\}|(\d{1,6}))$")
_BRACED_REF = re.compile(r"\$\{(\d{1,6})\}")
_BARE_REF = re.compile(r"\$(\d{1,6})(?![\d]|[.,]\d)")
_ANY_REF = re.compile(r"\$\{(\d{1,6})\}|\$(\d{1,6})(?![\d]|[.,]\d)")
_STEP_LINE = re.compile(r"^\s*(\d{1,6})\s*\.\s*(.*?)\s*$", re.S)
_THOUGHT_LINE = re.compile(r"^\s*Thought\s*:\s*(.*?)\s*$", re.S)
_CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$", re.S)


@dataclass(frozen=True)
class PlanIssue:
    """One problem with a plan: which step (if any), which line, a code and a sentence."""

    code: str
    message: str
    step: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"step {self.step}" if self.step is not None else f"line {self.line}" if self.line else "plan"
        return f"{where}: {self.message}"


class PlanError(ValueError):
    """A plan that cannot be parsed or does not fit the tools. ``issues`` lists every problem."""

    def __init__(self, issues: Iterable[PlanIssue]):
        self.issues = list(issues)
        super().__init__("; ".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class Step:
    """One call. ``deps`` are the earlier steps its arguments reference."""

    idx: int
    tool: str
    args: tuple[Any, ...]
    thought: str | None = None
    deps: tuple[int, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    join_idx: int | None = None
    join_thought: str | None = None

    @property
    def tools(self) -> list[str]:
        return [s.tool for s in self.steps]

    def step(self, idx: int) -> Step:
        return next(s for s in self.steps if s.idx == idx)


# ---------------------------------------------------------------- references


def _walk_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk_strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk_strings(v)


def references(value: Any, earlier: Iterable[int]) -> tuple[set[int], set[int]]:
    """Return ``(refs, strict)``: the step ids ``value`` references, and those that are
    unconditional (whole-string or braced) and so must be valid. ``earlier`` are the ids before."""
    known = set(earlier)
    refs: set[int] = set()
    strict: set[int] = set()
    for s in _walk_strings(value):
        m = _WHOLE_REF.match(s)
        if m:
            n = int(m.group(1) or m.group(2))
            refs.add(n)
            strict.add(n)
            continue
        for m in _BRACED_REF.finditer(s):
            refs.add(int(m.group(1)))
            strict.add(int(m.group(1)))
        for m in _BARE_REF.finditer(s):
            if int(m.group(1)) in known:
                refs.add(int(m.group(1)))
    return refs, strict


def substitute(value: Any, results: Mapping[int, Any], deps: Iterable[int]) -> Any:
    """Replace references with results: whole strings take the value, embedded ones its text."""
    deps = set(deps)
    if isinstance(value, str):
        m = _WHOLE_REF.match(value)
        if m and int(m.group(1) or m.group(2)) in deps:
            return results[int(m.group(1) or m.group(2))]

        def repl(m: re.Match[str]) -> str:
            n = int(m.group(1) or m.group(2))
            return _as_text(results[n]) if n in deps else m.group(0)

        return _ANY_REF.sub(repl, value)
    if isinstance(value, (list, tuple)):
        out = [substitute(v, results, deps) for v in value]
        return out if isinstance(value, list) else tuple(out)
    if isinstance(value, dict):
        return {k: substitute(v, results, deps) for k, v in value.items()}
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(_WHOLE_REF.match(value))


# ---------------------------------------------------------------- parsing


_LITERAL_TYPES = (str, int, float, bool, type(None))


def _check_literal(value: Any) -> Any:
    """Keep JSON-like literals; lists stay lists (tuples become lists)."""
    if isinstance(value, _LITERAL_TYPES):
        return value
    if isinstance(value, (list, tuple)):
        return [_check_literal(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _check_literal(v) for k, v in value.items()}
    raise ValueError(f"unsupported literal {type(value).__name__}")


def _parse_args(text: str) -> tuple[Any, ...]:
    """Parse ``a, b, c`` as positional Python literals. Raises ValueError with a reason."""
    if not text.strip():
        return ()
    try:
        node = ast.parse(f"f({text})", mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError(f"arguments are not valid Python literals ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id != "f":
        raise ValueError("arguments are not a plain argument list")
    if node.keywords:
        raise ValueError("named arguments are not allowed; pass every argument by position")
    args = []
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise ValueError("starred arguments are not allowed")
        try:
            args.append(_check_literal(ast.literal_eval(arg)))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            raise ValueError(f"argument {len(args) + 1} is not a literal ({exc})") from None
    return tuple(args)


class PlanParser:
    """Incremental parser: ``feed`` chunks as they stream, get each step once its line is complete.

    Syntax problems raise :class:`PlanError` at once (later text cannot be trusted after one).
    Validation against tools is separate: see :func:`validate_step` and :func:`validate_plan`.
    """

    def __init__(self) -> None:
        self._buf = ""
        self._lineno = 0
        self._steps: list[Step] = []
        self._thought: str | None = None
        self._join_idx: int | None = None
        self._join_thought: str | None = None
        self._ended = False

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    @property
    def finished(self) -> bool:
        """True once ``join()`` (or the end marker) has been read."""
        return self._join_idx is not None or self._ended

    def feed(self, chunk: str) -> list[Step]:
        self._buf += chunk
        out = []
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            step = self._line(line)
            if step is not None:
                out.append(step)
        return out

    def close(self, require_join: bool = True) -> Plan:
        """Parse what is left and return the plan. ``require_join`` rejects truncated plans."""
        if self._buf:
            line, self._buf = self._buf, ""
            self._line(line)
        if require_join and self._join_idx is None:
            raise PlanError([PlanIssue("missing_join", "the plan does not end with join()", line=self._lineno)])
        return Plan(tuple(self._steps), self._join_idx, self._join_thought)

    def _fail(self, code: str, message: str, step: int | None = None) -> PlanError:
        return PlanError([PlanIssue(code, message, step, self._lineno)])

    def _line(self, raw: str) -> Step | None:
        self._lineno += 1
        line = raw.strip()
        ended_here = False
        at = _outside_strings(line, END_OF_PLAN)
        if at >= 0:  # the marker inside a string argument is text, not the end of the plan
            head, tail = line[:at], line[at + len(END_OF_PLAN) :]
            if tail.strip():
                raise self._fail("after_join", f"text after {END_OF_PLAN}: {tail.strip()[:40]!r}")
            line, ended_here = head.strip(), True
        if not line:
            self._ended = self._ended or ended_here
            return None
        if self._ended or self._join_idx is not None:
            raise self._fail("after_join", f"text after join(): {line[:60]!r}")
        step = self._content(line)
        self._ended = self._ended or ended_here
        return step

    def _content(self, line: str) -> Step | None:
        m = _THOUGHT_LINE.match(line)
        if m:
            self._thought = f"{self._thought} {m.group(1)}" if self._thought else m.group(1)
            return None
        m = _STEP_LINE.match(line)
        if not m:
            raise self._fail("syntax", f"expected 'N. tool(args)' or 'Thought: ...', got {line[:60]!r}")
        idx = int(m.group(1))
        last = self._steps[-1].idx if self._steps else 0
        if idx <= last:
            what = "duplicate" if any(s.idx == idx for s in self._steps) else "non-increasing"
            raise self._fail("step_order", f"{what} step number {idx} after step {last}", idx)
        call = _CALL.match(m.group(2))
        if not call:
            raise self._fail("syntax", f"expected a call like tool(...), got {m.group(2)[:60]!r}", idx)
        name, argtext = call.groups()
        try:
            args = _parse_args(argtext)
        except ValueError as exc:
            raise self._fail("syntax", str(exc), idx) from None
        thought, self._thought = self._thought, None
        if name == "join":
            if args:
                raise self._fail("arity", "join() takes no arguments", idx)
            self._join_idx, self._join_thought = idx, thought
            return None
        earlier = [s.idx for s in self._steps]
        refs, _ = references(args, earlier)
        step = Step(idx, name, args, thought, tuple(sorted(refs)), self._lineno)
        self._steps.append(step)
        return step


def parse_plan(text: str, require_join: bool = True) -> Plan:
    """Parse a whole plan text."""
    parser = PlanParser()
    parser.feed(text)
    return parser.close(require_join=require_join)


# ---------------------------------------------------------------- validation


def check_type(value: Any, type_text: str) -> bool:
    """Does a literal fit a parameter type (``str``, ``list[str]``, ``int | None``...)?

    A whole-string reference fits any type: its value is only known when the plan runs.
    """
    if _is_reference(value):
        return True
    for option, inner in type_options(type_text):
        if option == "list":
            if isinstance(value, list) and all(not inner or check_type(v, inner) for v in value):
                return True
        elif option == "str" and isinstance(value, str):
            return True
        elif option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True
        elif option == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        elif option == "bool" and isinstance(value, bool):
            return True
        elif option == "None" and value is None:
            return True
    return False


def type_options(type_text: str) -> list[tuple[str, str]]:
    """The alternatives of a parameter type as :func:`tinyagent.plugins.tools.type_name` writes it:
    ``("list", item type or "" for any)`` or ``(scalar, "")``; the one reader of that type language."""
    out = []
    for option in (t.strip() for t in split_union(type_text)):
        if option.startswith("list"):
            out.append(("list", option[5:-1] if option.startswith("list[") else ""))
        else:
            out.append((option, ""))
    return out


def split_union(type_text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in type_text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def validate_step(step: Step, tools: Mapping[str, Any], earlier: Iterable[int]) -> list[PlanIssue]:
    """Problems with one step given the tools (name -> Tool) and the ids of the steps before it."""
    issues = []
    tool = tools.get(step.tool)
    if tool is None:
        close = difflib.get_close_matches(step.tool, list(tools), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        issues.append(PlanIssue("unknown_tool", f"unknown tool {step.tool!r}{hint}", step.idx, step.line))
    else:
        if len(step.args) != len(tool.params):
            issues.append(
                PlanIssue(
                    "arity",
                    f"{step.tool} takes {len(tool.params)} arguments ({', '.join(p.name for p in tool.params)}), "
                    f"got {len(step.args)}",
                    step.idx,
                    step.line,
                )
            )
        for param, value in zip(tool.params, step.args, strict=False):
            if not check_type(value, param.type):
                issues.append(
                    PlanIssue(
                        "type",
                        f"{step.tool} argument {param.name!r} must be {param.type}, got {render_value(value)}",
                        step.idx,
                        step.line,
                    )
                )
    earlier = list(earlier)
    _, strict = references(step.args, earlier)
    for n in sorted(strict):
        if n == step.idx:
            problem = "references itself"
        elif n > step.idx:
            problem = f"references a later step ${n}"
        elif n not in earlier:
            problem = f"references a missing step ${n}"
        else:
            continue
        issues.append(PlanIssue("bad_reference", f"{step.tool} {problem}", step.idx, step.line))
    return issues


def validate_plan(plan: Plan, tools: Mapping[str, Any]) -> list[PlanIssue]:
    """Every problem with a parsed plan against the tools; empty when it can run."""
    issues, earlier = [], []
    for step in plan.steps:
        issues += validate_step(step, tools, earlier)
        earlier.append(step.idx)
    return issues


# ---------------------------------------------------------------- rendering


def render_value(value: Any) -> str:
    """A Python literal with double-quoted strings, as plans are written."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_value(k)}: {render_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot render {type(value).__name__} in a plan")


def render_call(tool: str, args: Sequence[Any]) -> str:
    """A call as a plan writes it: ``tool("a", ["$1"])``."""
    return f"{tool}({', '.join(render_value(a) for a in args)})"


def render_step(step: Step) -> str:
    return f"{step.idx}. {render_call(step.tool, step.args)}"


def render_plan(plan: Plan, end_marker: bool = True) -> str:
    lines = []
    for step in plan.steps:
        if step.thought:
            lines.append(f"Thought: {step.thought}")
        lines.append(render_step(step))
    if plan.join_idx is not None:
        if plan.join_thought:
            lines.append(f"Thought: {plan.join_thought}")
        lines.append(f"{plan.join_idx}. join()" + (END_OF_PLAN if end_marker else ""))
    return "\n".join(lines)


def plan_graph(plan: Plan) -> nx.DiGraph:
    """The call graph: a node per step (attribute ``tool``), an edge from each dependency."""
    g = nx.DiGraph()
    for step in plan.steps:
        g.add_node(step.idx, tool=step.tool)
        for dep in step.deps:
            g.add_edge(dep, step.idx)
    return g
