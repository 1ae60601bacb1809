from __future__ import annotations

from datetime import datetime

from tinyagent.agent import Agent
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.capitals import as_written, lowered, shouted

NOW = datetime(2026, 12, 2, 14, 0)


def test_only_a_request_with_no_lowercase_letter_is_shouted():
    assert shouted("TEXT MOM IM HOME") and shouted("OPEN Q3_FINAL.PDF, 9AM!")
    assert not shouted("email BOB that the API is down") and not shouted("123 ...")
    assert lowered("TEXT MOM") == "text mom" and lowered("email BOB") == "email BOB"
    assert len(lowered("İSTANBUL TRIP")) == len("İSTANBUL TRIP"), "positions stay"


def test_copied_words_get_their_capitals_back():
    text = "EMAIL SLIDES_FINAL.PPTX TO MOM: IM HOME"
    assert as_written("im home", text) == "IM HOME"
    assert as_written("Mom", text) == "MOM"
    assert as_written("Please find slides_final.pptx attached.", text) == "Please find SLIDES_FINAL.PPTX attached."
    assert as_written(["$1", "mom"], text) == ["$1", "MOM"]
    assert as_written(60, text) == 60 and as_written(None, text) is None


def test_a_request_in_capitals_is_planned_in_lowercase_and_written_back(registry):
    backend = ScriptedBackend(responses=['1. get_phone_number("maria")\n2. send_sms(["$1"], "im home")\n3. join()'])
    asked = []
    run = Agent(registry, backend).run("TEXT MARIA IM HOME", NOW, consent=lambda t, a: asked.append(a) or True)
    assert "text maria im home" in backend.prompts[0] and "TEXT MARIA" not in backend.prompts[0]
    result = run.rounds[0][0]
    assert [s.args for s in result.plan.steps] == [("MARIA",), (["$1"], "IM HOME")]
    assert 'send_sms(["$1"], "IM HOME")' in result.text
    assert asked == [[["+1 555 0100"], "IM HOME"]], "the message is sent as written"
