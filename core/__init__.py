"""tinyagent: small, private, on-device LLM agents that plan function calls and run them."""

from __future__ import annotations

from .plugins import Example, PromptRule, TaskTemplate, Tool, ToolInputError, hookimpl, tool

__version__ = "0.1.0"

__all__ = ["Example", "PromptRule", "TaskTemplate", "Tool", "ToolInputError", "__version__", "hookimpl", "tool"]
