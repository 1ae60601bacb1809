"""The pack's settings: ``packs: {assistant: {...}}`` in tinyagent's config file."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

from tinyagent.plugins import ConfigError, pack_data_dir, pack_options, user_timezone

__all__ = ["Options", "Settings", "load_settings"]


@pydantic_dataclass(config=ConfigDict(extra="forbid", strict=True))
class Options:
    """``packs.assistant`` as written in the config file, validated (a string where a list belongs
    became one root per character, ``/`` included, before this check existed)."""

    data_dir: str = ""
    backend: Literal["auto", "portable", "macos"] = "auto"
    file_roots: list[str] | None = None
    from_address: str = "Me <me@localhost>"
    smtp: dict[str, Any] = field(default_factory=dict)
    sms_gateway: dict[str, Any] = field(default_factory=dict)
    zoom: dict[str, Any] = field(default_factory=dict)
    open_in_apps: bool = True
    default_calendar: str = "Calendar"
    default_reminder_list: str = "Reminders"
    default_note_folder: str = "Notes"


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
    opts = pack_options("assistant", Options)
    data_dir = Path(opts.data_dir or pack_data_dir("assistant")).expanduser()
    backend = opts.backend
    if backend == "auto":
        backend = "macos" if sys.platform == "darwin" else "portable"
    if opts.file_roots is not None:
        roots = tuple(Path(r).expanduser() for r in opts.file_roots)
    elif os.environ.get("TINYAGENT_HOME"):  # a sandbox: never search the real home folder
        roots = (data_dir / "files",)
    else:
        home = Path.home()
        roots = (home / "Documents", home / "Downloads", home / "Desktop", data_dir / "files")
    simple = {f.name: getattr(opts, f.name) for f in fields(Options)} | {"data_dir": data_dir}
    simple.pop("file_roots"), simple.pop("backend")
    return Settings(backend=backend, timezone=_timezone(user_timezone()), file_roots=roots, **simple)
