"""Talking to MCP servers through the official SDK: list a server's tools, call one.

Each call opens its own connection (a stdio server is started and shut down with it, so no process
outlives the call: a tinyagent run leaves no orphans) and is bounded by ``packs.mcp.timeout``.
Tool lists are cached per server entry for ``refresh_seconds``, so a server that is down keeps its
tools registered (its steps fail with a clear error) and starting tinyagent does not start every server.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from tinyagent.plugins import ToolInputError, pack_data_dir

from .servers import Server

__all__ = ["McpServerError", "cached_tools", "call_tool", "list_tools", "log_file"]


class McpServerError(RuntimeError):
    """The server is missing, crashed, hung or broke the protocol (not the tool's own error)."""


def _target(server: Server, errlog: Any) -> Any:
    """A URL (streamable HTTP) or a stdio transport whose server writes its stderr to ``errlog``."""
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    if server.url:
        return server.url
    env = {**_base_env(), **(server.env or {})}
    params = StdioServerParameters(command=server.command or "", args=server.args, env=env, cwd=server.cwd)
    return stdio_client(params, errlog=errlog)


def log_file(server: Server) -> Path:
    """Where a stdio server's stderr goes (its own log lines stay out of tinyagent's output)."""
    return pack_data_dir("mcp") / f"{server.name}.log"


def _base_env() -> dict[str, str]:
    from mcp.client.stdio import get_default_environment

    return get_default_environment()


async def _session(server: Server, timeout: float, work: Any) -> Any:
    from mcp import Client

    log = log_file(server)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as errlog:
        async with Client(_target(server, errlog), read_timeout_seconds=timeout) as client:
            return await work(client)


def _run(server: Server, timeout: float, work: Any, what: str) -> Any:
    """Run ``work(client)`` against ``server`` within ``timeout`` seconds (plus start-up)."""
    try:
        return asyncio.run(asyncio.wait_for(_session(server, timeout, work), timeout + 10))
    except ToolInputError:
        raise
    except BaseExceptionGroup as group:  # the SDK's task groups wrap what happened inside them
        own = _leaf(group, ToolInputError)
        if own is not None:
            raise own from None
        raise _failure(server, what, timeout, _leaves(group)) from None
    except TimeoutError:
        raise McpServerError(f"MCP server {server.name!r} did not answer {what} within {timeout:g} s") from None
    except FileNotFoundError as exc:
        raise McpServerError(f"MCP server {server.name!r} cannot start: {exc.strerror}: {exc.filename}") from None
    except Exception as exc:  # noqa: BLE001 - every transport failure becomes one clear error
        raise _failure(server, what, timeout, [exc]) from None


def _failure(server: Server, what: str, timeout: float, errors: list[BaseException]) -> McpServerError:
    """One clear error: a time-out (ours, or the SDK's "Request ... timed out") or what broke."""
    if any(isinstance(e, TimeoutError) or "timed out" in str(e) for e in errors):
        return McpServerError(f"MCP server {server.name!r} did not answer {what} within {timeout:g} s")
    detail = "; ".join(str(e) or type(e).__name__ for e in errors)
    return McpServerError(f"MCP server {server.name!r} failed during {what}: {detail}")


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        out += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return out


def _leaf(group: BaseExceptionGroup, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _leaves(group) if isinstance(e, kind)), None)


def list_tools(server: Server, timeout: float) -> list[dict[str, Any]]:
    """The server's tools as plain dicts: name, description, input_schema, read_only."""

    async def work(client: Any) -> list[dict[str, Any]]:
        result = await client.list_tools()
        return [
            {
                "name": t.name,
                "description": t.description or "",
                "input_schema": t.input_schema or {},
                "read_only": bool(t.annotations and t.annotations.read_only_hint),
            }
            for t in result.tools
        ]

    return _run(server, timeout, work, "tools/list")


def call_tool(server: Server, name: str, arguments: dict[str, Any], timeout: float) -> str:
    """The tool's text result; an error result is a ToolInputError (a new plan may fix it)."""

    async def work(client: Any) -> str:
        result = await client.call_tool(name, arguments)
        text = "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "text", None))
        if result.is_error:
            raise ToolInputError(f"{server.name}.{name}: {text or 'the tool reported an error'}")
        if not text and result.structured_content is not None:
            text = json.dumps(result.structured_content, ensure_ascii=False)
        return text

    return _run(server, timeout, work, f"tools/call {name}")


def _cache_file(server: Server) -> Path:
    return pack_data_dir("mcp") / f"{server.name}.{server.key}.tools.json"


def cached_tools(server: Server, timeout: float, refresh_seconds: float, refresh: bool = False) -> tuple[list, str]:
    """``(tools, state)``: the live list when it could be read (and cached), else the cached list.

    ``state`` is ``"live"``, ``"cached"`` (fresh enough, the server was not started) or
    ``"unreachable: <why>"`` (the cached list, possibly empty, is used)."""
    from tinyagent.plugins import atomic_write

    cache = _cache_file(server)
    if cache.exists() and not refresh and time.time() - cache.stat().st_mtime < refresh_seconds:
        try:
            return json.loads(cache.read_text(encoding="utf-8")), "cached"
        except (OSError, ValueError):
            pass
    try:
        tools = list_tools(server, timeout)
    except McpServerError as exc:
        try:
            old = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = []
        print(f"tinyagent-mcp: {exc}", file=sys.stderr)
        return old, f"unreachable: {exc}"
    atomic_write(cache, json.dumps(tools, ensure_ascii=False, indent=1))
    return tools, "live"
