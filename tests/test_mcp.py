"""MCP both ways, against real MCP servers written with the SDK (tests/mcp_server.py): over stdio and
over streamable HTTP on 127.0.0.1, and `tinyagent mcp serve` driven by the SDK's client."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinyagent.agent import Agent, allow_all
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.cli import cli
from tinyagent.config import Config
from tinyagent.executor import Executor
from tinyagent.plan import parse_plan
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.training.generator import DataConfig, check_example, generate

SERVER = Path(__file__).resolve().parent / "mcp_server.py"
NOW = datetime(2026, 11, 24, 10, 30)


def stdio(name: str, **env: str) -> dict:
    return {"command": sys.executable, "args": [str(SERVER), name], "env": env}


@pytest.fixture
def mcp_home(isolated, monkeypatch):
    home = isolated / "home"
    home.mkdir(parents=True, exist_ok=True)
    memo = isolated / "memos.txt"
    monkeypatch.setenv("TINYAGENT_PLUGINS", "mcp")

    def configure(servers: dict, config: str = "") -> Path:
        (home / "mcp.json").write_text(json.dumps({"mcpServers": servers}))
        (home / "config.yaml").write_text(config)
        return memo

    configure({"alpha": stdio("alpha", MEMO_FILE=str(memo)), "beta": stdio("beta", MEMO_FILE=str(memo))})
    return home, configure, memo


def registry():
    return load_registry(get_plugin_manager())


def run_plan(reg, plan: str, **kw):
    return asyncio.run(Executor(reg.tools, **kw).run(parse_plan(plan).steps))


def test_discovery_maps_schemas_namespaces_clashes_and_reads_annotations(mcp_home):
    reg = registry()
    names = set(reg.tools)
    assert {"alpha_find_city", "beta_find_city", "alpha_save_memo", "beta_save_memo"} <= names  # same names: prefixed
    assert not reg.tools["alpha_find_city"].side_effects and reg.tools["alpha_save_memo"].side_effects
    memo = reg.tools["alpha_save_memo"]
    assert [(p.name, p.type) for p in memo.params] == [("title", "str"), ("body", "str"), ("pinned", "bool | None")]
    assert "lookup" not in " ".join(names)  # an object parameter cannot be planned: left out, and said
    out = CliRunner().invoke(cli, ["mcp", "servers"])
    assert "left out: lookup: parameter 'filters'" in out.output and "alpha: " in out.output
    assert "alpha_find_city (MCP name find_city)" in out.output
    out = CliRunner().invoke(cli, ["tools"])
    assert "alpha_find_city" in out.output


def test_a_plan_uses_two_servers_in_parallel_and_asks_before_side_effects(mcp_home):
    _, _, memo = mcp_home
    reg = registry()
    trace = run_plan(reg, '1. alpha_find_city("Paris")\n2. beta_find_city("Rome")\n3. join()')
    assert trace.steps[1].result == "Paris: alpha atlas, 48.85 N 2.35 E" and trace.steps[2].result.startswith(
        "Rome: beta"
    )
    assert trace.steps[2].started < trace.steps[1].ended and trace.steps[1].started < trace.steps[2].ended
    asked = []
    plan = '1. alpha_save_memo("groceries", "eggs", None)\n2. join()'
    refused = run_plan(reg, plan, consent=lambda tool, args: asked.append((tool.name, args)) or False)
    assert refused.steps[1].status == "refused" and asked == [("alpha_save_memo", ["groceries", "eggs", None])]
    assert not memo.exists()
    assert run_plan(reg, plan, consent=lambda tool, args: True).steps[1].ok
    assert memo.read_text() == "alpha|groceries|eggs|False\n"  # None: left out, the server's default applies


def test_errors_crashes_and_hangs_fail_their_steps_clearly_and_leave_the_rest(mcp_home):
    _, configure, memo = mcp_home
    configure(
        {"alpha": stdio("alpha", MEMO_FILE=str(memo)), "beta": stdio("beta", MEMO_FILE=str(memo))},
        "packs:\n  mcp:\n    timeout: 2\n",
    )
    reg = registry()
    t0 = time.perf_counter()
    trace = run_plan(
        reg,
        '1. alpha_fail("magic")\n2. alpha_crash("now")\n3. alpha_hang("forever")\n4. beta_find_city("Oslo")\n5. join()',
    )
    assert time.perf_counter() - t0 < 30
    fail, crash, hang, ok = (trace.steps[i] for i in (1, 2, 3, 4))
    assert fail.status == "error" and fail.fixable and "cannot do magic" in fail.error
    assert crash.status == "error" and "MCP server 'alpha' failed" in crash.error
    assert hang.status == "error" and "did not answer tools/call hang within 2 s" in hang.error
    assert ok.ok and ok.result.startswith("Oslo: beta")


def test_a_server_missing_at_start_keeps_its_tools_and_fails_their_steps_clearly(mcp_home, isolated):
    _, configure, memo = mcp_home
    copy = isolated / "server_copy.py"
    shutil.copy(SERVER, copy)
    entry = {"command": sys.executable, "args": [str(copy), "gamma"], "env": {"MEMO_FILE": str(memo)}}
    configure({"gamma": entry, "beta": stdio("beta", MEMO_FILE=str(memo))}, "packs:\n  mcp:\n    refresh_seconds: 0\n")
    assert "gamma_find_city" in registry().tools  # listed live, and cached
    copy.unlink()  # the server is gone
    reg = registry()
    assert "gamma_find_city" in reg.tools  # the cached list: the planner's tool set does not flicker
    out = CliRunner().invoke(cli, ["mcp", "servers"])
    assert "gamma: unreachable" in out.output
    trace = run_plan(reg, '1. gamma_find_city("Lima")\n2. beta_find_city("Lima")\n3. join()')
    assert trace.steps[1].status == "error" and "MCP server 'gamma'" in trace.steps[1].error
    assert trace.steps[2].ok


def test_a_server_that_gains_a_tool_changes_the_fingerprint(mcp_home, isolated):
    _, configure, memo = mcp_home
    flag = isolated / "extra.flag"
    configure(
        {"alpha": stdio("alpha", MEMO_FILE=str(memo), EXTRA_FLAG=str(flag))}, "packs:\n  mcp:\n    refresh_seconds: 0\n"
    )
    before = fingerprint(registry())
    flag.write_text("on")
    reg = registry()
    assert "extra" in reg.tools and fingerprint(reg) != before


def test_the_data_stage_makes_valid_examples_for_server_tools(mcp_home, isolated):
    _, configure, memo = mcp_home
    templates = isolated / "alpha.yaml"
    templates.write_text(
        "- id: where\n"
        "  phrasings: ['where is {city}', 'find {city} on the atlas', 'locate {city}', 'which country is {city} in']\n"
        "  plan: '1. find_city(\"{city}\")'\n"
        "  slots: {city: place}\n"
    )
    configure({"alpha": {**stdio("alpha", MEMO_FILE=str(memo)), "templates": str(templates)}, "beta": stdio("beta")})
    reg = registry()
    ids = {t.id for t in reg.templates}
    assert ids >= {"alpha.where", "beta.beta_save_memo.generic"}
    # the YAML file covers find_city only: alpha's other tools still get generic templates, find_city not
    assert "alpha.alpha_save_memo.generic" in ids and "alpha.alpha_find_city.generic" not in ids
    rows = list(generate(reg, DataConfig(300, 20, 20, 20, 20)))
    assert rows and all(not check_example(r.to_json(), reg) for r in rows)
    assert any("find_city(" in r.plan for r in rows) and any("beta_save_memo(" in r.plan for r in rows)
    bad = isolated / "bad.yaml"
    bad.write_text("- id: x\n  phrasings: ['do {thing}']\n  plan: '1. nope(\"{thing}\")'\n  slots: {thing: widget}\n")
    configure({"alpha": {**stdio("alpha"), "templates": str(bad)}})
    with pytest.raises(Exception, match=r"bad.yaml entry 1: unknown slot kind 'widget'"):
        registry()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_streamable_http_server_on_loopback(mcp_home, isolated):
    _, configure, memo = mcp_home
    port = _free_port()
    env = {**os.environ, "MEMO_FILE": str(memo)}
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "web", "--http", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        configure({"web": {"url": f"http://127.0.0.1:{port}/mcp"}})
        reg = registry()
        assert not reg.tools["find_city"].side_effects
        trace = run_plan(reg, '1. find_city("Kyoto")\n2. save_memo("trip", "temples", True)\n3. join()')
        assert trace.steps[1].result == "Kyoto: web atlas, 48.85 N 2.35 E" and trace.steps[2].ok
        assert memo.read_text() == "web|trip|temples|True\n"
    finally:
        proc.terminate()
        proc.wait(10)


def test_tinyagent_serves_its_packs_over_mcp(home, monkeypatch):
    from mcp import Client, StdioServerParameters

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,mcp")
    exe = str(Path(sys.executable).with_name("tinyagent"))
    env = {**os.environ}

    async def session(*extra: str):
        params = StdioServerParameters(command=exe, args=["mcp", "serve", *extra], env=env)
        async with Client(params, read_timeout_seconds=60) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            phone = await client.call_tool("get_phone_number", {"name": "Maria"})
            sms = await client.call_tool("send_sms", {"recipients": ["+1 555 0100"], "message": "over mcp"})
            return tools, phone, sms

    tools, phone, sms = asyncio.run(session())
    assert len(tools) == 16 and tools["get_phone_number"].annotations.read_only_hint
    assert tools["send_sms"].annotations.read_only_hint is False
    assert tools["send_sms"].input_schema["properties"]["recipients"]["type"] == "array"
    assert phone.content[0].text == "+34 600 123 456" and not phone.is_error
    assert sms.is_error and "without --allow-side-effects" in sms.content[0].text
    outbox = home / "data" / "assistant" / "sms" / "outbox.jsonl"
    assert not outbox.exists() or "over mcp" not in outbox.read_text()
    _, _, sms = asyncio.run(session("--allow-side-effects"))
    assert not sms.is_error and "over mcp" in outbox.read_text()


def test_the_plan_tool_returns_tinyagents_plan(home, monkeypatch, tmp_path):
    import yaml
    from mcp import Client, StdioServerParameters

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,mcp")
    script = tmp_path / "s.yaml"
    script.write_text(
        yaml.safe_dump([{"query": "where is Paris", "plan": '1. maps_open_location("Paris")\n2. join()'}])
    )
    (home / "config.yaml").write_text(f"backend: scripted\nbackend_options: {{script: {script}}}\n")
    params = StdioServerParameters(
        command=str(Path(sys.executable).with_name("tinyagent")), args=["mcp", "serve", "--plan"], env={**os.environ}
    )

    async def ask():
        async with Client(params, read_timeout_seconds=60) as client:
            return await client.call_tool("plan", {"request": "where is Paris"})

    result = asyncio.run(ask())
    assert result.content[0].text.startswith('1. maps_open_location("Paris")')


def test_a_malformed_servers_file_is_a_clear_error(mcp_home):
    home, _, _ = mcp_home
    (home / "mcp.json").write_text(json.dumps({"mcpServers": {"x": {"args": ["a"]}}}))
    out = CliRunner().invoke(cli, ["tools"])
    assert out.exit_code != 0 and "mcpServers.x" in out.output and "either 'command'" in out.output
    (home / "mcp.json").write_text("{not json")
    assert "is not valid JSON" in CliRunner().invoke(cli, ["tools"]).output


def test_agent_runs_mcp_tools_end_to_end(mcp_home):
    reg = registry()
    backend = ScriptedBackend(responses=['1. alpha_find_city("Quito")\n2. join()'])
    result = Agent(reg, backend, Config(selector="all")).run("where is Quito", NOW, consent=allow_all)
    assert result.ok and "Quito: alpha atlas" in result.answer


def test_doctor_shows_each_server_its_tools_and_state(mcp_home):
    out = CliRunner().invoke(cli, ["doctor"])
    assert "mcp: MCP servers:" in out.output
    assert "alpha: live; tools: alpha_find_city, alpha_save_memo" in out.output
    assert "alpha: left out lookup: parameter 'filters'" in out.output
