from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyagent.plan import (
    Plan,
    PlanError,
    PlanParser,
    Step,
    parse_plan,
    plan_graph,
    render_plan,
    substitute,
    validate_plan,
)

ZOOM = """1. get_email_address("Eren Erdoğan")
2. get_zoom_meeting_link("Apple Meeting", "2022-10-14 15:00:00", 60, ["$1"])
3. create_calendar_event("Apple Meeting", "2022-10-14 15:00:00", "2022-10-14 16:00:00", "", ["$1"], "$2", None)
Thought: I have created the calendar event.
4. join()<END_OF_PLAN>"""


def test_parses_the_reference_plan():
    plan = parse_plan(ZOOM)
    assert plan.tools == ["get_email_address", "get_zoom_meeting_link", "create_calendar_event"]
    assert plan.steps[1].args == ("Apple Meeting", "2022-10-14 15:00:00", 60, ["$1"])
    assert plan.steps[2].deps == (1, 2)
    assert plan.join_idx == 4 and plan.join_thought == "I have created the calendar event."


def test_streaming_yields_each_step_when_its_line_completes():
    parser = PlanParser()
    assert parser.feed('1. get_phone_number("Ma') == []
    (step,) = parser.feed('ria")\n2. send_sms(["$1"], ')
    assert step.tool == "get_phone_number" and step.args == ("Maria",)
    (step,) = parser.feed('"late")\n3. join()')
    assert step.deps == (1,)
    plan = parser.close()
    assert plan.join_idx == 3 and parser.finished


def test_single_list_argument_is_never_splatted():
    plan = parse_plan('1. send_sms(["a", "b"])\n2. join()')
    assert plan.steps[0].args == (["a", "b"],)


@pytest.mark.parametrize(
    "arg, deps",
    [
        ('"$1"', (1,)),
        ('"${1}"', (1,)),
        ('["x", ["$1"]]', (1,)),  # nested list item
        ('"Hi ${1}, see $2"', (1, 2)),  # braced and bare embedded
        ('"it costs $5"', ()),  # prose: step 5 does not exist
        ('"it costs $1.50 or $2,000"', ()),  # money amounts are prose
        ('"price: $15"', ()),  # $15 is not $1 followed by 5
    ],
)
def test_reference_rule(arg, deps):
    plan = parse_plan(f"1. a()\n2. b()\n3. c({arg})\n4. join()")
    assert plan.steps[2].deps == deps


def test_bare_reference_to_a_later_step_is_prose_but_braced_is_an_error():
    plan = parse_plan('1. b("costs $2")\n2. b("${3}")\n3. join()')
    assert plan.steps[0].deps == ()
    tools = _tools()
    codes = [i.code for i in validate_plan(plan, tools)]
    assert codes == ["bad_reference"]


def test_substitution_whole_value_and_interpolation():
    step = parse_plan('1. a()\n2. b(["$1", "x"], "to ${1} at $1", "$1")\n3. join()').steps[1]
    args = substitute(list(step.args), {1: ["p@x.org", "q@x.org"]}, step.deps)
    assert args == [[["p@x.org", "q@x.org"], "x"], "to p@x.org, q@x.org at p@x.org, q@x.org", ["p@x.org", "q@x.org"]]


@pytest.mark.parametrize(
    "text, code",
    [
        ("1. a()\n1. b()\n2. join()", "step_order"),
        ("2. a()\n1. b()\n3. join()", "step_order"),
        ("1. a()\n2. join()\n3. b()", "after_join"),
        ("1. a()\n2. join()<END_OF_PLAN> trailing", "after_join"),
        ('1. a(name="x")\n2. join()', "syntax"),
        ("1. a(__import__('os'))\n2. join()", "syntax"),
        ("1. a(1 +)\n2. join()", "syntax"),
        ("Here is my plan", "syntax"),
        ("1. join(1)", "arity"),
        ('1. a("x")', "missing_join"),
    ],
)
def test_syntax_errors_are_structured(text, code):
    with pytest.raises(PlanError) as err:
        parse_plan(text)
    assert err.value.issues[0].code == code


def test_never_evaluates_code(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(PlanError):
        parse_plan(f"1. a(open({str(marker)!r}, 'w'))\n2. join()")
    assert not marker.exists()


def _tools():
    from tinyagent.plugins import make_tool

    def get_phone_number(name: str) -> str:
        """Number."""

    def send_sms(recipients: list[str], message: str) -> str:
        """SMS."""

    def count(items: list[str], limit: int, ratio: float | None, flag: bool) -> int:
        """Count."""

    def a() -> str:
        """A."""

    def b(x: str) -> str:
        """B."""

    return {f.__name__: make_tool(f) for f in (get_phone_number, send_sms, count, a, b)}


def test_validation_names_step_and_problem():
    plan = parse_plan(
        '1. get_phone_numbr("Maria")\n'
        '2. send_sms("$1")\n'
        '3. send_sms(["$1"])\n'
        '4. count(["a"], "ten", None, 1)\n'
        '5. send_sms(["${5}"], "x")\n'
        "6. join()"
    )
    issues = validate_plan(plan, _tools())
    got = [(i.step, i.code) for i in issues]
    assert got == [(1, "unknown_tool"), (2, "arity"), (3, "arity"), (4, "type"), (4, "type"), (5, "bad_reference")]
    assert "did you mean get_phone_number" in issues[0].message
    assert "references itself" in issues[-1].message
    # a whole-string reference fits any type; a list is not a str
    assert validate_plan(parse_plan('1. a()\n2. count("$1", "$1", 0.5, True)\n3. join()'), _tools()) == []


def test_reference_to_missing_step():
    plan = parse_plan('1. a()\n3. b("$2")\n4. join()')  # gaps in numbering are fine
    (issue,) = validate_plan(plan, _tools())
    assert "missing step $2" in issue.message and issue.step == 3


def test_round_trip_and_graph():
    plan = parse_plan(ZOOM)
    assert parse_plan(render_plan(plan)) == plan
    g = plan_graph(plan)
    assert set(g.edges) == {(1, 2), (1, 3), (2, 3)}
    assert nx.is_directed_acyclic_graph(g)


literals = st.recursive(
    st.one_of(st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()),
    lambda children: st.lists(children, max_size=3),
    max_leaves=6,
)


def test_the_end_marker_inside_a_string_is_text():
    """Hypothesis found it: a string argument "<END_OF_PLAN>" ended the plan mid-line."""
    plan = Plan((Step(1, "a", (["<END_OF_PLAN>"], 'say "x <END_OF_PLAN>"')),), 2)
    text = render_plan(plan)
    assert [s.args for s in parse_plan(text).steps] == [(["<END_OF_PLAN>"], 'say "x <END_OF_PLAN>"')]
    with pytest.raises(PlanError, match="text after <END_OF_PLAN>"):
        parse_plan('1. a("x")<END_OF_PLAN> b\n2. join()')


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "send_sms"]), st.lists(literals, max_size=4)), max_size=5))
def test_round_trip_property(calls):
    steps = []
    for i, (name, args) in enumerate(calls, 1):
        steps.append(Step(i, name, tuple(args)))
    text = render_plan(Plan(tuple(steps), len(steps) + 1))
    reparsed = parse_plan(text)
    assert [(s.idx, s.tool, s.args) for s in reparsed.steps] == [(s.idx, s.tool, s.args) for s in steps]
    assert parse_plan(render_plan(reparsed)) == reparsed


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fuzz_only_plan_errors(text):
    try:
        plan = parse_plan(text)
        validate_plan(plan, _tools())
    except PlanError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["1.", " a(", '"$1"', ", ", ")", "\n", "join()", "[", "]", "${2}", "Thought: x", "2"])))
def test_fuzz_plan_shaped_text(parts):
    try:
        parse_plan("".join(parts))
    except PlanError:
        pass
