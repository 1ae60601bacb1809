"""How clearly a request asks for a pack's new tools, before a retrain (StaleSelector.THRESHOLD).

With the assistant and todo packs installed and the planner trained for the assistant alone, score
generated requests of the assistant's test split (they must never be taken for todo requests) and of
the todo pack's templates (they should be), and print the similarity quantiles and each threshold's
false and true positive rates.

    TINYAGENT_HOME=$(mktemp -d) .venv/bin/python benchmarks/stale_threshold.py
"""

from __future__ import annotations

import os

import numpy as np


def main() -> None:
    os.environ["TINYAGENT_PLUGINS"] = "assistant,todo"
    from tinyagent.artifacts import EMBEDDED_DIR, active_planner
    from tinyagent.config import paths
    from tinyagent.plugins.host import get_plugin_manager, load_registry
    from tinyagent.toolrag import StaleSelector, ToolRAG, classifier_dir
    from tinyagent.training.generator import DataConfig, generate

    reg = load_registry(get_plugin_manager())
    planner = active_planner(paths().artifacts_dir)
    assert planner is not None
    known = ToolRAG(reg, classifier_dir(EMBEDDED_DIR, planner.fingerprint))
    stale = StaleSelector(reg, known)
    rows = list(generate(reg, DataConfig(train=0, val=0, test=3000, test_heldout=0, val_heldout=0, seed=11)))
    new = set(stale.new_tools)
    groups = {
        "known tools only": [r.query for r in rows if not set(r.tools) & new][:600],
        "new tools only": [r.query for r in rows if set(r.tools) <= new][:300],
        "both": [r.query for r in rows if set(r.tools) & new and not set(r.tools) <= new][:300],
    }
    best = {}
    for name, queries in groups.items():
        emb = known.encoder(queries)[1]
        best[name] = np.array([max(stale.new_scores(e).values()) - stale.known_score(e) for e in emb])
        q = np.quantile(best[name], [0, 0.05, 0.5, 0.95, 1])
        quantiles = "  ".join(f"{k} {v:.3f}" for k, v in zip(("min", "p5", "p50", "p95", "max"), q, strict=True))
        print(f"{name:17s} n={len(queries):4d}  {quantiles}")
    print("(the numbers are the best similarity to a new tool's requests minus that to a known tool's)")
    for th in (-0.05, 0.0, 0.02, 0.05, 0.1, 0.15):
        fp = (best["known tools only"] >= th).mean()
        tp = (best["new tools only"] >= th).mean()
        both = (best["both"] >= th).mean()
        print(
            f"margin {th:.2f}: known-tool requests flagged {100 * fp:5.1f}%, new-tool {100 * tp:5.1f}%, "
            f"mixed {100 * both:5.1f}%"
        )


if __name__ == "__main__":
    main()
