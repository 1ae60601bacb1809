from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyagent.grammar import plan_grammar, request_grammar
from tinyagent.plan import Plan, Step, render_plan
from tinyagent.plugins import (
    FROM_REQUEST,
    FROM_REQUEST_NAME,
    FROM_REQUEST_TEXT,
    FROM_TIME,
    Forms,
    IfSaid,
    Keyword,
    Levels,
    Matching,
    Name,
    Said,
    Title,
    ToolDefinitionError,
    When,
    make_tool,
)
from tinyagent.when import resolve_times
from tinyagent_assistant.tools import FILE

from .gbnf import Grammar

NOW = datetime(2026, 11, 24, 10, 30)  # a Tuesday


def _tools():
    def get_phone_number(name: str) -> str:
        """Number."""

    def send_sms(recipients: list[str], message: str) -> str:
        """SMS."""

    def create_reminder(
        name: str, due_date: str | None, notes: str, list_name: str, priority: int, all_day: bool
    ) -> str:
        """Reminder."""

    def scale(factor: float, counts: list[int]) -> str:
        """Every other type."""

    def ping() -> str:
        """No arguments."""

    return [make_tool(f) for f in (get_phone_number, send_sms, create_reminder, scale, ping)]


@pytest.fixture(scope="module")
def grammar():
    return Grammar(plan_grammar(_tools()))


VALID = [
    '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'ll be late, it costs $5")\n3. join()<END_OF_PLAN>',
    '1. create_reminder("Pay rent", "2026-12-01 00:00:00", "", "", 1, True)\n2. join()',
    '1. create_reminder("Call \\"Bo\\"", None, "line\\nbreak", "Home", 0, False)\n2. join()',
    "1. scale(-2.5, [1, 2, 3])\n2. scale(3, [])\n3. ping()\nThought: done.\n4. join()<END_OF_PLAN>",
    "1. scale(0.05, [0, -10, 0])\n2. scale(-0, [100, 3080808080])\n3. join()",
    '1. get_phone_number("Yuki")\n2. send_sms(["${1}", "+1 555 0100"], "${1}")\n3. join()',
    "1. join()",
]

INVALID = [
    ('1. get_fone_number("Maria")\n2. join()', "unknown tool"),
    ('1. send_sms("Maria")\n2. join()', "too few arguments"),
    ('1. get_phone_number("Maria", "x")\n2. join()', "too many arguments"),
    ('1. scale("big", [1])\n2. join()', "a string for a float"),
    ('1. scale(1.5, ["a"])\n2. join()', "strings in a list of ints"),
    ('1. create_reminder("x", "", "", "", "high", False)\n2. join()', "text for an int"),
    ('1. create_reminder("x", "", "", "", 1, "yes")\n2. join()', "text for a bool"),
    ("1. scale(08, [1])\n2. join()", "a leading zero, which Python does not read (synthetic test split)"),
    ("1. scale(1.5, [-007])\n2. join()", "a leading zero in a list"),
    ("1. scale(1.5, [30808080808])\n2. join()", "more digits than any argument needs (a repetition loop)"),
    ('1. get_phone_number(name="Maria")\n2. join()', "a named argument"),
    ('1. get_phone_number("Maria")', "no join"),
    ('1. get_phone_number("Maria")\n2. join()\n3. ping()\n', "text after join"),
    ("Sure! Here is the plan:\n1. join()", "prose"),
    ("1. get_phone_number(Maria)\n2. join()", "an unquoted string"),
]


@pytest.mark.parametrize("plan", VALID)
def test_valid_plans_are_accepted(grammar, plan):
    assert grammar.accepts(plan)


@pytest.mark.parametrize("plan, why", INVALID)
def test_invalid_plans_are_rejected(grammar, plan, why):
    assert not grammar.accepts(plan), why


def test_grammar_follows_the_selection():
    tools = _tools()
    only_sms = Grammar(plan_grammar([tools[1]]))
    assert only_sms.accepts('1. send_sms(["+1 555"], "hi")\n2. join()')
    assert not only_sms.accepts('1. get_phone_number("Maria")\n2. join()')
    nothing = Grammar(plan_grammar([]))
    assert nothing.accepts("1. join()<END_OF_PLAN>") and not nothing.accepts("1. ping()\n2. join()")
    assert len(plan_grammar([tools[1]])) < len(plan_grammar(tools))  # small grammars for small selections


# every text but the ones the grammar keeps out on purpose: a whole "$N" or a "${" (references),
# and "<E" (it could begin <END_OF_PLAN>, which stops decoding; the grammar does not look further ahead)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20).filter(
    lambda t: "<E" not in t and "${" not in t and not re.fullmatch(r"\$[0-9]+", t)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, st.lists(texts, max_size=3), st.integers(-99, 99), st.booleans()), max_size=4))
def test_rendered_plans_are_always_accepted(grammar, calls):
    """Whatever values the planner fills in, the plans tinyagent renders fit the grammar."""
    steps = []
    for i, (text, items, number, flag) in enumerate(calls, 1):
        steps.append(Step(2 * i - 1, "create_reminder", (text, None, text, "", number, flag)))
        steps.append(Step(2 * i, "send_sms", (items, text)))
    plan = Plan(tuple(steps), len(steps) + 1)
    assert grammar.accepts(render_plan(plan))


def test_every_generated_plan_fits_the_grammar_of_its_packs(monkeypatch):
    from tinyagent.plugins.host import get_plugin_manager, load_registry
    from tinyagent.training.generator import DataConfig, generate

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    reg = load_registry(get_plugin_manager())
    grammar = Grammar(plan_grammar(list(reg.tools.values())))
    examples = list(generate(reg, DataConfig(300, 0, 0, 0, val_heldout=0, seed=5)))
    rejected = [e.plan for e in examples if not grammar.accepts(e.plan)]
    assert rejected == []
    # and with only the tools a request uses (what Tool RAG hands the planner)
    for e in examples[:60]:
        assert Grammar(plan_grammar([reg.tools[t] for t in e.tools])).accepts(e.plan)


def test_steps_are_numbered_in_order(grammar):
    assert not grammar.accepts("1. ping()\n1. ping()\n2. join()"), "a duplicate number"
    assert not grammar.accepts("2. ping()\n3. join()"), "not starting at 1"
    assert not grammar.accepts("1. ping()\n3. join()"), "a gap"
    assert not grammar.accepts("1. ping()\n2. ping()\n2. join()"), "join reusing a number"
    assert grammar.accepts("Thought: first.\n1. ping()\nThought: then.\n2. ping()\n3. join()")


def test_references_point_only_backwards(grammar):
    assert grammar.accepts('1. get_phone_number("Yuki")\n2. send_sms(["$1"], "${1}")\n3. join()')
    assert not grammar.accepts('1. send_sms(["$2"], "hi")\n2. get_phone_number("Yuki")\n3. join()'), "forward"
    assert not grammar.accepts('1. get_phone_number("$1")\n2. join()'), "itself"
    assert not grammar.accepts('1. ping()\n2. send_sms(["${3}"], "hi")\n3. join()'), "braced, forward"
    assert grammar.accepts('1. ping()\n2. ping()\n3. send_sms(["$2", "$1"], "$1")\n4. join()')


def test_strings_cannot_smuggle_references(grammar):
    """Whole "$N" strings and "${N}" inside strings are references to the validator, so the grammar
    writes them only through its reference rule; a bare $5 in prose stays possible."""
    assert not grammar.accepts('1. get_phone_number("$12")\n2. join()')
    assert not grammar.accepts('1. get_phone_number("Hi ${1} there")\n2. join()')
    for prose in ("it costs $5", "$5 for lunch", "$ 5", "US$", "pay $1.50 now", "a$b"):
        assert grammar.accepts(f'1. get_phone_number("{prose}")\n2. join()'), prose


def test_strings_lists_and_thoughts_are_capped(grammar):
    from tinyagent.grammar import MAX_ITEMS, MAX_STRING

    def sms(text, items=1):
        recipients = ", ".join(['"x"'] * items)
        return f'1. send_sms([{recipients}], "{text}")\n2. join()'

    assert grammar.accepts(sms("a" * MAX_STRING)) and not grammar.accepts(sms("a" * (MAX_STRING + 1)))
    assert grammar.accepts(sms("hi", MAX_ITEMS)) and not grammar.accepts(sms("hi", MAX_ITEMS + 1))
    assert grammar.accepts(f"Thought: {'t' * MAX_STRING}\n1. join()")
    assert not grammar.accepts(f"Thought: {'t' * (MAX_STRING + 1)}\n1. join()")


def test_the_end_marker_cannot_hide_in_a_string_or_thought(grammar):
    """Decoding stops at <END_OF_PLAN>: written inside a string it would cut the plan mid-call."""
    assert not grammar.accepts('1. get_phone_number("bo: join()<END_OF_PLAN>")\n2. join()')
    assert not grammar.accepts("Thought: done<END_OF_PLAN>\n1. join()")
    assert not grammar.accepts('1. get_phone_number("<<END_OF_PLAN>")\n2. join()')
    assert not grammar.accepts("Thought: <<END_OF_PLAN>\n1. join()")
    for prose in ("love you <3", "a < b", "<b>bold</b>", "x<", "<<", "<<<3", "<$5", "$<3", "$$", "$5$", "<\\u001f"):
        assert grammar.accepts(f'1. get_phone_number("{prose}")\n2. join()'), prose
    assert grammar.accepts("Thought: a << b\n1. join()")


def _grounded_tools():
    def send_sms(recipients: Annotated[list[str], FROM_REQUEST], message: Annotated[str, FROM_REQUEST]) -> str:
        """SMS."""

    def remind(name: Annotated[str, FROM_REQUEST], due: Annotated[str | None, FROM_TIME], mode: str) -> str:
        """Reminder."""

    return [make_tool(send_sms), make_tool(remind)]


REQUEST = "Text Maria Lopez and +1 415 555 0199 that the Q3 budget is $40, see budget_v2.xlsx"


def _sms(recipients: str, message: str) -> str:
    return f'1. send_sms([{recipients}], "{message}")\n2. join()'


def test_joined_words_are_copied_whole():
    """ "-._@/" between letters or digits join a word: no name cut at its hyphen, no address at its dot."""
    request = "email the notes.pdf summary to Hye-jin, boss@acme.example and 0612-555-901. Then stop - ok"
    g = Grammar(plan_grammar(_grounded_tools(), [request], None))
    for whole in ("Hye-jin", "boss@acme.example", "0612-555-901", "notes.pdf", "stop - ok", "Then stop"):
        assert g.accepts(_sms(f'"{whole}"', "")), whole
    for cut in ("Hye", "jin", "boss", "acme.example", "boss@acme.Example", "0612", "555-901", "notes", "pdf"):
        assert not g.accepts(_sms(f'"{cut}"', "")), cut


def test_a_contraction_is_one_word_and_a_possessive_is_not():
    """A copy never ends inside "I'll" (a message cut to "thanks, I") nor inside "!!"; it may stop at
    "Bettina" of "Bettina's"."""
    request = "tell Bettina's brother thanks, I'll look tonight, we can't stay"
    g = Grammar(plan_grammar(_grounded_tools(), [request], None))
    for whole in ("thanks, I'll look tonight", "we can't stay", "Bettina", "Bettina's brother"):
        assert g.accepts(_sms('"brother"', whole)), whole
    for cut in ("thanks, I", "we can", "ll look tonight", "t stay"):
        assert not g.accepts(_sms('"brother"', cut)), cut
    g = Grammar(plan_grammar(_grounded_tools(), ["tell Wren 'happy birthday!!' ok..."], None))
    assert g.accepts(_sms('"Wren"', "happy birthday!!")) and g.accepts(_sms('"Wren"', "happy birthday"))
    for cut in ("happy birthday!", "ok.", "ok.."):
        assert not g.accepts(_sms('"Wren"', cut)), cut


def test_quotes_around_words_end_a_copy():
    """ "txt 555 0134 'gate B12'": the number and the message, never a value that runs into a quote."""
    g = Grammar(plan_grammar(_grounded_tools(), ["txt 555 0134 'gate B12' and \u201cok\u201d"], None))
    assert g.accepts(_sms('"555 0134"', "gate B12")) and g.accepts(_sms('"555 0134"', "ok"))
    for crossing in ("555 0134 'gate B12", "'gate B12'", "gate B12' and", "\u201cok"):
        assert not g.accepts(_sms('"555 0134"', crossing)), crossing


def test_a_polite_requests_question_mark_is_never_copied():
    """ "Could you text Tobias that I'm running late?": the "?" asks the assistant, so the message
    cannot end in it; a question the request introduces keeps its own."""
    polite = "Hi! When you get a chance, could you text Tobias that I'm running late? Thanks!"
    g = Grammar(plan_grammar(_grounded_tools(), [polite], None))
    assert g.accepts(_sms('"Tobias"', "I'm running late")) and g.accepts(_sms('"Tobias"', "Thanks!"))
    assert not g.accepts(_sms('"Tobias"', "I'm running late?"))
    g = Grammar(plan_grammar(_grounded_tools(), ["text Tobias and add: can you handle this one?"], None))
    assert g.accepts(_sms('"Tobias"', "can you handle this one?"))
    quoted = "could you text Bo saying \u201ccan you pick up the kids?\u201d"
    g = Grammar(plan_grammar(_grounded_tools(), [quoted], None))
    assert g.accepts(_sms('"Bo"', "can you pick up the kids?"))


def test_grounded_values_are_whole_words_of_the_request():
    g = Grammar(plan_grammar(_grounded_tools(), [REQUEST], ["2026-11-25 09:00:00"]))
    for message in (
        "the Q3 budget is $40",
        "The Q3 budget",
        "budget_v2.xlsx",
        "is $40, see budget_v2.xlsx",
        "",
        "Text",
    ):
        assert g.accepts(_sms('"Maria Lopez"', message)), message
    assert g.accepts(_sms('"maria lopez", "+1 415 555 0199"', "the Q3 budget")), "a word's first letter may change"
    for invented in ("Maria Chen", "Roadmap", "MARIA", "the budget"):
        assert not g.accepts(_sms(f'"{invented}"', "hi")), invented
    for cut in ("Mari", "aria", "Lop", " Maria", "Maria ", "budget_v2.", "budget_v2", "xlsx", "+1 41", "$40"):
        assert not g.accepts(_sms(f'"{cut}"', "")), f"{cut!r}: a piece starts and ends where words do"
    g2 = Grammar(plan_grammar(_grounded_tools(), [REQUEST], None))
    assert g2.accepts('1. send_sms(["Maria"], "Text")\n2. remind("$1", "2030-01-01 00:00:00", "x")\n3. join()')
    assert not g2.accepts('1. send_sms(["Maria"], "Text")\n2. remind("Bob", None, "x")\n3. join()')


def test_references_and_unmarked_strings_stay_free():
    g = Grammar(plan_grammar(_grounded_tools(), [REQUEST], None))
    assert g.accepts('1. send_sms(["Maria"], "Text")\n2. send_sms(["$1"], "${1}")\n3. join()')
    assert g.accepts('1. remind("Maria", None, "anything at all")\n2. join()'), "mode is not marked"


def test_grounded_times_are_the_resolved_ones_or_empty():
    """Empty only where another tool or sentence may take the stated time."""
    times = ["2026-11-25 09:00:00", "2026-11-25 10:00:00", "2026-11-25"]

    def event(title: Annotated[str, FROM_REQUEST], start: Annotated[str, FROM_TIME]) -> str:
        """Event."""

    two_sentences = Grammar(plan_grammar(_grounded_tools(), [REQUEST + ". Thanks for that"], times))
    two_tools = Grammar(plan_grammar([*_grounded_tools(), make_tool(event)], [REQUEST], times))
    one = Grammar(plan_grammar(_grounded_tools(), [REQUEST], times))
    for due in ('"2026-11-25 09:00:00"', '"2026-11-25"', '""', "None"):
        plan = f'1. remind("Maria", {due}, "d")\n2. join()'
        assert two_sentences.accepts(plan) and two_tools.accepts(plan), due
        assert one.accepts(plan) == (due not in ('""', "None")), due
    for g in (one, two_sentences, two_tools):
        assert not g.accepts('1. remind("Maria", "2026-11-26 09:00:00", "d")\n2. join()'), "a date nobody said"


def test_a_replan_may_copy_from_its_observations_and_long_sources_stay_free():
    from tinyagent.grammar import MAX_SOURCE

    g = Grammar(plan_grammar(_grounded_tools(), [REQUEST, "Observation: two contacts, Maria Lopez Diaz"], None))
    assert g.accepts(_sms('"Maria Lopez Diaz"', "Text"))
    long = Grammar(plan_grammar(_grounded_tools(), ["x " * (MAX_SOURCE // 2 + 1)], None))
    assert long.accepts(_sms('"Bob"', "anything"))


def test_source_marks_are_not_part_of_the_schema():
    def marked(name: Annotated[str, FROM_REQUEST], when: Annotated[str | None, FROM_TIME], n: int) -> str:
        """Doc."""

    def plain(name: str, when: str | None, n: int) -> str:
        """Doc."""

    t = make_tool(marked)
    assert [p.source for p in t.params] == ["request", "time", ""]
    assert t.schema() == make_tool(plain).schema() | {"name": "marked"}, "marks need no retrain"

    def bad(n: Annotated[int, FROM_REQUEST]) -> str:
        """Doc."""

    with pytest.raises(ToolDefinitionError, match="marks a string"):
        make_tool(bad)


def test_forms_wrap_a_copied_piece():
    """A body is a piece of the request or the fixed sentence around one, never free text."""

    def reply(context: Annotated[str, FROM_REQUEST, Forms("Please find {} attached.")], cc: list[str]) -> str:
        """Reply."""

    g = Grammar(plan_grammar([make_tool(reply)], ["reply and attach report.docx, thanks"], None))
    for body in (
        "Please find report.docx attached.",
        "thanks",
        "",
        "attach report.docx",
        "Please find thanks attached.",
    ):
        assert g.accepts(f'1. reply("{body}", [])\n2. join()'), body
    for body in ("Please find attached.", "Please find report attached.", "please find report.docx attached.", "ok"):
        assert not g.accepts(f'1. reply("{body}", [])\n2. join()'), body
    assert g.accepts('1. reply("thanks", ["anything"])\n2. join()'), "an unmarked list stays free"
    assert make_tool(reply).params[0].forms == ("Please find {} attached.",)
    forms = make_tool(reply).params[0].forms  # and back: the piece a value holds (coverage.told)
    values = ("Please find a.pdf attached.", "Please find  attached.", "ok")
    assert [forms.filled(v) for v in values] == ["a.pdf", None, None]
    free = Grammar(plan_grammar([make_tool(reply)], [], None))
    assert free.accepts('1. reply("anything", [])\n2. join()'), "no request: free, as FROM_REQUEST is"
    for bad in ("no placeholder", "two {} {}", 'a "quote" {}'):
        with pytest.raises(ToolDefinitionError, match="one {}"):
            Forms(bad)

    def unmarked(context: Annotated[str, Forms("Please find {} attached.")]) -> str:
        """Doc."""

    with pytest.raises(ToolDefinitionError, match="Forms go with FROM_REQUEST"):
        make_tool(unmarked)

    def attach(context: Annotated[str, FROM_REQUEST, Forms("Please find {} attached.", piece=IfSaid(FILE))]) -> str:
        """Attach."""

    # the form's piece is a file name the request writes, where it writes one ("slides deck_final.pptx")
    filed = Grammar(plan_grammar([make_tool(attach)], ["email Sam the slides deck_final.pptx"], None))
    for body, ok in (
        ("Please find deck_final.pptx attached.", True),
        ("Please find slides deck_final.pptx attached.", False),
    ):
        assert filed.accepts(f'1. attach("{body}")\n2. join()') is ok, body
    assert filed.accepts('1. attach("the slides deck_final.pptx")\n2. join()'), "a copied body stays free"
    unnamed = Grammar(plan_grammar([make_tool(attach)], ["email Sam the lease PDF"], None))
    assert unnamed.accepts('1. attach("Please find the lease PDF attached.")\n2. join()')
    with pytest.raises(ToolDefinitionError, match="IfSaid"):
        Forms("Please find {} attached.", piece=FILE)


def _leveled_tools():
    def remind(name: Said, priority: Annotated[int, Levels("priority", 0, high=1, medium=5, low=9)]) -> str:
        """Reminder."""

    def todo(task: Said, priority: Annotated[str, Levels("priority", "", high="A", a="A", b="B")]) -> str:
        """Todo."""

    return [make_tool(remind), make_tool(todo)]


@pytest.mark.parametrize(
    "request_, ints, letters",
    [
        ("high priority reminder to renew my passport", ["1"], ['"A"']),
        ("remind me to pay rent, Priority: LOW", ["9"], None),
        ("a high-priority task and a medium priority one", ["1", "5"], ['"A"']),
        ("add 'submit timesheet' as priority B", None, ['"B"']),
        ("add a priority B task: pay the bill", None, ['"B"']),  # "a priority" is no level when one follows
        ("the high road, no priority said", None, None),  # a word away from the noun states nothing
        ("Add milk to my list. And a high priority reminder to call mom", ["1", "0"], ['"A"', '""']),
    ],
)
def test_levels_the_request_states_are_the_only_values(request_, ints, letters):
    """ "high priority" is 1 and nothing else; a request of more sentences may leave its other tasks at
    none; a request that states no level leaves the value free."""
    g = Grammar(plan_grammar(_leveled_tools(), [request_], None))
    for call, stated, anything in (("remind", ints, ["0", "1", "7"]), ("todo", letters, ['""', '"A"', '"Z"'])):
        for value in anything + (stated or []):
            plan = f'1. {call}("priority", {value})\n2. join()'
            assert g.accepts(plan) == (stated is None or value in stated), (call, value)


@pytest.mark.parametrize(
    "request_, stated",
    [
        ("directions to Sausalito by ferry", ['"r"']),
        ("walking directions to Crissy Field", ['"w"']),
        ("how do I drive to the train station", ['"d"']),  # a word naming a place states nothing
        ("directions to the Ferry Building", None),
        ("drive to the airport, wait, take BART instead", ['"d"', '"r"']),
    ],
)
def test_levels_without_a_noun_are_stated_by_their_words(request_, stated):
    """``Levels("", ...)``: a travel mode is what the request's words say, wherever they are."""

    def directions(to: Said, mode: Annotated[str, Levels("", "d", drive="d", walking="w", ferry="r", bart="r",
                                                                     train="r")]) -> str:  # fmt: skip
        """Directions."""

    g = Grammar(plan_grammar([make_tool(directions)], [request_], None))
    for value in ('"d"', '"w"', '"r"', '"x"'):
        assert g.accepts(f'1. directions("", {value})\n2. join()') == (stated is None or value in stated), value


def test_levels_are_checked_and_not_part_of_the_schema():
    def leveled(p: Annotated[int, Levels("priority", 0, high=1)]) -> str:
        """Doc."""

    def plain(p: int) -> str:
        """Doc."""

    assert make_tool(leveled).params[0].levels == Levels("priority", 0, high=1)
    assert make_tool(leveled).schema() == make_tool(plain).schema() | {"name": "leveled"}, "marks need no retrain"

    def mismatched(p: Annotated[int, Levels("priority", "", high=1)]) -> str:
        """Doc."""

    with pytest.raises(ToolDefinitionError, match="values of its type"):
        make_tool(mismatched)
    with pytest.raises(ToolDefinitionError, match="one-word noun"):
        Levels("how urgent", 0, high=1)


def test_a_name_never_runs_into_a_means_or_a_pronoun():
    """ "the address of Nopa by text": the place is "Nopa"; "text him": "him" alone (the agent looks up
    whom it stands for), never within a name. A message copies the same words freely, and a place said
    by where it is stays whole."""

    def route(place: Name, message: Said) -> str:
        """Route."""

    def g(request: str) -> Grammar:
        return Grammar(plan_grammar([make_tool(route)], [request], None))

    def plan(place: str, message: str = "") -> str:
        return f'1. route("{place}", "{message}")\n2. join()'

    request = "send Delphine the address of Nopa by text, tell him I'm at Zuni Cafe via email or Mama's on foot"
    for place in ("Nopa", "Zuni Cafe", "Mama's", "Delphine", "tell"):
        assert g(request).accepts(plan(place)), place
    for place in ("Nopa by text", "Nopa by", "tell him", "him I'm", "Zuni Cafe via email", "Mama's on foot"):
        assert not g(request).accepts(plan(place)), place
    assert g(request).accepts(plan("him")) and not g(request).accepts(plan("her")), "a pronoun it says, alone"
    assert not g(request).accepts(plan("I'm at Zuni Cafe"))
    assert g(request).accepts(plan("Nopa", "tell him I'm at Zuni Cafe via email")), "a message may hold them"
    for whole in ("Walgreens by the station", "Via Roma", "Dr. Her"):
        assert g(f"directions to {whole} by BART").accepts(plan(whole)), whole
    assert not g("directions to Lake Merritt by BART").accepts(plan("Lake Merritt by BART"))
    assert not g("tell Seraphina I got the tickets").accepts(plan("Seraphina I got"))
    assert not g("Pull up the map for Golden Gate Park").accepts(plan("the map for Golden Gate Park"))  # what shows it
    note = g("add the location of Greens Restaurant to my Dinner note")
    assert note.accepts(plan("Greens Restaurant")), "dev batch forty"
    for run_on in ("Greens Restaurant to", "Greens Restaurant to my Dinner note"):
        assert not note.accepts(plan(run_on)), run_on
    # nor into the next request ("directions to SFO and save them in a note", dev batch thirty-seven)
    for next_request in ("and save them in a note", "and text her", "then share it with Bo"):
        request = f"directions to SFO {next_request}"
        run_on = "SFO " + " ".join(next_request.split()[:2])
        assert g(request).accepts(plan("SFO")) and not g(request).accepts(plan(run_on)), run_on
    # nor says what it is called, nor is only an article or a possessive
    notes = g("make a note in Recipes called Pancakes, open the Trip folder note named Itinerary for my dad")
    for name in ("Recipes", "Pancakes", "the Trip folder note", "The Trip", "Trip", "Itinerary", "my dad", "dad"):
        assert notes.accepts(plan(name)), name
    for name in ("Recipes called Pancakes", "the", "The", "my", "Itinerary for my"):
        assert not notes.accepts(plan(name)), name
    assert not g("the, by the way").accepts(plan("the")), "an article that no word follows starts nothing"


def test_a_name_is_never_a_date_or_time_said():
    """ "zoom for the book club on 12/17" looked up "12/17"; "on Wednesday, December 9 at 4pm" put the
    event at "December 9" (dev batch thirty-nine)."""

    def visit(place: Name, start: When) -> str:
        """Visit."""

    for query, place, said in [
        ("zoom for the book club on 12/17 at 7:30pm", "the book club", "12/17"),
        ("an event called Parent conference on Wednesday, December 9 at 4pm", "Parent conference", "December 9"),
    ]:
        refs = resolve_times(query, NOW)
        g = Grammar(request_grammar([make_tool(visit)], [query], refs))
        assert g.accepts(f'1. visit("{place}", "{refs[-1].start}")\n2. join()')
        assert not g.accepts(f'1. visit("{said}", "{refs[-1].start}")\n2. join()')


def test_a_titles_abbreviation_is_copied_with_its_name():
    """ "St. Mark's", "Dr. Okafor": a copy never stops at the abbreviation; a sentence's own stop still ends one."""
    g = Grammar(plan_grammar(_grounded_tools(), ["piano recital at St. Mark's, then text Dr. Okafor. Thanks"], None))
    for whole in ("St. Mark's", "Dr. Okafor", "Okafor", "piano recital at St. Mark's"):
        assert g.accepts(_sms('"piano"', whole)), whole
    g2 = Grammar(plan_grammar(_grounded_tools(), ["tell Bo revenue is up 12% this year w/ Ana"], None))
    assert g2.accepts(_sms('"Bo"', "w/ Ana")) and not g2.accepts(_sms('"Bo"', "w")), '"w/" is one word'

    assert g2.accepts(_sms('"Bo"', "revenue is up 12%")) and not g2.accepts(_sms('"Bo"', "revenue is up 12"))
    for cut in ("St", "St.", "piano recital at St", "text Dr", "Dr."):
        assert not g.accepts(_sms('"piano"', cut)), cut
    g3 = Grammar(
        plan_grammar(_grounded_tools(), ["msg mom: landed safe \u2764\ufe0f, \U0001f469\u200d\U0001f4bb"], None)
    )
    assert g3.accepts(_sms('"mom"', "landed safe \u2764\ufe0f")) and g3.accepts(_sms('"mom"', "landed safe"))
    assert not g3.accepts(_sms('"mom"', "landed safe \u2764")), "never half a character"
    assert not g3.accepts(_sms('"mom"', "landed safe \u2764\ufe0f, \U0001f469")), "nor half a joined emoji"


def test_a_text_is_a_whole_clause():
    """FROM_REQUEST_TEXT: a message ends where its clause can and never starts right after its subject."""

    def send_sms(recipients: list[str], message: Annotated[str, FROM_REQUEST_TEXT]) -> str:
        """SMS."""

    def note(name: Said, content: Annotated[str, FROM_REQUEST_TEXT, Forms("Note: {}")]) -> str:
        """Note."""

    def plan(request: str, message: str) -> bool:
        g = Grammar(plan_grammar([make_tool(send_sms)], [request], None))
        return g.accepts(f'1. send_sms(["$1"], "{message}")\n2. join()'.replace('"$1"', '"Ana"'))

    request = "text Ana sure, thursday morning works for me and add milk to my Errands note, thanks"
    for whole in (
        "sure, thursday morning works for me",  # before "and"
        "sure",  # before a comma
        "sure, thursday morning works for me and add milk",  # before "to my ..."
        "sure, thursday morning works for me and add milk to my Errands note",  # before ", thanks"
    ):
        assert plan(request, whole), whole
    for cut in ("sure, thursday", "sure, thursday morning", "sure, thursday morning works for", "add milk to my"):
        assert not plan(request, cut), cut
    assert plan("text Ana I'd like Dec 21-23 off", "I'd like Dec 21-23 off")
    assert not plan("text Ana I'd like Dec 21-23 off", "I'd like Dec 21-23")
    assert plan("text Ana 'happy birthday!! \U0001f389' please", "happy birthday!! \U0001f389"), "a quote ends it"
    for request, message, cut in (
        ("msg Ana im running late", "im running late", "running late"),
        ("msg Ana - do u still need the ladder", "do u still need the ladder", "still need the ladder"),
        ("text Ana that the keys are under the mat", "the keys are under the mat", "keys are under the mat"),
    ):
        assert plan(request, message) and not plan(request, cut), cut
    assert plan("could you text Ana I'm outside", "I'm outside"), "a modal before the message is the request's"
    g = Grammar(plan_grammar([make_tool(note)], ["note Tasks: call the bank in a note called Chores"], None))
    for content in ("call the bank", "Note: call the bank"):
        assert g.accepts(f'1. note("Chores", "{content}")\n2. join()'), content
    assert not g.accepts('1. note("Chores", "call the")\n2. join()')


def test_a_keyword_never_starts_at_an_article():
    """FROM_REQUEST_KEYWORD: "todos about the garden" can filter by "garden" or "garden party", never "the garden"."""

    def list_todos(filter_text: Keyword) -> str:
        """Lists the open tasks."""
        return ""

    tools = [make_tool(list_todos)]
    g = Grammar(plan_grammar(tools, ["any of my todos about the garden party? Or our taxes"], None))
    plan = '1. list_todos("{}")\n2. join()<END_OF_PLAN>'.format
    for ok in ("garden", "garden party", "taxes", "todos about the garden", ""):
        assert g.accepts(plan(ok)), ok
    for cut in ("the garden", "my todos", "our taxes", "The garden party"):
        assert not g.accepts(plan(cut)), cut


def test_a_matching_value_is_a_reference_or_a_piece_the_pattern_finds():
    """Matching: recipients are looked-up contacts or an address the request gives, never other words."""

    def get_email_address(name: Said) -> str:
        """Looks up."""
        return ""

    def mail(
        to: Annotated[list[str], FROM_REQUEST, Matching(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")],
        subject: Annotated[str, FROM_REQUEST, Matching(r"\d+")],
    ) -> str:
        """Mails."""
        return ""

    tools = [make_tool(get_email_address), make_tool(mail)]
    g = Grammar(plan_grammar(tools, ["find Bo's email and send him agenda.docx, cc ann.lee@x.example, ref 42"], None))
    step = '1. get_email_address("Bo")\n2. mail({}, "42")\n3. join()'.format
    for ok in ('["$1"]', '["$1", "ann.lee@x.example"]', "[]"):
        assert g.accepts(step(ok)), ok
    for bad in ('["him agenda.docx", "$1"]', '["Bo"]', '["ann.lee"]'):
        assert not g.accepts(step(bad)), bad
    assert not g.accepts('1. mail(["$1"], "42")\n2. join()'), "no step 1 to refer to"
    none = Grammar(plan_grammar(tools, ["email Bo hi"], None))
    assert none.accepts('1. mail([], "")\n2. join()') and not none.accepts('1. mail(["Bo"], "")\n2. join()')
    with pytest.raises(ToolDefinitionError, match="regular expression"):
        Matching("(")


def test_an_if_said_value_is_a_piece_the_pattern_finds_when_the_request_has_one():
    """IfSaid: a file named by its file name is that name (any match, overlapping ones too); a request
    naming none copies the value as its source says; a reference still fits."""

    def open_file(name: Annotated[str, FROM_REQUEST_NAME, IfSaid(FILE)]) -> str:
        """Opens."""
        return ""

    def summarize(path: Annotated[str, FROM_REQUEST_NAME, IfSaid(FILE)]) -> str:
        """Summarizes."""
        return ""

    tools = [make_tool(open_file), make_tool(summarize)]
    step = '1. open_file("{}")\n2. join()'.format
    g = Grammar(plan_grammar(tools, ["the landlord needs the lease, email it, file is lease_signed.pdf"], None))
    assert g.accepts(step("lease_signed.pdf"))
    for bad in ("lease, email", "lease", "file is lease_signed.pdf", "the landlord"):
        assert not g.accepts(step(bad)), bad
    spaced = Grammar(plan_grammar(tools, ["summarize the PDF Budget plan v3.docx for me"], None))
    for ok in ("Budget plan v3.docx", "v3.docx"):
        assert spaced.accepts(step(ok)), ok
    for bad in ("PDF Budget plan v3.docx", "the PDF Budget plan v3.docx", "plan v3.docx", "Budget"):
        assert not spaced.accepts(step(bad)), bad
    assert spaced.accepts('1. open_file("v3.docx")\n2. summarize("$1")\n3. join()')
    unnamed = Grammar(plan_grammar(tools, ["open the budget spreadsheet, by email"], None))
    assert unnamed.accepts(step("the budget spreadsheet")) and not unnamed.accepts(step("spreadsheet, by email"))

    def unmarked(name: Annotated[str, IfSaid(FILE)]) -> str:
        """Copied from nowhere."""
        return ""

    with pytest.raises(ToolDefinitionError, match="IfSaid goes with"):
        make_tool(unmarked)


def test_every_generated_plan_fits_its_grounded_grammar(monkeypatch):
    """The packs' marks are right: each gold plan copies its values from its own request and takes
    its times from what the runtime resolves, so grounding never rules out the right plan."""
    from datetime import datetime

    from tinyagent.plugins.host import get_plugin_manager, load_registry
    from tinyagent.training.generator import DataConfig, generate
    from tinyagent.when import resolve_times

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    reg = load_registry(get_plugin_manager())
    for e in list(generate(reg, DataConfig(200, 0, 0, 0, val_heldout=0, seed=7)))[:120]:
        refs = resolve_times(e.query, datetime.strptime(e.now, "%Y-%m-%d %H:%M:%S"))
        assert Grammar(request_grammar([reg.tools[t] for t in e.tools], [e.query], refs)).accepts(e.plan), e.query


# Hand-written rows whose gold the grounded grammar cannot write: a title put together from two pieces,
# a message worded anew, a time said ten characters from its day ("monday's 1:1 at 2pm"). Training
# rows stay in the pack's data as written (the shipped planner was trained on them).
_UNGROUNDED = {
    "book a call with Wen on Thursday from 3 to 4 about hiring",
    "call with Gwen and Mo on the 9th at 3pm about the launch",
    "ask Pia by text if she wants to carpool tomorrow",
    # a file named with a space: the grammar holds file names to one word (IfSaid, 117 of 118 such)
    "Can you find the file called onboarding checklist.docx",
}


def test_the_grounded_grammar_can_write_every_hand_written_plan(monkeypatch):
    """Gold plans written by people (the pack's training rows, the natural dev set) are within what
    the runtime's grammar allows for their requests, so the grammar never forces a wrong value where
    the data taught a right one (it forced 09:00 on all-day dates written as midnight)."""
    from pathlib import Path

    from tinyagent.jsonl import read_jsonl
    from tinyagent.plan import parse_plan
    from tinyagent.plugins.host import get_plugin_manager, load_registry

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    reg = load_registry(get_plugin_manager())
    root = Path(__file__).parents[1]
    files = [root / "toolpacks/assistant/tinyagent_assistant/handwritten.jsonl", root / "benchmarks/natural/dev.jsonl"]
    rejected = set()
    for row in (row for path in files for row in read_jsonl(path)):
        tools = sorted({s.tool for s in parse_plan(row["plan"]).steps if s.tool != "join"})
        refs = resolve_times(row["query"], datetime.strptime(row["now"], "%Y-%m-%d %H:%M:%S"))
        if not Grammar(request_grammar([reg.tools[t] for t in tools], [row["query"]], refs)).accepts(row["plan"]):
            rejected.add(row["query"])
    assert rejected == _UNGROUNDED


def test_a_title_never_holds_the_time_the_request_states():
    """FROM_REQUEST_UNTIMED (``Title``): a piece of the request with its date and time expressions, and
    the word introducing them, cut out; a message (FROM_REQUEST) may still say when."""

    def remind(name: Title, due: When, message: Said) -> str:
        """Reminder."""

    query = "book a haircut for Saturday at 11am and tell Bo it is on Saturday"
    refs = resolve_times(query, NOW)
    ref = refs[0]
    g = Grammar(plan_grammar([make_tool(remind)], [query], [r.start for r in refs], [r.text for r in refs]))
    ok = '1. remind("{}", "{}", "it is on Saturday")\n2. join()'
    for title in ("haircut", "a haircut", "book a haircut", "it is", ""):
        assert g.accepts(ok.format(title, ref.start)), title
    for title in ("haircut for", "haircut for Saturday", "Saturday at 11am", "it is on Saturday", "on"):
        assert not g.accepts(ok.format(title, ref.start)), title
    assert [p.source for p in make_tool(remind).params] == ["untimed", "time", "request"]
    # without times the title is copied as any piece is; without a request it is free
    same = Grammar(plan_grammar([make_tool(remind)], [query], None))
    assert same.accepts(ok.format("haircut for Saturday", ""))
    free = Grammar(plan_grammar([make_tool(remind)], [], None))
    assert free.accepts('1. remind("x", "2026-12-16 00:00:00", "z")\n2. join()') and free.accepts(ok.format("x", ""))
    # ... but a time keeps a date-time's shape ("in 2 weeks" unresolved had the planner write "2020-0-0-0-...")
    assert not free.accepts('1. remind("x", "y", "z")\n2. join()')
    assert not free.accepts('1. remind("x", "2020-0-0-0-0", "z")\n2. join()')
