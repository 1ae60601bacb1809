"""The pack's settings: ``packs: {assistant: {...}}`` in tinyagent's config file."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from tinyagent.config import ConfigError, load_config, paths

__all__ = ["Settings", "load_settings"]

_KEYS = {
    "data_dir",
    "backend",
    "file_roots",
    "from_address",
    "smtp",
    "sms_gateway",
    "zoom",
    "open_in_apps",
    "default_calendar",
    "default_reminder_list",
    "default_note_folder",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    backend: str  # "portable" | "macos"
    timezone: ZoneInfo
    file_roots: tuple[Path, ...]
    from_address: str = "Me <me@localhost>"
    smtp: dict[str, Any] = field(default_factory=dict)  # host, port, user, password_env, starttls, send
    sms_gateway: dict[str, Any] = field(default_factory=dict)  # url, token_env
    zoom: dict[str, Any] = field(default_factory=dict)  # token_env, api_url
    open_in_apps: bool = True
    default_calendar: str = "Calendar"
    default_reminder_list: str = "Reminders"
    default_note_folder: str = "Notes"

    def dir(self, name: str) -> Path:
        return self.data_dir / name


def _timezone(name: str) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"config key 'timezone': unknown timezone {name!r}") from None
    try:
        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def load_settings() -> Settings:
    """Read the current config (never cached: a long-running agent sees edits and DST changes)."""
    cfg = load_config()
    opts = cfg.pack_options("assistant")
    unknown = set(opts) - _KEYS
    if unknown:
        raise ConfigError(f"config key 'packs.assistant': unknown key {sorted(unknown)[0]!r}")
    data_dir = Path(opts.get("data_dir") or paths().data_dir / "assistant").expanduser()
    backend = opts.get("backend", "auto")
    if backend == "auto":
        backend = "macos" if sys.platform == "darwin" else "portable"
    if backend not in ("portable", "macos"):
        raise ConfigError("config key 'packs.assistant.backend' must be auto, portable or macos")
    if "file_roots" in opts:
        roots = tuple(Path(r).expanduser() for r in opts["file_roots"])
    elif os.environ.get("TINYAGENT_HOME"):  # a sandbox: never search the real home folder
        roots = (data_dir / "files",)
    else:
        home = Path.home()
        roots = (home / "Documents", home / "Downloads", home / "Desktop", data_dir / "files")
    simple = {k: opts[k] for k in _KEYS - {"data_dir", "backend", "file_roots"} if k in opts}
    return Settings(data_dir, backend, _timezone(cfg.timezone), roots, **simple)
