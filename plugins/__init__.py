"""The public tool-pack API: what a pack imports to describe its tools."""

from __future__ import annotations

from ..atomic import atomic_write, create_exclusive, locked
from ..matching import best_match, match_person, normalize
from .consent import ask_consent
from .fingerprint import fingerprint
from .hookspecs import hookimpl, hookspec
from .host import (
    ENTRY_POINT_GROUP,
    PackInfo,
    PluginError,
    Registry,
    add_plugin,
    get_plugin_manager,
    load_registry,
    remove_plugin,
)
from .packs import pack_data_dir, pack_options
from .tools import (
    FROM_REQUEST,
    FROM_TIME,
    Labeled,
    Param,
    Said,
    Tool,
    ToolDefinitionError,
    ToolInputError,
    When,
    make_tool,
    tool,
)
from .types import SLOT_KINDS, Chain, Example, PromptRule, TaskTemplate

__all__ = [
    "ENTRY_POINT_GROUP",
    "FROM_REQUEST",
    "FROM_TIME",
    "SLOT_KINDS",
    "Said",
    "Chain",
    "Example",
    "Labeled",
    "PackInfo",
    "Param",
    "PluginError",
    "PromptRule",
    "Registry",
    "TaskTemplate",
    "Tool",
    "add_plugin",
    "ask_consent",
    "atomic_write",
    "create_exclusive",
    "locked",
    "best_match",
    "ToolDefinitionError",
    "ToolInputError",
    "When",
    "fingerprint",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "load_registry",
    "make_tool",
    "match_person",
    "normalize",
    "pack_data_dir",
    "pack_options",
    "remove_plugin",
    "tool",
]
