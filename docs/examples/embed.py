"""Embed tinyagent in an application: plan a request, then run one with a consent callback.

Run it after `tinyagent assistant seed` (demo contacts), e.g.
    TINYAGENT_PLUGINS=assistant python docs/examples/embed.py
"""

from __future__ import annotations

import asyncio

from tinyagent import Agent, StepTrace, Tool


def ask(tool: Tool, args: list) -> bool:
    """Called before every side-effecting step; nothing is sent unless this returns True."""
    answer = input(f"allow {tool.name}{tuple(args)}? [y/N] ")
    return answer.strip().lower() == "y"


def show(event: str, step: StepTrace) -> None:
    """Each step as it starts and ends (steps without dependencies run in parallel)."""
    if event == "end":
        print(f"  step {step.idx} {step.tool}: {step.status}")


def main() -> None:
    with Agent.from_config() as agent:  # the user's config, installed packs and active planner
        plan = agent.plan("What's Maria's phone number?")  # plans, executes nothing
        print("plan ok:", plan.ok, "| tools:", [step.tool for step in plan.plan.steps] if plan.plan else [])

        result = agent.run("Text Maria that I'll be 10 minutes late", consent=ask, on_event=show)
        print("answer:", result.answer)
        print("carried out:", result.ok)

        # the same from async code: await agent.aplan(...) / agent.arun(...)
        again = asyncio.run(agent.aplan("What's Maria's phone number?"))
        print("same plan async:", again.text == plan.text)


if __name__ == "__main__":
    main()
