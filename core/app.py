"""The composition root: the one place an agent is assembled.

Config, packs, registry, backend, planner artifact (and its prompt style) and Tool RAG selector are
put together here, once per agent, for the CLI, ``bench``, ``retrain`` and applications alike
(:meth:`tinyagent.Agent.from_config` calls :func:`build_agent`). Errors are the library's own
(:class:`ConfigError`, :class:`PluginError`, :class:`BackendError`); the CLI turns them into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .agent import RETRAIN_ESTIMATE, Agent
from .artifacts import artifact_status, stale_report
from .backends.base import Backend, BackendError
from .config import Config, load_config, paths, replace
from .plugins.fingerprint import fingerprint
from .plugins.host import Registry, get_plugin_manager, load_registry

__all__ = ["Session", "build_agent", "load_session", "make_backend", "stale_lines"]


@dataclass(frozen=True)
class Session:
    """A loaded config and the registry of the packs it enables."""

    config: Config
    registry: Registry
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", fingerprint(self.registry))


def load_session(config: Config | str | Path | None = None) -> Session:
    """``config``: a :class:`Config`, a config file, or None for the default file (and env)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    return Session(cfg, load_registry(get_plugin_manager(disabled=cfg.disabled_packs)))


def make_backend(session: Session, name: str | None = None, options: dict[str, Any] | None = None) -> Backend:
    """The backend ``name`` (default: inferred from ``script``/``base_url``, else the config's), with
    the config's ``backend_options`` overridden by ``options`` (None values are ignored)."""
    options = options or {}
    if not name:  # a script and a server URL say which backend they are for
        name = "scripted" if options.get("script") else "openai" if options.get("base_url") else None
    name = name or session.config.backend
    factory = session.registry.backends.get(name)
    if factory is None:
        raise BackendError(f"unknown backend {name!r} (installed: {', '.join(sorted(session.registry.backends))})")
    return factory(**{**session.config.backend_options, **{k: v for k, v in options.items() if v is not None}})


def stale_lines(session: Session) -> list[str]:
    """What changed since the active planner was trained, what works meanwhile, and what to do;
    empty when the planner matches the installed tools."""
    artifacts = paths().artifacts_dir
    status = artifact_status(artifacts, session.fingerprint)
    if not status.stale:
        return []
    tools = {n: t.pack for n, t in session.registry.tools.items()}
    return stale_report(artifacts, session.fingerprint, tools, RETRAIN_ESTIMATE) or [status.describe()]


def build_agent(
    config: Config | str | Path | None = None,
    *,
    backend: str | None = None,
    prompt_style: str | None = None,
    grammar: bool | None = None,
    session: Session | None = None,
    **backend_options: Any,
) -> Agent:
    """An agent for the installed packs: the active planner (retrained, else the embedded default)
    unless ``backend``/``backend_options`` name another, Tool RAG for this tool set (or the stale
    selector, see docs/tool-packs.md). A stale planner is logged once as a warning on ``tinyagent``."""
    from .toolrag import make_selector, say_once

    session = session or load_session(config)
    planner = make_backend(session, backend, backend_options)
    if planner.name == "llama" and not backend_options.get("model"):
        lines = stale_lines(session)
        if lines:  # still usable for the tools it knows, but say it once, with what to do
            say_once("the planner is stale:\n  " + "\n  ".join(lines))
    cfg = replace(session.config, prompt_style=prompt_style, grammar=grammar)
    selector = make_selector(session.registry, paths().artifacts_dir, session.fingerprint, cfg.examples_k, cfg.selector)
    return Agent(session.registry, planner, cfg, selector)
