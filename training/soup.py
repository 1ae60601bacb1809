"""A planner soup: the weighted average of planners fine-tuned from one base (Wortsman et al., "Model
soups", 2022), evaluated and installed as the active planner:
``python -m tinyagent.training.soup [--data DIR] 2:FOLDER_A 1:FOLDER_B``.

Each ingredient is a planner folder with ``config.json``, ``tokenizer.model`` and ``model.safetensors``
(what ``tinyagent retrain --rank 0`` installs, or the embedded ``base``); all must share their shape and
tokenizer, which is what makes averaging their weights meaningful. Measured here: the twelfth-round
planner and the thirteenth-round candidate trained on from it, averaged 1:1, planned the synthetic
held-out phrasings with 83.3% of arguments right against 77.0% for the twelfth alone (first 300;
docs/planner.md, fifteenth round).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import click

from ..plugins.fingerprint import fingerprint
from ..plugins.host import get_plugin_manager, load_registry

__all__ = ["average", "soup"]

_SAME = ("config.json", "tokenizer.model")


def average(ingredients: Sequence[tuple[float, Path]], out: Path) -> Path:
    """Write the weighted mean of the ingredients' ``model.safetensors`` (float32) into ``out``, with
    their ``config.json`` and ``tokenizer.model``. Raises ValueError when they do not match."""
    import numpy as np
    from safetensors.numpy import load_file, save_file

    if not ingredients or any(w <= 0 for w, _ in ingredients):
        raise ValueError("a soup needs at least one ingredient, each with a positive weight")
    first = ingredients[0][1]
    for _, folder in ingredients:
        for name in (*_SAME, "model.safetensors"):
            if not (folder / name).is_file():
                raise ValueError(f"{folder} has no {name}: not a whole planner (an adapter cannot be averaged)")
        for name in _SAME:
            if (folder / name).read_bytes() != (first / name).read_bytes():
                raise ValueError(f"{folder} and {first} differ in {name}: only planners of one base average")
    total = sum(w for w, _ in ingredients)
    mean: dict[str, np.ndarray] = {}
    for w, folder in ingredients:
        for key, value in load_file(str(folder / "model.safetensors")).items():
            if key in mean and mean[key].shape != value.shape:
                raise ValueError(f"{folder}: {key} has shape {value.shape}, not {mean[key].shape}")
            mean[key] = mean.get(key, 0) + value.astype(np.float64) * (w / total)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.astype(np.float32) for k, v in mean.items()}, str(out / "model.safetensors"), {"format": "pt"})
    for name in _SAME:
        shutil.copy2(first / name, out / name)
    return out


def soup(
    ingredients: Sequence[tuple[float, Path]], data: Path | None = None, eval_limit: int = 300, quant: str = "Q4_K_M"
) -> dict:
    """Average the ingredients, export and quantize the result, evaluate it on ``data``'s test splits
    (default: the dataset ``tinyagent retrain`` built for the installed tools, if any) and install it
    as the active planner, all as ``tinyagent retrain`` does. Returns its manifest."""
    from .export import export_base, quantize
    from .retrain import install_evaluated, staged_planner, work_dir

    started = time.perf_counter()
    reg = load_registry(get_plugin_manager())
    with staged_planner(reg) as stage:
        average(ingredients, stage)
        with tempfile.TemporaryDirectory() as tmp:
            quantize(export_base(stage, Path(tmp) / "model.f16.gguf"), stage / f"model.{quant.lower()}.gguf", quant)
        manifest = {
            "fingerprint": fingerprint(reg),
            "model": f"model.{quant.lower()}.gguf",
            "lora": None,
            "prompt_style": "compact",
            "selection": "tool-rag",
            "inputs": {
                "soup": [{"weight": w, **_described(folder)} for w, folder in ingredients],
                "sha256": hashlib.sha256((stage / "model.safetensors").read_bytes()).hexdigest(),
            },
        }
        install_evaluated(reg, data or work_dir(reg) / "data", stage, manifest, eval_limit, started)
    return manifest


def _described(folder: Path) -> dict:
    """What an ingredient was: its manifest's fingerprint and inputs when it has one."""
    for candidate in (folder / "manifest.json", folder.parent / "manifest.json"):  # the embedded base: one up
        try:
            m = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        inputs = dict(m.get("inputs", {}))
        if "base" in inputs and inputs["base"] not in ("scratch", "embedded"):  # no path of this machine
            inputs["base"] = "embedded" if Path(inputs["base"]).parts[-2:] == ("embedded", "base") else "a folder"
        return {"fingerprint": m.get("fingerprint", ""), "inputs": inputs}
    return {"folder": folder.name}


def _ingredient(arg: str) -> tuple[float, Path]:
    weight, sep, folder = arg.partition(":")
    try:
        return (float(weight), Path(folder)) if sep else (1.0, Path(arg))
    except ValueError:  # a folder with a colon in its name
        return 1.0, Path(arg)


@click.command()
@click.argument("ingredients", nargs=-1, required=True)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Evaluate on this dataset.")
@click.option("--eval-limit", type=click.IntRange(min=1), default=300, show_default=True)
def main(ingredients: tuple[str, ...], data: Path | None, eval_limit: int) -> None:
    """Average planners ([WEIGHT:]FOLDER ...) and install the soup as the active planner."""
    try:
        m = soup([_ingredient(a) for a in ingredients], data, eval_limit)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"soup of {len(m['inputs']['soup'])} planners installed for {m['fingerprint'][:16]}", err=True)


if __name__ == "__main__":
    main()
