"""The experiments of the safe-execution issue, re-run: writes kept, duplicate sends, side effects of
rejected plans, and seconds from Ctrl-C to exit. Prints one line per figure (docs/safety.md).

    TINYAGENT_PLUGINS=assistant .venv/bin/python benchmarks/safety.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

NOW = datetime(2026, 11, 24, 9, 30)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="tinyagent-safety-"))
    os.environ["TINYAGENT_HOME"] = str(home)
    os.environ["TINYAGENT_PLUGINS"] = "assistant"
    (home / "config.yaml").write_text("timezone: UTC\npacks: {assistant: {open_in_apps: false}}\n")

    import icalendar

    from tinyagent.agent import Agent, allow_all
    from tinyagent.backends.scripted import ScriptedBackend
    from tinyagent.config import Config
    from tinyagent.plugins.host import get_plugin_manager, load_registry
    from tinyagent_assistant.demo import seed
    from tinyagent_assistant.settings import load_settings

    settings = load_settings()
    seed(settings)
    reg = load_registry(get_plugin_manager())

    def run(plan: str, rounds: int = 1, **kw):
        return Agent(reg, ScriptedBackend(responses=[plan] * rounds, **kw), Config(max_rounds=rounds)).run(
            "q", NOW, consent=allow_all
        )

    def events() -> list[str]:
        path = settings.dir("calendar") / "Calendar.ics"
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        return [str(e["summary"]) for e in cal.walk("VEVENT")]

    before = len(events())
    for r in range(20):
        run(
            f'1. create_calendar_event("two-{r}-a", "2026-12-01 10:00:00", "", "", [], "", None)\n'
            f'2. create_calendar_event("two-{r}-b", "2026-12-01 11:00:00", "", "", [], "", None)\n3. join()'
        )
    print(f"two parallel events per plan, 20 runs: {len(events()) - before} of 40 kept")

    ten = "\n".join(
        f'{i + 1}. create_calendar_event("ten-{i}", "2026-12-02 10:00:00", "", "", [], "", None)' for i in range(10)
    )
    run(ten + "\n11. join()")
    print(f"ten-way plan, events: {sum(e.startswith('ten-') for e in events())} of 10 kept")
    run("\n".join(f'{i + 1}. send_sms(["+1 555 0100"], "ten-{i}")' for i in range(10)) + "\n11. join()")
    sms = [json.loads(x)["text"] for x in (settings.dir("sms") / "outbox.jsonl").read_text().splitlines()]
    print(f"ten-way plan, SMS drafts: {sum(m.startswith('ten-') for m in sms)} of 10 kept")
    run("\n".join(f'{i + 1}. append_note_content("Groceries", "ten-{i}", "")' for i in range(10)) + "\n11. join()")
    note = next(settings.dir("notes").glob("**/Groceries.md")).read_text()
    print(f"ten-way plan, note appends: {sum(f'ten-{i}' in note for i in range(10))} of 10 kept")

    sms_before = len((settings.dir("sms") / "outbox.jsonl").read_text().splitlines())
    run('1. send_sms(["+1 555 0199"], "once")\n2. get_phone_number("Nobody Atall")\n3. join()', rounds=2)
    sent = len((settings.dir("sms") / "outbox.jsonl").read_text().splitlines()) - sms_before
    print(f"send then a failing lookup, replanned: {sent} SMS draft(s) written (1 is right)")

    made = 0
    for r in range(12):
        run(f'1. create_note("rejected-{r}", "x", "")\n2. unknown_tool("y")\n3. join()', chunk=4, delay=0.005)
        made += any(settings.dir("notes").glob(f"**/rejected-{r}.md"))
    print(f"create_note then an unknown tool: note created in {made} of 12 runs")
    made = 0
    for r in range(10):
        run(f'1. create_note("nojoin-{r}", "x", "")\n2. get_phone_number("Maria")\n', chunk=4, delay=0.005)
        made += any(settings.dir("notes").glob(f"**/nojoin-{r}.md"))
    print(f"a plan that never reaches join(): side effects ran in {made} of 10 runs")

    script = home / "script.yaml"
    script.write_text(
        yaml.safe_dump([{"query": "where is Paris", "plan": '1. maps_open_location("Paris")\n2. join()'}])
    )
    (home / "config.yaml").write_text(
        "timezone: UTC\nbackend_options: {chunk: 1, delay: 0.5}\npacks: {assistant: {open_in_apps: false}}\n"
    )
    exe = Path(sys.executable).with_name("tinyagent")
    waits = []
    for _ in range(3):
        proc = subprocess.Popen(
            [str(exe), "run", "--backend", "scripted", "--script", str(script), "where is Paris"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(3)
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        waits.append((time.perf_counter() - t0, proc.returncode))
    print("Ctrl-C while planning: " + ", ".join(f"{s:.2f} s (exit {rc})" for s, rc in waits))


if __name__ == "__main__":
    main()
