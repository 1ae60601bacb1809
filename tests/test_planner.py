"""The planner pipeline end to end with a tiny model: dataset, a base from scratch (tokenizer,
weights), GGUF export, 4-bit quantization, llama.cpp with the plan grammar, a LoRA adapter exported
to GGUF, the active-planner switch, staleness, and an interrupted retrain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import tinyagent_todo
from tinyagent.agent import Agent
from tinyagent.artifacts import active_planner, artifact_status
from tinyagent.backends.llama import LlamaBackend
from tinyagent.bench import planner_row
from tinyagent.cli import cli
from tinyagent.config import Config, paths
from tinyagent.evaluate import evaluate
from tinyagent.jsonl import read_jsonl
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin
from tinyagent.training import retrain as retrain_module
from tinyagent.training.generator import DataConfig, write_dataset
from tinyagent.training.planner import PlannerConfig, _oversample_long, load_tokenizer, train_planner
from tinyagent.training.retrain import retrain_planner

TINY = {
    "vocab_size": 400,
    "hidden": 64,
    "layers": 2,
    "heads": 2,
    "intermediate": 128,
    "batch": 16,
    "warmup": 10,
    "lr": 5e-3,
}
NOW = datetime(2026, 11, 24, 10, 30)


@pytest.fixture
def todo_registry():
    add_plugin(tinyagent_todo, "todo")
    yield load_registry(get_plugin_manager())
    remove_plugin("todo")


def _merged_vs_llama(base: Path, adapter: Path, gguf: Path, lora_gguf: Path, prompt: str) -> float:
    """Largest logit difference between peft's merged model and llama.cpp with the GGUF adapter."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    ids = [1, *load_tokenizer(base).encode(prompt)]
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload().eval()
    with torch.no_grad():
        want = merged(torch.tensor([ids])).logits[0, -1].numpy()
    from llama_cpp import Llama

    llm = Llama(str(gguf), lora_path=str(lora_gguf), n_ctx=256, logits_all=True, verbose=False)
    llm.eval(ids)
    got = np.array(llm.scores[len(ids) - 1])
    llm.close()
    return float(np.abs(want - got).max())


@pytest.mark.slow  # trains a model
def test_retrain_planner_end_to_end(todo_registry, tmp_path, monkeypatch):
    reg = todo_registry
    data = tmp_path / "data"
    write_dataset(reg, data, DataConfig.sized(400), fingerprint(reg))
    artifacts = paths().artifacts_dir

    # A base from scratch: tokenizer, weights, F16 GGUF, Q4 GGUF, evaluated with the grammar on.
    first = retrain_planner(reg, data, from_scratch=True, steps=300, eval_limit=12, shape=TINY)
    planner = active_planner(artifacts)
    assert planner is not None and planner.source == "retrained" and planner.fingerprint == fingerprint(reg)
    assert planner.model.name == "model.q4_k_m.gguf" and planner.lora is None
    assert first["eval"]["test"]["n"] == 12
    for failure in first["eval"]["test"]["failures"]:  # the grammar rules out unknown tools and arity errors
        assert "unknown_tool" not in failure["error"] and "arity" not in failure["error"]
    assert not artifact_status(artifacts, fingerprint(reg)).stale
    folders = set((artifacts / "planner").iterdir())
    again = retrain_planner(reg, data, from_scratch=True, steps=300, eval_limit=12, shape=TINY)
    assert again["seconds"] == first["seconds"] and set((artifacts / "planner").iterdir()) == folders  # skipped

    # The llama.cpp backend under the grammar: every plan names installed tools with the right arity.
    backend = LlamaBackend(planner.model, prompt_style="compact")
    agent = Agent(reg, backend, Config())
    for query in ["add buy milk to my todo list", "what's on my todo list?", "mark the dentist task done", "hello"]:
        result = agent.plan(query, NOW)
        codes = {issue.code for issue in result.issues}
        assert result.error is None and not codes & {"syntax", "unknown_tool", "arity", "type"}, result.text
    assert backend.count_tokens("Tools: add_todo\n") > 1

    # The bench's side-by-side rows: grammar on vs off, grounded or not, 4-bit vs F16, same requests.
    rows = list(read_jsonl(data / "test.jsonl"))[:4]
    row = planner_row(agent, rows, evaluate(agent, rows))
    # the rows measure the same 4 requests: fractions of 4, and every ratio finite and positive
    assert row["grammar_off"]["dag_success"] * 4 in (0, 1, 2, 3, 4) and 0 < row["grammar_latency_ratio"] < 100
    assert row["ungrounded"]["invalid_rate"] * 4 in (0, 1, 2, 3, 4) and 0 < row["grounded_latency_ratio"] < 100
    assert 0 < row["q4_over_f16"]["size"] < 0.9 and "dag_success" in row["f16"]
    backend.close()

    # A LoRA adapter on that base: llama.cpp with the GGUF adapter matches peft's merged model.
    base_dir = planner.model.parent
    second = retrain_planner(reg, data, base=str(base_dir), steps=15, rank=4, eval_limit=4, shape={"batch": 8})
    adapter = active_planner(artifacts)
    assert adapter is not None and adapter.lora is not None and adapter.model == planner.model
    assert second["training"]["trainable"] < second["training"]["parameters"] / 2
    assert second["training"]["rows"] == 15 * 8, "prompts built only for the rows 15 steps of 8 read"
    f16 = retrain_module.work_dir(reg) / "planner" / "model.f16.gguf"  # unquantized: the check is exact
    lora_dir = retrain_module.work_dir(reg) / "planner" / "lora"
    prompt = "Tools: add_todo list_todos\nQuestion: add call mom to my todo list\nPlan:\n"
    assert _merged_vs_llama(base_dir, lora_dir, f16, adapter.lora, prompt) < 0.01

    # An interrupted retrain leaves the previous planner active and no half-built folder.
    before = json.loads((artifacts / "active.json").read_text())
    folders = set((artifacts / "planner").iterdir())

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(retrain_module, "_evaluate_planner", interrupted)
    with pytest.raises(KeyboardInterrupt):
        retrain_planner(reg, data, base=str(base_dir), steps=2, rank=4, resume=True, shape={"batch": 8})
    assert json.loads((artifacts / "active.json").read_text()) == before
    assert set((artifacts / "planner").iterdir()) == folders

    # The CLI runs on the active planner by default (the llama backend) and plans a dry run.
    out = CliRunner().invoke(cli, ["run", "--dry-run", "--now", "2026-11-24 10:30:00", "add buy milk to my todo list"])
    assert out.exit_code == 0, out.output
    assert "join()" in out.output or "1." in out.output


def test_runtime_says_when_the_planner_is_stale(todo_registry, tmp_path, fake_pack):
    """A planner built for another tool set still loads, and the CLI names the command that fixes it."""
    folder = paths().artifacts_dir / "planner" / "old"
    folder.mkdir(parents=True)
    (folder / "model.gguf").write_bytes(b"GGUF")
    (folder / "manifest.json").write_text(json.dumps({"fingerprint": "f" * 64, "model": "model.gguf", "lora": None}))
    (paths().artifacts_dir / "active.json").write_text(json.dumps({"folder": "planner/old"}))
    reg = load_registry(get_plugin_manager())
    status = artifact_status(paths().artifacts_dir, fingerprint(reg))
    assert status.stale and "tinyagent retrain" in status.describe()
    out = CliRunner().invoke(cli, ["run", "--dry-run", "add milk to my todo list"])
    assert "stale" in out.output and "tinyagent retrain" in out.output
    assert "could not load" in out.output  # a 4-byte file is no model: a clear error, not a crash
    # A damaged pointer falls back to the embedded planner instead of failing.
    (paths().artifacts_dir / "active.json").write_text("{not json")
    planner = active_planner(paths().artifacts_dir)
    assert planner is None or planner.source == "embedded"


def test_prompt_style_follows_the_model_unless_configured(registry):
    from tinyagent.backends.scripted import ScriptedBackend

    own = ScriptedBackend(responses=["1. join()"])
    own.prompt_style = "compact"  # as the llama backend reports for tinyagent's own models
    selection = Agent(registry, own).selector.select("text Ana")
    compact = Agent(registry, own).prompt("text Ana tomorrow at 3pm", NOW, selection)
    assert compact.startswith("Tools: ") and "Time: 2026-11-25 15:00:00" in compact
    original = Agent(registry, own, Config(prompt_style="tinyagent")).prompt("text Ana", NOW, selection)
    assert original.startswith("Given a user query, create a plan")  # what published TinyAgent models expect
    grammar = Agent(registry, own).grammar(selection, "text Ana", NOW)
    assert grammar is not None and "send_sms(" in grammar
    assert Agent(registry, own, Config(grammar=False)).grammar(selection, "text Ana", NOW) is None


def test_llama_backend_errors_are_specific(tmp_path):
    from tinyagent.backends.base import BackendError

    with pytest.raises(BackendError, match="no GGUF file at"):
        LlamaBackend(tmp_path / "missing.gguf")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(BackendError, match="could not load"):
        LlamaBackend(broken).count_tokens("hello")
    out = CliRunner().invoke(cli, ["plan", "--model", str(tmp_path / "missing.gguf"), "hello"])
    assert out.exit_code == 1 and "no GGUF file at" in out.output


def test_long_rows_are_oversampled():
    rows = [([0] * 10, 1), ([0] * 130, 1), ([0] * 300, 1)]
    assert [len(ids) for ids, _ in _oversample_long(rows, 128)] == [10, 130, 130, 300, 300, 300]
    assert _oversample_long(rows, 0) == rows


@pytest.mark.slow  # trains a model
def test_fine_tuning_runs_data_parallel_under_a_launcher(tmp_path):
    """Two processes (gloo on the CPU, as NCCL on GPUs): one saves the model, the other only trains."""
    from tests.accelerate_job import ROWS

    base = tmp_path / "base"
    tiny = PlannerConfig(vocab_size=300, hidden=32, layers=1, heads=2, intermediate=64, steps=2, batch=2, warmup=1)
    train_planner(ROWS, base, tiny)
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path.cwd())}
    launch = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    job = subprocess.run(
        [*launch, "tests/accelerate_job.py", str(base), str(tmp_path / "out")], env=env, capture_output=True, text=True
    )
    assert job.returncode == 0, job.stderr[-2000:]
    assert sorted(line for line in job.stdout.splitlines() if line) == ["main 2", "worker None"]
    assert json.loads((tmp_path / "out" / "training.json").read_text())["processes"] == 2


def test_retrain_under_a_launcher_runs_only_the_planner_stage(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    out = CliRunner().invoke(cli, ["retrain"])
    assert out.exit_code != 0 and "only the planner stage runs" in out.output


def test_micro_batches_give_the_whole_batchs_gradient():
    """--micro-batch trades memory for passes, never the update: the accumulated gradient is the batch's."""
    import torch
    from accelerate import Accelerator

    from tinyagent.training.planner import _new_model, accumulate

    torch.manual_seed(0)
    model = _new_model(PlannerConfig(**TINY), 400)
    ids = torch.randint(3, 400, (5, 12))
    labels = ids.clone()
    labels[:, :4] = -100  # the prompt is not predicted
    labels[1, 6:] = -100  # rows of different lengths: padding
    labels[3, 9:] = -100
    grads, losses = [], []
    for micro in (0, 2, 1):
        model.zero_grad()
        losses.append(accumulate(model, ids, labels, micro, Accelerator(cpu=True)))
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]))
    assert losses[0] == pytest.approx(losses[1], rel=1e-5) and losses[0] == pytest.approx(losses[2], rel=1e-5)
    assert torch.allclose(grads[0], grads[1], atol=1e-6) and torch.allclose(grads[0], grads[2], atol=1e-6)
    assert grads[0].abs().sum() > 0


def test_a_short_run_reaches_its_learning_rate():
    from tinyagent.training.planner import learning_rate

    short = PlannerConfig(steps=20, warmup=100, lr=1e-3)
    assert max(learning_rate(short, s) for s in range(20)) == pytest.approx(1e-3, rel=0.05)
    long = PlannerConfig(steps=3000, warmup=100, lr=1e-3)  # long runs keep their warmup
    assert learning_rate(long, 49) == pytest.approx(0.5e-3, rel=0.01) and learning_rate(long, 2999) < 0.11e-3
