from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tinyagent.cli import cli

from .httpserver import completions_server

SCRIPT = """
- query: Text Maria that I'll be late
  plan: |
    1. get_phone_number("Maria")
    2. send_sms(["$1"], "I'll be late")
    3. join()<END_OF_PLAN>
- query: Numbers please
  plan: |
    1. get_phone_number("Maria")
    2. get_phone_number("Yuki")
    3. join()<END_OF_PLAN>
"""


@pytest.fixture
def script(tmp_path, fake_pack):
    path = tmp_path / "script.yaml"
    path.write_text(SCRIPT)
    return str(path)


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_dry_run_shows_plan_and_dag_and_executes_nothing(script, fake_pack):
    out = invoke("run", "--dry-run", "--script", script, "Text Maria that I'll be late")
    assert out.exit_code == 0, out.output
    assert "dry run: nothing was executed" in out.output
    assert '2. send_sms(recipients=["$1"], message="I\'ll be late")   after 1   [changes things]' in out.output
    assert "stages (steps in one stage run in parallel): [1] -> [2]" in out.output
    assert fake_pack.CALLS == []


def test_run_with_yes_executes_side_effects(script, fake_pack):
    out = invoke("run", "--yes", "--script", script, "Text Maria that I'll be late")
    assert out.exit_code == 0, out.output
    assert "send_sms: SMS to +34 600 000 001: I'll be late" in out.output
    assert fake_pack.CALLS[-1] == ("send_sms", (["+34 600 000 001"], "I'll be late"))


def test_non_interactive_without_yes_refuses_side_effects(script, fake_pack):
    out = invoke("run", "--script", script, "Text Maria that I'll be late")
    assert out.exit_code == 1
    assert "side-effecting steps need --yes" in out.output
    assert all(c[0] != "send_sms" for c in fake_pack.CALLS)


def test_run_json(script):
    out = invoke("run", "--json", "--script", script, "Numbers please")
    data = json.loads(out.output)
    steps = data["rounds"][0]["steps"]
    assert [s["result"] for s in steps] == ["+34 600 000 001", "+81 90 0000 0002"]
    assert data["rounds"][0]["prompt_tokens"] > 0


def test_plan_batch(tmp_path, script):
    inp = tmp_path / "q.jsonl"
    inp.write_text(
        json.dumps({"query": "Numbers please", "now": "2026-01-02 10:00:00"})
        + "\n"
        + json.dumps({"query": "unknown request", "now": "2026-01-02 10:00:00"})
        + "\n"
    )
    outp = tmp_path / "p.jsonl"
    out = invoke("plan", "--script", script, "--input", str(inp), "--output", str(outp))
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in outp.read_text().splitlines()]
    assert rows[0]["query"] == "Numbers please" and rows[0]["plan"].startswith("1. get_phone_number")
    assert set(rows[0]) == {"query", "plan", "tools", "prompt_tokens", "latency_ms"}
    assert "no plan for 'unknown request'" in rows[1]["error"]
    assert "planned 2 requests, 1 failed" in out.output


def test_plan_batch_bad_input(tmp_path, script):
    inp = tmp_path / "q.jsonl"
    inp.write_text('{"query": "x"}\n{"now": "2026-01-01 00:00:00"}\n')
    out = invoke("plan", "--script", script, "--input", str(inp))
    assert out.exit_code == 1 and "q.jsonl:2: each line needs string fields 'query'" in out.output
    inp.write_text('{"query": "x", "now": "tomorrow"}\n')
    out = invoke("plan", "--script", script, "--input", str(inp))
    assert "q.jsonl: request 1: 'now'" in out.output


def test_bad_now_and_unknown_backend(script):
    out = invoke("plan", "--script", script, "--now", "yesterday", "Numbers please")
    assert out.exit_code == 2 and "YYYY-MM-DD HH:MM:SS" in out.output
    out = invoke("plan", "--backend", "nope", "Numbers please")
    assert out.exit_code == 1 and "unknown backend 'nope' (installed: llama, openai, scripted)" in out.output


def test_openai_backend_from_the_command_line(fake_pack):
    plan = '1. get_phone_number("Yuki")\n2. join()<END_OF_PLAN>'
    with completions_server(plan) as (url, requests):
        out = invoke(
            "plan",
            "--backend",
            "openai",
            "--base-url",
            url,
            "--model",
            "m",
            "--now",
            "2026-02-03 04:05:06",
            "--json",
            "Yuki?",
        )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["plan"].startswith("1. get_phone_number")
    assert "Today's date is Tuesday, 2026-02-03 04:05:06" in requests[0]["body"]["prompt"]


def test_config_file_sets_backend_and_errors_name_the_key(tmp_path, script, monkeypatch):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"backend: scripted\nbackend_options:\n  script: {script}\nmax_rounds: 1\n")
    assert invoke("plan", "--config", str(cfg), "Numbers please").exit_code == 0
    cfg.write_text("backend: [unclosed\n")
    out = invoke("plan", "--config", str(cfg), "Numbers please")
    assert out.exit_code == 1 and "is not valid YAML" in out.output
    cfg.write_text("step_timout: 3\n")
    assert "unknown key 'step_timout'" in invoke("doctor", "--config", str(cfg)).output
    cfg.write_text("max_rounds: many\n")
    assert "key 'max_rounds': Input should be a valid integer" in invoke("doctor", "--config", str(cfg)).output
    monkeypatch.setenv("TINYAGENT_CONFIG", str(tmp_path / "missing.yaml"))
    assert "cannot read config file" in invoke("doctor").output


def test_home_moves_config_data_and_artifacts(tmp_path, fake_pack):
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text("disabled_packs: [fake]\n")
    info = json.loads(invoke("doctor", "--json").output)
    assert info["config"] == str(home / "config.yaml")
    assert info["data_dir"] == str(home / "data") and info["artifacts_dir"] == str(home / "artifacts")
    assert info["tools"] == 0  # the config disabled the fake pack
    assert "tinyagent retrain" in info["artifacts"]  # the embedded planner is for another tool set


def test_doctor_reports_stale_artifacts(tmp_path, fake_pack):
    artifacts = tmp_path / "home" / "artifacts"
    (artifacts / "planner" / "old").mkdir(parents=True)
    (artifacts / "planner" / "old" / "model.gguf").write_bytes(b"GGUF")
    manifest = {"fingerprint": "0" * 64, "model": "model.gguf"}
    (artifacts / "planner" / "old" / "manifest.json").write_text(json.dumps(manifest))
    (artifacts / "active.json").write_text(json.dumps({"folder": "planner/old"}))
    info = json.loads(invoke("doctor", "--json").output)
    assert info["stale"] is True and "tinyagent retrain" in info["artifacts"]


def test_packs_and_tools_listing(fake_pack):
    out = invoke("tools")
    assert "send_sms(recipients: list[str], message: str) -> str  [side effects]" in out.output
    packs = json.loads(invoke("packs", "--json").output)
    assert packs[1]["name"] == "fake" and packs[1]["examples"] == 1 and packs[1]["templates"] == 1


@pytest.mark.parametrize("answer, sent", [("y\n", True), ("n\n", False)])
def test_interactive_use_asks_before_side_effects(script, fake_pack, monkeypatch, answer, sent):
    monkeypatch.setattr("tinyagent.cli._interactive", lambda: True)
    out = invoke("run", "--script", script, "Text Maria that I'll be late", input=answer)
    assert 'Allow send_sms(recipients=["+34 600 000 001"], message="I\'ll be late")?' in out.output
    assert (fake_pack.CALLS[-1][0] == "send_sms") is sent
    assert ("you declined this step" in out.output) is not sent


def test_pack_commands_follow_the_allowed_packs(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    assert "assistant" in invoke("--help").output
    monkeypatch.setenv("TINYAGENT_PLUGINS", "")
    assert "assistant" not in invoke("--help").output
    assert invoke("assistant", "where").exit_code == 2


def test_dash_reads_the_request_from_stdin_and_h_is_help(script, fake_pack):
    out = invoke("plan", "--json", "--script", script, "-", input="Text Maria that\nI'll be late\n")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["query"] == "Text Maria that I'll be late"
    assert invoke("plan", "--script", script, "-", input="  \n").exit_code == 2
    assert "Usage:" in invoke("-h").output and "Usage:" in invoke("run", "-h").output


def test_eval_plans_exactly_what_run_plans(tmp_path, script, fake_pack):
    """One planning round: `plan`, `eval` and `run` go through the same select -> prompt -> grammar ->
    decode -> parse path, so they write the same plan for the same request."""
    ran = json.loads(invoke("run", "--yes", "--json", "--script", script, "Numbers please").output)
    planned = json.loads(invoke("plan", "--json", "--script", script, "Numbers please").output)
    data = tmp_path / "d.jsonl"
    gold = ran["rounds"][0]["plan"]
    data.write_text(json.dumps({"query": "Numbers please", "now": "2026-11-24 10:30:00", "plan": gold}) + "\n")
    out = invoke("eval", "--dataset", str(data), "--script", script, "--json").output
    evaluated = json.loads(out[out.index("{") :])
    assert ran["rounds"][0]["plan"] == planned["plan"]
    assert evaluated["dag_success"] == 1.0 and evaluated["args_success"] == 1.0 and not evaluated["failures"]


def test_every_reporting_command_speaks_json_errors_included(isolated, monkeypatch):
    import os
    import subprocess
    import sys

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,alarms")
    out = CliRunner().invoke(cli, ["retrain", "--only", "data", "--size", "200", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)  # progress went to stderr
    stage = data["stages"]["data"]
    assert stage["counts"]["train"] == 200 + stage["handwritten"] and len(stage["sha256"]) == 64
    where = json.loads(CliRunner().invoke(cli, ["assistant", "where", "--json"]).stdout)
    assert where["data_dir"].endswith("assistant") and where["backend"] in ("portable", "macos")
    assert json.loads(CliRunner().invoke(cli, ["alarms", "due", "--json"]).stdout) == []
    # an error, through the real entry point: JSON on stdout, the exit code kept
    env = {**os.environ, "TINYAGENT_HOME": str(isolated / "empty")}
    proc = subprocess.run(
        [sys.executable, "-m", "tinyagent", "retrain", "--only", "planner", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "no dataset" in json.loads(proc.stdout)["error"]
