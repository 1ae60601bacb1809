from __future__ import annotations

from datetime import datetime
from typing import Annotated

import pytest

from tinyagent.agent import MAX_RESUMES, Agent
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.coverage import Missed, lookup_tools, missed
from tinyagent.grammar import plan_grammar, resumed
from tinyagent.plan import PlanParser
from tinyagent.plugins import FROM_REQUEST_NAME, hookimpl, tool
from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin

from .gbnf import Grammar

NOW = datetime(2026, 12, 2, 14, 0)
ASKED: list[tuple[str, list]] = []


def look_up(name: Annotated[str, FROM_REQUEST_NAME]) -> str:
    """A contact's address."""
    return f"{name.lower()}@example.com"


@tool(side_effects=True)
def message(people: list[str], text: str) -> str:
    """Send a message."""
    return f"sent to {', '.join(people)}"


class People:
    @hookimpl
    def register_tools(self, register):
        register(look_up)
        register(message)


@pytest.fixture
def assistant(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    return load_registry(get_plugin_manager())


@pytest.fixture
def people():
    add_plugin(People(), "people")
    yield load_registry(get_plugin_manager())
    remove_plugin("people")


def steps(text):
    parser = PlanParser()
    parser.feed(text + "\n")
    return parser.steps


@pytest.mark.parametrize(
    ("request_", "plan", "expected"),
    [
        (  # the cc'd person after a list of two
            "fwd this to Lucius and Petra, cc Ambrose",
            '1. get_email_address("Lucius")\n2. get_email_address("Petra")\n3. forward_email(["$1", "$2"], [], "", [])',
            Missed("get_email_address", ("Ambrose",)),
        ),
        (  # the third of four; a comma list closed by "and"
            "zoom at 4pm with Ottavia, Leif, Ines and Bogdan",
            '1. get_email_address("Ottavia")\n2. get_email_address("Leif")\n3. get_email_address("Bogdan")\n'
            '4. get_zoom_meeting_link("", "2026-12-02 16:00:00", 60, ["$1", "$2", "$3"])',
            Missed("get_email_address", ("Ines",)),
        ),
        (  # found at the lookup that skipped it, so the lookups keep the list's order
            "zoom at 4pm with Ottavia, Leif, Ines and Bogdan",
            '1. get_email_address("Ottavia")\n2. get_email_address("Leif")\n3. get_email_address("Bogdan")',
            Missed("get_email_address", ("Ines",)),
        ),
        (  # the later ones may still come
            "zoom at 4pm with Ottavia, Leif, Ines and Bogdan",
            '1. get_email_address("Ottavia")\n2. get_email_address("Leif")',
            None,
        ),
        (  # a list's first lookup skips nothing: "Cizo" is what the e-mail is about
            "email Nikos about Cizo and cc Nia Johansson",
            '1. get_email_address("Nikos")\n2. get_email_address("Nia Johansson")',
            None,
        ),
        (  # a surname and a title: the lookup may take the first name or all of it
            "email Bo and Amy Chen, cc Dr. Okafor",
            '1. get_email_address("Bo")\n2. compose_new_email(["$1"], [], "", "", [])',
            Missed("get_email_address", ("Amy", "Amy Chen")),
        ),
        (
            "email Bo and Amy, cc Dr. Okafor",
            '1. get_email_address("Bo")\n2. get_email_address("Amy")\n'
            '3. compose_new_email(["$1", "$2"], [], "", "", [])',
            Missed("get_email_address", ("Dr. Okafor",)),
        ),
        (  # a sentence's first word is a verb, not a person; the missing one is found at the join
            "Text Bob and Alice",
            '1. get_phone_number("Bob")\n2. join()',
            Missed("get_phone_number", ("Alice",)),
        ),
        (  # files: the extension alone does not name "b.pdf", and "Anneliese slides.pptx" is "slides.pptx"
            "email Anneliese slides.pptx and b.pptx",
            '1. get_email_address("Anneliese")\n2. open_and_get_file_path("slides.pptx")\n'
            '3. compose_new_email(["$1"], [], "", "", ["$2"])',
            Missed("open_and_get_file_path", ("b.pptx",)),
        ),
        (  # all there
            "fwd to Solveig, cc Torben and Ingeborg",
            '1. get_email_address("Solveig")\n2. get_email_address("Torben")\n3. get_email_address("Ingeborg")\n'
            '4. forward_email(["$1"], ["$2", "$3"], "", [])',
            None,
        ),
        (  # a bare comma lists nothing, nor is a day a person
            "text Alice, Friday works for me",
            '1. get_phone_number("Alice")\n2. send_sms(["$1"], "Friday works for me")',
            None,
        ),
        (  # a possessive is someone else
            "text Bob and Alice's mom the news",
            '1. get_phone_number("Bob")\n2. send_sms(["$1"], "the news")',
            None,
        ),
        (  # a shared first name is not the same person, so the later list is not due yet
            "call Andre Kaya, then email Ines and Andre Clark",
            '1. get_phone_number("Andre Kaya")\n2. compose_new_email([], [], "", "", [])',
            None,
        ),
        (  # a name said twice belongs to its first list first
            "text Bruno and Leilani hi, then email Leilani and Mrs. Smirnova",
            '1. get_phone_number("Bruno")\n2. get_phone_number("Leilani")\n3. send_sms(["$1", "$2"], "hi")',
            None,
        ),
        (  # lowercase values list nothing
            "email the team lead and Haruki",
            '1. get_email_address("the team lead")\n2. compose_new_email(["$1"], [], "", "", [])',
            None,
        ),
    ],
)
def test_missed_finds_the_listed_item_a_plan_left_out(assistant, request_, plan, expected):
    ended = plan.endswith("join()")
    assert missed(request_, steps(plan), lookup_tools(assistant.tools.values()), ended) == expected


def test_lookups_are_the_one_name_tools(assistant):
    assert set(lookup_tools(assistant.tools.values())) == {
        "get_email_address",
        "get_phone_number",
        "maps_open_location",
        "open_and_get_file_path",
        "summarize_pdf",
    }


def test_a_resumed_grammar_writes_the_lookup_then_goes_on(assistant):
    tools = [assistant.tools[t] for t in ("get_email_address", "forward_email")]
    g = Grammar(resumed(plan_grammar(tools), 3, ['get_email_address("Amy")', 'get_email_address("Amy Chen")']))
    rest = '4. forward_email(["$1", "$2"], ["$3"], "", [])\n5. join()'
    assert g.accepts('3. get_email_address("Amy Chen")\n' + rest)
    assert g.accepts('3. get_email_address("Amy")\n' + rest)
    assert not g.accepts('3. get_email_address("Bo")\n' + rest), "only the item's spellings"
    assert not g.accepts('3. forward_email(["$1", "$2"], [], "", [])\n4. join()'), "the lookup comes first"
    assert not g.accepts('3. get_email_address("Amy")\n4. forward_email(["$5"], [], "", [])\n5. join()')
    with pytest.raises(ValueError):
        resumed("root ::= s1\n", 3, ['get_email_address("Amy")'])


def test_the_agent_writes_the_missing_lookup_and_the_planner_goes_on(assistant):
    written = '1. get_email_address("Lucius")\n2. get_email_address("Petra")\n'
    first = written + '3. forward_email(["$1", "$2"], [], "", [])\n4. join()'
    rest = '3. get_email_address("Ambrose")\n4. forward_email(["$1", "$2"], ["$3"], "", [])\n5. join()<END_OF_PLAN>'
    backend = ScriptedBackend(responses=[first, rest], chunk=5)
    result = Agent(assistant, backend).plan("fwd this to Lucius and Petra, cc Ambrose", NOW)
    assert result.ok and result.resumed == 1
    assert [s.args[0] for s in result.plan.steps[:3]] == ["Lucius", "Petra", "Ambrose"]
    assert result.plan.steps[3].args[1] == ["$3"]
    assert result.text.startswith(written + '3. get_email_address("Ambrose")')
    assert backend.prompts[1] == backend.prompts[0] + written, "the planner goes on from what it wrote"
    assert Grammar(backend.grammars[1]).accepts(rest.removesuffix("<END_OF_PLAN>"))
    assert not Grammar(backend.grammars[1]).accepts('3. forward_email(["$1", "$2"], [], "", [])\n4. join()')


def test_the_step_that_moved_on_is_never_run(people):
    first = '1. look_up("Ann")\n2. message(["$1"], "hi")\n3. join()'
    rest = '2. look_up("Bo")\n3. message(["$1", "$2"], "hi")\n4. join()'
    asked = []
    agent = Agent(people, ScriptedBackend(responses=[first, rest]))
    run = agent.run("message Ann and Bo hi", NOW, consent=lambda t, args: asked.append((t.name, args)) or True)
    assert asked == [("message", [["ann@example.com", "bo@example.com"], "hi"])]
    assert run.rounds[0][0].resumed == 1 and run.rounds[0][1].ok


def test_resuming_is_bounded(people):
    first = '1. look_up("Ann")\n2. message(["$1"], "hi")\n3. join()'
    again = '2. message(["$1"], "hi")\n3. join()'  # a planner that ignores the grammar
    backend = ScriptedBackend(responses=[first] + [again] * 10)
    result = Agent(people, backend).plan("message Ann and Bo hi", NOW)
    assert result.resumed == MAX_RESUMES and result.ok
    assert len(backend.prompts) == MAX_RESUMES + 1


def test_no_grammar_no_resume(people):
    from tinyagent.config import Config

    first = '1. look_up("Ann")\n2. message(["$1"], "hi")\n3. join()'
    backend = ScriptedBackend(responses=[first])
    result = Agent(people, backend, Config(grammar=False)).plan("message Ann and Bo hi", NOW)
    assert result.ok and result.resumed == 0 and len(backend.prompts) == 1


def test_the_evaluation_counts_the_plans_it_wrote_a_lookup_into(people):
    from tinyagent.evaluate import evaluate

    first = '1. look_up("Ann")\n2. message(["$1"], "hi")\n3. join()'
    rest = '2. look_up("Bo")\n3. message(["$1", "$2"], "hi")\n4. join()'
    gold = '1. look_up("Ann")\n2. look_up("Bo")\n3. message(["$1", "$2"], "hi")\n4. join()'
    row = {"query": "message Ann and Bo hi", "now": "2026-12-02 14:00:00", "plan": gold}
    rep = evaluate(Agent(people, ScriptedBackend(responses=[first, rest, gold])), [row, row])
    assert rep.resumed_rate == 0.5 and rep.args_success == 1.0


@pytest.mark.parametrize(
    ("request_", "plan", "expected"),
    [
        (  # all three looked up, two written to
            "email Priya, Tomas and Greta that the offsite is confirmed",
            '1. get_email_address("Priya")\n2. get_email_address("Tomas")\n3. get_email_address("Greta")\n'
            '4. compose_new_email(["$1", "$2"], [], "", "the offsite is confirmed", [])',
            '4. compose_new_email(["$1", "$2", "$3"], [], "", "the offsite is confirmed", [])',
        ),
        (  # beside its nearest neighbour: the cc'd Ezra, not the recipient Hollis
            "email q3_report.pdf to Hollis and cc Ezra and Yasmin",
            '1. get_email_address("Hollis")\n2. get_email_address("Ezra")\n3. open_and_get_file_path("q3_report.pdf")\n'
            '4. get_email_address("Yasmin")\n5. compose_new_email(["$1"], ["$2"], "", "", ["$3"])',
            '5. compose_new_email(["$1"], ["$2", "$4"], "", "", ["$3"])',
        ),
        (  # a file before its neighbour goes before it
            "attach budget.xlsx and invoice.pdf to an email for Cormac",
            '1. get_email_address("Cormac")\n2. open_and_get_file_path("budget.xlsx")\n'
            '3. open_and_get_file_path("invoice.pdf")\n4. compose_new_email(["$1"], [], "", "", ["$3"])',
            '4. compose_new_email(["$1"], [], "", "", ["$2", "$3"])',
        ),
        (  # whole already
            "email Priya and Tomas hi",
            '1. get_email_address("Priya")\n2. get_email_address("Tomas")\n'
            '3. compose_new_email(["$1", "$2"], [], "", "hi", [])',
            None,
        ),
        (  # not listed together: the number is for the text that comes later
            "email Priya hi and text Tomas",
            '1. get_email_address("Priya")\n2. get_phone_number("Tomas")\n'
            '3. compose_new_email(["$1"], [], "", "hi", [])',
            None,
        ),
        (  # listed together but looked up by another tool: for another step
            "email and text Priya and Tomas hi",
            '1. get_email_address("Priya")\n2. get_phone_number("Tomas")\n'
            '3. compose_new_email(["$1"], [], "", "hi", [])',
            None,
        ),
    ],
)
def test_completed_puts_a_looked_up_item_in_the_list_beside_its_neighbour(assistant, request_, plan, expected):
    from tinyagent.coverage import completed
    from tinyagent.plan import render_step

    step = completed(request_, steps(plan), lookup_tools(assistant.tools.values()))
    assert (render_step(step) if step else None) == expected
    if step:
        assert set(step.deps) == {int(r[1:]) for a in step.args if isinstance(a, list) for r in a}


def test_the_agent_completes_a_list_and_the_planner_goes_on(people):
    first = '1. look_up("Ann")\n2. look_up("Bo")\n3. message(["$1"], "hi")\n4. join()'
    rest = '3. message(["$1", "$2"], "hi")\n4. join()'
    asked = []
    backend = ScriptedBackend(responses=[first, rest])
    run = Agent(people, backend).run("message Ann and Bo hi", NOW, consent=lambda t, a: asked.append(a) or True)
    assert asked == [[["ann@example.com", "bo@example.com"], "hi"]], "the short list never ran"
    assert run.rounds[0][0].resumed == 1
    assert Grammar(backend.grammars[1]).accepts(rest)
    assert not Grammar(backend.grammars[1]).accepts('3. message(["$1"], "hi")\n4. join()')


@pytest.mark.parametrize(
    "request_, value, expected",
    [
        ("email the team lead, Haruki, that the build is green", "the team lead", "Haruki"),
        ("I need to email the landlord, Mr. Haddad, that the heater is broken", "The Landlord", "Mr. Haddad"),
        ("email the new hire, Oskar, that his badge is ready", "the new", "Oskar"),  # the role cut short
        ("email the team lead, Haruki, about the standup", "Haruki", None),  # the name already
        ("email the team lead that the build is green", "the team lead", None),  # no name given
        ("text my sister, Eitan, Jordan and Chinedu that I'm late", "my sister", None),  # a list
        ("forward this to Tancredi and text him to read it", "him", "Tancredi"),  # whom a pronoun stands for
        ("look up Imogen's number and send her a text", "her", "Imogen"),
        ("Email Rufus and text him", "him", "Rufus"),  # the sentence's first word is its verb
        ("lunch with Ottavio at Zuni and text him", "him", "Ottavio"),  # not the place
        ("text Ana and Bo and tell them hi", "them", None),  # no one person
        ("text him hi", "him", None),  # no one said
        ("I promised Genevieve I'd send her the slides", "her", "Genevieve"),  # a name ends before "I'd"
        # a lowercase word looked up where a pronoun stands for a capitalized name
        ("forward this email to Tancredi and text him to read it", "read", "Tancredi"),
        ("remind me at 6 to call Eudora and text her now that I'll ring later", "later", "Eudora"),
        ("text lorcan and tell him hi", "lorcan", None),  # names written in lowercase: no one capitalized
        ("text Ana and tell her hi", "Ana", None),  # a name as written
        ("send a text to my colleague Evander", "my colleague Evander", "Evander"),  # the role said first
        ("email my team lead Dr. Okafor", "my team lead Dr. Okafor", "Dr. Okafor"),
        ("text my dad hi", "my dad", None),  # a role with no name
        ("email Sandro and copy in Beatrice", "in Beatrice", "Beatrice"),  # a preposition before it
    ],
)
def test_renamed_looks_up_the_name_a_role_is_given(assistant, request_, value, expected):
    from tinyagent.coverage import renamed
    from tinyagent.plan import Step

    step = renamed(request_, Step(1, "get_email_address", (value,)), lookup_tools(assistant.tools.values()))
    assert (step.args[0] if step else None) == expected
    assert renamed(request_, Step(1, "compose_new_email", (value,)), lookup_tools(assistant.tools.values())) is None


def test_renamed_keeps_a_word_whose_pronoun_was_looked_up_already(assistant):
    from tinyagent.coverage import renamed
    from tinyagent.plan import Step

    lookups = lookup_tools(assistant.tools.values())
    request = "text Ana and tell her to call bob"
    looked = Step(1, "get_phone_number", ("Ana",))
    assert renamed(request, Step(3, "get_phone_number", ("bob",)), lookups, [looked]) is None
    assert renamed(request, Step(1, "get_phone_number", ("bob",)), lookups).args == ("Ana",)  # no one looked up


def test_the_agent_looks_up_the_name_not_the_role(people):
    first = '1. look_up("the team lead")\n2. message(["$1"], "the build is green")\n3. join()'
    rest = '1. look_up("Haruki")\n2. message(["$1"], "the build is green")\n3. join()'
    asked = []
    backend = ScriptedBackend(responses=[first, rest])
    run = Agent(people, backend).run(
        "message the team lead, Haruki, that the build is green", NOW, consent=lambda t, a: asked.append(a) or True
    )
    assert asked == [[["haruki@example.com"], "the build is green"]], "the role was never looked up"
    assert run.rounds[0][0].resumed == 1 and run.rounds[0][0].plan.steps[0].args == ("Haruki",)
    assert backend.prompts[1] == backend.prompts[0], "the planner goes on from the name's lookup"
    assert Grammar(backend.grammars[1]).accepts(rest)
    assert not Grammar(backend.grammars[1]).accepts(first)


def test_feeds_are_read_from_the_packs_plans():
    from tinyagent.coverage import feeds

    fed = feeds(
        [
            '1. look_up("{person}")\n2. message(["$1"], "{text}")',
            '1. call_up("{person}")\n2. ring(["$1"])',
            "not a plan",
        ]
    )
    assert fed[("message", 0)] == {"look_up"} and fed[("ring", 0)] == {"call_up"} and fed[("message", 1)] == set()


def test_feeds_read_what_a_chain_takes_from_its_producers():
    from tinyagent.coverage import feeds
    from tinyagent.plugins import Chain, TaskTemplate

    plan = '1. look_up("{person}")\n2. message(["$1"], "{it}")'
    chain = Chain(("link",), ("text {it} to {person}",), plan, {"person": "person"})
    link = '1. meeting_link("call", "{when}", {when.minutes})'  # a duration: a plan that does not parse
    text = '1. look_up("{person}")\n2. message(["$1"], "{text}")'
    templates = [
        TaskTemplate("meet", ("a call {when}",), link, {"when": "datetime"}, produces="link", nouns=("the link",)),
        TaskTemplate("text", ("text {person} {text}",), text, {"person": "person", "text": "text"}, chains=(chain,)),
    ]
    fed = feeds([t.plan for t in templates], templates)
    assert fed[("message", 1)] == {"meeting_link"} and fed[("message", 0)] == {"look_up"}


@pytest.mark.parametrize(
    "plan, expected",
    [
        (  # texted the address: the number of the same person was looked up, so it takes that
            '1. get_phone_number("Imogen")\n2. get_email_address("Imogen")\n3. send_sms(["$2"], "hi")',
            '3. send_sms(["$1"], "hi")',
        ),
        (  # no number looked up: the lookup comes first
            '1. get_email_address("Yosef")\n2. send_sms(["$1"], "hi")',
            '2. get_phone_number("Yosef")',
        ),
        ('1. get_phone_number("Ana")\n2. send_sms(["$1"], "hi")', None),  # the right kind
        ('1. maps_open_location("Nopa")\n2. get_phone_number("Bo")\n3. send_sms(["$2"], "$1")', None),  # a body
        (  # a message that took a looked-up number: the one earlier result a message takes that nothing uses
            '1. get_zoom_meeting_link("sync", "", 60, [])\n2. get_phone_number("Bo")\n3. get_phone_number("Cy")\n'
            '4. send_sms(["$2", "$3"], "$3")',
            '4. send_sms(["$2", "$3"], "$1")',
        ),
        (  # the number texted to its own owner: the message takes the link
            '1. get_zoom_meeting_link("sync", "", 60, [])\n2. get_phone_number("Bo")\n3. send_sms(["$2"], "$2")',
            '3. send_sms(["$2"], "$1")',
        ),
        (  # every such result used already: the one product, sent on a second time (dev batch 37)
            '1. get_zoom_meeting_link("sync", "", 60, [])\n2. get_phone_number("Bo")\n3. send_sms(["$2"], "$1")\n'
            '4. get_phone_number("Cy")\n5. send_sms(["$4"], "$4")',
            '5. send_sms(["$4"], "$1")',
        ),
        (  # two such results: which one is not for this step to guess, nor is a message looked up
            '1. get_zoom_meeting_link("sync", "", 60, [])\n2. maps_open_location("Zuni")\n'
            '3. get_phone_number("Bo")\n4. send_sms(["$3"], "$3")',
            None,
        ),
    ],
)
def test_retyped_gives_a_step_the_lookup_its_parameter_takes(assistant, plan, expected):
    from tinyagent.coverage import retyped
    from tinyagent.plan import render_step

    fed = {  # a message may be a looked-up number ("text Ana Bo's number")
        ("send_sms", 0): frozenset({"get_phone_number"}),
        ("send_sms", 1): frozenset({"maps_open_location", "get_zoom_meeting_link", "get_phone_number"}),
    }
    step = retyped(steps(plan), lookup_tools(assistant.tools.values()), fed)
    assert (render_step(step) if step else None) == expected


def test_the_agent_texts_the_number_not_the_address(assistant):
    written = '1. get_phone_number("Imogen")\n2. get_email_address("Imogen")\n'
    first = written + '3. send_sms(["$2"], "check your inbox")\n4. join()'
    rest = '3. send_sms(["$1"], "check your inbox")\n4. join()'
    backend = ScriptedBackend(responses=[first, rest], chunk=7)
    result = Agent(assistant, backend).plan("look up Imogen's number and email and text her check your inbox", NOW)
    assert result.ok and result.resumed == 1 and result.plan.steps[2].args[0] == ["$1"]
    assert backend.prompts[1] == backend.prompts[0] + written, "the planner goes on from what it wrote"
    assert Grammar(backend.grammars[1]).accepts(rest)
    assert not Grammar(backend.grammars[1]).accepts('3. send_sms(["$2"], "check your inbox")\n4. join()')


@pytest.mark.parametrize(
    "request_, value, expected",
    [
        ("show me how to get to his place at 12 Elm Street", "his place", "12 Elm Street"),
        ("directions to the office at 500 Howard St", "the office", "500 Howard St"),
        ("directions to the office at 9 Monday", "the office", None),  # a time
        ("directions to the office at 9am", "the office", None),
        ("directions to Costco at 12 Elm Street", "Costco", None),  # a name, not a description
    ],
)
def test_placed_takes_the_address_a_described_place_is_given(assistant, request_, value, expected):
    from tinyagent.coverage import placed
    from tinyagent.plan import Step

    step = placed(request_, Step(1, "maps_show_directions", ("", value, "d")), assistant.tools)
    assert (step.args[1] if step else None) == expected


def test_referred_takes_what_an_earlier_step_named(assistant):
    from tinyagent.coverage import referred

    plan = '1. open_note("Groceries", "")\n2. append_note_content("it", "almond milk", "")'
    assert referred(steps(plan), assistant.tools).args == ("Groceries", "almond milk", "")
    assert (
        referred(steps('1. open_note("Groceries", "")\n2. append_note_content("Todo", "it", "")'), assistant.tools)
        is None
    )
    assert referred(steps('1. append_note_content("it", "milk", "")'), assistant.tools) is None  # nothing named


def test_repeated_sends_the_message_an_earlier_step_wrote(assistant):
    from tinyagent.coverage import repeated

    mail = '1. get_email_address("Dora")\n2. compose_new_email(["$1"], [], "", "the cabin is booked", [])\n'
    plan = mail + '3. get_phone_number("Sly")\n4. send_sms(["$3"], "the same")'
    assert repeated(steps(plan), assistant.tools).args == (["$3"], "the cabin is booked")
    plan = mail + '3. get_phone_number("Sly")\n4. send_sms(["$3"], "the same time works")'
    assert repeated(steps(plan), assistant.tools) is None  # a message of its own
    assert repeated(steps('1. get_phone_number("Sly")\n2. send_sms(["$1"], "same thing")'), assistant.tools) is None


@pytest.mark.parametrize(
    "request_, plan, expected",
    [
        (  # the words that say how it goes
            "write to Seraphine with the subject Keys and tell her the spare set is here",
            '1. get_email_address("Seraphine")\n'
            '2. compose_new_email(["$1"], [], "Keys", "tell her the spare set is here", [])',
            ("Keys", "the spare set is here"),
        ),
        (  # whom it goes to: a looked-up name, and the subject written as the same words
            "email the new hire, Oskar, that his badge is ready",
            '1. get_email_address("Oskar")\n2. compose_new_email(["$1"], [], "Oskar, that his badge is ready", '
            '"Oskar, that his badge is ready", [])',
            ("his badge is ready", "his badge is ready"),
        ),
        ("txt 415 555 0123 im here", '1. send_sms(["415 555 0123"], "txt 415 555 0123 im here")', ("im here",)),
        (  # how it goes, said after whom or first
            "tell Marguerite via text the kids are asleep",
            '1. get_phone_number("Marguerite")\n2. send_sms(["$1"], "tell marguerite via text the kids are asleep")',
            ("the kids are asleep",),
        ),
        (
            "tell Gianni via text to bring the cooler",
            '1. get_phone_number("Gianni")\n2. send_sms(["$1"], "via text to bring the cooler")',
            ("bring the cooler",),
        ),
        (
            "reply to that email with sounds great",
            '1. reply_to_email([], "email with sounds great", [])',
            ("sounds great",),
        ),
        (  # "that" after the verb it completes
            "Ottilie needs to know that the flight lands at 6:40. Can you text her?",
            '1. get_phone_number("Ottilie")\n2. send_sms(["$1"], "that the flight lands at 6:40")',
            ("the flight lands at 6:40",),
        ),
        (  # a clause that goes on with "and" and a verb of its subject
            "email Gwendolyn that I'm sick today and won't be in",
            '1. get_email_address("Gwendolyn")\n2. compose_new_email(["$1"], [], "", "I\'m sick today", [])',
            ("I'm sick today and won't be in",),
        ),
        (  # another request
            "text Bo thanks for today and can you summarize notes.pdf",
            '1. get_phone_number("Bo")\n2. send_sms(["$1"], "thanks for today")',
            None,
        ),
        (  # a greeting is the message's
            "Email the quarterly report to Marcus",
            '1. get_email_address("Marcus")\n'
            '2. compose_new_email(["$1"], [], "Quarterly report", "Hi Marcus, here is the report.", [])',
            None,
        ),
        ("text Ana: that works", '1. get_phone_number("Ana")\n2. send_sms(["$1"], "that works")', None),  # the text
        (
            "email Ana that dinner is at 7",
            '1. get_email_address("Ana")\n2. compose_new_email(["$1"], [], "dinner", "dinner is at 7", [])',
            None,
        ),
        ("text Ana tell mom I said hi", '1. get_phone_number("Ana")\n2. send_sms(["$1"], "tell mom I said hi")', None),
        (  # what "tell him to" asks (dev batch thirty-seven)
            "text Rodrigo and tell him to start without me",
            '1. get_phone_number("Rodrigo")\n2. send_sms(["$1"], "to start without me")',
            ("start without me",),
        ),
        ("text Ana I want to go", '1. get_phone_number("Ana")\n2. send_sms(["$1"], "to go")', None),  # not told
        (
            "reply with a.pdf",
            '1. open_and_get_file_path("a.pdf")\n2. reply_to_email([], "Please find a.pdf attached.", ["$1"])',
            None,
        ),
    ],
)
def test_trimmed_cuts_a_message_to_what_is_sent(assistant, request_, plan, expected):
    from tinyagent.coverage import trimmed

    step = trimmed(request_, steps(plan), assistant.tools)
    texts = tuple(a for a in step.args if isinstance(a, str) and a and not a.startswith("$")) if step else None
    assert texts == expected


def test_the_agent_sends_the_message_without_its_cue(assistant):
    written = '1. get_phone_number("Ida")\n'
    first = written + '2. send_sms(["$1"], "tell her the gate code is 4410")\n3. join()'
    rest = '2. send_sms(["$1"], "the gate code is 4410")\n3. join()'
    backend = ScriptedBackend(responses=[first, rest], chunk=6)
    result = Agent(assistant, backend).plan("text Ida and tell her the gate code is 4410", NOW)
    assert result.ok and result.resumed == 1 and result.plan.steps[1].args[1] == "the gate code is 4410"
    assert Grammar(backend.grammars[1]).accepts(rest)
    assert not Grammar(backend.grammars[1]).accepts(first.removeprefix(written))


def _fed(assistant):
    return Agent(assistant, ScriptedBackend(responses=["1. join()"]))._fed


@pytest.mark.parametrize(
    "request_, plan, expected",
    [
        (
            "Reply to that email saying I'll send the draft by Thursday and attach notes.docx",
            '1. reply_to_email([], "I\'ll send the draft by Thursday", [])',
            Missed("open_and_get_file_path", ("notes.docx",)),
        ),
        (  # the step names the file itself
            "email Bo agenda.docx",
            '1. get_email_address("Bo")\n2. compose_new_email(["$1"], [], "agenda.docx", "", [])',
            Missed("open_and_get_file_path", ("agenda.docx",)),
        ),
        (  # another step's file
            "forward this to Ana, then share notes.pdf with Bo by email",
            '1. get_email_address("Ana")\n2. forward_email(["$1"], [], "", [])',
            None,
        ),
        (  # opened, not sent
            "find Yael's email and forward them this and pull up kitchen.numbers",
            '1. get_email_address("Yael")\n2. forward_email(["$1"], [], "", [])',
            None,
        ),
        (  # looked up already: attached() puts it in
            "reply ok and attach notes.docx",
            '1. open_and_get_file_path("notes.docx")\n2. reply_to_email([], "ok", [])',
            None,
        ),
    ],
)
def test_unopened_looks_up_the_file_a_step_goes_with(assistant, request_, plan, expected):
    from tinyagent.coverage import unopened

    assert unopened(request_, steps(plan), lookup_tools(assistant.tools.values()), _fed(assistant)) == expected


def test_attached_puts_the_looked_up_file_in(assistant):
    from tinyagent.coverage import attached
    from tinyagent.plan import render_step

    lookups, fed = lookup_tools(assistant.tools.values()), _fed(assistant)
    request_ = "find Octavian's email and send him agenda.docx saying the agenda is attached"
    plan = '1. get_email_address("Octavian")\n2. open_and_get_file_path("agenda.docx")\n'
    step = attached(
        request_, steps(plan + '3. compose_new_email(["$1"], [], "agenda.docx", "the agenda", [])'), lookups, fed
    )
    assert render_step(step) == '3. compose_new_email(["$1"], [], "agenda.docx", "the agenda", ["$2"])'
    done = plan + '3. compose_new_email(["$1"], [], "agenda.docx", "the agenda", ["$2"])'
    assert attached(request_, steps(done), lookups, fed) is None
    opened = "open notes.pdf and email Bo that I'm late"
    plan = '1. open_and_get_file_path("notes.pdf")\n2. get_email_address("Bo")\n'
    assert attached(opened, steps(plan + '3. compose_new_email(["$2"], [], "", "I\'m late", [])'), lookups, fed) is None


def test_the_agent_attaches_the_file_the_reply_goes_with(assistant):
    first = '1. reply_to_email([], "I\'ll send the draft by Thursday", [])\n2. join()'
    opened = '1. open_and_get_file_path("notes.docx")\n2. reply_to_email([], "I\'ll send the draft by Thursday", [])'
    rest = '2. reply_to_email([], "I\'ll send the draft by Thursday", ["$1"])\n3. join()'
    backend = ScriptedBackend(responses=[first, opened, rest], chunk=9)
    asked = []
    run = Agent(assistant, backend).run(
        "Reply to that email saying I'll send the draft by Thursday and attach notes.docx",
        NOW,
        consent=lambda t, a: asked.append((t.name, a)) or False,
    )
    result = run.rounds[0][0]
    assert result.resumed == 2, "the file looked up first, then put in the reply"
    assert [s.tool for s in result.plan.steps] == ["open_and_get_file_path", "reply_to_email"]
    assert result.plan.steps[1].args[2] == ["$1"]
    assert ("reply_to_email", [[], "I'll send the draft by Thursday", []]) not in asked, "held back, never run"
    assert Grammar(backend.grammars[1]).accepts(opened + "\n3. join()") and not Grammar(backend.grammars[1]).accepts(
        first
    )
    assert Grammar(backend.grammars[2]).accepts(rest)


@pytest.mark.parametrize(
    "request_, expected",
    [
        ("email Seraphina deck_v4.key and tell her to check slide 9", "check slide 9"),
        ("pls email my boss Seraphina the deck_v4.key and tell her they're final", "they're final"),
        ("send deck_v4.key to Seraphina, saying it is the last one", "it is the last one"),
        ("email Seraphina deck_v4.key", None),  # nothing told
        ("email Seraphina deck_v4.key and tell Bo by text it is done", None),  # told another way
        ("email Seraphina deck_v4.key and tell Bo it is done", None),  # told someone else
        ("email Seraphina deck_v4.key. Also text Bo saying hi", None),  # another request's message
        ("email Seraphina deck_v4.key and add a note Slides saying v4 is out", None),
    ],
)
def test_told_sends_the_message_the_request_gives_with_a_file(assistant, request_, expected):
    from tinyagent.coverage import told

    plan = (
        '1. open_and_get_file_path("deck_v4.key")\n2. get_email_address("Seraphina")\n'
        '3. compose_new_email(["$2"], [], "deck_v4.key", "Please find deck_v4.key attached.", ["$1"])'
    )
    step = told(request_, steps(plan), assistant.tools)
    assert (step.args[3] if step else None) == expected
    said = '3. compose_new_email(["$2"], [], "deck_v4.key", "check slide 9", ["$1"])'  # a message of its own
    assert told(request_, steps(plan.rsplit("\n", 1)[0] + "\n" + said), assistant.tools) is None


def test_labelled_moves_a_labelled_value_to_its_parameter(assistant):
    from tinyagent.coverage import labelled
    from tinyagent.plan import Step

    def step(name, list_name):
        return Step(1, "create_reminder", (name, "2026-12-03 15:00:00", "", list_name, 0, False))

    assert labelled(step("dentist, list Health", "for"), assistant.tools).args[::3] == ("dentist", "Health")
    assert labelled(step("put the bins out, list Chores", ""), assistant.tools).args[::3] == (
        "put the bins out",
        "Chores",
    )
    assert labelled(step("dentist, list Health", "Work"), assistant.tools) is None  # a list of its own
    assert labelled(step("buy eggs, milk and flour", ""), assistant.tools) is None  # no parameter's label


@pytest.mark.parametrize(
    "request_, plan, expected",
    [
        (
            "email Ignacio the numbers.xlsx, subject Q4 numbers",
            '1. get_email_address("Ignacio")\n2. open_and_get_file_path("numbers.xlsx")\n'
            '3. compose_new_email(["$1"], [], "numbers.xlsx", "Please find numbers.xlsx attached.", ["$2"])',
            "Q4 numbers",
        ),
        (  # an empty list, a time between
            "remind me to call the vet at noon tomorrow, list Pets",
            '1. create_reminder("call the vet", "2026-12-03 12:00:00", "", "", 0, False)',
            "Pets",
        ),
        (  # the label is a later e-mail's
            "text Bo the link and email Ivan saying thanks, subject Groceries",
            '1. get_email_address("Bo")\n2. compose_new_email(["$1"], [], "the link", "hi", [])',
            None,
        ),
        (  # held already: a piece of what it labels
            "email Ana saying hi, subject line Keys",
            '1. get_email_address("Ana")\n2. compose_new_email(["$1"], [], "Keys", "hi", [])',
            None,
        ),
        (  # said twice: which one is not for this step to guess
            "email Ana, subject A, and Bo, subject B",
            '1. get_email_address("Ana")\n2. compose_new_email(["$1"], [], "A", "hi", [])',
            None,
        ),
        (  # no parameter of that name
            "text Ana the plan, message Bo",
            '1. get_phone_number("Ana")\n2. send_sms(["$1"], "the plan")',
            None,
        ),
    ],
)
def test_stated_gives_a_parameter_the_value_the_request_labels_with_its_name(assistant, request_, plan, expected):
    from tinyagent.coverage import stated

    found = stated(request_, steps(plan), assistant.tools)
    got = [a for a, b in zip(found.args, steps(plan)[-1].args, strict=True) if a != b] if found else None
    assert got == ([expected] if expected else None)


@pytest.mark.parametrize(
    "plan, expected",
    [
        (  # the event takes the zoom's link: it invites whom the zoom invites (dev batch thirty-four)
            '1. get_email_address("Evadne")\n2. get_email_address("Tobin")\n'
            '3. get_zoom_meeting_link("sync", "2026-12-07 15:00:00", 60, ["$1", "$2"])\n'
            '4. create_calendar_event("sync", "2026-12-07 15:00:00", "2026-12-07 16:00:00", "", ["$1"], "$3", None)',
            ["$1", "$2"],
        ),
        (  # all of them already
            '1. get_email_address("Ana")\n2. get_zoom_meeting_link("sync", "", 60, ["$1"])\n'
            '3. create_calendar_event("sync", "", "", "", ["$1"], "$2", None)',
            None,
        ),
        (  # an e-mail of the link goes to whom the request says, and no meeting is referenced here
            '1. get_email_address("Ana")\n2. get_email_address("Bo")\n'
            '3. create_calendar_event("sync", "", "", "", ["$1"], "", None)',
            None,
        ),
    ],
)
def test_invited_invites_whom_the_meeting_it_takes_invites(assistant, plan, expected):
    from tinyagent.coverage import invited

    found = invited(steps(plan), assistant.tools)
    assert (found.args[4] if found else None) == expected
    if found:
        assert set(found.deps) == {1, 2, 3}


def test_whole_name_takes_a_place_with_its_capitals(assistant):
    """The grammar lets a word's first letter change: "Green apple" of "at Green Apple Books" (dev batch 37)."""
    from tinyagent.coverage import whole_name
    from tinyagent.plan import Step

    def place(request_, value):
        step = Step(1, "create_calendar_event", ("Book club", "", "", value, [], "", None))
        found = whole_name(request_, step, assistant.tools)
        return found.args[3] if found else None

    assert place("Book club at Green Apple Books on Saturday 4-6pm", "Green apple") == "Green Apple Books"
    assert place("Book club at Green Apple Books on Saturday", "Green Apple") is None  # as said: its own span
    assert place("lunch at the Nopa Monday", "the nopa") == "the Nopa"  # not a day
    assert place("dinner at Zuni Cafe Many thanks", "zuni cafe") == "Zuni Cafe"  # nor a courtesy


@pytest.mark.parametrize(
    "request_, title, expected",
    [
        ("book a 45 min call with Tobias and Elif on Tuesday at 3pm about onboarding", "call", "onboarding"),
        ("set up a call with Tomasz on thursday 11am re: contract, 30 mins", "call", "contract"),
        ("schedule a call with Leopold on Tuesday from 4 to 4:45 pm titled Roadmap review", "call", "Roadmap review"),
        ("a meeting with minh about meeting the day after tomorrow", "meeting", None),  # up to the time: the same
        ("lunch with Ana at noon", "lunch", None),  # no topic
        ("a run with Bo at 7 and set up a zoom with Cy about X", "run", None),  # another request's topic
        ("a gym with Bruno at 3, create a note named Spoken", "gym", None),
        ("book the dentist about my crown", "dentist", None),  # no kind of meeting "with" anyone
        ("a call with Ana about the budget", "the budget", None),  # titled already
        ("schedule a call with Mrs. Fairweather for Monday at 9:30 about the renovation", "call", "the renovation"),
    ],
)
def test_topical_titles_a_meeting_by_its_topic(assistant, request_, title, expected):
    from tinyagent.coverage import topical
    from tinyagent.plan import Step

    found = topical(request_, Step(1, "create_calendar_event", (title, "", "", "", [], "", None)), assistant.tools)
    assert (found.args[0] if found else None) == expected


@pytest.mark.parametrize(
    "request_, step, expected",
    [
        ("pull up my Christmas list note", ("open_note", ("Christmas", "")), "Christmas list"),
        ("append 'call plumber' to Home todo note", ("append_note_content", ("Home", "call plumber", "")), "Home todo"),
        ("open my Groceries note", ("open_note", ("Groceries", "")), None),  # whole already
        ("add milk to the Shopping note in my Home folder", ("open_note", ("Shopping", "")), None),
        ("open note Wishlist, then add socks to the Wishlist 12 note", ("open_note", ("Wishlist", "")), None),
        ("share notes.pdf with Ama by email", ("get_email_address", ("Ama",)), None),  # a person
        (
            "Put 'Flight to Lisbon' in my calendar",
            ("create_calendar_event", ("Flight", "", "", "", [], "", None)),
            "Flight to Lisbon",
        ),  # cut inside quotes: taken to the closing quote
        ('add a note "Mom\'s party" in Home', ("create_note", ("Mom", "", "Home")), "Mom's party"),
        (
            "walk from the Legion of Honor to the beach",
            ("maps_show_directions", ("the Legion", "the beach", "w")),
            "the Legion of Honor",
        ),
        (
            "walk from Honor to the Legion of Honor",
            ("maps_show_directions", ("Honor", "the beach", "w")),
            None,
        ),  # said twice
        ("Put 'Flight' in my calendar", ("create_calendar_event", ("Flight", "", "", "", [], "", None)), None),
        ("text 'Al' about Al Green tickets", ("create_note", ("Al", "", "")), None),  # said again, unquoted
    ],
)
def test_whole_name_takes_the_name_up_to_its_noun(assistant, request_, step, expected):
    from tinyagent.coverage import whole_name
    from tinyagent.plan import Step

    found = whole_name(request_, Step(1, *step), assistant.tools)
    assert (found.args[0] if found else None) == expected


def test_a_script_resumed_goes_on_with_its_own_lines(assistant):
    # the scripted backend follows no grammar: a step the agent would rewrite comes back as scripted,
    # and the plan completes as written instead of repeating its first lines
    plan = '1. get_phone_number("Ida")\n2. send_sms(["$1"], "tell her the code is 4410")\n3. join()<END_OF_PLAN>'
    backend = ScriptedBackend(script={"text Ida and tell her the code is 4410": plan})
    result = Agent(assistant, backend).plan("text Ida and tell her the code is 4410", NOW)
    assert result.ok and [s.tool for s in result.plan.steps] == ["get_phone_number", "send_sms"]
    assert all(p.endswith('1. get_phone_number("Ida")\n') for p in backend.prompts[1:])
