"""The task fetching unit: runs plan steps as a DAG, each the moment its dependencies are done."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .plan import Step, substitute
from .plugins.tools import Tool, ToolInputError

__all__ = ["ConsentFn", "Executor", "StepTrace", "Trace"]

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
    ):
        self.tools = tools
        self.refusal = refusal
        self.timeout = timeout
        self.consent = consent
        self.on_event = on_event or (lambda kind, st: None)
        self._consent_lock = asyncio.Lock()

    async def run(self, steps: AsyncIterator[Step] | Iterable[Step]) -> Trace:
        """Run every step as soon as it arrives and its dependencies are done.

        If the step stream raises (a planner or parse error), steps not yet started are cancelled,
        running ones finish, and the error is recorded in ``Trace.planner_error``; never a hang.
        """
        trace = Trace()
        done: dict[int, asyncio.Future[Any]] = {}
        tasks: list[asyncio.Task[None]] = []
        loop = asyncio.get_running_loop()
        try:
            async for step in _aiter(steps):
                done[step.idx] = loop.create_future()
                st = trace.steps[step.idx] = StepTrace(step.idx, step.tool, list(step.args))
                tasks.append(asyncio.create_task(self._run_step(step, st, done)))
        except Exception as exc:
            trace.planner_error = str(exc) or type(exc).__name__
            for idx, fut in done.items():
                if not fut.done() and trace.steps[idx].status == "pending":
                    fut.set_exception(_Failed("the planner failed before this step could start"))
        if tasks:
            await asyncio.gather(*tasks)
        trace.ended = time.perf_counter()
        return trace

    async def _run_step(self, step: Step, st: StepTrace, done: dict[int, asyncio.Future[Any]]) -> None:
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
            if tool.side_effects and self.consent is not None and not await self._ask(tool, st.args):
                st.status, st.error = "refused", self.refusal
                raise _Failed("refused by the user")
            st.status, st.started = "running", time.perf_counter()
            self.on_event("start", st)
            st.result = await asyncio.wait_for(self._call(tool, st.args), self.timeout)
            st.status = "ok"
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
        assert self.consent is not None
        async with self._consent_lock:  # one question at a time, even for parallel steps
            answer = await asyncio.to_thread(self.consent, tool, args)
            if inspect.isawaitable(answer):
                answer = await answer
            return bool(answer)

    @staticmethod
    async def _call(tool: Tool, args: list[Any]) -> Any:
        if tool.is_async:
            return await tool.func(*args)
        return await asyncio.to_thread(tool.func, *args)


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
