"""``tinyagent retrain``: rebuild the trained artifacts for the installed tool set.

Stages: ``data`` (synthetic dataset), ``classifier`` (Tool RAG) and ``planner`` (a LoRA adapter on
a base model, or a base from scratch). Each stage works in a folder keyed by the tool-set
fingerprint; the planner is installed only once it is complete and evaluated.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..config import paths
from ..jsonl import read_jsonl
from ..plugins.fingerprint import fingerprint
from ..plugins.host import Registry
from ..progress import progress_bars
from .generator import SPLITS, DataConfig, dataset_sha256, split_counts, write_dataset

__all__ = [
    "install_evaluated",
    "retrain_classifier",
    "retrain_data",
    "retrain_planner",
    "retrain_teacher",
    "staged_planner",
    "work_dir",
]


def work_dir(reg: Registry) -> Path:
    return paths().artifacts_dir / "work" / fingerprint(reg)[:16]


def retrain_data(reg: Registry, out: Path, size: int | None, seed: int) -> dict:
    cfg = DataConfig.sized(size, seed) if size else DataConfig(seed=seed)
    wanted = split_counts(reg, cfg)
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if old["fingerprint"] == fingerprint(reg) and old["seed"] == seed and old["counts"] == wanted:
            click.echo(f"data: up to date ({out})")
            return old
    except (OSError, ValueError, KeyError):
        pass  # no dataset yet, or a damaged one: rebuild it
    bars = progress_bars()
    manifest = write_dataset(reg, out, cfg, fingerprint(reg), lambda done, total: bars("data", done, total))
    click.echo(
        f"data: {json.dumps(manifest['counts'])} in {manifest['seconds']} s, {manifest['rejected']} rejected -> {out}"
    )
    return manifest


def retrain_teacher(reg: Registry, out: Path, url: str, model: str, size: int, seed: int) -> dict:
    """Add examples a large model wrote (the paper's method), kept only if they pass the same checks,
    to the training split; a rerun replaces the previous teacher examples instead of adding more.
    The dataset's hash changes with them, so the classifier and the planner retrain on them."""
    from ..atomic import atomic_write
    from ..backends.base import BackendError
    from ..backends.openai import OpenAIBackend
    from .teacher import teacher_examples

    stats: dict[str, int] = {}
    rows = []
    bars = progress_bars()
    try:
        for example in teacher_examples(reg, OpenAIBackend(base_url=url, model=model), size, seed, stats=stats):
            rows.append(json.dumps(example, ensure_ascii=False))
            bars("teacher", len(rows), size)
    except BackendError as exc:
        raise RuntimeError(f"teacher: {exc}") from None
    generated = [line for line in (out / "train.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    generated = [line for line in generated if json.loads(line).get("templates") != ["teacher"]]
    atomic_write(out / "train.jsonl", "\n".join(generated + rows) + "\n")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(teacher={"kept": len(rows), "model": model, **stats}, sha256=dataset_sha256(out))
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2))
    click.echo(
        f"teacher: {len(rows)} kept, {stats['rejected']} rejected in {stats['calls']} calls -> {out}/train.jsonl"
    )
    return {"kept": len(rows), **stats}


def retrain_classifier(
    reg: Registry, data: Path, examples: int | None, layers: int | None, seed: int, extend: bool = False
) -> dict:
    """Train the Tool RAG classifier on ``data`` and install it for the current fingerprint; with
    ``extend``, build it on the classifier trained for the nearest tool set (a new head on its
    encoder) when there is one."""
    from ..artifacts import EMBEDDED_DIR, classifier_dir, find_classifier
    from .classifier import ClassifierConfig, extend_classifier, train_classifier

    fp = fingerprint(reg)
    shipped = find_classifier(EMBEDDED_DIR, fp)
    if shipped is not None and examples is None and layers is None:
        # The embedded classifier knows exactly these tools: retraining it costs 10-20 minutes here
        # and changes what the embedded planner was trained to see.
        click.echo("classifier: the embedded classifier was trained for exactly these tools; nothing to do")
        return json.loads((shipped / "manifest.json").read_text(encoding="utf-8"))
    out = classifier_dir(paths().artifacts_dir, fp)
    cfg = ClassifierConfig(seed=seed, layers=layers)
    if examples:
        cfg.max_examples = examples
    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        data_fp = json.loads((data / "manifest.json").read_text(encoding="utf-8"))["fingerprint"]
        same_inputs = old["fingerprint"] == fp == data_fp and old.get("seed") == seed
        same_model = old["train_examples"] <= cfg.max_examples and old["layers"] == (layers or old["layers"])
        same_model &= extend or "extended_from" not in old  # an extended one is not what a full run asks for
        if same_inputs and same_model and old.get("data_seconds") == _data_stamp(data):
            click.echo(f"classifier: up to date ({out})")
            return old
    except (OSError, ValueError, KeyError):
        pass
    nearest = _nearest_classifier(list(reg.tools)) if extend else None
    if nearest is not None:
        click.echo(f"classifier: extending {nearest} (its encoder kept, a new head for {len(reg.tools)} tools)")
        manifest = extend_classifier(reg, data, out, fp, nearest, cfg, progress_bars())
    else:
        checkpoint = work_dir(reg) / "classifier.pt"
        manifest = train_classifier(reg, data, out, fp, cfg, progress_bars(), checkpoint=checkpoint)
    manifest.update(seed=seed, data_seconds=_data_stamp(data))  # what the skip check compares next time
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    v = manifest["val"]
    trained = (
        f" (float model {v['float_recall']:.4f}), int8/float agreement {v['int8_float_agreement']:.4f}"
        if v.get("float_recall") is not None
        else f" (held-out wording {v['heldout_recall']:.4f})"
        if v.get("heldout_recall") is not None
        else ""
    )
    click.echo(
        f"classifier: val recall {v['recall']:.4f}{trained}, "
        f"{v['tools_per_query']:.2f} tools per request at threshold {manifest['threshold']}, "
        f"{manifest['size_bytes'] / 1e6:.1f} MB, {manifest['seconds']} s -> {out}"
    )
    return manifest


def _nearest_classifier(tools: list[str]) -> Path | None:
    """The trained classifier (retrained first, then embedded) sharing the most tools with ``tools``."""
    from ..artifacts import EMBEDDED_DIR

    best, shared = None, 0
    for root in (paths().artifacts_dir, EMBEDDED_DIR):
        for manifest in sorted((root / "classifier").glob("*/manifest.json")):
            try:
                labels = json.loads(manifest.read_text(encoding="utf-8"))["labels"]
            except (OSError, ValueError, KeyError):
                continue
            n = len(set(labels) & set(tools))
            if n > shared:
                best, shared = manifest.parent, n
    return best


def _data_stamp(data: Path) -> str | None:
    """The dataset's content hash (its manifest's ``sha256``): a rebuilt dataset with other content
    retrains the later stages, an identical rebuild does not."""
    try:
        return str(json.loads((data / "manifest.json").read_text(encoding="utf-8"))["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _selector(reg: Registry, data: Path) -> tuple[Any, str]:
    """How training picks each request's tools and examples: the runtime's Tool RAG when there is
    one for this tool set (so training sees what serving will), else the tools the plan uses."""
    from ..agent import Selection
    from ..artifacts import find_classifier
    from ..toolrag import ToolRAG

    folder = find_classifier(paths().artifacts_dir, fingerprint(reg))
    if folder is not None:
        return ToolRAG(reg, folder).selections, "tool-rag"
    gold = {}
    for split in SPLITS:
        for row in read_jsonl(data / f"{split}.jsonl"):
            gold[row["query"]] = [reg.tools[n] for n in row["tools"] if n in reg.tools]
    return (lambda queries: [Selection(gold[q], [], []) for q in queries]), "plan-tools"


def retrain_planner(
    reg: Registry,
    data: Path,
    *,
    base: str | None = None,
    from_scratch: bool = False,
    steps: int | None = None,
    examples: int | None = None,
    rank: int | None = None,
    seed: int = 0,
    eval_limit: int = 300,
    quant: str = "Q4_K_M",
    resume: bool = False,
    shape: dict | None = None,
    prompt_style: str = "compact",
    micro_batch: int = 0,
) -> dict:
    """Train the planner for the installed tools, export GGUF, evaluate, and install it atomically.

    ``base``: a Hugging Face model folder (default: the embedded base); ``from_scratch``: train a new
    base (tokenizer and weights) instead of an adapter; ``rank`` 0: fine-tune all of ``base`` and
    install it as a new base. By default the embedded base (4M parameters) is fine-tuned whole: on a
    model that small an adapter saves no compute. Other bases get a rank-32 adapter. ``resume``
    reuses a finished training run in the work folder and continues with export and evaluation.
    ``shape`` overrides :class:`PlannerConfig` fields (a tiny model in tests). ``prompt_style``:
    ``compact``, or ``compact-rag`` (the nearest stored plan in every prompt, at training and serving).
    ``micro_batch`` splits each batch into passes of that many rows (less memory, the same update).
    """
    import shutil
    import time

    from ..artifacts import EMBEDDED_DIR, active_planner
    from .export import export_base, export_lora, quantize
    from .gguf_base import hf_from_gguf, resolve_gguf
    from .planner import PlannerConfig, planner_rows, train_planner

    fp = fingerprint(reg)
    if rank is None:
        rank = 0 if base is None else 32
    work = work_dir(reg) / "planner"
    t0 = time.perf_counter()
    inputs = {
        "data": _data_stamp(data),
        "base": "scratch" if from_scratch else str(base or "embedded"),
        "steps": steps,
        "examples": examples,
        "rank": rank,
        "seed": seed,
        "shape": shape,
        **({"prompt_style": prompt_style} if prompt_style != "compact" else {}),  # old manifests stay comparable
    }
    current = active_planner(paths().artifacts_dir)
    if current is not None and current.fingerprint == fp and not resume:
        asked = steps is not None or examples is not None or prompt_style != current.prompt_style
        if current.source == "embedded" and base is None and not from_scratch and not asked:
            click.echo("planner: the embedded planner was trained for exactly these tools; nothing to do")
            return current.manifest
        if current.manifest.get("inputs") == inputs:
            click.echo(f"planner: up to date ({current.model.parent})")
            return current.manifest
    full = from_scratch or rank == 0  # a whole model (new or fine-tuned) rather than an adapter
    lr = 2e-3 if from_scratch or not full else 1e-3
    defaults = {"steps": steps or (3000 if from_scratch else 1200), "lora_rank": 0 if full else rank, "lr": lr}
    cfg = PlannerConfig(**{**defaults, "seed": seed, "micro_batch": micro_batch, **(shape or {})})
    select, selection = _selector(reg, data)
    # Training reads shuffled epochs of the (shuffled) train split, so a run of S steps reads S x batch
    # rows: prompts are built for those only. A SmolLM2 run of 80 steps (2,560 rows) spent about 20
    # minutes building prompts for all 84,000.
    limit = examples or cfg.steps * cfg.batch
    rows = planner_rows(reg, data, "train", select, limit=limit, style=prompt_style)
    trained = work / ("base" if full else "lora")
    base_gguf = resolve_gguf(base) if base and not from_scratch else None  # a GGUF base: train on a float copy
    if base_gguf is not None:
        click.echo(f"planner: base {base_gguf} (dequantized once for training; the adapter runs on this file)")
        base_dir = hf_from_gguf(base_gguf, paths().artifacts_dir / "planner" / "base" / f"{base_gguf.stem}-hf")
    else:
        base_dir = None if from_scratch else Path(base) if base else EMBEDDED_DIR / "base"
    if base_dir is not None and not (base_dir / "config.json").exists():
        raise ValueError(f"no Hugging Face model folder at {base_dir}")
    if not (resume and (trained / "training.json").exists()):
        shutil.rmtree(trained, ignore_errors=True)
        info = train_planner(rows, trained, cfg, base=base_dir, progress=progress_bars())
        if info.get("main_process") is False:
            return info  # under `accelerate launch`, the main process exports, evaluates and installs
    else:
        info = json.loads((trained / "training.json").read_text(encoding="utf-8"))
        click.echo(f"planner: reusing the finished training run in {trained}")
    with staged_planner(reg) as stage:
        if full:
            f16 = export_base(trained, work / "model.f16.gguf")
            model, lora = quantize(f16, stage / f"model.{quant.lower()}.gguf", quant), None
            for name in ("config.json", "model.safetensors", "tokenizer.model"):
                shutil.copy2(trained / name, stage / name)  # the next retrain's base
        else:
            model = base_gguf or _base_gguf(base_dir, quant)
            base_config = json.loads((base_dir / "config.json").read_text(encoding="utf-8"))
            lora = export_lora(trained, base_config, stage / "adapter.gguf")
        manifest = {
            "fingerprint": fp,
            "model": str(model.relative_to(stage)) if model.parent == stage else str(model.resolve()),
            "lora": lora.name if lora else None,
            "prompt_style": prompt_style,
            "selection": selection,
            "inputs": inputs,
            "training": info,
        }
        install_evaluated(reg, data, stage, manifest, eval_limit, t0)
    return manifest


@contextlib.contextmanager
def staged_planner(reg: Registry) -> Iterator[Path]:
    """A new, uniquely named planner folder under the artifacts for the installed tools; removed if
    building it fails or is interrupted, so the previous planner stays active."""
    import shutil

    (paths().artifacts_dir / "planner").mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{fingerprint(reg)[:16]}-", dir=paths().artifacts_dir / "planner"))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def install_evaluated(reg: Registry, data: Path, stage: Path, manifest: dict, eval_limit: int, started: float) -> None:
    """Write ``manifest`` into the staged planner, add its evaluation on ``data``'s test splits (when
    there are any) and the seconds since ``started``, and make it the active planner."""
    import time

    from ..artifacts import install_active

    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if (data / "test.jsonl").is_file():
        manifest["eval"] = _evaluate_planner(reg, data, stage, eval_limit)
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    install_active(paths().artifacts_dir, stage)


def _base_gguf(base_dir: Path, quant: str) -> Path:
    """The base's quantized GGUF: shipped beside the embedded base, else converted once and cached."""
    import hashlib

    from .export import export_base, quantize

    shipped = sorted(base_dir.glob("*.gguf"))
    if shipped:
        return shipped[0]
    key = hashlib.sha256(str(base_dir.resolve()).encode()).hexdigest()[:16]
    cache = paths().artifacts_dir / "planner" / "base" / key
    out = cache / f"model.{quant.lower()}.gguf"
    if not out.exists():
        f16 = export_base(base_dir, cache / "model.f16.gguf")
        quantize(f16, out, quant)
        f16.unlink()
    return out


def _evaluate_planner(reg: Registry, data: Path, folder: Path, limit: int) -> dict:
    """DAG success on the test splits with the new planner, grammar on, as the runtime runs it."""
    from ..app import Session, build_agent
    from ..artifacts import _planner_from
    from ..config import Config
    from ..evaluate import evaluate, pack_summary

    planner = _planner_from(folder, "retrained")
    assert planner is not None
    agent = build_agent(
        session=Session(Config(), reg),
        backend="llama",
        prompt_style=planner.prompt_style,
        model=str(planner.model),
        lora=str(planner.lora) if planner.lora else None,
    )
    results = {}
    try:
        for split in ("test", "test_heldout"):
            rows = list(read_jsonl(data / f"{split}.jsonl"))[:limit]
            if rows:
                rep = evaluate(agent, rows)
                results[split] = rep.to_json()
                click.echo(
                    f"planner: {split}: DAG success {rep.dag_success:.1%}, arguments {rep.args_success:.1%}, "
                    f"invalid plans {rep.invalid_rate:.1%}, p50 {rep.latency_ms['total']['p50']:.0f} ms "
                    f"({len(rows)} requests)"
                )
                for line in pack_summary(rep):
                    click.echo(f"planner: {split}: {line}")
    finally:
        agent.close()
    return results
