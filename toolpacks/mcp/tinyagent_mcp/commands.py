"""``tinyagent mcp``: the configured servers and their tools, and tinyagent's packs served over MCP."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

import click

__all__ = ["build_server", "mcp"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mcp() -> None:
    """MCP servers as tools, and tinyagent's tools as an MCP server."""


@mcp.command()
@click.option("--refresh", is_flag=True, help="Ask every server for its tools now (default: the cached list).")
@click.option("--json", "as_json", is_flag=True)
def servers(refresh: bool, as_json: bool) -> None:
    """Each configured server: its state, its tools (tinyagent name -> MCP name), what was left out."""
    from . import STATUS, discover
    from .servers import servers_file

    discover(refresh=refresh)
    if as_json:
        click.echo(json.dumps({"file": str(servers_file()), "servers": STATUS}, indent=2))
        return
    click.echo(f"servers file: {servers_file()}")
    if not STATUS:
        click.echo("no MCP servers configured")
    for name, info in STATUS.items():
        click.echo(f"{name}: {info['state']}")
        for local, remote in info["tools"].items():
            click.echo(f"  {local}" + (f" (MCP name {remote})" if local != remote else ""))
        for remote, why in info["left_out"].items():
            click.echo(f"  left out: {remote}: {why}")


def _exposed(tool: Any, allow_side_effects: bool) -> Any:
    """A function with the tool's signature that MCP can call with keyword arguments. A side-effecting
    tool refuses unless the server was started with ``--allow-side-effects`` (consent cannot be asked
    over MCP, so it is given once, explicitly, by whoever starts the server)."""
    hints = typing.get_type_hints(tool.func)
    params = [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, Any))
        for p in tool.params
    ]

    from mcp.server.mcpserver.exceptions import ToolError

    from tinyagent.plugins import ToolInputError

    def call(**kwargs: Any) -> str:
        if tool.side_effects and not allow_side_effects:
            raise ToolError(
                f"{tool.name} changes things and this server was started without --allow-side-effects; refused"
            )
        try:
            return str(tool.func(*(kwargs[p.name] for p in tool.params)))
        except ToolInputError as exc:  # the message is for the caller, as tinyagent shows it to its user
            raise ToolError(str(exc)) from None

    call.__name__ = tool.name
    call.__doc__ = tool.description
    call.__signature__ = inspect.Signature(params, return_annotation=str)  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in params} | {"return": str}
    return call


def build_server(registry: Any, allow_side_effects: bool = False, planner: Any = None) -> Any:
    """An MCP server with the registry's tools (not those of MCP servers themselves: no loops), each
    annotated read-only or not; with ``planner`` (request -> plan text) also a ``plan`` tool."""
    from mcp.server import MCPServer
    from mcp.types import ToolAnnotations

    server = MCPServer("tinyagent")
    for tool in registry.tools.values():
        if tool.pack in ("mcp", "tinyagent.builtin"):
            continue
        server.add_tool(
            _exposed(tool, allow_side_effects),
            name=tool.name,
            description=tool.description,
            annotations=ToolAnnotations(readOnlyHint=not tool.side_effects, destructiveHint=tool.side_effects),
        )
    if planner is not None:

        def plan(request: str) -> str:
            """Returns tinyagent's plan (LLMCompiler format: numbered calls, $N references, join()) for a
            request, without executing it."""
            return planner(request)

        server.add_tool(plan, name="plan", annotations=ToolAnnotations(readOnlyHint=True))
    return server


@mcp.command()
@click.option(
    "--http", "port", type=click.IntRange(0, 65535), help="Serve streamable HTTP on this port (default: stdio)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="With --http: the address to listen on.")
@click.option("--allow-side-effects", is_flag=True, help="Let MCP clients call tools that change things.")
@click.option("--plan", "with_plan", is_flag=True, help="Also offer a `plan` tool backed by the configured planner.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="tinyagent config file.")
def serve(port: int | None, host: str, allow_side_effects: bool, with_plan: bool, config_path: str | None) -> None:
    """Serve the installed packs' tools over MCP (stdio, or streamable HTTP with --http)."""
    from tinyagent import Agent, BackendError, ConfigError, PluginError, load_session

    try:
        agent = Agent.from_config(config_path) if with_plan else None
        registry = agent.registry if agent else load_session(config_path).registry
    except (PluginError, ConfigError, BackendError) as exc:
        raise click.ClickException(str(exc)) from None
    planner = None
    if agent is not None:

        def planner(request: str) -> str:
            result = agent.plan(request)
            return result.text if result.ok else f"no plan: {result.error or '; '.join(map(str, result.issues))}"

    server = build_server(registry, allow_side_effects, planner)
    if port is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
