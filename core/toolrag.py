"""Tool RAG at run time: one encoder pass gives the tool scores and the query embedding.

Needs onnxruntime, tokenizers and numpy only (no torch, no transformers). Artifacts live in
``<artifacts>/classifier/<fingerprint[:16]>/``: ``model.onnx`` (int8; outputs ``logits`` and a
normalized ``embedding``), ``tokenizer.json``, ``manifest.json`` (labels, threshold),
``bank.jsonl`` + ``bank.npy`` (the example bank and its embeddings).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .agent import AllTools, Selection
from .artifacts import classifier_dir, find_classifier
from .backends.base import approx_tokens
from .plugins.host import Registry
from .plugins.types import Example
from .prompt import examples_for, rules_for

__all__ = ["StaleSelector", "Encoder", "ToolRAG", "EmbeddingFallback", "classifier_dir", "make_selector"]

MAX_TOKENS = 64


class Encoder:
    """The exported classifier: token ids in, ``(logits, embeddings)`` out. Loaded lazily."""

    def __init__(self, folder: Path, threads: int = 0, model: str = "model.onnx"):
        self.folder, self.threads, self.model = folder, threads, model

    @cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if self.threads:
            opts.intra_op_num_threads = self.threads
        opts.log_severity_level = 3
        # idle workers must sleep, not spin: spinning threads take the cores llama.cpp decodes on next
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.folder / self.model), opts, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tok.enable_truncation(MAX_TOKENS)
        tok.enable_padding()
        return tok

    def __call__(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        enc = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        logits, emb = self._session.run(["logits", "embedding"], {"input_ids": ids, "attention_mask": mask})
        return logits, emb


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class ToolRAG:
    """Selects the tools whose score passes the trained threshold, their rules, and up to ``k``
    stored examples most similar to the request whose tools were all selected, within
    ``example_tokens`` (long multi-request examples would otherwise outweigh the tools saved).

    If no tool passes the threshold, the ``fallback_tools`` best-scoring tools are kept when the best
    reaches ``min_score``; below that no tool is offered and the planner can only answer that none applies.
    """

    def __init__(
        self,
        registry: Registry,
        folder: Path,
        k: int = 6,
        fallback_tools: int = 2,
        min_score: float = 0.02,
        example_tokens: int = 240,
    ):
        self.registry, self.folder, self.k, self.example_tokens = registry, folder, k, example_tokens
        self.fallback_tools, self.min_score = fallback_tools, min_score
        self.manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        self.labels: list[str] = self.manifest["labels"]
        self.threshold: float = float(self.manifest["threshold"])
        self.encoder = Encoder(folder)

    @cached_property
    def _bank(self) -> tuple[list[Example], list[set[str]], np.ndarray]:
        rows = [json.loads(line) for line in (self.folder / "bank.jsonl").read_text(encoding="utf-8").splitlines()]
        vectors = np.load(self.folder / "bank.npy").astype(np.float32) / 127.0  # stored as int8
        return [Example(r["query"], r["plan"]) for r in rows], [set(r["tools"]) for r in rows], vectors

    def scores(self, query: str) -> tuple[dict[str, float], np.ndarray]:
        logits, emb = self.encoder([query])
        probs = _sigmoid(logits[0])
        return dict(zip(self.labels, probs.tolist(), strict=True)), emb[0]

    def _names(self, scores: dict[str, float]) -> set[str]:
        names = {n for n, s in scores.items() if s >= self.threshold and n in self.registry.tools}
        if not names:
            ranked = sorted(((s, n) for n, s in scores.items() if n in self.registry.tools), reverse=True)
            if ranked and ranked[0][0] >= self.min_score:
                names = {n for _, n in ranked[: self.fallback_tools]}
        return names

    def selections(self, queries: list[str]) -> list[Selection]:
        """What :meth:`select` returns for each query: training builds its prompts with the selection
        (tools and nearest stored examples) the runtime makes. One request at a time, as at run time:
        the int8 model quantizes activations per batch, so padded batches changed the tools of 10 and
        the nearest example of 14 in 400 test requests, and were 2.2x slower (measured)."""
        return [self.select(q) for q in queries]

    def select(self, query: str) -> Selection:
        scores, emb = self.scores(query)
        return self.select_from(scores, emb)

    def select_from(self, scores: dict[str, float], emb: np.ndarray, limit: int | None = None) -> Selection:
        """The selection for a request's classifier scores and embedding (at most ``limit`` tools,
        the best-scoring kept)."""
        names = self._names(scores)
        if limit is not None and len(names) > limit:
            names = set(sorted(names, key=lambda n: -scores[n])[:limit])
        tools = [t for t in self.registry.tools.values() if t.name in names]
        examples, example_tools, vectors = self._bank
        order = np.argsort(-(vectors @ emb))
        chosen: list[Example] = []
        spent = 0
        for i in order:
            if len(chosen) == self.k:
                break
            if example_tools[i] <= names:
                cost = approx_tokens(examples[i].query + examples[i].plan)
                if spent + cost <= self.example_tokens or not chosen:  # the most similar always fits
                    chosen.append(examples[i])
                    spent += cost
        return Selection(tools, chosen, rules_for(self.registry.rules, names))


class StaleSelector:
    """Until ``tinyagent retrain`` after a pack was added: the tools the active planner was trained on
    are selected exactly as before, by the classifier trained with it (at most ``max_tools``: 8, as 5
    cost 3.2 points on four-intent requests, measured in docs/tool-rag.md); a tool it
    has never seen is never handed to the planner. When the request is clearly for such a tool (its
    embedding is nearer to one of that tool's own example requests or template phrasings than to any
    stored request of the known tools, by ``margin``, and at least ``threshold`` similar), the selection
    names it in ``untrained`` and the agent says so instead of planning. Before this selector, a new
    pack made every installed tool the prompt's (19 for the assistant and todo packs): assistant test
    split 97.3% -> 35.1%.
    """

    # Measured with `benchmarks/stale_threshold.py` (assistant + todo installed, planner trained for the
    # assistant): a bare similarity floor could not separate them (known-tool requests reached 0.93 with
    # todo phrasings, 30% flagged at 0.62); nearer-than-any-known-request (margin 0) flagged 0.7% of 600
    # known-tool requests and caught 96.9% of 162 todo requests. The floor is below every todo request.
    THRESHOLD = 0.5
    MARGIN = 0.0

    def __init__(
        self,
        registry: Registry,
        known: ToolRAG,
        threshold: float | None = None,
        margin: float | None = None,
        max_tools: int = 8,
    ):
        self.registry, self.known, self.max_tools = registry, known, max_tools
        self.threshold = self.THRESHOLD if threshold is None else threshold
        self.margin = self.MARGIN if margin is None else margin
        self.new_tools = [n for n in registry.tools if n not in set(known.labels)]

    @cached_property
    def _new_bank(self) -> tuple[list[str], np.ndarray]:
        """Every new tool's own request texts (its examples, its templates' phrasings), embedded."""
        owners, texts = [], []
        for name in self.new_tools:
            mine = [e.query for e in self.registry.examples if f"{name}(" in e.plan]
            for t in self.registry.templates:
                if f"{name}(" in t.plan:
                    mine += [re.sub(r"\s+", " ", re.sub(r"\{[^}]*\}", " ", p)).strip() for p in t.phrasings]
            owners += [name] * len(mine)
            texts += mine
        if not texts:
            return [], np.zeros((0, 1), dtype=np.float32)
        return owners, _unit(self.known.encoder(texts)[1])

    def new_scores(self, emb: np.ndarray) -> dict[str, float]:
        """Each new tool's best cosine similarity to the request embedding ``emb``."""
        owners, bank = self._new_bank
        if not owners:
            return {}
        sims = bank @ _unit(emb[None, :])[0]
        out: dict[str, float] = {}
        for owner, sim in zip(owners, sims.tolist(), strict=True):
            out[owner] = max(out.get(owner, -1.0), sim)
        return out

    def known_score(self, emb: np.ndarray) -> float:
        """The request's best cosine similarity to the known tools' stored example requests."""
        vectors = self.known._bank[2]
        return float((_unit(vectors) @ _unit(emb[None, :])[0]).max()) if len(vectors) else -1.0

    def asked_new(self, emb: np.ndarray) -> tuple[str, ...]:
        """New tools the request is clearly for: nearer to their own requests than to any known tool's
        stored request by ``margin``, and at least ``threshold`` similar."""
        floor = max(self.threshold, self.known_score(emb) + self.margin)
        return tuple(sorted(n for n, s in self.new_scores(emb).items() if s >= floor))

    def select(self, query: str) -> Selection:
        scores, emb = self.known.scores(query)
        selection = self.known.select_from(scores, emb, limit=self.max_tools)
        asked = self.asked_new(emb)
        return dataclasses.replace(selection, untrained=asked) if asked else selection


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


class EmbeddingFallback:
    """For a tool set with no trained classifier yet: the ``n`` tools whose descriptions are most
    similar to the request, by an encoder trained for another tool set (the paper's basic baseline)."""

    def __init__(self, registry: Registry, encoder: Encoder, n: int = 4, k: int = 6):
        self.registry, self.encoder, self.n, self.k = registry, encoder, n, k

    @cached_property
    def _tool_vectors(self) -> np.ndarray:
        texts = [f"{t.name.replace('_', ' ')}: {t.description}" for t in self.registry.tools.values()]
        return self.encoder(texts)[1]

    def select(self, query: str) -> Selection:
        emb = self.encoder([query])[1][0]
        tools = list(self.registry.tools.values())
        best = set(np.argsort(-(self._tool_vectors @ emb))[: self.n].tolist())
        chosen = [t for i, t in enumerate(tools) if i in best]
        names = {t.name for t in chosen}
        examples = examples_for(self.registry.examples, names, self.k)
        return Selection(chosen, examples, rules_for(self.registry.rules, names))


_warned: set[str] = set()


def say_once(message: str) -> None:
    """A warning on the ``tinyagent`` logger, once per process (the CLI prints it as ``tinyagent: ...``)."""
    if message not in _warned:
        _warned.add(message)
        logging.getLogger("tinyagent").warning(message)


def make_selector(registry: Registry, artifacts: Path, fingerprint: str, k: int = 6, mode: str = "auto") -> Any:
    """Tool RAG for this tool set if trained; else embedding similarity with another set's encoder;
    else every tool. The fallbacks are announced once per process."""
    if mode == "all":
        return AllTools(registry, k)
    from .artifacts import active_planner

    folder = find_classifier(artifacts, fingerprint)
    if folder is not None:
        return ToolRAG(registry, folder, k)
    planner = active_planner(artifacts)
    folder = find_classifier(artifacts, planner.fingerprint) if planner is not None else None
    if folder is not None:  # the tool set changed since the planner was trained: keep what it knows
        known = ToolRAG(registry, folder, k)
        if set(known.labels) & set(registry.tools):  # it still knows some installed tools
            return StaleSelector(registry, known)
    others = sorted((artifacts / "classifier").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    if others:
        say_once(
            "no Tool RAG classifier for the installed tool set; selecting tools by embedding "
            "similarity until you run `tinyagent retrain`"
        )
        return EmbeddingFallback(registry, Encoder(others[-1].parent), k=k)
    return AllTools(registry, k)  # nothing trained yet: `tinyagent doctor` says so
