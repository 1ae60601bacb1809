"""Fine-tunes a base under `accelerate launch` (run by test_planner): argv = base folder, out folder."""

import sys
from pathlib import Path

from tinyagent.training.planner import PlannerConfig, train_planner

ROWS = [("Tools: add_todo\nQuestion: add milk\nPlan:\n", '1. add_todo("milk")\n2. join()<END_OF_PLAN>')] * 8

if __name__ == "__main__":
    base, out = Path(sys.argv[1]), Path(sys.argv[2])
    info = train_planner(ROWS, out, PlannerConfig(steps=3, batch=2, warmup=1, lr=1e-3), base=base)
    print("main" if info.get("main_process", True) else "worker", info.get("processes"))
