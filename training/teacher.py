"""The paper's method, for users with a large model behind an OpenAI-compatible endpoint: the
teacher writes requests and plans; the same checks as for composed data decide what is kept."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..agent import AllTools
from ..backends.base import Backend
from ..plan import parse_plan
from ..plugins.host import Registry
from ..prompt import build_prompt
from ..when import DATETIME_FORMAT
from .generator import check_example

__all__ = ["parse_teacher_output", "teacher_examples"]

_BLOCK = re.compile(r"Question:\s*(?P<query>.+?)\n(?P<plan>(?:.*\n)*?.*?join\(\)(?:<END_OF_PLAN>)?)", re.M)

INSTRUCTION = (
    "\nWrite {k} new, varied user requests that these tools can serve, each followed by its plan, in exactly "
    "the format of the examples above. Use realistic names, dates relative to today, and combinations of tools. "
    "Separate them with ###.\n\n"
)


def parse_teacher_output(text: str) -> list[tuple[str, str]]:
    """``(query, plan)`` pairs from the teacher's answer; anything unparsable is dropped."""
    pairs = []
    for m in _BLOCK.finditer(text):
        plan = m.group("plan").strip()
        if not plan.endswith("<END_OF_PLAN>"):
            plan += "<END_OF_PLAN>"
        pairs.append((m.group("query").strip(), plan))
    return pairs


def teacher_examples(
    reg: Registry, teacher: Backend, n: int, seed: int = 0, per_call: int = 5, stats: dict[str, int] | None = None
) -> Iterator[dict[str, Any]]:
    """Yield up to ``n`` checked examples written by ``teacher``; ``stats`` counts calls and rejections."""
    stats = stats if stats is not None else {}
    stats.update(calls=0, rejected=0)
    rng = random.Random(seed)
    selection = AllTools(reg, k=8).select("")
    seen: set[str] = set()
    made = 0
    while made < n and stats["calls"] < max(3, 3 * n // per_call + 3):
        now = datetime(2026, 1, 5, 9, 0).replace(day=rng.randint(1, 28), month=rng.randint(1, 12))
        prompt = build_prompt("", selection.tools, now=now, rules=selection.rules, examples=selection.examples)
        prompt = prompt.rsplit("\nQuestion:", 1)[0] + INSTRUCTION.format(k=per_call)
        stats["calls"] += 1
        for query, plan in parse_teacher_output(teacher.complete(prompt, max_tokens=1500)):
            try:
                tools = sorted(set(parse_plan(plan).tools))
            except ValueError:
                tools = []
            example = {
                "query": query,
                "now": now.strftime(DATETIME_FORMAT),
                "plan": plan,
                "tools": tools,
                "templates": ["teacher"],
                "phrasings": [],
                "split": "train",
            }
            if query in seen or check_example(example, reg):
                stats["rejected"] += 1
                continue
            seen.add(query)
            made += 1
            yield example
            if made >= n:
                return
