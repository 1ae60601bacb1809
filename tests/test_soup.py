"""A planner soup with tiny models: the weights are the weighted mean, the result exports, installs
and plans under the grammar, and ingredients of different bases are refused."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from click.testing import CliRunner
from safetensors.numpy import load_file

from tinyagent.agent import Agent
from tinyagent.artifacts import active_planner
from tinyagent.backends.llama import LlamaBackend
from tinyagent.config import Config, paths
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.training.planner import PlannerConfig, train_planner
from tinyagent.training.soup import average, main, soup

TINY = dict(vocab_size=300, hidden=32, layers=1, heads=2, intermediate=64, batch=4, warmup=1, lr=5e-3)
ROWS = [(f"Tools: add_todo\nQuestion: add task {i} to my list\nPlan:\n", f'1. add_todo("task {i}", "", "")\n2. join()')
        for i in range(12)]  # fmt: skip


@pytest.fixture(scope="module")
def planners(tmp_path_factory):
    """One base from scratch and two planners fine-tuned from it with different seeds."""
    root = tmp_path_factory.mktemp("planners")
    train_planner(ROWS, root / "base", PlannerConfig(**TINY, steps=80))  # enough to end its plans
    for seed in (1, 2):
        train_planner(ROWS, root / f"ft{seed}", PlannerConfig(**TINY, steps=3, seed=seed), base=root / "base")
    return root


def test_the_soup_is_the_weighted_mean(planners, tmp_path):
    out = average([(2.0, planners / "ft1"), (1.0, planners / "ft2")], tmp_path / "soup")
    a, b, got = (load_file(str(p / "model.safetensors")) for p in (planners / "ft1", planners / "ft2", out))
    assert set(got) == set(a)
    key = next(k for k in a if not np.array_equal(a[k], b[k]))  # the fine-tunes moved apart
    assert np.allclose(got[key], (2 * a[key].astype(np.float64) + b[key]) / 3, atol=1e-6)
    assert (out / "tokenizer.model").read_bytes() == (planners / "ft1" / "tokenizer.model").read_bytes()


def test_a_soup_installs_and_plans_under_the_grammar(planners, home):
    reg = load_registry(get_plugin_manager())
    before = active_planner(paths().artifacts_dir)
    manifest = soup([(1.0, planners / "ft1"), (1.0, planners / "ft2")])
    planner = active_planner(paths().artifacts_dir)
    assert planner is not None and planner is not before and planner.source == "retrained"
    assert planner.fingerprint == fingerprint(reg) and planner.lora is None
    assert [i["weight"] for i in manifest["inputs"]["soup"]] == [1.0, 1.0]
    assert json.loads((planner.model.parent / "manifest.json").read_text())["inputs"] == manifest["inputs"]
    backend = LlamaBackend(planner.model, prompt_style="compact")
    result = Agent(reg, backend, Config()).plan("add buy milk to my todo list", datetime(2026, 11, 24, 10, 30))
    backend.close()
    assert result.error is None and not {i.code for i in result.issues} & {"syntax", "unknown_tool", "arity"}


def test_planners_of_other_bases_or_adapters_are_refused(planners, tmp_path):
    other = tmp_path / "other"
    train_planner(ROWS, other, PlannerConfig(**{**TINY, "hidden": 48}, steps=1))
    with pytest.raises(ValueError, match="differ in config.json"):
        average([(1.0, planners / "ft1"), (1.0, other)], tmp_path / "a")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    with pytest.raises(ValueError, match="not a whole planner"):
        average([(1.0, planners / "ft1"), (1.0, adapter)], tmp_path / "b")
    with pytest.raises(ValueError, match="positive weight"):
        average([(0.0, planners / "ft1")], tmp_path / "c")
    out = CliRunner().invoke(main, [f"1:{planners / 'ft1'}", f"2:{adapter}"])
    assert out.exit_code == 1 and "not a whole planner" in out.output
