"""A deterministic backend that answers from a script: for tests, demos and benchmarks."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..shorthand import expanded
from .base import Backend, BackendError

__all__ = ["ScriptedBackend", "load_script"]

_QUESTION = re.compile(r"^Question:\s*(.*?)\s*$", re.M)


def _norm(query: str) -> str:
    """A query as a script key: what the planner reads of it (in lowercase, its shorthand in full)."""
    return " ".join(expanded(query.lower()).split())


def load_script(path: str | Path) -> dict[str, list[str]]:
    """Read a script: YAML (a list of ``{query, plan}`` or ``{query, plans}``) or JSONL lines of the same."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BackendError(f"cannot read script {path}: {exc.strerror}") from None
    try:
        if path.suffix == ".jsonl":
            entries = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            entries = yaml.safe_load(text) or []
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise BackendError(f"script {path} is not valid: {exc}") from None
    if not isinstance(entries, list):
        raise BackendError(f"script {path} must be a list of {{query, plan}} entries")
    script: dict[str, list[str]] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "query" not in entry or not ({"plan", "plans"} & entry.keys()):
            raise BackendError(f"script {path}, entry {n}: needs 'query' and 'plan' (or 'plans')")
        plans = entry.get("plans") or [entry["plan"]]
        script[_norm(entry["query"])] = [str(p) for p in plans]
    return script


class ScriptedBackend(Backend):
    """Answers with pre-written completions.

    ``responses``: completions handed out in order, whatever the prompt. ``script``: a file or
    mapping from query to plan(s), matched against the prompt's last ``Question:`` line; the n-th
    planning round for a query gets the n-th plan. ``chunk``/``delay`` shape the stream.
    """

    name = "scripted"

    def __init__(
        self,
        responses: Sequence[str] | None = None,
        script: str | Path | dict[str, Any] | None = None,
        chunk: int = 8,
        delay: float = 0.0,
        **_: Any,
    ):
        self.responses = list(responses or [])
        if isinstance(script, dict):
            self.script = {_norm(q): p if isinstance(p, list) else [p] for q, p in script.items()}
        else:
            self.script = load_script(script) if script else {}
        if not self.responses and not self.script:
            raise BackendError("the scripted backend needs a script (--script FILE) or responses")
        self.chunk, self.delay = max(1, int(chunk)), float(delay)
        self.prompts: list[str] = []
        self.grammars: list[str | None] = []  # the grammar each call was given (not enforced)
        self._rounds: dict[str, int] = {}

    def _answer(self, prompt: str) -> str:
        if self.responses:
            return self.responses.pop(0)
        questions = _QUESTION.findall(prompt)
        query = _norm(questions[-1]) if questions else ""
        plans = self.script.get(query)
        if plans is None and query:  # a request the agent took a spoken correction out of (core/retract.py):
            # "text Bo... sorry, email Bo hi" is planned as its last words, "email Bo hi"
            said = [q for q in self.script if q.endswith(" " + query)]
            query = said[0] if len(said) == 1 else query
            plans = self.script.get(query)
        if plans is None:
            raise BackendError(f"the script has no plan for {questions[-1] if questions else 'this prompt'!r}")
        # a prompt that ends with the first lines of this round's plan (the agent resumed it after a step
        # it rewrote) is answered, as a completion model would, with the lines after them
        round_ = self._rounds.get(query, 0)
        if round_:
            lines = plans[min(round_, len(plans)) - 1].splitlines(keepends=True)
            for k in range(len(lines) - 1, 0, -1):
                if prompt.endswith("".join(lines[:k])):
                    return "".join(lines[k:])
        self._rounds[query] = round_ + 1
        return plans[min(round_, len(plans) - 1)]

    def stream(
        self, prompt: str, *, stop: Sequence[str] = (), grammar: str | None = None, max_tokens: int = 512
    ) -> Iterator[str]:
        self.prompts.append(prompt)
        self.grammars.append(grammar)
        text = self._answer(prompt)
        for s in stop:  # honour stop strings like a real server: cut before the first one
            if s in text:
                text = text[: text.index(s)]
        for i in range(0, len(text), self.chunk):
            if self.delay:
                time.sleep(self.delay)
            yield text[i : i + self.chunk]
