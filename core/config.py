"""Configuration: a YAML file in the user's config dir, overridable by --config and env.

``TINYAGENT_HOME`` moves config, data and artifacts under one directory.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import yaml

__all__ = ["Config", "ConfigError", "Paths", "load_config", "paths"]


class ConfigError(ValueError):
    """The config file is unreadable, not YAML, or has a bad key or value."""


@dataclass(frozen=True)
class Paths:
    config_file: Path
    data_dir: Path
    artifacts_dir: Path


def paths() -> Paths:
    home = os.environ.get("TINYAGENT_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root / "config.yaml", root / "data", root / "artifacts")
    data = Path(platformdirs.user_data_dir("tinyagent"))
    return Paths(Path(platformdirs.user_config_dir("tinyagent")) / "config.yaml", data, data / "artifacts")


@dataclass
class Config:
    backend: str = "llama"  # the active planner: retrained, else the embedded default
    backend_options: dict[str, Any] = field(default_factory=dict)
    disabled_packs: list[str] = field(default_factory=list)
    step_timeout: float = 60.0
    max_rounds: int = 2
    examples_k: int = 6
    instructions: str = ""
    timezone: str = ""
    joiner: str = "rule"
    voice: dict[str, Any] = field(default_factory=dict)  # model, threads, compute_type, language, prompt
    selector: str = "auto"  # auto: Tool RAG when trained for this tool set | all: every tool
    prompt_style: str = ""  # tinyagent (the original prompt) | compact; empty: what the backend's model expects
    grammar: bool = True  # constrain decoding to valid plans over the selected tools (llama backends)
    grounded: bool = True  # and, in that grammar, values marked FROM_REQUEST/FROM_TIME to the request's text/times
    packs: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = field(default="(defaults)", metadata={"internal": True})

    def pack_options(self, pack: str) -> dict[str, Any]:
        return dict(self.packs.get(pack) or {})


_TYPES: dict[str, tuple[type, ...]] = {
    "backend": (str,),
    "backend_options": (dict,),
    "disabled_packs": (list,),
    "step_timeout": (int, float),
    "max_rounds": (int,),
    "examples_k": (int,),
    "instructions": (str,),
    "timezone": (str,),
    "joiner": (str,),
    "selector": (str,),
    "prompt_style": (str,),
    "grammar": (bool,),
    "grounded": (bool,),
    "voice": (dict,),
    "packs": (dict,),
}

_ENV = {"TINYAGENT_BACKEND": "backend"}


def load_config(path: str | Path | None = None) -> Config:
    """Defaults, then the file (``path``, ``$TINYAGENT_CONFIG`` or the default location), then env."""
    explicit = path or os.environ.get("TINYAGENT_CONFIG")
    file = Path(explicit) if explicit else paths().config_file
    values: dict[str, Any] = {}
    if file.exists() or explicit:
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {file}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {file} is not valid YAML: {exc}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {file} must be a mapping of keys to values")
        for key, value in loaded.items():
            if key not in _TYPES:
                known = ", ".join(sorted(_TYPES))
                raise ConfigError(f"config file {file}: unknown key {key!r} (known keys: {known})")
            if not isinstance(value, _TYPES[key]) or isinstance(value, bool) and bool not in _TYPES[key]:
                want = " or ".join(t.__name__ for t in _TYPES[key])
                raise ConfigError(f"config file {file}: key {key!r} must be {want}, got {type(value).__name__}")
            values[key] = value
    for env, key in _ENV.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    cfg = Config(**values, source=str(file) if values or file.exists() else "(defaults)")
    if cfg.max_rounds < 1:
        raise ConfigError(f"config file {file}: key 'max_rounds' must be at least 1")
    if cfg.prompt_style not in ("", "tinyagent", "compact"):
        raise ConfigError(f"config file {file}: key 'prompt_style' must be 'tinyagent' or 'compact'")
    return cfg


def replace(cfg: Config, **changes: Any) -> Config:
    return dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
