from __future__ import annotations

from datetime import datetime

import pytest

from tinyagent.agent import Agent
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.shorthand import as_written, expanded

NOW = datetime(2026, 12, 2, 14, 0)


@pytest.mark.parametrize(
    "said, heard",
    [
        ("mtg w/ Kasimir thu 2-3pm", "meeting with Kasimir thu 2-3pm"),
        ("put dinner w Florentyna on my cal sat 8pm", "put dinner with Florentyna on my calendar sat 8pm"),
        ("add buy batteries 2 my Errands note", "add buy batteries to my Errands note"),
        ("txt Mirela n Jonah: bbq @ 5", "text Mirela and Jonah: bbq @ 5"),
        ("add 2 eggs to my list", "add 2 eggs to my list"),  # a number stays
        ("email jo@w.com w/ notes_n.pdf", "email jo@w.com with notes_n.pdf"),  # inside a word: never
        ("Meet W at 5 & bring the Txt files", "Meet W at 5 & bring the Txt files"),  # capitals, symbols: as said
        ("how r u", "how r you"),
        ("a meeting regarding the budget", "a meeting about the budget"),  # a word the training data lacks
    ],
)
def test_shorthand_is_read_in_full(said, heard):
    assert expanded(said) == heard


def test_copied_words_get_their_short_forms_back():
    said = "txt dmitri cant make it tnite w/ the kids sry"
    assert as_written("cant make it tonight with the kids sry", said) == "cant make it tnite w/ the kids sry"
    assert as_written("Cant make it tonight", said) == "Cant make it tnite", "the planner's first capital stays"
    assert as_written("dmitri", said) == "dmitri" and as_written(["$1", "dmitri"], said) == ["$1", "dmitri"]
    assert as_written("meeting", "mtg w/ Kasimir") == "mtg" and as_written(30, "mtg") == 30
    assert as_written("not in it", said) == "not in it"


def test_the_planner_reads_shorthand_in_full_and_the_message_goes_as_written(registry):
    plan = '1. get_phone_number("Dmitri")\n2. send_sms(["$1"], "cant make it tonight, with kids")\n3. join()'
    backend = ScriptedBackend(responses=[plan])
    asked = []
    run = Agent(registry, backend).run(
        "TXT DMITRI CANT MAKE IT TNITE, W KIDS", NOW, consent=lambda t, a: asked.append(a) or True
    )
    assert "text dmitri cant make it tonight, with kids" in backend.prompts[0]
    result = run.rounds[0][0]
    assert [s.args for s in result.plan.steps] == [("DMITRI",), (["$1"], "CANT MAKE IT TNITE, W KIDS")]
    assert asked == [[["+1 555 0100"], "CANT MAKE IT TNITE, W KIDS"]], "capitals and short forms as written"
