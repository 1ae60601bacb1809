"""The embedded default planner, as shipped: it matches the assistant pack and plans real requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinyagent.artifacts import EMBEDDED_DIR, active_planner, artifact_status
from tinyagent.cli import cli
from tinyagent.config import paths
from tinyagent.plan import parse_plan, render_plan
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry

HANDWRITTEN = Path(__file__).parents[1] / "benchmarks" / "handwritten_assistant.jsonl"


@pytest.fixture
def assistant(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")  # the installed pack, through its entry point
    return load_registry(get_plugin_manager())


def test_embedded_planner_matches_the_assistant_pack(assistant):
    planner = active_planner(paths().artifacts_dir)
    assert planner is not None and planner.source == "embedded" and planner.lora is None
    # Changing the assistant pack's tools, examples or templates makes this fail: re-embed after retraining.
    assert planner.fingerprint == fingerprint(assistant)
    assert not artifact_status(paths().artifacts_dir, fingerprint(assistant)).stale
    manifest = json.loads((EMBEDDED_DIR / "manifest.json").read_text())
    assert manifest["prompt_style"] == "compact" and manifest["eval"]["test"]["dag_success"] >= 0.8
    size = sum(f.stat().st_size for f in EMBEDDED_DIR.rglob("*") if f.is_file())
    assert size < 50e6  # it lives in git: tens of MB at most
    # every run it grew from names its base as "scratch" or "embedded", never a folder of the machine it ran on
    runs = [run["inputs"] for run in (manifest, *manifest["lineage"]) if "inputs" in run]
    runs += [part["inputs"] for run in runs for part in run.get("soup", [])]  # a soup's planners
    bases = {run["base"] for run in runs if "soup" not in run}
    assert bases <= {"scratch", "embedded"}


def test_the_readme_request_runs_on_the_embedded_model(assistant):
    runner = CliRunner()
    assert runner.invoke(cli, ["assistant", "seed", "--force"]).exit_code == 0
    out = runner.invoke(cli, ["run", "--yes", "--json", "Text Maria that I'll be 10 minutes late"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output[out.output.index("{") :])
    plan = result["rounds"][0]["plan"]
    assert plan.startswith('1. get_phone_number("Maria")\n2. send_sms(["$1"], "I\'ll be 10 minutes late")')
    outbox = paths().data_dir / "assistant" / "sms" / "outbox.jsonl"
    assert "I'll be 10 minutes late" in outbox.read_text()


def test_handwritten_requests_mostly_plan_right(assistant):
    """Requests no template produced (benchmarks/handwritten_assistant.jsonl), through `tinyagent plan`."""
    rows = [json.loads(line) for line in HANDWRITTEN.read_text().splitlines()]
    inp = paths().data_dir / "requests.jsonl"
    inp.parent.mkdir(parents=True, exist_ok=True)
    inp.write_text("".join(json.dumps({"query": r["query"], "now": r["now"]}) + "\n" for r in rows))
    out = paths().data_dir / "plans.jsonl"
    done = CliRunner().invoke(cli, ["plan", "--input", str(inp), "--output", str(out)])
    assert done.exit_code in (0, 1), done.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(got) == len(rows)
    from tinyagent.metrics import dag_match

    right = 0
    for row, result in zip(rows, got, strict=True):
        assert "unknown_tool" not in result.get("error", "") and "arity" not in result.get("error", "")
        if result.get("plan"):
            right += dag_match(parse_plan(result["plan"], require_join=False), parse_plan(row["plan"]))
    assert right >= 0.6 * len(rows), f"{right}/{len(rows)}"
    assert render_plan(parse_plan(rows[0]["plan"]))  # the file itself is valid plan text


def test_a_plan_cut_off_by_the_token_limit_says_so():
    from tinyagent.backends.base import BackendError
    from tinyagent.backends.llama import MIN_CONTEXT, LlamaBackend

    backend = LlamaBackend(EMBEDDED_DIR / "base" / "model.q4_k_m.gguf", prompt_style="compact")
    prompt = "Tools: get_phone_number send_sms\nQuestion: Text Maria that I'll be late\nPlan:\n"
    assert backend.complete(prompt, stop=["<END_OF_PLAN>"]).startswith("1. get_phone_number(")
    with pytest.raises(BackendError, match="did not finish within 3 tokens"):
        backend.complete(prompt, stop=["<END_OF_PLAN>"], max_tokens=3)
    # the embedded model trained on 512 positions; long plans get room past them
    assert backend.llm.n_ctx() == MIN_CONTEXT > backend.llm._model.n_ctx_train()
    backend.close()
