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


def test_retrieval_conditioned_prompts_are_built_identically_in_training_and_serving(tmp_path, monkeypatch):
    """compact-rag: the stored plan nearest to the request goes into the prompt; the training rows
    of `tinyagent retrain --prompt-style compact-rag` are exactly what the agent builds at run time."""
    import json

    from tinyagent.agent import Agent
    from tinyagent.artifacts import EMBEDDED_DIR, classifier_dir
    from tinyagent.backends.scripted import ScriptedBackend
    from tinyagent.config import Config
    from tinyagent.plugins.fingerprint import fingerprint
    from tinyagent.plugins.host import get_plugin_manager, load_registry
    from tinyagent.toolrag import ToolRAG
    from tinyagent.training.planner import planner_rows

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    reg = load_registry(get_plugin_manager())
    rag = ToolRAG(reg, classifier_dir(EMBEDDED_DIR, fingerprint(reg)))
    stored = rag._bank[0][0]  # a request that is itself in the example bank
    queries = ["text Maria that I'm late", "email the summary of lease.pdf to Greg", stored.query]
    now = "2026-11-24 10:30:00"
    (tmp_path / "train.jsonl").write_text(
        "".join(json.dumps({"query": q, "now": now, "plan": "1. join()"}) + "\n" for q in queries)
    )
    rows = planner_rows(reg, tmp_path, "train", rag.selections, style="compact-rag")
    agent = Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(prompt_style="compact-rag"), rag)
    when = datetime(2026, 11, 24, 10, 30)
    for query, (prompt, _) in zip(queries, rows, strict=True):
        assert prompt == agent.prompt(query, when, rag.select(query))
        assert prompt.count("\nExample: ") == 1 and prompt.index("Example:") < prompt.index("Question:")
    assert f"Example: {stored.query}\n" not in rows[2][0]  # never its own plan
    plain = Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(prompt_style="compact"), rag)
    assert "Example:" not in plain.prompt(queries[0], when, rag.select(queries[0]))
