"""The assistant loop: select tools, build the prompt, stream the plan into the executor,
join, and replan when that helps."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from . import capitals, shorthand
from .backends.base import Backend
from .config import Config
from .coverage import attached, completed, corrected, feeds, lookup_tools, missed, unopened
from .executor import ConsentFn, Executor, StepTrace, Trace
from .grammar import plan_grammar, request_grammar, resumed
from .joiner import LLMJoiner, RuleJoiner, final_answer, observations, observed_values
from .plan import (
    END_OF_PLAN,
    Plan,
    PlanError,
    PlanIssue,
    PlanParser,
    Step,
    render_call,
    render_plan,
    validate_plan,
    validate_step,
)
from .plugins.host import Registry
from .plugins.tools import Tool
from .plugins.types import Example, PromptRule
from .prompt import COMPACT_STYLES, build_prompt, compact_prompt, examples_for, rules_for
from .retract import plainly, request_starts, take_back, without_fillers
from .when import resolve_times

__all__ = [
    "Agent",
    "AllTools",
    "PlanResult",
    "PlannerLimit",
    "RunResult",
    "Selection",
    "Selector",
    "allow_all",
    "current_time",
    "untrained_message",
]

MAX_RESUMES = 4  # lookups or lists the agent completes in one plan (Agent._stream_steps)


def allow_all(tool: Tool, args: list[Any]) -> bool:
    """A consent callback that allows every side effect (``tinyagent run --yes``)."""
    return True


def _refuse_all(tool: Tool, args: list[Any]) -> bool:
    return False


def current_time() -> datetime:
    """The local time, to the second: what a request's "today" means (read per request, never cached)."""
    return datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class Selection:
    """What goes into the prompt for one request."""

    tools: list[Tool]
    examples: list[Example]
    rules: list[PromptRule]
    # Installed tools the request asks for that the planner was never trained on (a pack installed
    # since the last retrain): the agent says so instead of planning with a model that cannot use them.
    untrained: tuple[str, ...] = ()


# Measured on a 2-core CPU (docs/planner.md): `tinyagent retrain` after installing the todo pack, 34.6
# minutes; after installing three packs, 34.0 (26.1 with `--extend-classifier`, a few points lower).
RETRAIN_ESTIMATE = "about 35 minutes on a 2-core CPU, 26 with `--extend-classifier`"


def untrained_message(registry: Registry, names: Sequence[str]) -> str:
    """What to tell a user whose request needs tools the planner was never trained on."""
    packs = sorted({registry.tools[n].pack for n in names if n in registry.tools})
    which = ", ".join(packs) or "a new"
    return (
        f"The {which} pack is installed but the planner has not learned it yet ({', '.join(names)}), so "
        f"this request was not planned. Run `tinyagent retrain` ({RETRAIN_ESTIMATE}), or turn the pack off "
        f"with `disabled_packs: [{packs[0] if packs else 'NAME'}]` in the config. Requests for the other "
        "tools work meanwhile."
    )


class PlannerLimit(RuntimeError):
    """The planner passed its deadline or size cap (``plan_timeout``, ``max_plan_chars``)."""


class Selector(Protocol):
    def select(self, query: str) -> Selection: ...


class AllTools:
    """Every installed tool, its rules, and the first ``k`` examples that fit (no Tool RAG)."""

    def __init__(self, registry: Registry, k: int = 6):
        self.registry, self.k = registry, k

    def select(self, query: str) -> Selection:
        tools = list(self.registry.tools.values())
        names = {t.name for t in tools}
        return Selection(
            tools, examples_for(self.registry.examples, names, self.k), rules_for(self.registry.rules, names)
        )


@dataclass
class PlanResult:
    query: str
    now: datetime
    text: str = ""
    plan: Plan | None = None
    tools: list[str] = field(default_factory=list)
    prompt_tokens: int = 0
    latency_ms: float = 0.0
    stage_ms: dict[str, float] = field(default_factory=dict)  # select, prompt, plan (aplan only)
    untrained: tuple[str, ...] = ()  # not planned: the request needs tools the planner never learned
    issues: list[PlanIssue] = field(default_factory=list)
    error: str | None = None
    resumed: int = 0  # lookups or list items the planner left out and the agent wrote (Agent._stream_steps)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.issues and self.error is None


@dataclass
class RunResult:
    query: str
    rounds: list[tuple[PlanResult, Trace]] = field(default_factory=list)
    answer: str = ""

    def unresolved(self) -> list[StepTrace]:
        """Failed steps that no later round made good (a later step of the same tool succeeded)."""
        out: list[StepTrace] = []
        for i, (_, trace) in enumerate(self.rounds):
            later = {s.tool for _, t in self.rounds[i + 1 :] for s in t.steps.values() if s.ok}
            out += [s for s in trace.failed() if s.tool not in later]
        return out

    @property
    def ok(self) -> bool:
        """The request was carried out: the last round ran at least one step, every step of it
        succeeded, its plan was accepted, and nothing that failed earlier was left undone."""
        if not self.rounds:
            return False
        last = self.rounds[-1][1]
        return bool(last.steps) and last.ok and not self.unresolved()


def _as_written(value: Any, written: str) -> Any:
    """A plan argument copied from what the planner heard of ``written`` (:meth:`Agent.heard`), with
    the request's own short forms and capitals."""
    low = capitals.lowered(written)
    value = shorthand.as_written(value, low)
    return capitals.as_written(value, written) if low != written else value


class Agent:
    def __init__(
        self,
        registry: Registry,
        backend: Backend,
        config: Config | None = None,
        selector: Selector | None = None,
    ):
        self.registry = registry
        self.backend = backend
        self.config = config or Config()
        self.selector = selector or AllTools(registry, self.config.examples_k)
        self.joiner = LLMJoiner(backend) if self.config.joiner == "llm" else RuleJoiner()

    @classmethod
    def from_config(cls, config: Config | str | Path | None = None, **options: Any) -> Agent:
        """The agent ``tinyagent run`` would use: the config (a :class:`Config`, a file, or None for
        the user's), its packs, the active planner and Tool RAG. ``options``: ``backend``,
        ``prompt_style``, ``grammar`` and backend options (``model``, ``lora``, ``base_url``, ...);
        see :func:`tinyagent.app.build_agent`."""
        from .app import build_agent

        return build_agent(config, **options)

    def replace(self, backend: Backend | None = None, **config: Any) -> Agent:
        """A sibling agent (same registry and selector) with another backend or config values."""
        return Agent(self.registry, backend or self.backend, dataclasses.replace(self.config, **config), self.selector)

    def close(self) -> None:
        """Free the backend's model (the agent is unusable afterwards)."""
        self.backend.close()

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @functools.cached_property
    def _starts(self) -> frozenset[str]:
        return request_starts(p for t in self.registry.templates for p in t.phrasings)

    @functools.cached_property
    def _lookups(self) -> dict[str, Tool]:
        return lookup_tools(self.registry.tools.values())

    @functools.cached_property
    def _fed(self) -> dict[tuple[str, int], frozenset[str]]:
        """The tools whose results the packs' plans feed each parameter (:func:`~tinyagent.coverage.feeds`)."""
        templates = self.registry.templates
        return feeds([t.plan for t in templates] + [e.plan for e in self.registry.examples], templates)

    def said(self, query: str) -> str:
        """The request as meant, its spoken corrections applied (:func:`~tinyagent.retract.take_back`),
        its fillers dropped and its courtesy put plainly (:func:`~tinyagent.retract.plainly`): what the
        planner, Tool RAG and the grammar read."""
        return take_back(plainly(without_fillers(query), self._starts), self._starts)

    @staticmethod
    def heard(said: str) -> str:
        """What the planner reads of the request ``said``: in lowercase if in capitals
        (:mod:`~tinyagent.capitals`), its texting shorthand in full (:mod:`~tinyagent.shorthand`)."""
        return shorthand.expanded(capitals.lowered(said))

    @property
    def prompt_style(self) -> str:
        """The config's choice, else the backend's (its model was trained on one), else the original."""
        return self.config.prompt_style or getattr(self.backend, "prompt_style", "tinyagent")

    @property
    def grounded(self) -> bool:
        """Whether the grammar holds ``FROM_REQUEST`` values to the request's words and ``FROM_TIME``
        values to the times the prompt shows: with the compact prompt only, as models with the original
        prompt were trained on data that sometimes words values anew."""
        return self.config.grammar and self.config.grounded and self.prompt_style in COMPACT_STYLES

    def grammar(self, selection: Selection, query: str, now: datetime, replan_context: str = "") -> str | None:
        """The plan grammar for this request (see :attr:`grounded`), or None when the config turns it off."""
        if not self.config.grammar:
            return None
        if not self.grounded:
            return plan_grammar(selection.tools)
        return request_grammar(selection.tools, [query, replan_context], resolve_times(query, now))

    def prompt(self, query: str, now: datetime, selection: Selection, replan_context: str = "") -> str:
        if self.prompt_style in COMPACT_STYLES:
            return compact_prompt(
                self.prompt_style, query, selection.tools, selection.examples, now=now, replan_context=replan_context
            )
        return build_prompt(
            query,
            selection.tools,
            now=now,
            rules=selection.rules,
            examples=selection.examples,
            instructions=self.config.instructions,
            replan_context=replan_context,
        )

    def plan(self, query: str, now: datetime | None = None) -> PlanResult:
        """Plan without executing: the raw text, the parsed plan and every validation issue.
        ``now`` (default: the current local time) resolves "tomorrow at 3"."""
        return asyncio.run(self.aplan(query, now))

    async def aplan(self, query: str, now: datetime | None = None) -> PlanResult:
        """The same planning round as :meth:`arun` (streamed, with its deadline and size cap), drained
        without executing anything."""
        now = now or current_time()
        t0 = time.perf_counter()
        said = self.said(query)
        heard = self.heard(said)
        selection = self.selector.select(heard)
        t1 = time.perf_counter()
        if selection.untrained:
            message = untrained_message(self.registry, selection.untrained)
            return PlanResult(query, now, tools=list(selection.untrained), error=message, untrained=selection.untrained)
        prompt = self.prompt(heard, now, selection)
        grammar = self.grammar(selection, heard, now)
        t2 = time.perf_counter()
        result = PlanResult(query, now, tools=[t.name for t in selection.tools])
        result.stage_ms = {"select": (t1 - t0) * 1000, "prompt": (t2 - t1) * 1000}
        try:
            result.prompt_tokens = self.backend.count_tokens(prompt)
            t2 = time.perf_counter()
            async for _ in self._stream_steps(prompt, result, grammar, heard, said):
                pass
            assert result.plan is not None
            result.issues = validate_plan(result.plan, self.registry.tools)
        except PlanError as exc:
            result.issues = result.issues or exc.issues
        except Exception as exc:  # the backend failed: reported, never raised past the caller
            result.error = f"{type(exc).__name__}: {exc}"
        result.stage_ms["plan"] = (time.perf_counter() - t2) * 1000
        result.latency_ms = (time.perf_counter() - t0) * 1000
        return result

    async def arun(
        self,
        query: str,
        now: datetime | None = None,
        *,
        consent: ConsentFn | None = None,
        on_event: Callable[[str, StepTrace], None] | None = None,
        refusal: str = "the user did not allow this step",
    ) -> RunResult:
        """Plan and execute, streaming steps into the executor; replan up to ``max_rounds``.

        ``consent(tool, args)`` is asked before every side-effecting step; without one, side effects
        are refused (pass :func:`allow_all` to run them unasked, as ``--yes`` does).

        One executor serves every round, so a side effect that succeeded in an earlier round is
        reused, never repeated. A replan's grammar is grounded on the request and the values the
        previous rounds observed, never on the observation text's scaffolding or error messages.
        """
        now = now or current_time()
        run = RunResult(query)
        said = self.said(query)
        heard = self.heard(said)
        selection = self.selector.select(heard)  # replanning keeps the selection
        if selection.untrained:
            run.answer = untrained_message(self.registry, selection.untrained)
            return run
        executor = Executor(
            self.registry.tools,
            timeout=self.config.step_timeout,
            consent=consent or _refuse_all,
            on_event=on_event,
            refusal=refusal if consent else "side effects need consent: no consent callback was given",
            untrained=set(getattr(self.selector, "new_tools", ())),
        )
        context = ""
        for round_no in range(self.config.max_rounds):
            t0 = time.perf_counter()
            prompt = self.prompt(heard, now, selection, context)
            result = PlanResult(query, now, tools=[t.name for t in selection.tools])
            result.prompt_tokens = self.backend.count_tokens(prompt)
            seen = [v for _, trace in run.rounds for v in observed_values(trace)]
            grammar = self.grammar(selection, heard, now, "\n".join(seen))
            trace = await executor.run(self._stream_steps(prompt, result, grammar, heard, said))
            result.latency_ms = (time.perf_counter() - t0) * 1000
            if trace.planner_error and not result.issues:
                result.error = trace.planner_error
            run.rounds.append((result, trace))
            decision = self.joiner.decide(said, result.plan, trace, self.config.max_rounds - round_no - 1)
            if decision.action == "finish":
                run.answer = decision.answer
                break
            context = observations(result.plan, trace) + f"\nThought: {decision.thought}"
        run.answer = final_answer(run, run.answer)
        return run

    def run(self, query: str, now: datetime | None = None, **kwargs: Any) -> RunResult:
        """:meth:`arun` for synchronous callers (not from inside a running event loop)."""
        return asyncio.run(self.arun(query, now, **kwargs))

    async def _stream_steps(
        self, prompt: str, result: PlanResult, grammar: str | None, said: str = "", written: str = ""
    ) -> AsyncIterator[Step]:
        """Stream the backend in a thread, parse as text arrives, validate and yield each step.

        With a grammar and the request ``said``, a plan that looked up some of the items the request
        lists together and moves on without the others (:func:`~tinyagent.coverage.missed`), or
        whose step leaves a looked-up item out of its list (:func:`~tinyagent.coverage.completed`), is
        resumed: the step that moved on is never yielded, the missing lookup (or the step with its
        list whole) is written in its place and the planner goes on from there; so is a step the
        request says otherwise (:func:`~tinyagent.coverage.corrected`: a role or pronoun looked up, a
        lookup of the wrong kind taken, a place described where its address is given, an "it"; at
        most :data:`MAX_RESUMES` times a plan).

        When ``said`` is the request ``written`` as the planner hears it (:meth:`heard`: lowered, its
        shorthand in full), each step's copied words get their capitals and short forms back before it
        is yielded, and the plan is the steps yielded."""
        loop = asyncio.get_running_loop()
        lookups = self._lookups if grammar and said else {}

        def start(prompt: str, grammar: str | None) -> tuple[asyncio.Queue[tuple[str, Any]], threading.Event]:
            queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
            stop = threading.Event()

            def put(item: tuple[str, Any]) -> None:
                if not stop.is_set():
                    loop.call_soon_threadsafe(queue.put_nowait, item)

            def produce() -> None:
                try:
                    for chunk in self.backend.stream(prompt, stop=[END_OF_PLAN], grammar=grammar):
                        if stop.is_set():
                            return
                        put(("chunk", chunk))
                    put(("end", None))
                except Exception as exc:  # handed to the loop, which raises it as the planner's error
                    put(("error", exc))

            # A daemon thread, not the default executor: its threads are joined at exit, which kept a
            # Ctrl-C'd or timed-out run alive until llama.cpp finished decoding.
            threading.Thread(target=produce, name="tinyagent-planner", daemon=True).start()
            return queue, stop

        deadline = time.monotonic() + self.config.plan_timeout
        parser = PlanParser()
        earlier: list[Step] = []
        shown = ""  # the complete lines read so far: a resumed plan's prompt ends with them
        restore = written if written != said else ""
        resumes = 0

        def checked(steps: Sequence[Step]) -> list[Step]:
            for step in steps:
                issues = validate_step(step, self.registry.tools, [s.idx for s in earlier])
                if issues:
                    result.issues = issues
                    raise PlanError(issues)
                earlier.append(step)
            return list(steps)

        def resume(upto: Sequence[Step], ended: bool = False) -> tuple[str, str] | None:
            """The prompt and grammar that write the lookup ``upto`` left out, or its last step with
            the lookups its lists left out; None when it left none out."""
            if resumes >= MAX_RESUMES or not lookups or grammar is None:
                return None
            if not ended and (fixed := corrected(said, upto, lookups, self.registry.tools, self._fed)):
                calls = [render_call(fixed.tool, fixed.args)]
            elif gone := missed(said, upto, lookups, ended) or (not ended and unopened(said, upto, lookups, self._fed)):
                calls = [render_call(gone.tool, [value]) for value in gone.values]
            elif not ended and (whole := completed(said, upto, lookups) or attached(said, upto, lookups, self._fed)):
                calls = [render_call(whole.tool, whole.args)]
            else:
                return None
            return prompt + shown, resumed(grammar, len(earlier) + 1, calls)

        queue, stop = start(prompt, grammar)
        pending = ""
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(queue.get(), max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    raise PlannerLimit(
                        f"the planner did not finish within {self.config.plan_timeout:g} s (plan_timeout)"
                    ) from None
                if kind == "error":
                    raise value
                lines = []
                if kind == "end":  # the last line may have had no newline
                    lines, pending = ([pending + "\n"] if pending else []), ""
                else:
                    result.text += value
                    if len(result.text) > self.config.max_plan_chars:
                        limit = self.config.max_plan_chars
                        raise PlannerLimit(f"the plan grew past {limit} characters (max_plan_chars) without ending")
                    *lines, pending = (pending + value).split("\n")
                    lines = [line + "\n" for line in lines]
                again = None
                for line in lines:
                    steps = parser.feed(line)
                    for step in steps:
                        if again := resume([*earlier, step]):
                            break
                        if restore:
                            step = dataclasses.replace(step, args=tuple(_as_written(a, restore) for a in step.args))
                        yield checked([step])[0]
                    if not again and parser.finished:  # the join: did it leave a listed item out?
                        again = resume(earlier, ended=True)
                    if again:
                        break
                    shown += line
                if again:
                    stop.set()
                    resumes += 1
                    result.resumed += 1
                    result.text, pending = shown, ""
                    parser = PlanParser()
                    parser.feed(shown)  # the steps already yielded
                    queue, stop = start(*again)
                    continue
                if kind == "end":
                    break
            result.plan = parser.close()
            if restore:
                result.plan = dataclasses.replace(result.plan, steps=tuple(earlier))
                result.text = render_plan(result.plan, end_marker=False)
        except PlanError as exc:
            result.issues = result.issues or exc.issues
            result.plan = Plan(tuple(parser.steps))
            raise
        finally:
            # The producer stops at its next chunk; it is not awaited so an error ends the run now.
            stop.set()
