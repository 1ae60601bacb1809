"""A GGUF file as the planner's base (lever 2 of docs/planner.md): dequantized into a Hugging Face
folder that matches the original, a LoRA adapter trained on it that llama.cpp applies to the
original GGUF exactly as peft does, and ``pkg:NAME`` found without importing the package.

A tiny random Llama with grouped-query attention (as SmolLM2: 9 heads, 3 KV heads) stands in for
the 93 MB SmolLM2 wheel, so CI needs no large download."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from tinyagent.artifacts import EMBEDDED_DIR, active_planner
from tinyagent.config import paths
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.training.export import export_base, export_lora
from tinyagent.training.generator import DataConfig, write_dataset
from tinyagent.training.gguf_base import hf_from_gguf, resolve_gguf
from tinyagent.training.planner import PlannerConfig, load_tokenizer, train_planner
from tinyagent.training.retrain import retrain_planner

from .test_planner import _merged_vs_llama


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory):
    """A random 2-layer Llama (4 heads, 2 KV heads) with the embedded base's tokenizer, as F16 GGUF."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    root = tmp_path_factory.mktemp("gguf")
    hf = root / "hf"
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=2000,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=1,
        eos_token_id=2,
        tie_word_embeddings=False,
    )
    LlamaForCausalLM(config).save_pretrained(hf)
    shutil.copy2(EMBEDDED_DIR / "base" / "tokenizer.model", hf / "tokenizer.model")
    return hf, export_base(hf, root / "model.f16.gguf")


def _logits(folder: Path, ids: list[int]) -> np.ndarray:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].numpy()


def test_a_gguf_base_dequantizes_to_the_model_it_came_from(tiny_gguf, tmp_path):
    hf, gguf = tiny_gguf
    out = hf_from_gguf(gguf, tmp_path / "base")
    ids = [1, *load_tokenizer(hf).encode("Question: text Maria that I'm late\nPlan:\n")]
    # q and k rows come back in Hugging Face order (else attention, and these logits, would differ)
    assert np.abs(_logits(out, ids) - _logits(hf, ids)).max() < 0.02  # F16 rounding only
    text = "email cv.pdf to jobs@startup.io on 2026-11-24 at 10:30"
    assert load_tokenizer(out).encode([text]) == load_tokenizer(hf).encode([text])
    stamp = (out / "model.safetensors").stat().st_mtime_ns
    assert hf_from_gguf(gguf, tmp_path / "base") == out and (out / "model.safetensors").stat().st_mtime_ns == stamp


@pytest.mark.slow  # trains an adapter
def test_an_adapter_trained_on_the_copy_runs_on_the_original_gguf(tiny_gguf, tmp_path):
    hf, gguf = tiny_gguf
    base = hf_from_gguf(gguf, tmp_path / "base")
    prompt = "Tools: get_phone_number send_sms\nQuestion: text Maria hi\nPlan:\n"
    rows = [(prompt, '1. get_phone_number("Maria")\n2. send_sms(["$1"], "hi")\n3. join()<END_OF_PLAN>')] * 16
    cfg = PlannerConfig(steps=6, batch=4, lr=5e-2, warmup=1, lora_rank=4)
    train_planner(rows, tmp_path / "lora", cfg, base=base)
    config = json.loads((base / "config.json").read_text())
    adapter = export_lora(tmp_path / "lora", config, tmp_path / "adapter.gguf")
    assert _merged_vs_llama(base, tmp_path / "lora", gguf, adapter, prompt) < 0.01


@pytest.mark.slow  # trains an adapter
def test_retrain_takes_a_gguf_base_and_serves_the_original_file(tiny_gguf, tmp_path, monkeypatch):
    _, gguf = tiny_gguf
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    reg = load_registry(get_plugin_manager())
    data = tmp_path / "data"
    write_dataset(reg, data, DataConfig(64, 8, 8, 8, 8, 0), fingerprint(reg))
    retrain_planner(reg, data, base=str(gguf), steps=2, rank=4, eval_limit=2, shape={"batch": 4})
    planner = active_planner(paths().artifacts_dir)
    assert planner is not None and planner.lora is not None
    assert planner.model == gguf.resolve()  # no converted or re-quantized copy: the adapter runs on the file


def test_pkg_names_the_gguf_inside_a_package_without_importing_it(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "fake_model_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('importing me needs a CLI you do not have')\n")
    (pkg / "Tiny.Q4_1.gguf").write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert resolve_gguf("pkg:fake_model_pkg") == pkg / "Tiny.Q4_1.gguf"
    assert "fake_model_pkg" not in sys.modules
    with pytest.raises(ValueError, match="no installed package 'nope_pkg'"):
        resolve_gguf("pkg:nope_pkg")
    assert resolve_gguf(str(tmp_path / "x.gguf")) == tmp_path / "x.gguf" and resolve_gguf(str(tmp_path)) is None
