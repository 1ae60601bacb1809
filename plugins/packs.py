"""What a pack needs from the host besides hooks: its data folder, its config section (validated
against the pack's own schema), the user's timezone, and the error to raise for bad settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar, overload

from pydantic import ValidationError

from ..config import ConfigError, load_config, paths, validation_message

__all__ = ["ConfigError", "config_dir", "pack_data_dir", "pack_options", "user_timezone", "validated"]

T = TypeVar("T")


def pack_data_dir(pack: str) -> Path:
    """``<data dir>/<pack>``: where a pack keeps its files (``TINYAGENT_HOME`` moves it; not created)."""
    return paths().data_dir / pack


def config_dir() -> Path:
    """The folder of tinyagent's config file, for files a pack reads beside it (not created)."""
    return paths().config_file.parent


@overload
def pack_options(pack: str) -> dict[str, Any]: ...
@overload
def pack_options(pack: str, schema: type[T]) -> T: ...
def pack_options(pack: str, schema: type[T] | None = None) -> dict[str, Any] | T:
    """The pack's section of the config file (``packs: {<pack>: {...}}``), read now (a long-running
    agent sees edits). With ``schema`` (a pydantic dataclass or model), validated: a bad key or value
    raises :class:`ConfigError` naming it (``packs.todo.file``) and the file."""
    cfg = load_config()
    values = cfg.pack_options(pack)
    if schema is None:
        return values
    return validated(schema, values, f"config {cfg.source}", f"packs.{pack}.")


def validated(schema: type[T], values: dict[str, Any], where: str, prefix: str = "") -> T:
    """``schema(**values)``, its validation errors as one :class:`ConfigError` whose lines name
    ``where`` and each key (``prefix`` + the key's path)."""
    try:
        return schema(**values)
    except ValidationError as exc:
        raise ConfigError(validation_message(where, exc, prefix)) from None


def user_timezone() -> str:
    """The config's ``timezone`` key (an IANA name; empty: the system's)."""
    return load_config().timezone
