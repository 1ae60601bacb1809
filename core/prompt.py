"""The planner prompt, with the structure of the original LLMCompiler/TinyAgent prompt."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from .plan import parse_plan
from .plugins.tools import Tool
from .plugins.types import Example, PromptRule
from .when import DATETIME_FORMAT, resolve_times

__all__ = [
    "COMPACT_STYLES",
    "PROMPT_STYLES",
    "RAG_EXAMPLES",
    "build_compact_prompt",
    "build_prompt",
    "compact_prompt",
    "example_tools",
    "rules_for",
    "examples_for",
]

# tinyagent: the original TinyAgent prompt (published models); compact: tinyagent's own models;
# compact-rag: compact plus the stored plan nearest to the request (retrieval-conditioned planning)
PROMPT_STYLES = ("tinyagent", "compact", "compact-rag")
COMPACT_STYLES = tuple(s for s in PROMPT_STYLES if s.startswith("compact"))  # tinyagent's own models
RAG_EXAMPLES = 1  # stored plans a compact-rag prompt shows: the nearest one

_HEADER = (
    "Given a user query, create a plan to solve it with the utmost parallelizability. "
    "Each plan should comprise an action from the following {n} types:\n"
)
_JOIN = (
    "{n}. join():\n"
    " - Collects and combines results from prior actions.\n"
    " - A LLM agent is called upon invoking join to either finalize the user query or wait until the plans "
    "are executed.\n"
    " - join should always be the last action in the plan, and will be called in two scenarios:\n"
    "   (a) if the answer can be determined by gathering the outputs from tasks to generate the final response.\n"
    "   (b) if the answer cannot be determined in the planning phase before you execute the plans.\n"
)
_GUIDELINES = """Guidelines:
 - Each action described above contains input/output types and description.
    - You must strictly adhere to the input and output types for each action.
    - The action descriptions contain the guidelines. You MUST strictly follow those guidelines when you use the actions.
 - Each action in the plan should strictly be one of the above types. Never introduce new actions; if a query cannot be addressed using these, invoke the join action for the next steps.
 - Each action MUST have a unique ID, which is strictly increasing. You need to start your plan with the '1.' call.
 - Inputs for actions can either be constants or outputs from preceding actions. In the latter case, use the format $id to denote the ID of the previous action whose output will be the input.
 - Always call join as the last action in the plan, and only there. Say '<END_OF_PLAN>' after you call join.
 - Ensure the plan maximizes parallelizability.
 - Today's date is {today}.
 - Unless otherwise specified, the default meeting duration is 60 minutes.
 - Do not use named arguments in your tool calls. You MUST fill every argument in the tool calls, even if they are optional.
 - The format for dates MUST be in ISO format of 'YYYY-MM-DD HH:MM:SS', unless other specified.
"""


@functools.lru_cache(maxsize=4096)
def example_tools(example: Example) -> frozenset[str]:
    """The tools an example's plan uses (cached: selection asks on every request)."""
    return frozenset(parse_plan(example.plan, require_join=False).tools)


def rules_for(rules: Sequence[PromptRule], tool_names: set[str]) -> list[PromptRule]:
    """Rules whose tools are all in the prompt."""
    return [r for r in rules if set(r.tools) <= tool_names]


def examples_for(examples: Sequence[Example], tool_names: set[str], k: int | None = None) -> list[Example]:
    """Examples that use only tools in the prompt, in the given order, at most ``k``."""
    chosen = [e for e in examples if example_tools(e) <= tool_names]
    return chosen if k is None else chosen[:k]


def _describe(n: int, t: Tool) -> str:
    lines = [f"{n}. {t.signature()}"]
    for para in t.description.splitlines():
        if para.strip():
            lines.append(f" - {para.strip().removeprefix('- ')}")
    for p in t.params:
        if p.description:
            lines.append(f" - {p.name}: {p.description}")
    return "\n".join(lines) + "\n"


def build_prompt(
    query: str,
    tools: Sequence[Tool],
    *,
    now: datetime,
    rules: Sequence[PromptRule] = (),
    examples: Sequence[Example] = (),
    instructions: str = "",
    replan_context: str = "",
) -> str:
    """The full planner prompt. ``now`` is passed per request: the date is never cached.

    ``rules`` and ``examples`` should already be filtered to ``tools`` (see :func:`rules_for`).
    ``replan_context`` is the previous plan with its observations, for a second round.
    """
    parts = [_HEADER.format(n=len(tools) + 1)]
    parts += [_describe(i, t) for i, t in enumerate(tools, 1)]
    parts.append(_JOIN.format(n=len(tools) + 1))
    parts.append("\n" + _GUIDELINES.format(today=now.strftime(f"%A, {DATETIME_FORMAT}")))
    for rule in rules:
        parts.append(f" - {rule.text}\n")
    if instructions.strip():
        parts.append(f" - {instructions.strip()}\n")
    if examples:
        parts.append("\nHere are some examples:\n\n")
        parts.append("###\n".join(f"Question: {e.query}\n{e.plan.strip()}\n" for e in examples))
        parts.append("###\n")
    parts.append(f"\nQuestion: {query}\n")
    if replan_context:
        parts.append(f"{replan_context.strip()}\nCurrent Plan:\n")
    return "".join(parts)


def compact_prompt(
    style: str,
    query: str,
    tools: Sequence[Tool],
    examples: Sequence[Example],
    *,
    now: datetime,
    replan_context: str = "",
) -> str:
    """The prompt of a compact-style model for a selection (its tools and nearest stored examples),
    built the same way at training and at serving time: ``compact-rag`` shows the nearest
    :data:`RAG_EXAMPLES` stored plans other than the request itself, ``compact`` none."""
    shown = [e for e in examples if e.query != query][:RAG_EXAMPLES] if style == "compact-rag" else []
    return build_compact_prompt(query, tools, now=now, replan_context=replan_context, examples=shown)


def build_compact_prompt(
    query: str,
    tools: Sequence[Tool],
    *,
    now: datetime,
    replan_context: str = "",
    examples: Sequence[Example] = (),
) -> str:
    """The embedded planner's prompt: the selected tools' names, stored plans of similar requests
    (``compact-rag`` only), the request's date and time expressions resolved in code (the model
    copies them instead of doing calendar arithmetic), and the request. Training builds its prompts
    with this same function (through :func:`compact_prompt`).
    """
    lines = ["Tools: " + " ".join(t.name for t in tools)]
    for e in examples:
        lines.append(f"Example: {' '.join(e.query.split())}")
        lines.append(e.plan.replace("<END_OF_PLAN>", "").strip())
    lines += [f"Time: {ref.describe()}" for ref in resolve_times(query, now)]
    lines.append(f"Question: {' '.join(query.split())}")
    if replan_context:
        lines.append(replan_context.strip())
    lines.append("Plan:\n")
    return "\n".join(lines)
