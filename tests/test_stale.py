"""Installing a pack must not break the assistant: until `tinyagent retrain`, the planner keeps the
tools it knows, is never handed the new ones, says so when a request needs them, and never runs their
side effects."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from click.testing import CliRunner

from tinyagent.agent import Agent, allow_all
from tinyagent.artifacts import EMBEDDED_DIR, active_planner
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.cli import cli
from tinyagent.config import paths
from tinyagent.executor import Executor
from tinyagent.plan import parse_plan
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.toolrag import StaleSelector, ToolRAG, classifier_dir, make_selector

NOW = datetime(2026, 11, 24, 10, 30)


@pytest.fixture
def both(monkeypatch):
    """The assistant pack (which the embedded planner was trained for) and the todo pack, installed since."""
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    return load_registry(get_plugin_manager())


def known_only(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    return load_registry(get_plugin_manager())


def test_the_known_tools_are_selected_as_before_and_the_new_ones_never_offered(both, monkeypatch):
    selector = make_selector(both, paths().artifacts_dir, fingerprint(both))
    assert isinstance(selector, StaleSelector)
    assert set(selector.new_tools) == {"add_todo", "list_todos", "complete_todo"}
    planner = active_planner(paths().artifacts_dir)
    fresh = ToolRAG(known_only(monkeypatch), classifier_dir(EMBEDDED_DIR, planner.fingerprint))
    queries = (
        "Text Maria that I'll be 10 minutes late",
        "email Marcus the report.pdf and cc Priya",
        "where is the Louvre",
    )
    for query in queries:
        stale = selector.select(query)
        assert [t.name for t in stale.tools] == [t.name for t in fresh.select(query).tools]
        assert len(stale.tools) <= 5 and not stale.untrained


def test_a_request_for_an_untrained_tool_is_answered_with_what_to_do_never_planned(both):
    selector = make_selector(both, paths().artifacts_dir, fingerprint(both))
    backend = ScriptedBackend(responses=['1. add_todo("buy milk", "", "")\n2. join()'])
    result = Agent(both, backend, selector=selector).run("add buy milk to my todo list", NOW, consent=allow_all)
    assert backend.prompts == [] and not result.ok
    assert "todo pack is installed but the planner has not learned it yet" in result.answer
    assert "tinyagent retrain" in result.answer and "disabled_packs: [todo]" in result.answer


def test_a_stale_planner_never_runs_a_side_effect_it_was_not_trained_for(both):
    executor = Executor(both.tools, consent=None, untrained={"add_todo"})  # consent None: --yes
    trace = asyncio.run(executor.run(parse_plan('1. add_todo("buy milk", "", "")\n2. join()').steps))
    assert trace.steps[1].status == "refused" and "not trained" in trace.steps[1].error


def test_the_staleness_message_says_what_changed_and_what_to_do(both):
    out = CliRunner().invoke(cli, ["doctor"])
    assert "added since: the todo pack (add_todo, list_todos, complete_todo)" in out.output
    assert "to fix: `tinyagent retrain` (about" in out.output and "disabled_packs: [todo]" in out.output
    assert "classifier: not trained for the installed tools" in out.output


def test_dry_run_says_what_to_do_not_that_the_planner_failed(both):
    out = CliRunner().invoke(cli, ["run", "--dry-run", "add buy milk to my todo list"])
    assert out.exit_code == 1
    assert "The todo pack is installed but the planner has not learned it yet" in out.output
    assert "the planner failed" not in out.output
