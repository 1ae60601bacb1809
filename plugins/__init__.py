"""The pack-author API: what a tool pack imports to describe its tools, templates and settings.

What the host uses to load packs (``Registry``, ``load_registry``, ``get_plugin_manager``,
``add_plugin``, ``fingerprint``) lives in :mod:`tinyagent.plugins.host` and
:mod:`tinyagent.plugins.fingerprint`; applications use :mod:`tinyagent` (``Agent``)."""

from __future__ import annotations

from ..atomic import atomic_write, create_exclusive, locked
from ..matching import best_match, match_person, normalize
from ..when import DATETIME_FORMAT
from .consent import ask_consent
from .hookspecs import hookimpl, hookspec
from .host import PluginError
from .packs import ConfigError, config_dir, pack_data_dir, pack_options, user_timezone, validated
from .tools import (
    FROM_REQUEST,
    FROM_REQUEST_KEYWORD,
    FROM_REQUEST_NAME,
    FROM_REQUEST_TEXT,
    FROM_REQUEST_UNTIMED,
    FROM_TIME,
    Forms,
    IfSaid,
    Keyword,
    Labeled,
    Levels,
    Matching,
    Name,
    Param,
    Said,
    Text,
    Title,
    Tool,
    ToolDefinitionError,
    ToolInputError,
    When,
    keyword,
    make_tool,
    tool,
)
from .types import SLOT_KINDS, Chain, Example, PromptRule, TaskTemplate

__all__ = [
    "DATETIME_FORMAT",
    "FROM_REQUEST",
    "FROM_REQUEST_KEYWORD",
    "FROM_REQUEST_NAME",
    "FROM_REQUEST_TEXT",
    "FROM_REQUEST_UNTIMED",
    "FROM_TIME",
    "Forms",
    "IfSaid",
    "Keyword",
    "SLOT_KINDS",
    "Said",
    "Text",
    "Title",
    "Chain",
    "ConfigError",
    "Example",
    "Labeled",
    "Levels",
    "Matching",
    "Name",
    "Param",
    "PluginError",
    "PromptRule",
    "TaskTemplate",
    "Tool",
    "ask_consent",
    "atomic_write",
    "config_dir",
    "create_exclusive",
    "locked",
    "best_match",
    "ToolDefinitionError",
    "ToolInputError",
    "When",
    "hookimpl",
    "hookspec",
    "keyword",
    "make_tool",
    "match_person",
    "normalize",
    "pack_data_dir",
    "pack_options",
    "tool",
    "user_timezone",
    "validated",
]
