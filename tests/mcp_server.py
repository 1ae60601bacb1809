"""A real MCP server for the tests, written with the SDK's server API.

    python tests/mcp_server.py NAME [--http PORT]

Tools: ``find_city`` (read-only), ``save_memo`` (writes a line to $MEMO_FILE), ``fail`` (an error
result), ``crash`` (the process dies), ``hang`` (never answers), and ``extra`` when the file $EXTRA_FLAG exists.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

name = sys.argv[1] if len(sys.argv) > 1 else "test"
server = MCPServer(name)


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def find_city(city: str) -> str:
    """Returns where a city is: its country and coordinates."""
    return f"{city}: {name} atlas, 48.85 N 2.35 E"


@server.tool()
def save_memo(title: str, body: str, pinned: bool = False) -> str:
    """Saves a memo with a title and a body."""
    with Path(os.environ["MEMO_FILE"]).open("a", encoding="utf-8") as f:
        f.write(f"{name}|{title}|{body}|{pinned}\n")
    return f"memo {title!r} saved by {name}"


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def fail(reason: str) -> str:
    """Always reports an error."""
    raise ToolError(f"cannot do {reason}")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def crash(why: str) -> str:
    """Kills the server process."""
    os._exit(3)


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def hang(why: str) -> str:
    """Never answers."""
    while True:
        time.sleep(1)


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def lookup(filters: dict) -> str:
    """Takes an object: cannot be written in a plan."""
    return "x"


if os.environ.get("EXTRA_FLAG") and Path(os.environ["EXTRA_FLAG"]).exists():

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True))
    def extra(word: str) -> str:
        """Echoes a word."""
        return word


if __name__ == "__main__":
    if "--http" in sys.argv:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[sys.argv.index("--http") + 1]))
    else:
        server.run("stdio")
