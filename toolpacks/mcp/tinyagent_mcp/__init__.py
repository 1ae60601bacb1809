"""MCP servers' tools as tinyagent tools (docs/mcp.md).

The servers come from the standard ``mcpServers`` JSON (:mod:`tinyagent_mcp.servers`). Each server's
``tools/list`` becomes tools (:mod:`tinyagent_mcp.convert`); a tool annotated ``readOnlyHint: true``
runs without consent, every other one asks like the assistant pack's writers. A name that clashes with
another server's or pack's tool is prefixed with its server's name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinyagent.plugins import PluginError, Tool, hookimpl

from .client import cached_tools, call_tool
from .convert import Unrepresentable, to_tool, tool_name
from .servers import Server, load_servers, options
from .templates import generic_templates, load_templates, plan_tools

__version__ = "0.1.0"

#: Per server, after discovery: {"state": "live" | "cached" | "unreachable: ...", "tools": {...},
#: "left_out": {mcp name: why}}. `tinyagent mcp servers` prints it.
STATUS: dict[str, dict[str, Any]] = {}
_TOOLS: dict[str, list[Tool]] = {}


def discover(refresh: bool = False) -> dict[str, list[Tool]]:
    """Every enabled server's tools as tinyagent tools (names not yet deduplicated across packs)."""
    opts = options()
    found: dict[str, list[Tool]] = {}
    STATUS.clear()
    counts: dict[str, int] = {}
    listed = {}
    for server in load_servers():
        infos, state = cached_tools(server, opts.list_timeout, opts.refresh_seconds, refresh)
        listed[server.name] = (server, infos)
        STATUS[server.name] = {"state": state, "tools": {}, "left_out": {}}
        for info in infos:
            counts[tool_name(info["name"])] = counts.get(tool_name(info["name"]), 0) + 1
    for name, (server, infos) in listed.items():
        tools = []
        for info in infos:
            plain = tool_name(info["name"])
            local = plain if counts[plain] == 1 else f"{tool_name(name)}_{plain}"
            call = functools.partial(_call, server, info["name"], opts.timeout)
            try:
                tools.append(to_tool(info, local, call))
                STATUS[name]["tools"][local] = info["name"]
            except Unrepresentable as exc:
                STATUS[name]["left_out"][info["name"]] = str(exc)
        found[name] = tools
    return found


def _call(server: Server, name: str, timeout: float, arguments: dict[str, Any]) -> str:
    return call_tool(server, name, arguments, timeout)


@hookimpl
def register_tools(register: Callable[..., Any]) -> None:
    _TOOLS.clear()
    for server, tools in discover().items():
        kept = []
        for tool in tools:
            try:
                register(tool)
            except PluginError:  # another pack has the name: keep both, this one under its server's name
                renamed = f"{tool_name(server)}_{tool.name}"
                register(tool, name=renamed)
                STATUS[server]["tools"][renamed] = STATUS[server]["tools"].pop(tool.name)
                tool = Tool(renamed, tool.description, tool.params, tool.returns, tool.func, tool.side_effects)
            kept.append(tool)
        _TOOLS[server] = kept


@hookimpl
def register_task_templates(register: Callable[..., Any]) -> None:
    """A server's YAML templates, and generic ones for every tool no YAML template calls (a tool
    without templates would get no training data at all)."""
    for server in load_servers():
        tools = _TOOLS.get(server.name, [])
        covered: set[str] = set()
        if server.templates:
            names = {remote: local for local, remote in STATUS.get(server.name, {}).get("tools", {}).items()}
            for t in load_templates(Path(server.templates), server.name, names):
                covered |= plan_tools(t.plan)
                register(t)
        for t in generic_templates(server.name, [tool for tool in tools if tool.name not in covered]):
            register(t)


def status_lines() -> list[str]:
    """Each server's state and tools, asked now (for ``tinyagent doctor``)."""
    discover(refresh=True)
    lines = []
    for name, info in STATUS.items():
        lines.append(f"{name}: {info['state']}; tools: {', '.join(info['tools']) or 'none'}")
        lines += [f"{name}: left out {remote}: {why}" for remote, why in info["left_out"].items()]
    return lines or ["no MCP servers configured"]


@hookimpl
def register_status(register: Callable[..., Any]) -> None:
    register("MCP servers", status_lines)


@hookimpl
def register_commands(cli: Any) -> None:
    from .commands import mcp

    cli.add_command(mcp)
