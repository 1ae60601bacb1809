"""The task fetching unit: runs plan steps as a DAG, each the moment its dependencies are done.

Guarantees:
- read-only steps start while the plan still streams; a side-effecting step waits until the whole
  plan has parsed and validated (``plan_done``), so a rejected plan runs no side effect (measured
  before: a note was created in 4 of 12 runs of a plan that then named an unknown tool);
- a side-effecting call (same tool, same resolved arguments) that already succeeded in this run is
  never made again: a replan reuses its earlier result (``Executor.done_effects``);
- tools run in daemon threads, so a tool stuck for ever (a FIFO where a file should be) times out
  and never keeps the process from exiting.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .plan import Step, substitute
from .plugins.consent import current as consent_var
from .plugins.tools import Tool, ToolInputError

__all__ = ["ConsentFn", "Executor", "StepTrace", "Trace", "effect_key", "in_daemon_thread"]

# Asked before a side-effecting step runs: (tool, substituted args) -> allowed?
ConsentFn = Callable[[Tool, list[Any]], "bool | Awaitable[bool]"]


@dataclass
class StepTrace:
    idx: int
    tool: str
    args: list[Any]
    status: str = "pending"  # pending | running | ok | error | timeout | cancelled | refused
    result: Any = None
    error: str | None = None
    fixable: bool = False  # the tool raised ToolInputError: a new plan may succeed
    started: float | None = None
    ended: float | None = None
    reused: bool = False  # a side effect that already succeeded earlier in the run: not made again
    side_effects: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def observation(self) -> str:
        return str(self.result) if self.ok else f"{self.status}: {self.error}"


@dataclass
class Trace:
    """What happened to every step, in plan order, plus the run's clock."""

    steps: dict[int, StepTrace] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    ended: float | None = None
    planner_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.planner_error is None and all(s.ok for s in self.steps.values())

    def failed(self) -> list[StepTrace]:
        return [s for s in self.steps.values() if not s.ok]


class _Failed(Exception):
    pass


class Executor:
    """Executes steps fed from an async stream. Sync tools run in threads so they never block
    the loop. A failing, timed-out or refused step cancels its dependents with a reason."""

    def __init__(
        self,
        tools: Mapping[str, Tool],
        *,
        timeout: float = 60.0,
        consent: ConsentFn | None = None,
        on_event: Callable[[str, StepTrace], None] | None = None,
        refusal: str = "the user did not allow this step",
        untrained: set[str] | None = None,
    ):
        self.tools = tools
        # Tools the active planner was never trained on (a pack installed since): never run for their
        # side effects, whatever the consent, until `tinyagent retrain`.
        self.untrained = untrained or set()
        self.refusal = refusal
        self.timeout = timeout
        self.consent = consent
        self.on_event = on_event or (lambda kind, st: None)
        self._consent_lock = threading.Lock()  # one question at a time: parallel steps, tools' own asks
        # (tool, resolved arguments) of every side effect that succeeded, across runs (replans).
        self.done_effects: dict[str, StepTrace] = {}

    async def run(self, steps: AsyncIterator[Step] | Iterable[Step]) -> Trace:
        """Run every step as soon as it arrives and its dependencies are done.

        If the step stream raises (a planner or parse error), steps not yet started are cancelled,
        running ones finish, and the error is recorded in ``Trace.planner_error``; never a hang.
        """
        trace = Trace()
        done: dict[int, asyncio.Future[Any]] = {}
        tasks: list[asyncio.Task[None]] = []
        loop = asyncio.get_running_loop()
        plan_done = asyncio.Event()
        try:
            async for step in _aiter(steps):
                done[step.idx] = loop.create_future()
                st = trace.steps[step.idx] = StepTrace(step.idx, step.tool, list(step.args))
                tasks.append(asyncio.create_task(self._run_step(step, st, done, plan_done)))
        except Exception as exc:
            trace.planner_error = str(exc) or type(exc).__name__
            for idx, fut in done.items():
                if not fut.done() and trace.steps[idx].status == "pending":
                    fut.set_exception(_Failed("the plan was rejected before this step could start"))
        finally:
            plan_done.set()
        if tasks:
            await asyncio.gather(*tasks)
        trace.ended = time.perf_counter()
        return trace

    async def _run_step(
        self, step: Step, st: StepTrace, done: dict[int, asyncio.Future[Any]], plan_done: asyncio.Event
    ) -> None:
        fut = done[step.idx]
        try:
            results = {}
            for dep in step.deps:
                try:
                    results[dep] = await asyncio.shield(done[dep])
                except _Failed as exc:
                    raise _Failed(f"step {dep} did not succeed ({exc})") from None
            if fut.done():  # cancelled by a planner error while waiting
                raise _Failed(str(fut.exception()))
            st.args = list(substitute(list(step.args), results, step.deps))
            tool = self.tools[step.tool]
            st.side_effects = tool.side_effects
            if tool.side_effects and tool.name in self.untrained:
                st.status, st.error = "refused", "the planner was not trained on this tool yet: run `tinyagent retrain`"
                raise _Failed("refused: a tool the planner was not trained on")
            if tool.side_effects:
                await plan_done.wait()  # a plan rejected later must not have acted
                if fut.done():
                    raise _Failed(str(fut.exception()))
                key = effect_key(tool.name, st.args)
                earlier = self.done_effects.get(key)
                if earlier is not None:  # already done in an earlier round: never twice
                    st.status, st.result, st.reused = "ok", earlier.result, True
                    self.on_event("reused", st)
                    fut.set_result(st.result)
                    return
                if self.consent is not None and not await self._ask(tool, st.args):
                    st.status, st.error = "refused", self.refusal
                    raise _Failed("refused by the user")
            st.status, st.started = "running", time.perf_counter()
            self.on_event("start", st)
            st.result = await asyncio.wait_for(self._call(tool, st.args), self.timeout)
            st.status = "ok"
            if tool.side_effects:
                self.done_effects[effect_key(tool.name, st.args)] = st
            if not fut.done():
                fut.set_result(st.result)
        except _Failed as exc:
            if st.status != "refused":
                st.status, st.error = "cancelled", str(exc)
            _fail(fut, str(exc))
        except TimeoutError:
            st.status, st.error = "timeout", f"{step.tool} took longer than {self.timeout:g} s"
            _fail(fut, st.error)
        except Exception as exc:  # a tool's own error: recorded, never propagated to the loop
            st.status, st.fixable = "error", isinstance(exc, ToolInputError)
            st.error = str(exc) if st.fixable else f"{type(exc).__name__}: {exc}"
            _fail(fut, st.error)
        finally:
            st.ended = time.perf_counter()
            self.on_event("end", st)

    async def _ask(self, tool: Tool, args: list[Any]) -> bool:
        answer = await in_daemon_thread(self._ask_sync, tool, args)
        if inspect.isawaitable(answer):
            answer = await answer
        return bool(answer)

    def _ask_sync(self, tool: Tool, args: list[Any]) -> Any:
        if self.consent is None:  # --yes
            return True
        with self._consent_lock:
            return self.consent(tool, args)

    def _ask_action(self, action: str, args: list[Any]) -> bool:
        """A tool's own action (``ask_consent``), asked as a side-effecting step would be."""
        pseudo = Tool(action, f"{action} (asked by a tool)", (), "str", lambda *a: None, side_effects=True)
        answer = self._ask_sync(pseudo, args)
        return bool(answer) if not inspect.isawaitable(answer) else False

    async def _call(self, tool: Tool, args: list[Any]) -> Any:
        token = consent_var.set(self._ask_action)
        try:  # the thread and the coroutine see the var through the context they were started in
            if tool.is_async:
                return await tool.func(*args)
            return await in_daemon_thread(tool.func, *args)
        finally:
            consent_var.reset(token)


def effect_key(tool: str, args: list[Any]) -> str:
    """Identity of a side effect: the tool and its resolved arguments."""
    return json.dumps([tool, args], ensure_ascii=False, sort_keys=True, default=str)


def in_daemon_thread(func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run ``func`` in a new daemon thread; the returned future gets its result or exception.

    Not ``asyncio.to_thread``: the default executor's threads are joined at exit, so one stuck tool
    (or a llama.cpp decode) kept the process alive after a timeout or Ctrl-C (30-118 s measured).
    Cancelling the future abandons the thread, which dies with the process.
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[Any] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not fut.done():
            (fut.set_result if ok else fut.set_exception)(value)

    def work() -> None:
        try:
            value, ok = func(*args), True
        except BaseException as exc:  # handed to the awaiting task
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    ctx = contextvars.copy_context()
    threading.Thread(
        target=ctx.run, args=(work,), name=f"tinyagent-{getattr(func, '__name__', 'call')}", daemon=True
    ).start()
    return fut


def _fail(fut: asyncio.Future[Any], reason: str) -> None:
    if not fut.done():
        fut.set_exception(_Failed(reason))
        fut.exception()  # mark retrieved: a failure with no dependents is not an "unhandled" error


async def _aiter(steps: AsyncIterator[Step] | Iterable[Step]) -> AsyncIterator[Step]:
    if hasattr(steps, "__aiter__"):
        async for s in steps:  # type: ignore[union-attr]
            yield s
    else:
        for s in steps:  # type: ignore[union-attr]
            yield s
