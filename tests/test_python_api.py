"""The documented Python API (docs/python-api.md): its example runs as written, against the embedded
planner and the assistant pack's demo data, and consent decides whether anything is sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tinyagent
from tinyagent import Agent

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "embed.py"


@pytest.fixture
def demo_home(tmp_path):
    env = {**os.environ, "TINYAGENT_HOME": str(tmp_path), "TINYAGENT_PLUGINS": "assistant"}
    subprocess.run([sys.executable, "-m", "tinyagent", "assistant", "seed"], env=env, check=True, capture_output=True)
    return tmp_path, env


@pytest.mark.parametrize("reply", ["y", "n"])
def test_the_documented_example_runs_and_consent_decides(demo_home, reply):
    home, env = demo_home
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, input=f"{reply}\n", capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert "plan ok: True | tools: ['get_phone_number']" in out.stdout
    assert "same plan async: True" in out.stdout
    outbox = home / "data" / "assistant" / "sms" / "outbox.jsonl"
    if reply == "y":
        assert "carried out: True" in out.stdout
        [draft] = [json.loads(line) for line in outbox.read_text().splitlines()]
        assert draft["text"] == "I'll be 10 minutes late" and draft["to"] == ["+34 600 123 456"]
    else:
        assert "carried out: False" in out.stdout and "send_sms refused" in out.stdout
        assert not outbox.exists()


def test_from_config_takes_a_config_object_and_backend_options(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYAGENT_HOME", str(tmp_path))
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    script = tmp_path / "plans.jsonl"
    script.write_text(json.dumps({"query": "x", "plan": '1. maps_open_location("Union Square")\n2. join()'}) + "\n")
    config = tinyagent.Config(max_rounds=1)
    with Agent.from_config(config, backend="scripted", script=str(script)) as agent:
        assert agent.config.max_rounds == 1 and agent.backend.name == "scripted"
        result = agent.plan("x")
        assert result.ok and [s.tool for s in result.plan.steps] == ["maps_open_location"]
        sibling = agent.replace(grammar=False)
        assert sibling.config.grammar is False and agent.config.grammar is True
        assert sibling.registry is agent.registry


def test_bad_config_is_a_library_error_not_a_cli_exit(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYAGENT_HOME", str(tmp_path))
    (tmp_path / "config.yaml").write_text("max_rounds: lots\n")
    with pytest.raises(tinyagent.ConfigError, match="max_rounds"):
        Agent.from_config()
    with pytest.raises(tinyagent.BackendError, match="unknown backend 'nope'"):
        Agent.from_config(tinyagent.Config(), backend="nope")


def test_the_public_names_resolve():
    for name in tinyagent.__all__:
        assert getattr(tinyagent, name) is not None
    with pytest.raises(AttributeError):
        tinyagent.not_a_name  # noqa: B018
