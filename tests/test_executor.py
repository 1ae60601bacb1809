from __future__ import annotations

import asyncio
import time

import pytest

from tinyagent.executor import Executor
from tinyagent.plan import parse_plan


def run(registry, text, **kw):
    plan = parse_plan(text)
    return asyncio.run(Executor(registry.tools, **kw).run(plan.steps))


def test_independent_sync_steps_overlap(registry):
    t0 = time.perf_counter()
    trace = run(registry, '1. slow_lookup("a")\n2. slow_lookup("b")\n3. slow_lookup("c")\n4. join()')
    elapsed = time.perf_counter() - t0
    assert [s.result for s in trace.steps.values()] == ["A", "B", "C"]
    starts = sorted(s.started for s in trace.steps.values())
    ends = sorted(s.ended for s in trace.steps.values())
    assert starts[-1] < ends[0], "all three must be running at the same time"
    assert elapsed < 0.8  # three 0.3 s sleeps in sequence would take 0.9 s


def test_a_blocked_sync_tool_does_not_block_others(registry, fake_pack):
    def on_event(kind, st):
        if kind == "end" and st.tool == "async_lookup":
            fake_pack.RELEASE.set()  # only now may the blocked sync step finish

    trace = run(registry, '1. blocked_until_released("x")\n2. async_lookup("Y")\n3. join()', on_event=on_event)
    assert trace.steps[2].result == "y"
    assert trace.steps[1].result == "x"
    assert trace.steps[2].ended < trace.steps[1].ended
    assert trace.steps[1].ended - trace.steps[1].started < 4  # released, not timed out by RELEASE.wait(5)


def test_failure_cancels_dependents_with_reason(registry):
    trace = run(registry, '1. broken("x")\n2. get_phone_number("$1")\n3. slow_lookup("ok")\n4. join()')
    assert trace.steps[1].status == "error" and "disk on fire" in trace.steps[1].error
    assert trace.steps[2].status == "cancelled" and "step 1" in trace.steps[2].error
    assert trace.steps[3].result == "OK"  # unrelated steps still run


def test_timeout(registry):
    trace = run(registry, '1. slow_lookup("a")\n2. get_phone_number("$1")\n3. join()', timeout=0.05)
    assert trace.steps[1].status == "timeout"
    assert trace.steps[2].status == "cancelled"


def test_planner_error_ends_the_run(registry):
    async def steps():
        yield parse_plan('1. slow_lookup("a")\n2. join()').steps[0]
        await asyncio.sleep(0.01)
        raise RuntimeError("model crashed")

    trace = asyncio.run(asyncio.wait_for(Executor(registry.tools).run(steps()), 5))
    assert trace.planner_error == "model crashed"
    assert not trace.ok


def test_consent_sees_substituted_args_and_refusal_cancels(registry, fake_pack):
    asked = []

    def consent(tool, args):
        asked.append((tool.name, args))
        return False

    text = '1. get_phone_number("Maria")\n2. send_sms(["$1"], "late")\n3. get_phone_number("$2")\n4. join()'
    trace = run(registry, text, consent=consent, refusal="no")
    assert asked == [("send_sms", [["+34 600 000 001"], "late"])]
    assert trace.steps[2].status == "refused" and trace.steps[2].error == "no"
    assert trace.steps[3].status == "cancelled"
    assert ("send_sms", (["+34 600 000 001"], "late")) not in fake_pack.CALLS


def test_consent_is_not_asked_for_read_only_tools(registry):
    trace = run(registry, '1. get_phone_number("Maria")\n2. join()', consent=lambda t, a: pytest.fail("asked"))
    assert trace.ok
