"""What a pack needs from the host besides hooks: its own data folder and its own config section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["pack_data_dir", "pack_options"]


def pack_data_dir(pack: str) -> Path:
    """``<data dir>/<pack>``: where a pack keeps its files (``TINYAGENT_HOME`` moves it; not created)."""
    from ..config import paths

    return paths().data_dir / pack


def pack_options(pack: str) -> dict[str, Any]:
    """The pack's section of the config file (``packs: {<pack>: {...}}``), read now; validate it yourself."""
    from ..config import load_config

    return load_config().pack_options(pack)
