from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinyagent.cli import cli
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.shorthand import expanded
from tinyagent.training.generator import DataConfig, generate
from tinyagent.training.teacher import parse_teacher_output, teacher_examples

from .httpserver import completions_server


@pytest.fixture
def dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    # every tool in the prompt: no planner was trained for assistant + todo, and the stale selection
    # (tests/test_stale.py) would rightly refuse the todo requests
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "home" / "config.yaml").write_text("selector: all\n")
    reg = load_registry(get_plugin_manager())
    rows = [e.to_json() for e in generate(reg, DataConfig(0, 0, 40, 0, val_heldout=0, seed=3))]
    path = tmp_path / "test.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, rows


def test_eval_on_the_test_split_with_the_scripted_backend(dataset, tmp_path):
    path, rows = dataset
    report = tmp_path / "report"
    out = CliRunner().invoke(
        cli,
        [
            "eval",
            "--dataset",
            str(path),
            "--backend",
            "scripted",
            "--script",
            str(path),
            "--json",
            "--report",
            str(report),
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output[out.output.index("{") :])
    assert data["n"] == 40 and data["dag_success"] == 1.0 and data["args_success"] == 1.0
    assert data["tool_recall"] == 1.0 and data["invalid_rate"] == 0.0
    assert data["prompt_tokens"] > 500 and set(data["latency_ms"]) == {"select", "prompt", "plan", "total"}
    md = (report / "report.md").read_text()
    assert "DAG success (paper's metric) | 100.00%" in md
    svg = (report / "per_tool.svg").read_text()
    assert svg.startswith("<svg") and "(" in svg and "/" in svg  # counts beside the percentages
    import csv
    import re

    tools = list(csv.DictReader((report / "per_tool.csv").open()))
    assert tools and all(r["dag_success"] == "1.0000" and int(r["requests"]) >= 1 for r in tools)
    # the longest tool name fits left of the bars: the bars start after the label column
    longest = max(len(r["tool"]) for r in tools)
    first_bar = float(re.search(r'<rect x="([0-9.]+)"', svg).group(1))
    assert first_bar >= 7 * longest
    assert [r["stage"] for r in csv.DictReader((report / "latency.csv").open())] == [
        "select",
        "prompt",
        "plan",
        "total",
    ]
    assert (report / "latency_p50.svg").exists() and (report / "latency_p95.svg").exists()


def test_eval_on_a_configured_backend_scores_its_mistakes(dataset, tmp_path):
    path, rows = dataset
    plans = {r["query"]: r["plan"] for r in rows}
    wrong = set(list(plans)[:10])

    heard = {expanded(q): q for q in plans}  # the planner reads shorthand in full

    def answer(body):  # a "model" that gets 10 of 40 wrong: one bad arity, nine wrong structures
        asked = body["prompt"].rsplit("Question: ", 1)[1].strip()
        # a spoken correction taken out: the agent plans its last words
        query = heard.get(asked) or next(q for h, q in heard.items() if h.endswith(" " + asked))
        if query == next(iter(wrong)):
            return '1. send_sms("x")\n2. join()'
        return '1. maps_open_location("x")\n2. join()' if query in wrong else plans[query]

    with completions_server(answer_for=answer) as (url, _):
        out = CliRunner().invoke(
            cli, ["eval", "--dataset", str(path), "--backend", "openai", "--base-url", url, "--json"]
        )
    data = json.loads(out.output[out.output.index("{") :])
    expected_ok = sum(1 for q in plans if q not in wrong or plans[q].startswith('1. maps_open_location("x")'))
    assert data["dag_success"] == pytest.approx(expected_ok / 40, abs=0.03)
    assert data["invalid_rate"] == pytest.approx(1 / 40)
    wrong_plans = [f for f in data["failures"] if f["kind"] == "plan"]
    assert len(wrong_plans) == 40 - round(data["dag_success"] * 40)
    assert len(data["failures"]) == 40 - round(data["args_success"] * 40)  # and the wrong arguments
    # per pack: the requests using any of the pack's tools, scored the same way
    reg = load_registry(get_plugin_manager())
    for pack, stat in data["per_pack"].items():
        using = [r for r in rows if any(reg.tools[t].pack == pack for t in r["tools"])]
        ok = [r for r in using if r["query"] not in wrong or r["plan"].startswith('1. maps_open_location("x")')]
        assert stat == {"n": len(using), "ok": len(ok)}, pack
    assert set(data["per_pack"]) == {"assistant", "todo"}


def test_eval_rejects_a_bad_dataset(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x"}\n')
    out = CliRunner().invoke(cli, ["eval", "--dataset", str(bad), "--backend", "scripted", "--script", str(bad)])
    assert out.exit_code == 1


TEACHER = """Question: Text Joaquín that the keys are under the mat
1. get_phone_number("Joaquín")
2. send_sms(["$1"], "The keys are under the mat")
3. join()<END_OF_PLAN>
###
Question: Book a flight to Rome
1. book_flight("Rome")
2. join()<END_OF_PLAN>
###
Question: Where is the Colosseum?
1. maps_open_location("Colosseum")
2. join()
"""


def test_teacher_examples_are_checked(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    reg = load_registry(get_plugin_manager())
    assert [q for q, _ in parse_teacher_output(TEACHER)][0] == "Text Joaquín that the keys are under the mat"
    with completions_server(TEACHER) as (url, requests):
        from tinyagent.backends.openai import OpenAIBackend

        stats = {}
        got = list(teacher_examples(reg, OpenAIBackend(base_url=url), 2, stats=stats))
    assert [g["query"] for g in got] == ["Text Joaquín that the keys are under the mat", "Where is the Colosseum?"]
    assert stats["rejected"] >= 1  # the hallucinated book_flight
    assert "get_phone_number(name: str)" in requests[0]["body"]["prompt"]


def test_teacher_examples_join_the_training_split_once(monkeypatch, isolated):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    args = ["retrain", "--only", "data", "--size", "200", "--teacher-size", "2"]
    hashes = []
    with completions_server(TEACHER) as (url, _):
        for _ in range(2):
            out = CliRunner().invoke(cli, [*args, "--teacher-url", url])
            assert out.exit_code == 0, out.output
            data = next((isolated / "home" / "artifacts" / "work").glob("*/data"))
            rows = [json.loads(line) for line in (data / "train.jsonl").read_text().splitlines()]
            taught = [r["query"] for r in rows if r["templates"] == ["teacher"]]
            assert taught == ["Text Joaquín that the keys are under the mat", "Where is the Colosseum?"]  # not twice
            manifest = json.loads((data / "manifest.json").read_text())
            assert len(rows) == 202 + manifest["handwritten"]  # the assistant pack's hand-written requests
            hashes.append(manifest["sha256"])
    assert hashes[0] == hashes[1]  # the same teacher answers: the same dataset


def test_bench_reports_side_by_side(monkeypatch, isolated):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    (isolated / "home").mkdir(exist_ok=True)
    (isolated / "home" / "config.yaml").write_text("selector: all\n")  # no planner knows this tool set
    out = CliRunner().invoke(cli, ["bench", "--size", "12", "--json", "--tokens-per-s", "400"])
    assert out.exit_code == 0, out.output
    assert "bench: planning: 12/12 (100%)" in out.stderr  # progress on stderr, JSON alone on stdout
    data = json.loads(out.stdout)
    ex = data["execution"]
    assert ex["parallel_s"] <= ex["sequential_s"] * 1.05
    assert ex["parallel_s"] >= ex["critical_path_s"] * 0.95  # nothing beats the critical path
    s = data["streaming"]
    assert s["first_step_started_ms_p50"] < s["whole_plan_done_ms_p50"]
    assert data["prompt_tokens"]["ratio"] == pytest.approx(1.0) and "scripted" in data["note"]


def test_bench_scores_other_planners_on_the_same_requests(monkeypatch, tmp_path):
    """`bench --compare` lists each planner beside the active one, scored as `eval` scores it."""
    from tinyagent.artifacts import EMBEDDED_DIR

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    source = Path(__file__).parent.parent / "benchmarks" / "handwritten_assistant.jsonl"
    rows = [json.loads(line) for line in source.read_text().splitlines()][:6]
    path = tmp_path / "six.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = CliRunner().invoke(cli, ["bench", "--dataset", str(path), "--json", "--compare", str(EMBEDDED_DIR)])
    assert out.exit_code == 0, out.output
    planners = json.loads(out.stdout)["planners"]
    assert planners["active"]["dag_success"] == 1.0  # the scripted oracle
    compared = planners[str(EMBEDDED_DIR)]
    model = EMBEDDED_DIR / json.loads((EMBEDDED_DIR / "manifest.json").read_text())["model"]
    args = ["eval", "--dataset", str(path), "--json", "--model", str(model), "--prompt-style", "compact"]
    evaluated = json.loads(CliRunner().invoke(cli, args).stdout)
    for key in ("dag_success", "args_success", "invalid_rate"):
        assert compared[key] == evaluated[key]  # greedy decoding: the same plans, the same scores
    assert compared["plan_p50_ms"] > 0
    bad = CliRunner().invoke(cli, ["bench", "--dataset", str(path), "--compare", str(tmp_path)])
    assert bad.exit_code != 0 and "is not a planner folder" in bad.output


def test_bench_multi_step_speedup_pairs_each_plan_with_its_own_timings(monkeypatch):
    import random

    from tinyagent.bench import execution_row

    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    reg = load_registry(get_plugin_manager())
    three = "\n".join(f'{i}. get_phone_number("P{i}")' for i in (1, 2, 3)) + "\n4. join()"
    rows = [{"plan": "1. join()"}, {"plan": '1. maps_open_location("Rome")\n2. join()'}, {"plan": three}]
    row = execution_row(reg.tools, rows, random.Random(0))
    assert row["plans"] == 2  # the plan without steps is not timed
    # only the three independent lookups count as multi-step: run in parallel they take about a third
    # (3x); pairing the wrong rows gives about 1x. 1.5 leaves room for a loaded machine (1.70 measured
    # with a training on both cores).
    assert row["speedup_on_multi_step_plans"] > 1.5
    assert row["speedup_parallel_vs_sequential"] < row["speedup_on_multi_step_plans"]
