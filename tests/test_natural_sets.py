"""The hand-written natural request sets (benchmarks/natural): format and soundness of the gold plans."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tinyagent.matching import normalize
from tinyagent.metrics import args_match, parse_free
from tinyagent.plan import parse_plan, validate_plan
from tinyagent.plugins.host import get_plugin_manager, load_registry

SETS = Path(__file__).resolve().parent.parent / "benchmarks" / "natural"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (SETS / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", ["test.jsonl", "dev.jsonl"])
def test_every_gold_plan_is_valid_for_its_packs(name, monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    reg = load_registry(get_plugin_manager())
    assistant = {n for n, t in reg.tools.items() if t.pack == "assistant"}
    for row in rows(name):
        assert set(row) <= {"query", "now", "plan", "pack", "free"}, row
        datetime.strptime(row["now"], "%Y-%m-%d %H:%M:%S")
        plan = parse_plan(row["plan"])
        assert not validate_plan(plan, reg.tools), row["query"]
        assert row["pack"] == ("assistant" if set(plan.tools) <= assistant else "todo"), row["query"]
        free = parse_free(row.get("free"))
        steps = {s.idx: s for s in plan.steps}
        assert all(s in steps and a < len(steps[s].args) for s, a in free), row["query"]
        assert args_match(plan, plan, free)


def test_the_sets_are_apart_and_the_locked_set_is_big_enough(monkeypatch):
    """The locked set shares no request with the dev set nor with what any first-party pack trains on
    (its hand-written requests, moved there from the dev set)."""
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo,alarms")
    trained = [e for e in load_registry(get_plugin_manager()).examples if e.now]
    test, dev = rows("test.jsonl") + rows("alarms.jsonl"), rows("dev.jsonl")
    assert len(test) >= 200 and sum(r["pack"] == "todo" for r in test) >= 40
    assert len(trained) >= 300
    locked = {normalize(r["query"]) for r in test}
    assert not locked & {normalize(r["query"]) for r in dev}
    assert not locked & {normalize(e.query) for e in trained}
    assert not {normalize(r["query"]) for r in dev} & {normalize(e.query) for e in trained}  # dev measures, untrained
    assert len({r["query"] for r in test}) == len(test)


def test_free_arguments_are_ignored_by_argument_success_and_nothing_else():
    gold = parse_plan(
        '1. get_email_address("Jake")\n2. compose_new_email(["$1"], [], "subject", "body", [])\n3. join()'
    )
    other = parse_plan('1. get_email_address("Jake")\n2. compose_new_email(["$1"], [], "other", "body", [])\n3. join()')
    assert args_match(other, gold, {(2, 2)}) and not args_match(other, gold)
    assert not args_match(other, gold, {(2, 3)})
