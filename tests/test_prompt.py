from __future__ import annotations

from datetime import datetime

from tinyagent.agent import AllTools
from tinyagent.prompt import build_prompt


def test_prompt_structure(registry):
    sel = AllTools(registry).select("x")
    prompt = build_prompt(
        "Text Maria",
        sel.tools,
        now=datetime(2026, 1, 2, 3, 4, 5),
        rules=sel.rules,
        examples=sel.examples,
        instructions="Prefer short messages.",
    )
    n = len(sel.tools)
    assert prompt.startswith("Given a user query, create a plan")
    assert f"following {n + 1} types" in prompt
    assert "1. get_phone_number(name: str) -> str\n - Look up a contact's phone number." in prompt
    assert " - name: the contact's name" in prompt
    assert f"{n + 1}. join():" in prompt
    assert "Today's date is Friday, 2026-01-02 03:04:05." in prompt
    assert " - Look up the phone number before sending an SMS." in prompt
    assert " - Prefer short messages." in prompt
    assert 'Question: Text Yuki hi\n1. get_phone_number("Yuki")' in prompt
    assert prompt.endswith("###\n\nQuestion: Text Maria\n")


def test_rules_and_examples_follow_the_selected_tools(registry):
    tools = [registry.tools["get_phone_number"]]
    from tinyagent.prompt import examples_for, rules_for

    names = {"get_phone_number"}
    assert rules_for(registry.rules, names) == []
    assert examples_for(registry.examples, names) == []
    prompt = build_prompt("q", tools, now=datetime(2026, 1, 1))
    assert "send_sms" not in prompt and "Here are some examples" not in prompt


def test_date_is_computed_per_request(registry):
    sel = AllTools(registry).select("x")
    a = build_prompt("q", sel.tools, now=datetime(2026, 1, 1))
    b = build_prompt("q", sel.tools, now=datetime(2026, 3, 1))
    assert "2026-01-01" in a and "2026-03-01" in b
