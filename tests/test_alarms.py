"""The alarms pack (toolpacks/alarms), written from docs/tool-packs.md as an outsider would: its tools
against the real file, and its templates beside the assistant's and the todo pack's."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest

from tinyagent.plugins import ToolInputError
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.training.generator import DataConfig, check_example, generate


@pytest.fixture
def alarms(monkeypatch):
    import tinyagent_alarms

    monkeypatch.setenv("TINYAGENT_PLUGINS", "alarms")
    return tinyagent_alarms


def test_alarms_and_timers_on_the_real_file(alarms):
    assert alarms.list_alarms() == "No alarms or timers set"
    assert alarms.set_alarm("2026-12-01 06:30:00", "flight") == "Alarm set for 2026-12-01 06:30 (flight)"
    assert alarms.set_timer(10, "pasta").startswith("Timer for 10 min set")
    listed = alarms.list_alarms()
    assert "alarm at 2026-12-01 06:30: flight" in listed and "pasta" in listed
    assert alarms.cancel_alarm("the pasta").startswith("Cancelled the timer")
    assert "pasta" not in alarms.list_alarms()
    rung = alarms.due(datetime(2026, 12, 1, 6, 31))
    assert [a["label"] for a in rung] == ["flight"] and alarms.due(datetime(2026, 12, 1, 7)) == []
    assert alarms.list_alarms() == "No alarms or timers set"
    with pytest.raises(ToolInputError, match="YYYY-MM-DD HH:MM:SS"):
        alarms.set_alarm("tomorrow", "")
    with pytest.raises(ToolInputError, match="1 to 1440"):
        alarms.set_timer(0, "")


def test_a_corrupt_file_is_a_clear_error_and_stays_as_it_was(alarms):
    path = alarms.store()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ToolInputError, match="not a valid alarms file"):
        alarms.set_timer(5, "tea")
    assert path.read_text() == "{not json"


def test_ten_parallel_alarms_keep_ten_of_ten(alarms):
    start = datetime(2026, 12, 1, 8)
    threads = [
        threading.Thread(
            target=alarms.set_alarm, args=((start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S"), f"a{i}")
        )
        for i in range(10)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(a["label"] for a in json.loads(alarms.store().read_text())) == sorted(f"a{i}" for i in range(10))


def test_three_packs_load_together_and_generate_sound_data(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo,alarms")
    reg = load_registry(get_plugin_manager())
    assert {"set_alarm", "set_timer", "list_alarms", "cancel_alarm", "create_reminder", "add_todo"} <= set(reg.tools)
    assert reg.tools["set_alarm"].side_effects and not reg.tools["list_alarms"].side_effects
    rows = list(generate(reg, DataConfig(500, 30, 30, 30, 30)))
    assert all(not check_example(r.to_json(), reg) for r in rows)
    assert any("set_timer(" in r.plan for r in rows) and any("create_reminder(" in r.plan for r in rows)


def test_the_hand_written_alarm_requests_are_valid_plans(monkeypatch):
    from pathlib import Path

    from tinyagent.plan import parse_plan, validate_plan

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo,alarms")
    reg = load_registry(get_plugin_manager())
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "natural" / "alarms.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) >= 30
    for row in rows:
        assert not validate_plan(parse_plan(row["plan"]), reg.tools), row["query"]
