"""Plan metrics: the paper's DAG-isomorphism success, a stricter argument-level match,
and tool recall/precision.

Success (TinyAgent's metric): the predicted call graph is isomorphic to the gold one, with nodes
matched by tool name and, recursively, by the tool names of the steps they depend on. Argument
values, step numbers and thoughts are ignored. Every reference form counts (``$N``, ``${N}``, in
lists and inside strings), not only the first ``$N`` of a string as in the original.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import networkx as nx
from networkx.algorithms.isomorphism import DiGraphMatcher

from .plan import Plan, plan_graph
from .when import DATETIME_FORMAT

__all__ = ["args_match", "dag_match", "normalize_value", "parse_free", "tool_recall_precision"]


def _labelled(plan: Plan) -> nx.DiGraph:
    g = plan_graph(plan)
    labels: dict[int, str] = {}
    for node in nx.topological_sort(g):
        deps = sorted(labels[d] for d in g.predecessors(node))
        labels[node] = g.nodes[node]["tool"] + ("(" + ",".join(deps) + ")" if deps else "")
    nx.set_node_attributes(g, labels, "label")
    return g


def _matcher(pred: Plan, gold: Plan) -> DiGraphMatcher:
    return DiGraphMatcher(_labelled(pred), _labelled(gold), node_match=lambda a, b: a["label"] == b["label"])


def dag_match(pred: Plan, gold: Plan) -> bool:
    """The paper's success criterion."""
    return len(pred.steps) == len(gold.steps) and _matcher(pred, gold).is_isomorphic()


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_REF = re.compile(r"\$\{(\d+)\}|\$(\d+)")


def normalize_value(value: Any, ref_map: dict[int, int] | None = None) -> Any:
    """Compare-ready form: strings trimmed and case-folded, dates in one ISO form, references
    renumbered through ``ref_map`` (predicted id -> gold id) and written one way."""
    if isinstance(value, str):
        text = value.strip()
        if _DATE.match(text):
            for fmt in (DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
                try:
                    return datetime.strptime(text, fmt).isoformat(sep=" ")
                except ValueError:
                    continue

        def ref(m: re.Match[str]) -> str:
            n = int(m.group(1) or m.group(2))
            return f"${n if ref_map is None else ref_map.get(n, 0)}"

        text = _REF.sub(ref, text)
        return " ".join(text.casefold().split())
    if isinstance(value, (list, tuple)):
        return [normalize_value(v, ref_map) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def parse_free(free: list[str] | None) -> set[tuple[int, int]]:
    """``["4.2", "4.3"]`` (gold step 4, 0-based arguments 2 and 3) as a set of (step, argument)."""
    out = set()
    for item in free or []:
        step, _, arg = str(item).partition(".")
        out.add((int(step), int(arg)))
    return out


def args_match(pred: Plan, gold: Plan, free: set[tuple[int, int]] | None = None) -> bool:
    """Stricter: some isomorphism also pairs every step with equal (normalized) arguments.

    ``free`` lists gold arguments the request leaves to the planner (an e-mail subject nobody gave,
    the body that goes with an attachment): any value passes there. A hand-written set marks them so
    that argument success counts what a user would check (names, files, times, titles, messages)."""
    if len(pred.steps) != len(gold.steps):
        return False
    free = free or set()
    pred_steps = {s.idx: s for s in pred.steps}
    gold_steps = {s.idx: s for s in gold.steps}

    def same(p: int, g: int, mapping: dict[int, int]) -> bool:
        want, got = list(gold_steps[g].args), list(pred_steps[p].args)
        if len(want) != len(got):
            return False
        return all(
            (g, i) in free or normalize_value(a, mapping) == normalize_value(b, None)
            for i, (a, b) in enumerate(zip(got, want, strict=True))
        )

    for mapping in _matcher(pred, gold).isomorphisms_iter():
        if all(same(p, g, mapping) for p, g in mapping.items()):
            return True
    return False


def tool_recall_precision(selected: set[str], gold: set[str]) -> tuple[float, float]:
    """Recall = |gold ∩ selected| / |gold|; precision = |gold ∩ selected| / |selected| (1.0 when empty)."""
    hit = len(selected & gold)
    recall = hit / len(gold) if gold else 1.0
    precision = hit / len(selected) if selected else 1.0
    return recall, precision
