"""The joiner: after a plan ran, answer the user (Finish) or plan again (Replan)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .backends.base import Backend
from .executor import Trace, effect_key
from .plan import Plan, render_step
from .plugins.tools import Labeled

if TYPE_CHECKING:
    from .agent import RunResult

__all__ = ["Decision", "LLMJoiner", "RuleJoiner", "final_answer", "observations", "observed_values"]


@dataclass(frozen=True)
class Decision:
    action: str  # "finish" | "replan"
    answer: str = ""
    thought: str = ""


def observations(plan: Plan | None, trace: Trace) -> str:
    """The previous plan with an ``Observation:`` after every step, as the replan prompt shows it."""
    lines = ["Previous Plan:"]
    for step in plan.steps if plan else []:
        lines.append(render_step(step))
        st = trace.steps.get(step.idx)
        if st is not None:
            lines.append(f"Observation: {st.observation()}")
    if trace.planner_error:
        lines.append(f"Observation: the plan was rejected: {trace.planner_error}")
    return "\n".join(lines)


def observed_values(trace: Trace) -> list[str]:
    """The values the steps of a round produced (what a replan may copy), without error messages
    or the observation text's own words: a replan grounded on the whole rendered observations wrote
    ``get_email_address("Previous")`` and ``get_email_address("Cancelled: step")``."""
    out: list[str] = []
    for st in trace.steps.values():
        if st.ok:
            out += [str(v) for v in st.result] if isinstance(st.result, list) else [str(st.result)]
    return out


def final_answer(run: RunResult, answer: str) -> str:
    """The answer for the whole run, every round included: side effects done in an earlier round
    (they happened, whatever the last plan did) and failures no later round made good."""
    if len(run.rounds) == 1 and run.ok:
        return answer
    last = run.rounds[-1][1] if run.rounds else None
    reused = {effect_key(s.tool, s.args) for s in last.steps.values() if s.reused} if last else set()
    lines = [
        f"{s.tool}: {_show(s.result)}"
        for _, trace in run.rounds[:-1]
        for s in trace.steps.values()
        if s.ok and s.side_effects and not s.reused and effect_key(s.tool, s.args) not in reused  # said below
    ]
    if last is not None and (last.steps or last.planner_error):
        lines.append(answer)
    unresolved = [s for s in run.unresolved() if last is None or s not in last.steps.values()]
    lines += [f"{s.tool} {s.status}: {s.error}" for s in unresolved]
    if not run.ok:
        lines.append("The request was not completed." if lines else "None of the installed tools can do that.")
    return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(_show, value)) or "(none)"
    return value.shown() if isinstance(value, Labeled) else str(value)


class RuleJoiner:
    """Deterministic default. Replans when the planner's output was rejected or a tool raised
    ``ToolInputError`` and rounds are left; otherwise finishes with a summary of results."""

    def decide(self, query: str, plan: Plan | None, trace: Trace, rounds_left: int) -> Decision:
        fixable = [s for s in trace.steps.values() if s.fixable]
        if rounds_left > 0 and (trace.planner_error or fixable):
            why = trace.planner_error or "; ".join(f"step {s.idx} {s.tool}: {s.error}" for s in fixable)
            return Decision("replan", thought=f"The previous plan failed: {why}")
        return Decision("finish", answer=self.answer(trace))

    @staticmethod
    def answer(trace: Trace) -> str:
        if trace.planner_error and not trace.steps:
            return f"I could not make a plan for that: {trace.planner_error}"
        if not trace.steps:
            return "None of the installed tools can do that."
        lines = []
        for st in trace.steps.values():
            if st.ok:
                lines.append(f"{st.tool}: {_show(st.result)}")
            else:
                lines.append(f"{st.tool} {st.status}: {st.error}")
        if trace.planner_error:
            lines.append(f"The plan stopped early: {trace.planner_error}")
        return "\n".join(lines)


_ACTION = re.compile(r"Action:\s*(Finish|Replan)\s*(?:\((.*)\))?\s*$", re.S | re.M)


class LLMJoiner:
    """The original joiner: a model reads the observations and writes ``Thought: ...`` then
    ``Action: Finish(answer)`` or ``Action: Replan``. Falls back to the rule joiner's answer."""

    def __init__(self, backend: Backend):
        self.backend = backend

    def decide(self, query: str, plan: Plan | None, trace: Trace, rounds_left: int) -> Decision:
        prompt = (
            "Solve a question answering task. Read the plan and the observations, then answer with\n"
            "Thought: <reasoning>\nAction: Finish(<answer for the user>) or Action: Replan\n\n"
            f"Question: {query}\n{observations(plan, trace)}\n"
        )
        text = self.backend.complete(prompt, stop=["\nQuestion:"], max_tokens=256)
        m = _ACTION.search(text)
        thought = text.split("Action:")[0].replace("Thought:", "").strip()
        if m and m.group(1) == "Replan" and rounds_left > 0:
            return Decision("replan", thought=thought)
        answer = (m.group(2) or "").strip() if m else ""
        return Decision("finish", answer=answer or RuleJoiner.answer(trace), thought=thought)
