from __future__ import annotations

from datetime import datetime

import pytest

from tinyagent.agent import Agent
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.retract import plainly, request_starts, take_back, without_fillers

STARTS = request_starts(["text {person} that {text}", "email {person}: {text}", "walk to {place}", "I need {x}"])


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("directions to the office by car, no wait, by train", "directions to the office by train"),
        ("text Yara... sorry, email Yara that the keys are here", "email Yara that the keys are here"),
        ("drive... actually walk to the farmers market", "walk to the farmers market"),
        ("email Bo the report… I mean the summary", "email Bo the summary"),
        ("text Ana at 5 - I mean at 6: on my way", "text Ana at 6: on my way"),
        ("text Al... no wait, email Al... sorry, text Al: hi", "text Al: hi"),  # every correction, in order
        ("text Anselm, sorry, I mean Florian: the game is at 6", "text Florian: the game is at 6"),  # a name
        ("Text Ana, I mean Dr. Bo: hi", "Text Dr. Bo: hi"),
        ("email Quentin, no wait, text him: the meeting is off", "text Quentin: the meeting is off"),  # him: Quentin
        ("text Lucian, actually no, email him: it's signed", "email Lucian: it's signed"),
        ("text Ana and Bo, no wait, email them: hi", "email Ana and Bo: hi"),
        ("email Ana, no wait, text Bo and tell him hi", "text Bo and tell him hi"),  # a person of its own
        ("directions to the zoo by car, no, by bus", "directions to the zoo by bus"),  # ", no," at a repeated word
        ("remind me to call Ines at 5, no wait, 6pm", "remind me to call Ines at 6pm"),  # a time for a time
        ("dinner tomorrow, no wait, Friday at 7 with Ana", "dinner Friday at 7 with Ana"),
        ("call Bo at 5, no, 6pm", "call Bo at 6pm"),
        ("directions to Stinson Beach by car, no wait, walking", "directions to Stinson Beach by walking"),  # one word
        ("remind me to buy milk, I mean eggs", "remind me to buy eggs"),
        ("directions to the library by bus, actually no, walking", "directions to the library by walking"),
        ("remind me at 3, no make that 4, to move the car", "remind me at 4, to move the car"),  # and the rest
    ],
)
def test_a_correction_replaces_what_it_corrects(said, meant):
    assert take_back(said, STARTS) == meant


@pytest.mark.parametrize(
    "said",
    [
        "tell Bob the film was... actually great",  # "great" neither repeats a word nor starts a request
        "text Bob, no, I can't come",  # a comma and "no" begin messages
        "text Bob, no, Ana isn't coming",  # nor does ", no," swap a name or restart
        "text Bob, no, 6pm is fine",  # a time after the marker replaces only a time said before it
        "text Bob, no, email is fine",
        "text Ana, I mean I'll be late",  # "I" is no name
        "text Ana: I'm... actually I need a minute",  # "I" starts messages too: never a restart
        "email Kim, actually, the deck is fine",
        "remind me to say sorry, no wait is too long",
        "text Jo... sorry",  # nothing after the marker
        "text Jo, I mean ",
    ],
)
def test_anything_else_is_left_as_said(said):
    assert take_back(said, STARTS) == said


@pytest.mark.parametrize(
    "said, meant",
    [
        ("um, remind me to, uh, call the plumber tomorrow morning", "remind me to call the plumber tomorrow morning"),
        ("Uhh remind me to, erm, water the plants", "remind me to water the plants"),
        ("text Bo: hmm not sure, umm", "text Bo: not sure"),
        ("drive to UH and email Uhura and Umberto", "drive to UH and email Uhura and Umberto"),  # names stay
    ],
)
def test_fillers_are_dropped_with_their_commas(said, meant):
    assert without_fillers(said) == meant


@pytest.mark.parametrize(
    "said, meant",
    [
        (
            "Good morning! Would you be so kind as to email Mrs. Abernathy the report?",
            "could you please email Mrs. Abernathy the report?",
        ),
        ("I'd really appreciate it if you could text Bo hi", "could you please text Bo hi"),
        (
            "Good afternoon, I was wondering whether you might be able to text Evander",
            "could you please text Evander",
        ),
        ("I was wondering if you could text Bo hi", "I was wondering if you could text Bo hi"),  # trained
        ("hey siri, text my wife I'm close", "text my wife I'm close"),
        ("Thanks. Would it be possible to move it to 5?", "Thanks. could you please move it to 5?"),
        ("text Ana: would you be able to come?", "text Ana: would you be able to come?"),  # her words
        ("hey, text Bo hi", "hey, text Bo hi"),  # a greeting the planner was trained on
        ("Hello there, could you please text Bo", "Hello there, could you please text Bo"),
        (  # after a greeting the planner was trained on, which stays (dev batch thirty-eight)
            "Hi there, would you be so kind as to email my landlord Mr. Abernathy",
            "Hi there, could you please email my landlord Mr. Abernathy",
        ),
        ("Good morning", "Good morning"),  # nothing after it: nothing to drop
        ("what's the quickest way to get to Berkeley by BART", "how do I get to Berkeley by BART"),
        ("text Bo: what's the best way to get to yours?", "text Bo: what's the best way to get to yours?"),
    ],
)
def test_courtesy_is_put_plainly(said, meant):
    assert plainly(said) == meant


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("Would you mind setting up a meeting with Ana", "could you please set up a meeting with Ana"),
        ("would you mind scheduling a call", "could you please schedule a call"),  # the "e" back
        ("Thanks! Do you mind texting Bo hi", "Thanks! could you please text Bo hi"),
        ("would you mind if I call", "would you mind if I call"),  # no verb after it
        ("would you mind singing", "would you mind singing"),  # no request starts with "sing"
        ("text Ana, would you mind picking up milk", "text Ana, would you mind picking up milk"),  # her words
    ],
)
def test_would_you_mind_reads_as_the_request_it_asks(said, meant):
    starts = request_starts(["set up {x}", "schedule {x}", "text {person} {text}", "pick up {x}"])
    assert plainly(said, starts) == meant


def test_only_words_that_begin_requests_restart_one():
    assert STARTS == {"text", "email", "walk"}  # "I" begins messages as well, a slot begins nothing


def test_the_agent_plans_the_request_as_meant(home, monkeypatch):
    """The prompt, Tool RAG and the grammar read the corrected request; the result keeps what was said."""
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    meant = "email Yara that the keys are under the mat"
    plan = '1. get_email_address("Yara")\n2. compose_new_email(["$1"], [], "keys", "the keys are under the mat", [])\n'
    backend = ScriptedBackend(script={meant: [plan + "3. join()<END_OF_PLAN>"]})
    agent = Agent(load_registry(get_plugin_manager()), backend)
    said = "um, text Yara... sorry, " + meant
    result = agent.plan(said, datetime(2026, 11, 24, 10, 30))
    assert result.query == said and not result.issues and result.plan is not None
    assert result.plan.tools == ["get_email_address", "compose_new_email"]
    assert backend.prompts[0].split("Question: ")[-1] == meant + "\n", "the correction and the filler are gone"
