"""``tinyagent retrain``: rebuild the trained artifacts for the installed tool set.

Stages: ``data`` (synthetic dataset), then ``classifier`` (Tool RAG) and ``planner`` (LoRA),
which later milestones add. Each stage writes into a work folder keyed by the tool-set fingerprint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..config import paths
from ..plugins.fingerprint import fingerprint
from ..plugins.host import Registry
from .generator import DataConfig, write_dataset

__all__ = ["STAGES", "retrain_data", "retrain_teacher", "work_dir"]

STAGES = ("data", "classifier", "planner")
NOT_YET = {"planner": "the planner LoRA stage is not implemented yet"}


def work_dir(reg: Registry) -> Path:
    return paths().artifacts_dir / "work" / fingerprint(reg)[:16]


def retrain_data(reg: Registry, out: Path, size: int | None, seed: int) -> dict:
    cfg = DataConfig.sized(size, seed) if size else DataConfig(seed=seed)
    wanted = {
        "train": cfg.train,
        "val": cfg.val,
        "val_heldout": cfg.val_heldout,
        "test": cfg.test,
        "test_heldout": cfg.test_heldout,
    }
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if old["fingerprint"] == fingerprint(reg) and old["seed"] == seed and old["counts"] == wanted:
            click.echo(f"data: up to date ({out})")
            return old
    except (OSError, ValueError, KeyError):
        pass  # no dataset yet, or a damaged one: rebuild it
    total = sum(wanted.values())
    with click.progressbar(length=total, label="data", show_eta=True, show_pos=True, file=None) as bar:
        last = [0]

        def progress(done: int, _total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        manifest = write_dataset(reg, out, cfg, fingerprint(reg), progress)
    click.echo(
        f"data: {json.dumps(manifest['counts'])} in {manifest['seconds']} s, {manifest['rejected']} rejected -> {out}"
    )
    return manifest


def retrain_teacher(reg: Registry, out: Path, url: str, model: str, size: int, seed: int) -> dict:
    """Write ``teacher.jsonl``: examples a large model wrote, filtered by the same checks."""
    from ..atomic import atomic_write
    from ..backends.base import BackendError
    from ..backends.openai import OpenAIBackend
    from .teacher import teacher_examples

    stats: dict[str, int] = {}
    rows = []
    try:
        with click.progressbar(length=size, label="teacher", show_eta=True) as bar:
            for example in teacher_examples(reg, OpenAIBackend(base_url=url, model=model), size, seed, stats=stats):
                rows.append(json.dumps(example, ensure_ascii=False))
                bar.update(1)
    except BackendError as exc:
        raise RuntimeError(f"teacher: {exc}") from None
    atomic_write(out / "teacher.jsonl", "\n".join(rows) + "\n" if rows else "")
    click.echo(f"teacher: {len(rows)} kept, {stats['rejected']} rejected in {stats['calls']} calls -> {out}")
    return {"kept": len(rows), **stats}


def retrain_classifier(reg: Registry, data: Path, examples: int | None, layers: int | None, seed: int) -> dict:
    """Train the Tool RAG classifier on ``data`` and install it for the current fingerprint."""
    from ..toolrag import classifier_dir
    from .classifier import ClassifierConfig, train_classifier

    fp = fingerprint(reg)
    out = classifier_dir(paths().artifacts_dir, fp)
    cfg = ClassifierConfig(seed=seed, layers=layers)
    if examples:
        cfg.max_examples = examples
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        data_fp = json.loads((data / "manifest.json").read_text(encoding="utf-8"))["fingerprint"]
        same_inputs = old["fingerprint"] == fp == data_fp and old.get("seed") == seed
        same_model = old["train_examples"] <= cfg.max_examples and old["layers"] == (layers or old["layers"])
        if same_inputs and same_model and old.get("data_seconds") == _data_stamp(data):
            click.echo(f"classifier: up to date ({out})")
            return old
    except (OSError, ValueError, KeyError):
        pass
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            bars[stage] = click.progressbar(length=total, label=stage, show_eta=True, show_pos=True)
            bars[stage].__enter__()
        bars[stage].update(done - bars[stage].pos)
        if done >= total:
            bars.pop(stage).__exit__(None, None, None)

    manifest = train_classifier(reg, data, out, fp, cfg, progress, checkpoint=work_dir(reg) / "classifier.pt")
    manifest.update(seed=seed, data_seconds=_data_stamp(data))  # what the skip check compares next time
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    v = manifest["val"]
    click.echo(
        f"classifier: val recall {v['recall']:.4f} (float model {v['float_recall']:.4f}), "
        f"{v['tools_per_query']:.2f} tools per request at threshold {manifest['threshold']}, "
        f"int8/float agreement {v['int8_float_agreement']:.4f}, "
        f"{manifest['size_bytes'] / 1e6:.1f} MB, {manifest['seconds']} s -> {out}"
    )
    return manifest


def _data_stamp(data: Path) -> Any:
    """Identifies one dataset build (its manifest's timing and counts), so a rebuilt dataset retrains."""
    try:
        m = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
        return [m["seconds"], m["counts"], m["seed"]]
    except (OSError, ValueError, KeyError):
        return None
