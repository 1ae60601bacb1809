"""The servers to connect: the standard ``mcpServers`` JSON (Claude Desktop, Cursor, LM Studio).

Location: ``mcp.json`` beside tinyagent's ``config.yaml``, or ``packs.mcp.servers_file`` in the config.
Each entry is stdio (``command``, ``args``, ``env``, ``cwd``) or streamable HTTP (``url``); tinyagent
also reads ``templates`` (a YAML file of task templates for the server's tools) and ``disabled``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tinyagent.plugins import ConfigError, config_dir, pack_options, validated

__all__ = ["Options", "Server", "load_servers", "options"]


class Server(BaseModel):
    """One ``mcpServers`` entry. Unknown keys other clients use are allowed and ignored."""

    model_config = ConfigDict(extra="allow")

    name: str = ""
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: str | None = None
    url: str | None = None
    templates: str | None = None
    disabled: bool = False

    @model_validator(mode="after")
    def _one_transport(self) -> Server:
        if bool(self.command) == bool(self.url):
            raise ValueError("give either 'command' (stdio) or 'url' (streamable HTTP)")
        return self

    @property
    def key(self) -> str:
        """Identity of the entry: a change (another command, URL, env) refreshes its tool list."""
        data = self.model_dump(include={"command", "args", "env", "cwd", "url"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Options(BaseModel):
    """``packs.mcp`` in tinyagent's config."""

    model_config = ConfigDict(extra="forbid", strict=True)

    servers_file: str = ""
    timeout: float = Field(default=30.0, gt=0)  # one tools/call; below the executor's step_timeout
    list_timeout: float = Field(default=20.0, gt=0)  # one tools/list at discovery
    refresh_seconds: float = Field(default=3600.0, ge=0)  # how long a server's tool list is reused


def options() -> Options:
    return pack_options("mcp", Options)


def servers_file() -> Path:
    chosen = options().servers_file or os.environ.get("TINYAGENT_MCP_SERVERS", "")
    return Path(chosen).expanduser() if chosen else config_dir() / "mcp.json"


def load_servers(path: Path | None = None) -> list[Server]:
    """The enabled servers of the file (none when it does not exist), each error naming the entry."""
    path = path or servers_file()
    if not path.exists():
        return []
    try:
        data: Any = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"MCP servers file {path} is not valid JSON: {exc}") from None
    entries = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(f"MCP servers file {path} needs an object 'mcpServers': {{name: {{command|url: ...}}}}")
    out = []
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"MCP servers file {path}: server {name!r} must be an object")
        server = validated(Server, {**entry, "name": name}, f"MCP servers file {path}", f"mcpServers.{name}.")
        if server.templates and not Path(server.templates).is_absolute():
            server.templates = str(path.parent / server.templates)
        if not server.disabled:
            out.append(server)
    return out
