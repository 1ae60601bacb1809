"""Safe execution (docs/safety.md): nothing lost, nothing repeated, nothing done unasked, no hang,
and the truth at the end. Each test reproduces a failure measured on the code before the fix."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinyagent.agent import Agent, allow_all
from tinyagent.backends.base import Backend
from tinyagent.backends.scripted import ScriptedBackend
from tinyagent.cli import cli, describe_call
from tinyagent.config import Config, ConfigError, load_config
from tinyagent.executor import Executor
from tinyagent.plan import PlanError, parse_plan
from tinyagent.plugins import Labeled, PluginError, ToolInputError, make_tool
from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin
from tinyagent_assistant import tools as t
from tinyagent_assistant.settings import load_settings

from . import fakepack
from .assistant_home import write_config

NOW = datetime(2026, 11, 24, 9, 30)
ROOT = Path(__file__).resolve().parent.parent


def parallel(n: int, fn) -> list:
    """Run ``fn(i)`` for i in range(n) in n threads released at the same moment."""
    barrier, out, errors = threading.Barrier(n), [None] * n, []

    def work(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    return out


# ---------------------------------------------------------------- no lost writes


def test_ten_parallel_writers_per_store_keep_ten_of_ten(data, home):
    import icalendar

    parallel(10, lambda i: t.create_calendar_event(f"event {i}", "2026-12-01 10:00:00", "", "", [], "", None))
    parallel(10, lambda i: t.create_reminder(f"reminder {i}", "", "", "", 0, False))
    parallel(10, lambda i: t.send_sms(["+1 555 0100"], f"message {i}"))
    parallel(10, lambda i: t.append_note_content("Groceries", f"line {i}", ""))
    parallel(10, lambda i: t.compose_new_email(["a@example.org"], [], "same subject", f"body {i}", []))

    cal = icalendar.Calendar.from_ical((data / "calendar" / "Calendar.ics").read_bytes())
    titles = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert {f"event {i}" for i in range(10)} <= titles
    reminders = icalendar.Calendar.from_ical((data / "reminders" / "Reminders.ics").read_bytes())
    assert {f"reminder {i}" for i in range(10)} <= {str(e["summary"]) for e in reminders.walk("VTODO")}
    sms = [json.loads(line)["text"] for line in (data / "sms" / "outbox.jsonl").read_text().splitlines()]
    assert sorted(m for m in sms if m.startswith("message ")) == sorted(f"message {i}" for i in range(10))
    note = next((data / "notes").glob("**/Groceries.md")).read_text()
    assert all(f"line {i}" in note for i in range(10))
    bodies = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (data / "mail" / "outbox").glob("*.eml")
    ]
    assert sorted(m.get_body().get_content().strip() for m in bodies if m["Subject"] == "same subject") == sorted(
        f"body {i}" for i in range(10)
    )


def test_ten_parallel_todo_writers_keep_ten_of_ten(isolated, monkeypatch):
    from tinyagent_todo import add_todo, list_todos

    monkeypatch.setenv("TINYAGENT_PLUGINS", "todo")
    parallel(10, lambda i: add_todo(f"task {i}", "", ""))
    listed = list_todos("task")
    assert all(f"task {i}" in listed for i in range(10))


def test_two_processes_writing_at_once_lose_nothing(data, home):
    script = textwrap.dedent(
        """
        import sys
        from tinyagent_assistant import tools as t
        from tinyagent_todo import add_todo
        for i in range(10):
            t.create_calendar_event(f"{sys.argv[1]} {i}", "2026-12-01 10:00:00", "", "", [], "", None)
            t.send_sms(["+1 555 0100"], f"{sys.argv[1]} {i}")
            add_todo(f"{sys.argv[1]} {i}", "", "")
        """
    )
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-c", script, name], env=env) for name in ("alpha", "beta")]
    assert [p.wait(120) for p in procs] == [0, 0]
    import icalendar

    from tinyagent_todo import list_todos

    cal = icalendar.Calendar.from_ical((data / "calendar" / "Calendar.ics").read_bytes())
    titles = {str(e["summary"]) for e in cal.walk("VEVENT")}
    sms = (data / "sms" / "outbox.jsonl").read_text()
    todos = list_todos("")
    for name in ("alpha", "beta"):
        for i in range(10):
            assert f"{name} {i}" in titles and f'"{name} {i}"' in sms and f"{name} {i}" in todos


def test_a_calendar_the_parser_does_not_fully_understand_keeps_every_line(data):
    path = data / "calendar" / "Work.ics"
    original = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//EN\r\nX-ODD-LINE-WITHOUT-COLON\r\n"
        "BEGIN:VEVENT\r\nUID:1@x\r\nSUMMARY:weekly\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=SOMETIMES;BYDAY=XX\r\n"
        'ATTENDEE;CN="Bad "quote":mailto:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
    )
    path.write_bytes(original.encode())
    t.create_calendar_event("new one", "2026-12-02 10:00:00", "", "", [], "", "Work")
    after = path.read_text()
    for line in original.splitlines()[:-1]:  # everything but the final END:VCALENDAR stays, in order
        assert line in after
    assert after.index("X-ODD-LINE-WITHOUT-COLON") < after.index("SUMMARY:new one") < after.rindex("END:VCALENDAR")
    path.write_text("this is not a calendar\n")
    with pytest.raises(ToolInputError, match="not an iCalendar file"):
        t.create_calendar_event("x", "2026-12-02 10:00:00", "", "", [], "", "Work")
    assert path.read_text() == "this is not a calendar\n"


def test_an_interrupted_dataset_leaves_the_previous_one_whole(isolated, registry, monkeypatch):
    from tinyagent import atomic
    from tinyagent.training import generator

    out = isolated / "data"
    cfg = generator.DataConfig(train=40, val=10, test=10, test_heldout=0, val_heldout=0)
    generator.write_dataset(registry, out, cfg, "fp-1")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real = atomic.atomic_write

    def dies_on_the_third_file(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write", dies_on_the_third_file)
    with pytest.raises(KeyboardInterrupt):
        generator.write_dataset(registry, out, dataclasses.replace(cfg, seed=7), "fp-2")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# ---------------------------------------------------------------- nothing repeated, nothing early


def test_a_rejected_plan_runs_no_side_effect(registry):
    for bad in (
        '1. send_sms(["+1"], "hi")\n2. get_phone_number("Maria")\n3. unknown_tool("x")\n4. join()',
        '1. send_sms(["+1"], "hi")\n2. get_phone_number("Maria")\n',  # never reaches join()
    ):
        fakepack.CALLS.clear()
        result = Agent(registry, ScriptedBackend(responses=[bad], chunk=3, delay=0.01), Config(max_rounds=1)).run(
            "q", NOW, consent=allow_all
        )
        assert result.rounds[0][1].planner_error
        assert [c for c in fakepack.CALLS if c[0] == "send_sms"] == []
        assert ("get_phone_number", ("Maria",)) in fakepack.CALLS  # read-only steps still stream
        assert not result.ok


def test_a_replan_never_repeats_a_side_effect_that_succeeded(registry):
    plans = [
        '1. send_sms(["+1 555 0100"], "hi")\n2. get_phone_number("Nobody")\n3. join()',
        '1. send_sms(["+1 555 0100"], "hi")\n2. get_phone_number("Maria")\n3. join()',
    ]
    events = []
    result = Agent(registry, ScriptedBackend(responses=plans)).run(
        "q", NOW, on_event=lambda k, st: events.append(k), consent=allow_all
    )
    assert [c for c in fakepack.CALLS if c[0] == "send_sms"] == [("send_sms", (["+1 555 0100"], "hi"))]
    assert "reused" in events and result.rounds[1][1].steps[1].reused
    assert result.ok and "SMS to +1 555 0100: hi" in result.answer


def test_register_applies_its_options_to_a_ready_tool(registry):
    class Pack:
        @staticmethod
        def register_tools(register):
            ready = make_tool(fakepack.slow_lookup)
            register(ready, side_effects=True, name="slow_writer")

    from tinyagent.plugins import hookimpl

    Pack.register_tools = hookimpl(Pack.register_tools)
    add_plugin(Pack, "ready")
    try:
        reg = load_registry(get_plugin_manager())
    finally:
        remove_plugin("ready")
    assert reg.tools["slow_writer"].side_effects and reg.tools["slow_writer"].pack == "ready"
    refused = asyncio.run(
        Executor(reg.tools, consent=lambda tool, args: False).run(parse_plan('1. slow_writer("x")\n2. join()').steps)
    )
    assert refused.steps[1].status == "refused"


# ---------------------------------------------------------------- nothing unasked


def test_no_header_value_can_add_a_header(data):
    evil = "=?utf-8?b?" + __import__("base64").b64encode(b"Hi\r\nBcc: evil@attacker.example").decode() + "?="
    t.compose_new_email(["a@example.org"], [], evil, "body", [])
    raw = max((data / "mail" / "outbox").glob("*.eml"), key=os.path.getmtime).read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and b"\nBcc:" not in raw and "evil@attacker.example" in str(msg["Subject"])
    # an inbound message with such a subject, carried into a reply and a forward
    inbound = data / "mail" / "inbox" / "zz-evil.eml"
    inbound.write_bytes(
        b"From: x@example.org\r\nTo: me@localhost\r\nSubject: " + evil.encode() + b"\r\n"
        b"Date: Fri, 01 Jan 2100 00:00:00 +0000\r\nMessage-ID: <1@x>\r\n\r\nhello\r\n"
    )
    for call in (lambda: t.reply_to_email([], "ok", []), lambda: t.forward_email(["b@example.org"], [], "fyi", [])):
        call()
        raw = max((data / "mail" / "outbox").glob("*.eml"), key=os.path.getmtime).read_bytes()
        head = raw.split(b"\r\n\r\n")[0]
        assert b"\nBcc:" not in head and email.message_from_bytes(raw, policy=email.policy.default)["Bcc"] is None
    with pytest.raises(ToolInputError, match="not a plain e-mail address"):
        t.compose_new_email(["a@example.org\r\nBcc: evil@attacker.example"], [], "s", "b", [])


def test_near_miss_names_are_offered_never_taken(data):
    from tinyagent_assistant.demo import seed as _  # noqa: F401 - the demo contacts are in place

    contacts = data / "contacts"
    name = "Adaeze Okafor"  # the demo has Chen Wei and Yuki Tanaka
    (contacts / f"{name}.vcf").write_text(f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL:+234 3\nEND:VCARD\n")
    for wrong, meant in (("Chen Wu", "Chen Wei"), ("Yuko Tanaka", "Yuki Tanaka")):
        with pytest.raises(ToolInputError, match=f"no contact matches '{wrong}'; did you mean {meant}"):
            t.get_phone_number(wrong)
    assert t.get_phone_number("chen wei") == "+86 138 0013 8000"  # case
    assert t.get_phone_number("Dr. Okafor") == "+234 3"  # a title, then a whole word of the name
    found = t.get_phone_number("Yuki")
    assert isinstance(found, Labeled) and found.shown() == "Yuki Tanaka <+81 90 1234 5678>"


def test_apps_open_only_with_consent_and_never_a_program(data, home, tmp_path, monkeypatch):
    write_config(home, "timezone: Asia/Tokyo\n")  # open_in_apps defaults to true
    log = tmp_path / "opened.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xdg-open").write_text(f'#!/bin/sh\necho "$1" >> {log}\n')
    (bin_dir / "xdg-open").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":0")
    files = data / "files"
    (files / "run_me.sh").write_text("#!/bin/sh\ntouch pwned\n")
    (files / "run_me.sh").chmod(0o755)
    reg = load_registry(get_plugin_manager())

    def run(plan, consent):
        asyncio.run(Executor(reg.tools, consent=consent).run(parse_plan(plan).steps))
        time.sleep(0.3)  # the opener is a detached process
        return log.read_text().split() if log.exists() else []

    asked = []
    assert run('1. maps_open_location("Paris")\n2. join()', lambda tool, args: asked.append(tool.name) or False) == []
    assert asked == ["open_in_app"]
    assert t.maps_open_location("Paris")  # called outside a run: nothing may be launched
    assert not log.exists()
    assert run('1. maps_open_location("Paris")\n2. join()', None) == [
        "https://www.openstreetmap.org/search?query=Paris"
    ]
    log.unlink()
    assert run('1. open_and_get_file_path("run_me.sh")\n2. join()', None) == []  # --yes, still never a program


def test_hidden_files_and_symlinks_out_of_the_data_roots_are_refused(data, tmp_path):
    files = data / "files"
    secret = files / ".ssh"
    secret.mkdir()
    (secret / "id_rsa").write_text("key")
    with pytest.raises(ToolInputError, match="hidden"):
        t.open_and_get_file_path(str(secret / "id_rsa"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "shadow.txt").write_text("x")
    (files / "link.txt").symlink_to(outside / "shadow.txt")
    with pytest.raises(ToolInputError, match="outside the folders"):
        t.open_and_get_file_path(str(files / "link.txt"))
    (data / "notes" / "Escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ToolInputError, match="outside the notes folder"):
        t.create_note("Leak", "text", "Escape")
    assert not (outside / "Leak.md").exists()


def test_a_symlinked_store_file_stays_a_link(data, tmp_path):
    sync = tmp_path / "sync"
    sync.mkdir()
    cal = data / "calendar" / "Synced.ics"
    (sync / "Synced.ics").write_text("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n")
    cal.symlink_to(sync / "Synced.ics")
    t.create_calendar_event("synced", "2026-12-02 10:00:00", "", "", [], "", "Synced")
    assert cal.is_symlink() and "SUMMARY:synced" in (sync / "Synced.ics").read_text()


def test_empty_note_content_is_an_input_error(data):
    with pytest.raises(ToolInputError, match="content is empty"):
        t.create_note("Empty", "  ", "")
    with pytest.raises(ToolInputError, match="content is empty"):
        t.append_note_content("Groceries", "", "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("packs:\n  assistant:\n    file_roots: ~/Documents\n", "packs.assistant.file_roots"),
        ("joiner: smart\n", "'joiner'"),
        ("selector: some\n", "'selector'"),
        ("step_timeout: 0\n", "'step_timeout'"),
        ("max_rounds: 0\n", "'max_rounds'"),
        ("packs:\n  assistant:\n    open_in_app: true\n", "packs.assistant.open_in_app"),
        ("grammar: 'yes'\n", "'grammar'"),
    ],
)
def test_config_errors_name_the_key(home, text, message):
    write_config(home, text)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config()
        load_settings()


def test_the_todo_packs_settings_are_validated_too(home):
    from tinyagent_todo import todo_file

    write_config(home, "packs:\n  todo:\n    file: [a, b]\n")
    with pytest.raises(ConfigError, match=r"packs\.todo\.file"):
        todo_file()
    write_config(home, "packs:\n  todo:\n    fiel: x.txt\n")
    with pytest.raises(ConfigError, match=r"packs\.todo\.fiel"):
        todo_file()


def test_config_that_is_not_utf8_and_unknown_packs_are_clear_errors(home, monkeypatch):
    (home / "config.yaml").write_bytes(b"instructions: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config()
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todoo")
    with pytest.raises(PluginError, match="'todoo': no such pack"):
        get_plugin_manager()


# ---------------------------------------------------------------- never hang


class Trickle(Backend):
    """A planner that never finishes: one character every 50 ms, for ever (or endless text at once)."""

    name = "trickle"

    def __init__(self, pause: float):
        self.pause = pause

    def stream(self, prompt, *, stop=(), grammar=None, max_tokens=512):
        yield '1. get_phone_number("Maria")\n'
        while True:
            time.sleep(self.pause)
            yield "x" * (1 if self.pause else 1000)

    def count_tokens(self, text):
        return len(text.split())


@pytest.mark.parametrize(("pause", "limit"), [(0.05, "plan_timeout"), (0.0, "max_plan_chars")])
def test_a_runaway_planner_is_stopped_by_its_deadline_or_size_cap(registry, pause, limit):
    t0 = time.perf_counter()
    cfg = Config(max_rounds=1, plan_timeout=1.0, max_plan_chars=5000)
    result = Agent(registry, Trickle(pause), cfg).run("q", NOW, consent=allow_all)
    assert time.perf_counter() - t0 < 5
    assert limit in result.rounds[0][1].planner_error and not result.ok


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "job.py"
    path.write_text(textwrap.dedent(body))
    return path


def test_a_stuck_tool_times_out_and_the_process_still_exits(tmp_path):
    job = _script(
        tmp_path,
        """
        import asyncio, threading
        from tinyagent.executor import Executor
        from tinyagent.plan import parse_plan
        from tinyagent.plugins import make_tool

        def stuck(path: str) -> str:
            '''Reads a FIFO nobody writes to.'''
            threading.Event().wait()

        tools = {"stuck": make_tool(stuck)}
        trace = asyncio.run(Executor(tools, timeout=0.5).run(parse_plan('1. stuck("x")\\n2. join()').steps))
        print(trace.steps[1].status)
        """,
    )
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, str(job)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "timeout" and time.perf_counter() - t0 < 20


def _cli_process(home: Path, script: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TINYAGENT_HOME": str(home), "TINYAGENT_PLUGINS": "assistant"}
    exe = Path(sys.executable).with_name("tinyagent")
    cmd = [str(exe), "run", "--backend", "scripted", "--script", str(script), *args]
    return subprocess.Popen(
        cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_ctrl_c_ends_the_run_at_once_with_exit_code_130(home, tmp_path):
    import yaml

    script = tmp_path / "script.yaml"
    script.write_text(
        yaml.safe_dump([{"query": "where is Paris", "plan": '1. maps_open_location("Paris")\n2. join()'}])
    )
    # the scripted planner trickles: Ctrl-C arrives while the plan is being written
    write_config(
        home, "timezone: UTC\nbackend_options: {chunk: 1, delay: 0.5}\npacks: {assistant: {open_in_apps: false}}\n"
    )
    proc = _cli_process(home, script, "where is Paris")
    time.sleep(4)
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.perf_counter() - t0 < 3 and "Interrupted" in err and "Fatal Python error" not in err


# ---------------------------------------------------------------- the truth at the end


def test_a_request_that_failed_says_so_and_exits_non_zero(data, home, tmp_path):
    import yaml

    script = tmp_path / "script.yaml"
    script.write_text(
        yaml.safe_dump(
            [
                {
                    "query": "Text Bob hi",
                    "plans": ['1. get_phone_number("Bob")\n2. send_sms(["$1"], "hi")\n3. join()', "1. join()"],
                }
            ]
        )
    )
    out = CliRunner().invoke(cli, ["run", "--yes", "--backend", "scripted", "--script", str(script), "Text Bob hi"])
    assert out.exit_code == 1
    assert "no contact matches 'Bob'" in out.output and "not completed" in out.output
    assert "None of the installed tools can do that" not in out.output


def test_a_replan_is_grounded_on_observed_values_never_on_error_text(registry, monkeypatch):
    from tinyagent import agent as agent_module

    seen = []
    real = agent_module.Agent.grammar

    def spy(self, selection, query, now, replan_context=""):
        seen.append(replan_context)
        return real(self, selection, query, now, replan_context)

    monkeypatch.setattr(agent_module.Agent, "grammar", spy)
    plans = ['1. get_phone_number("Maria")\n2. get_phone_number("Nobody")\n3. join()', "1. join()"]
    Agent(registry, ScriptedBackend(responses=plans), Config(prompt_style="compact")).run("q", NOW, consent=allow_all)
    assert seen[1] == "+34 600 000 001"  # the value step 1 observed, not "Previous Plan" or the error


def test_consent_prompts_label_arguments_and_say_what_happens(data, home):
    reg = load_registry(get_plugin_manager())
    sms = reg.tools["send_sms"]
    call = describe_call(sms, [[Labeled("+34 600 123 456", "Maria García")], "hi"])
    assert call == 'send_sms(recipients=[Maria García <+34 600 123 456>], message="hi")'
    assert sms.describe_effect([]).startswith("saves a draft of the SMS in") and "(not sent)" in sms.describe_effect([])
    write_config(home, "timezone: UTC\npacks:\n  assistant:\n    sms_gateway: {url: 'http://127.0.0.1:9/sms'}\n")
    assert sms.describe_effect([]) == "SENDS the SMS through http://127.0.0.1:9/sms"
    assert "draft" in reg.tools["compose_new_email"].describe_effect([])


def test_a_huge_step_number_is_a_plan_error():
    with pytest.raises(PlanError):
        parse_plan("9" * 5000 + '. get_phone_number("x")\n2. join()')
    plan = parse_plan('1. send_sms(["$' + "1" * 5000 + '"], "hi")\n2. join()')  # not a reference: plain text
    assert plan.steps[0].deps == ()


def test_ctrl_c_at_the_consent_prompt_ends_the_run_and_sends_nothing(data, home, tmp_path):
    import pty
    import select

    import yaml

    script = tmp_path / "script.yaml"
    script.write_text(yaml.safe_dump([{"query": "text hi", "plan": '1. send_sms(["+1 555 0100"], "hi")\n2. join()'}]))
    main, child = pty.openpty()  # a terminal: tinyagent asks before the side effect
    env = {**os.environ, "TINYAGENT_HOME": str(home), "TINYAGENT_PLUGINS": "assistant"}
    exe = Path(sys.executable).with_name("tinyagent")
    proc = subprocess.Popen(
        [str(exe), "run", "--backend", "scripted", "--script", str(script), "text hi"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    try:
        seen, deadline = b"", time.monotonic() + 60
        while b"Allow send_sms" not in seen and time.monotonic() < deadline:
            if select.select([main], [], [], 0.5)[0]:
                try:
                    seen += os.read(main, 4096)
                except OSError:
                    break
        assert b"Allow send_sms(recipients=" in seen, seen
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 130
        assert time.perf_counter() - t0 < 3
        try:
            while select.select([main], [], [], 0.2)[0]:
                seen += os.read(main, 4096)
        except OSError:
            pass
    finally:
        if proc.poll() is None:  # a failed assertion must not leave the run waiting at its prompt
            proc.kill()
    os.close(main)
    assert b"Interrupted" in seen and b"Fatal Python error" not in seen
    outbox = data / "sms" / "outbox.jsonl"
    assert not outbox.exists() or '"text": "hi"' not in outbox.read_text()
