"""Configuration: a YAML file in the user's config dir, overridable by --config and env.

``TINYAGENT_HOME`` moves config, data and artifacts under one directory.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
import yaml
from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass as pydantic_dataclass

__all__ = ["Config", "ConfigError", "Paths", "load_config", "paths", "validation_message"]


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


_STRICT = ConfigDict(extra="forbid", strict=True)
PositiveSeconds = Annotated[float, Field(gt=0)]


@pydantic_dataclass(config=_STRICT)
class Config:
    """The whole config, validated by pydantic on construction (from the file or in code): types,
    enums, ranges and unknown keys are errors that name the key."""

    backend: str = "llama"  # the active planner: retrained, else the embedded default
    backend_options: dict[str, Any] = field(default_factory=dict)
    disabled_packs: list[str] = field(default_factory=list)
    step_timeout: PositiveSeconds = 60.0  # one tool call
    plan_timeout: PositiveSeconds = 120.0  # one planning round, first token to the end of the plan
    max_plan_chars: Annotated[int, Field(ge=100)] = 8_000  # a plan longer than this is a runaway model
    max_rounds: Annotated[int, Field(ge=1, le=10)] = 2
    examples_k: Annotated[int, Field(ge=0, le=50)] = 6
    instructions: str = ""
    timezone: str = ""
    joiner: Literal["rule", "llm"] = "rule"
    voice: dict[str, Any] = field(default_factory=dict)  # model, threads, compute_type, language, prompt
    selector: Literal["auto", "all"] = "auto"  # auto: Tool RAG when trained for this tool set | all: every tool
    prompt_style: Literal["", "tinyagent", "compact", "compact-rag"] = ""  # empty: what the backend's model expects
    grammar: bool = True  # constrain decoding to valid plans over the selected tools (llama backends)
    grounded: bool = True  # and, in that grammar, values marked FROM_REQUEST/FROM_TIME to the request's text/times
    packs: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "(defaults)"  # where the values came from (not a key of the file)

    def pack_options(self, pack: str) -> dict[str, Any]:
        return dict(self.packs.get(pack) or {})


_ENV = {"TINYAGENT_BACKEND": "backend"}
_KEYS = [f.name for f in dataclasses.fields(Config) if f.name != "source"]


def validation_message(where: str, exc: ValidationError, prefix: str = "") -> str:
    """One line per problem, each naming its key (``packs.assistant.file_roots``)."""
    lines = []
    for err in exc.errors():
        key = prefix + ".".join(str(p) for p in err["loc"])
        if err["type"] == "unexpected_keyword_argument" or err["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key {key!r} (known keys: {', '.join(_KEYS) if not prefix else '...'})")
        else:
            lines.append(f"{where}: key {key!r}: {err['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None) -> Config:
    """Defaults, then the file (``path``, ``$TINYAGENT_CONFIG`` or the default location), then env."""
    explicit = path or os.environ.get("TINYAGENT_CONFIG")
    file = Path(explicit) if explicit else paths().config_file
    values: dict[str, Any] = {}
    if file.exists() or explicit:
        try:
            loaded = yaml.safe_load(file.read_bytes().decode("utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {file}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"config file {file} is not UTF-8 text (byte {exc.start})") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {file} is not valid YAML: {exc}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {file} must be a mapping of keys to values")
        if "source" in loaded:
            raise ConfigError(f"config file {file}: unknown key 'source' (known keys: {', '.join(_KEYS)})")
        values.update(loaded)
    for env, key in _ENV.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    try:
        return Config(**values, source=str(file) if values or file.exists() else "(defaults)")
    except ValidationError as exc:
        raise ConfigError(validation_message(f"config file {file}", exc)) from None
    except TypeError as exc:  # a key that is not a valid Python identifier
        raise ConfigError(f"config file {file}: {exc}") from None


def replace(cfg: Config, **changes: Any) -> Config:
    return dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
