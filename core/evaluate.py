"""``tinyagent eval``: run the real pipeline (selection, prompt, planner) over a dataset and score it."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .agent import Agent, AllTools
from .jsonl import read_jsonl
from .metrics import args_match, dag_match, parse_free, tool_recall_precision
from .plan import parse_plan
from .when import DATETIME_FORMAT

__all__ = ["EvalReport", "evaluate", "load_dataset", "percentile", "write_report"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def load_dataset(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path, ("query", "now", "plan"))


@dataclass
class EvalReport:
    n: int = 0
    dag_success: float = 0.0
    args_success: float = 0.0
    invalid_rate: float = 0.0
    resumed_rate: float = 0.0  # plans the agent completed: a lookup or list item left out (Agent._stream_steps)
    tool_recall: float = 0.0
    tool_precision: float = 0.0
    tools_selected: float = 0.0
    prompt_tokens: float = 0.0
    prompt_tokens_all_tools: float = 0.0
    planner_tokens_per_s: float = 0.0
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    per_tool: dict[str, dict[str, int]] = field(default_factory=dict)
    per_pack: dict[str, dict[str, int]] = field(default_factory=dict)  # requests using any of a pack's tools
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "failures"} | {"failures": self.failures[:200]}


def evaluate(agent: Agent, rows: list[dict[str, Any]], progress: Callable[[int], None] | None = None) -> EvalReport:
    """Score ``agent`` on ``rows``: per request, select tools, build the prompt and plan, as at run time."""
    all_tools = AllTools(agent.registry, agent.config.examples_k)
    rep = EvalReport(n=len(rows))
    stages: dict[str, list[float]] = {"select": [], "prompt": [], "plan": [], "total": []}
    dag = args = invalid = resumed = 0
    recalls, precisions, selected, tokens, tokens_all, out_tokens = [], [], [], [], [], []
    for i, row in enumerate(rows):
        gold = parse_plan(row["plan"])
        now = datetime.strptime(row["now"], DATETIME_FORMAT)
        result = agent.plan(row["query"], now)  # the same planning round as `tinyagent run`
        text, pred = result.text, result.plan if result.ok else None
        error = result.error or "; ".join(map(str, result.issues))
        out_tokens.append(agent.backend.count_tokens(text))
        for name in ("select", "prompt", "plan"):
            stages[name].append(result.stage_ms.get(name, 0.0))
        stages["total"].append(result.latency_ms)
        names = set(result.tools)
        gold_tools = set(gold.tools)
        r, p = tool_recall_precision(names, gold_tools)
        recalls.append(r)
        precisions.append(p)
        selected.append(len(names))
        tokens.append(result.prompt_tokens)
        said = agent.heard(agent.said(row["query"]))  # the request as the planner read it
        tokens_all.append(agent.backend.count_tokens(agent.prompt(said, now, all_tools.select(said))))
        ok = pred is not None and dag_match(pred, gold)
        args_ok = ok and args_match(pred, gold, parse_free(row.get("free")))  # type: ignore[arg-type]
        dag += ok
        args += args_ok
        invalid += pred is None
        resumed += result.resumed > 0
        packs = {agent.registry.tools[t].pack for t in gold_tools if t in agent.registry.tools}
        for table, keys in ((rep.per_tool, gold_tools), (rep.per_pack, packs)):
            for key in keys:
                stat = table.setdefault(key, {"n": 0, "ok": 0})
                stat["n"] += 1
                stat["ok"] += ok
        if not args_ok:  # "plan": the DAG is wrong; "arguments": the DAG is right, some value is not
            kind = "arguments" if ok else "plan"
            failure = {"query": row["query"], "gold": row["plan"], "predicted": text, "error": error, "kind": kind}
            rep.failures.append(failure)
        if progress:
            progress(i + 1)
    n = max(1, len(rows))
    rep.dag_success, rep.args_success, rep.invalid_rate = dag / n, args / n, invalid / n
    rep.resumed_rate = resumed / n
    rep.tool_recall = statistics.fmean(recalls) if recalls else 0.0
    rep.tool_precision = statistics.fmean(precisions) if precisions else 0.0
    rep.tools_selected = statistics.fmean(selected) if selected else 0.0
    rep.prompt_tokens = statistics.fmean(tokens) if tokens else 0.0
    rep.prompt_tokens_all_tools = statistics.fmean(tokens_all) if tokens_all else 0.0
    rep.planner_tokens_per_s = sum(out_tokens) / max(sum(stages["plan"]) / 1000, 1e-9)
    rep.latency_ms = {k: {"p50": percentile(v, 0.5), "p95": percentile(v, 0.95)} for k, v in stages.items()}
    rep.per_tool = dict(sorted(rep.per_tool.items()))
    rep.per_pack = dict(sorted(rep.per_pack.items()))
    return rep


def pack_summary(rep: EvalReport) -> list[str]:
    """One line per pack: DAG success on the requests that use any of its tools."""
    return [
        f"{pack or 'built-in'}: DAG success {100 * s['ok'] / s['n']:.1f}% ({s['ok']}/{s['n']} requests using its tools)"
        for pack, s in rep.per_pack.items()
    ]


# ---------------------------------------------------------------- report


def _bar_svg(title: str, bars: list[tuple[str, float, str]], unit: str = "%") -> str:
    """Horizontal bars, each ``(label, value, note)``: the label column is as wide as the longest
    label (nothing clipped), the value and its note (``12/15``) beside the bar."""
    char = 7.2  # px per character at font-size 12, generous so no label is cut
    label_w = 16 + char * max([len(label) for label, _, _ in bars] + [len(title) // 2])
    note_w = 24 + char * max([len(f"{v:.1f}{unit} {n}") for _, v, n in bars] + [0])
    bar_w, row = 360, 22
    width, height = label_w + bar_w + note_w, 40 + row * len(bars)
    scale = max([v for _, v, _ in bars] + [1e-9])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" font-family="sans-serif" '
        f'font-size="12"><text x="8" y="18" font-weight="bold">{_xml(title)}</text>'
    ]
    for i, (label, value, note) in enumerate(bars):
        y = 30 + i * row
        w = bar_w * value / scale
        out.append(
            f'<text x="{label_w - 8:.0f}" y="{y + 14}" text-anchor="end">{_xml(label)}</text>'
            f'<rect x="{label_w:.0f}" y="{y + 3}" width="{w:.1f}" height="14" fill="#4a7bd0"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{value:.1f}{unit} {_xml(note)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_report(rep: EvalReport, out: Path, dataset: str, backend: str) -> Path:
    """A Markdown report with SVG plots (per-tool success with counts; latency per stage, p50 and p95
    each on its own scale), the same numbers as CSV beside them, and the failures."""
    out.mkdir(parents=True, exist_ok=True)
    per_tool = [(t, 100 * s["ok"] / s["n"], f"({s['ok']}/{s['n']})") for t, s in rep.per_tool.items()]
    (out / "per_tool.svg").write_text(_bar_svg("DAG success by tool (requests using it)", per_tool))
    for q in ("p50", "p95"):
        lat = [(stage, v[q], "") for stage, v in rep.latency_ms.items()]
        (out / f"latency_{q}.svg").write_text(_bar_svg(f"Latency per stage, {q}", lat, " ms"))
    _write_csv(
        out / "per_tool.csv",
        ["tool", "requests", "dag_ok", "dag_success"],
        [[t, s["n"], s["ok"], f"{s['ok'] / s['n']:.4f}"] for t, s in rep.per_tool.items()],
    )
    _write_csv(
        out / "latency.csv",
        ["stage", "p50_ms", "p95_ms"],
        [[k, f"{v['p50']:.3f}", f"{v['p95']:.3f}"] for k, v in rep.latency_ms.items()],
    )
    lines = [
        f"# Evaluation: {dataset}",
        "",
        f"Backend: `{backend}`; {rep.n} requests.",
        "",
        "| metric | value |",
        "|---|---|",
        f"| DAG success (paper's metric) | {100 * rep.dag_success:.2f}% |",
        f"| argument-level success | {100 * rep.args_success:.2f}% |",
        f"| plans that failed to parse or validate | {100 * rep.invalid_rate:.2f}% |",
        f"| plans completed by the agent (a lookup or list item left out) | {100 * rep.resumed_rate:.2f}% |",
        f"| tool recall / precision of the selection | {rep.tool_recall:.3f} / {rep.tool_precision:.3f} |",
        f"| tools selected per request | {rep.tools_selected:.2f} |",
        f"| prompt tokens with selection / all tools | {rep.prompt_tokens:.0f} / {rep.prompt_tokens_all_tools:.0f} |",
    ]
    for stage, v in rep.latency_ms.items():
        lines.append(f"| latency {stage} p50 / p95 | {v['p50']:.2f} / {v['p95']:.2f} ms |")
    lines += ["", "By pack:", ""] + [f"- {line}" for line in pack_summary(rep)]
    lines += ["", "![per-tool success](per_tool.svg)", "", "![latency p50](latency_p50.svg)"]
    lines += [
        "",
        "![latency p95](latency_p95.svg)",
        "",
        "Numbers: `per_tool.csv`, `latency.csv`.",
        "",
        "## Failures",
        "",
    ]
    if not rep.failures:
        lines.append("None.")
    for f in sorted(rep.failures, key=lambda f: f["kind"] != "plan")[:50]:  # wrong plans first
        lines += [
            f"### {f['query']}" + (" (arguments)" if f["kind"] == "arguments" else ""),
            "",
            "Gold:",
            "```",
            f["gold"].strip(),
            "```",
            "Predicted:",
            "```",
            (f["predicted"] or "(nothing)").strip(),
            "```",
        ]
        if f["error"]:
            lines.append(f"Error: {f['error']}")
        lines.append("")
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
