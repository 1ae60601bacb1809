from __future__ import annotations

import time
from datetime import datetime

from tinyagent.agent import Agent, allow_all
from tinyagent.backends.base import Backend, BackendError
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.config import Config

NOW = datetime(2026, 11, 24, 9, 30)


class Recording(ScriptedBackend):
    """Scripted backend that notes when it finished streaming."""

    finished_at: float = 0.0

    def stream(self, prompt, **kw):
        yield from super().stream(prompt, **kw)
        self.finished_at = time.perf_counter()


def test_steps_start_while_the_plan_is_still_streaming(registry):
    plan = '1. get_phone_number("Maria")\n2. slow_lookup("x")\n3. slow_lookup("y")\n4. join()<END_OF_PLAN>'
    backend = Recording(responses=[plan], chunk=4, delay=0.01)
    starts = {}
    result = Agent(registry, backend).run(
        "q", NOW, on_event=lambda k, st: starts.setdefault(st.idx, time.perf_counter()), consent=allow_all
    )
    trace = result.rounds[0][1]
    assert trace.ok
    assert starts[1] < backend.finished_at, "step 1 must start before the planner finished writing"


def test_replans_on_a_fixable_tool_error_and_keeps_the_selection(registry):
    script = {
        "Text Nobody hi": [
            '1. get_phone_number("Nobody")\n2. send_sms(["$1"], "hi")\n3. join()',
            '1. get_phone_number("Maria")\n2. send_sms(["$1"], "hi")\n3. join()',
        ]
    }
    backend = ScriptedBackend(script=script)
    result = Agent(registry, backend).run("Text Nobody hi", NOW, consent=allow_all)
    assert len(result.rounds) == 2
    second = backend.prompts[1]
    assert "Previous Plan:" in second and "no contact named 'Nobody'" in second and "Current Plan:" in second
    assert backend.prompts[0].split("Question:")[0] == second.split("Question:")[0]  # same tools, rules, examples
    assert result.rounds[1][1].ok
    assert "+34 600 000 001" in result.answer


def test_invalid_plan_is_rejected_then_replanned(registry):
    backend = ScriptedBackend(
        responses=['1. get_phone_nmber("Maria")\n2. join()', '1. get_phone_number("Maria")\n2. join()']
    )
    result = Agent(registry, backend).run("q", NOW, consent=allow_all)
    first, trace = result.rounds[0]
    assert first.issues[0].code == "unknown_tool" and trace.planner_error
    assert "did you mean get_phone_number" in backend.prompts[1]
    assert result.rounds[1][1].ok


def test_rounds_are_bounded(registry):
    backend = ScriptedBackend(responses=['1. get_phone_number("Nobody")\n2. join()'] * 5)
    result = Agent(registry, backend, Config(max_rounds=2)).run("q", NOW, consent=allow_all)
    assert len(result.rounds) == 2
    assert "no contact named" in result.answer


def test_backend_failure_ends_the_run_without_hanging(registry):
    class Broken(Backend):
        def stream(self, prompt, **kw):
            yield "1. get_phone_number("
            raise BackendError("connection reset")

    result = Agent(registry, Broken(), Config(max_rounds=1)).run("q", NOW, consent=allow_all)
    assert result.rounds[0][1].planner_error == "connection reset"
    assert "connection reset" in result.answer


def test_plan_only_reports_issues(registry):
    agent = Agent(registry, ScriptedBackend(responses=['1. send_sms("Maria")\n2. join()']))
    result = agent.plan("q", NOW)
    assert not result.ok and result.issues[0].code == "arity"
    assert result.prompt_tokens > 100 and result.tools


def test_empty_plan_means_no_tool_applies(registry):
    result = Agent(registry, ScriptedBackend(responses=["1. join()<END_OF_PLAN>"])).run(
        "what is love", NOW, consent=allow_all
    )
    assert result.answer == "None of the installed tools can do that."


def test_llm_joiner_finishes_with_the_models_answer_or_replans(registry):
    plan = '1. get_phone_number("Maria")\n2. join()<END_OF_PLAN>'
    backend = ScriptedBackend(
        responses=[plan, "Thought: I have the number.\nAction: Finish(Maria's number is +34 600 000 001)"]
    )
    result = Agent(registry, backend, Config(joiner="llm")).run("Maria's number?", NOW, consent=allow_all)
    assert result.answer == "Maria's number is +34 600 000 001"
    assert "Observation: +34 600 000 001" in backend.prompts[1]

    backend = ScriptedBackend(responses=[plan, "Thought: wrong person.\nAction: Replan", plan, "Action: Finish(done)"])
    result = Agent(registry, backend, Config(joiner="llm", max_rounds=2)).run("q", NOW, consent=allow_all)
    assert len(result.rounds) == 2 and result.answer == "done"
    assert "Thought: wrong person." in backend.prompts[2]  # the replan prompt carries the joiner's thought


def test_the_grammar_holds_marked_values_to_the_request_and_its_times(monkeypatch):
    from tinyagent.plugins.host import get_plugin_manager, load_registry

    from .gbnf import Grammar

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    reg = load_registry(get_plugin_manager())
    query = "remind me to pay rent tomorrow at 9am"

    def plan(name, due):
        return f'1. create_reminder("{name}", "{due}", "", "", 0, False)\n2. join()'

    agent = Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(prompt_style="compact"))
    selection = agent.selector.select(query)
    g = Grammar(agent.grammar(selection, query, NOW))
    assert g.accepts(plan("pay rent", "2026-11-25 09:00:00")) and g.accepts(plan("Pay rent", ""))
    assert not g.accepts(plan("pay the rent bill", "2026-11-25 09:00:00")), "invented words"
    assert not g.accepts(plan("pay rent", "2026-11-26 09:00:00")), "a time the request does not say"
    replan = Grammar(agent.grammar(selection, query, NOW, "Observation: the rent bill is due"))
    assert replan.accepts(plan("the rent bill", "")), "a replan may copy from what the tools returned"

    published = Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(prompt_style="tinyagent"))
    assert Grammar(published.grammar(selection, query, NOW)).accepts(plan("Rent due", "2026-11-26 09:00:00")), (
        "models with the original prompt were not trained to copy only"
    )
    free = Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(prompt_style="compact", grounded=False))
    assert Grammar(free.grammar(selection, query, NOW)).accepts(plan("pay the rent bill", "2027-01-01 00:00:00"))
    assert (
        Agent(reg, ScriptedBackend(responses=["1. join()"]), Config(grammar=False)).grammar(selection, query, NOW)
        is None
    )
