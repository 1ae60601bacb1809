"""tinyagent: small, private, on-device LLM agents that plan function calls and run them.

The application API (see docs/python-api.md)::

    from tinyagent import Agent
    agent = Agent.from_config()               # the user's config, packs and active planner
    result = agent.run("Text Maria that I'll be late", consent=lambda tool, args: True)
    print(result.answer)

Pack authors import from :mod:`tinyagent.plugins` (``tool``, ``hookimpl``, ``TaskTemplate``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .plugins import Example, PromptRule, TaskTemplate, Tool, ToolInputError, hookimpl, tool

if TYPE_CHECKING:
    from .agent import Agent, PlanResult, RunResult, allow_all
    from .app import Session, load_session
    from .backends.base import BackendError
    from .config import Config, ConfigError
    from .executor import StepTrace
    from .plan import Plan, PlanError, Step
    from .plugins.host import PluginError, Registry

__version__ = "0.1.0"

# The application API, imported on first use: a pack's ``import tinyagent.plugins`` stays light.
_LAZY = {
    "Agent": "agent",
    "PlanResult": "agent",
    "RunResult": "agent",
    "allow_all": "agent",
    "Session": "app",
    "load_session": "app",
    "BackendError": "backends.base",
    "Config": "config",
    "ConfigError": "config",
    "StepTrace": "executor",
    "Plan": "plan",
    "PlanError": "plan",
    "Step": "plan",
    "PluginError": "plugins.host",
    "Registry": "plugins.host",
}

__all__ = [
    "Agent",
    "BackendError",
    "Config",
    "ConfigError",
    "Example",
    "Plan",
    "PlanError",
    "PlanResult",
    "PluginError",
    "PromptRule",
    "Registry",
    "RunResult",
    "Session",
    "Step",
    "StepTrace",
    "TaskTemplate",
    "Tool",
    "ToolInputError",
    "__version__",
    "allow_all",
    "hookimpl",
    "load_session",
    "tool",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'tinyagent' has no attribute {name!r}")
