"""``tinyagent retrain``: rebuild the trained artifacts for the installed tool set.

Stages: ``data`` (synthetic dataset), then ``classifier`` (Tool RAG) and ``planner`` (LoRA),
which later milestones add. Each stage writes into a work folder keyed by the tool-set fingerprint.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import paths
from ..plugins.fingerprint import fingerprint
from ..plugins.host import Registry
from .generator import DataConfig, write_dataset

__all__ = ["STAGES", "retrain_data", "retrain_teacher", "work_dir"]

STAGES = ("data", "classifier", "planner")
NOT_YET = {
    "classifier": "the Tool RAG classifier stage is not implemented yet",
    "planner": "the planner LoRA stage is not implemented yet",
}


def work_dir(reg: Registry) -> Path:
    return paths().artifacts_dir / "work" / fingerprint(reg)[:16]


def retrain_data(reg: Registry, out: Path, size: int | None, seed: int) -> dict:
    cfg = DataConfig.sized(size, seed) if size else DataConfig(seed=seed)
    total = cfg.train + cfg.val + cfg.test + cfg.test_heldout
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
