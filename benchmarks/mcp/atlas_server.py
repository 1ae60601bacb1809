"""The MCP server that `benchmarks/mcp_handwritten.jsonl` is measured against (docs/mcp.md).

    python benchmarks/mcp/atlas_server.py          # stdio; memos go to $MEMO_FILE (default ./memos.txt)

Two tools, as a third party would write them with the SDK: ``find_city`` (read-only, an offline table)
and ``save_memo`` (writes). ``atlas.yaml`` beside it holds task templates for ``find_city`` only, so a
retrain teaches ``find_city`` from them and ``save_memo`` from the generic templates.
"""

from __future__ import annotations

import os
from pathlib import Path

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

CITIES = {
    "accra": ("Ghana", 5.60, -0.19),
    "cape town": ("South Africa", -33.92, 18.42),
    "cusco": ("Peru", -13.53, -71.97),
    "hanoi": ("Vietnam", 21.03, 105.85),
    "kyoto": ("Japan", 35.01, 135.77),
    "la paz": ("Bolivia", -16.50, -68.15),
    "lagos": ("Nigeria", 6.52, 3.38),
    "lisbon": ("Portugal", 38.72, -9.14),
    "medellín": ("Colombia", 6.24, -75.58),
    "nairobi": ("Kenya", -1.29, 36.82),
    "oslo": ("Norway", 59.91, 10.75),
    "paris": ("France", 48.86, 2.35),
    "porto": ("Portugal", 41.15, -8.61),
    "reykjavik": ("Iceland", 64.15, -21.94),
    "tbilisi": ("Georgia", 41.72, 44.79),
    "valparaíso": ("Chile", -33.05, -71.62),
}

server = MCPServer("atlas")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def find_city(city: str) -> str:
    """Returns where a city is: its country and coordinates."""
    try:
        country, lat, lon = CITIES[city.strip().lower()]
    except KeyError:
        raise ToolError(f"{city!r} is not in the atlas") from None
    return f"{city}, {country}: {abs(lat):.2f} {'N' if lat >= 0 else 'S'} {abs(lon):.2f} {'E' if lon >= 0 else 'W'}"


@server.tool()
def save_memo(title: str, body: str, pinned: bool = False) -> str:
    """Saves a memo with a title and a body."""
    with Path(os.environ.get("MEMO_FILE", "memos.txt")).open("a", encoding="utf-8") as f:
        f.write(f"{'*' if pinned else '-'} {title}: {body}\n")
    return f"memo {title!r} saved"


if __name__ == "__main__":
    server.run("stdio")
