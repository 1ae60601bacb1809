"""The plugin host: loads packs from entry points and collects what they register."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .tools import Tool, make_tool
from .types import Example, PromptRule, TaskTemplate

__all__ = [
    "ENTRY_POINT_GROUP",
    "PackInfo",
    "PackManager",
    "PluginError",
    "Registry",
    "add_plugin",
    "get_plugin_manager",
    "load_registry",
    "remove_plugin",
]

ENTRY_POINT_GROUP = "tinyagent"
BUILTIN = "tinyagent.builtin"


class PluginError(RuntimeError):
    """A pack could not be loaded or registered something invalid."""


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    module: str
    builtin: bool = False


@dataclass
class Registry:
    """Everything the loaded packs registered, keyed by the pack that did."""

    packs: list[PackInfo] = field(default_factory=list)
    tools: dict[str, Tool] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    rules: list[PromptRule] = field(default_factory=list)
    templates: list[TaskTemplate] = field(default_factory=list)
    backends: dict[str, Callable[..., Any]] = field(default_factory=dict)
    status: dict[str, Callable[[], list[str]]] = field(default_factory=dict)  # doctor's per-pack sections
    plugin_manager: pluggy.PluginManager | None = None


def _allowed_entry_points() -> set[str] | None:
    """``TINYAGENT_PLUGINS`` restricts loading to a comma list; set but empty loads none."""
    value = os.environ.get("TINYAGENT_PLUGINS")
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


# Packs added in-process (tests, applications embedding tinyagent): loaded like entry points.
_local_plugins: dict[str, Any] = {}


def add_plugin(plugin: Any, name: str) -> None:
    """Load ``plugin`` (a module or object with hook implementations) as the pack ``name``."""
    _local_plugins[name] = plugin


def remove_plugin(name: str) -> None:
    _local_plugins.pop(name, None)


class PackManager(pluggy.PluginManager):
    """A pluggy manager that remembers which distribution each entry-point pack came from."""

    def __init__(self) -> None:
        super().__init__("tinyagent")
        self.dists: dict[str, importlib.metadata.Distribution] = {}


def get_plugin_manager(disabled: Iterable[str] = (), load_entry_points: bool = True) -> PackManager:
    """A manager with the built-ins plus the installed packs allowed by env and config."""
    from . import builtin

    blocked = set(disabled)
    pm = PackManager()
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name=BUILTIN)
    for name, plugin in _local_plugins.items():
        if name not in blocked:
            pm.register(plugin, name=name)
    if not load_entry_points:
        return pm
    allowed = _allowed_entry_points()
    eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    unknown = sorted((allowed or set()) - {ep.name for ep in eps} - set(_local_plugins))
    if unknown:
        installed = ", ".join(sorted({ep.name for ep in eps})) or "none"
        raise PluginError(
            f"TINYAGENT_PLUGINS names {', '.join(map(repr, unknown))}: no such pack is installed "
            f"(installed: {installed})"
        )
    for ep in eps:
        if ep.name in blocked or (allowed is not None and ep.name not in allowed):
            continue
        if pm.get_plugin(ep.name) is not None:
            continue  # the same pack seen twice on sys.path
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"tool pack {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
        pm.register(plugin, name=ep.name)
        if ep.dist is not None:
            pm.dists[ep.name] = ep.dist
    return pm


def _pack_info(pm: pluggy.PluginManager, name: str, plugin: Any) -> PackInfo:
    from .. import __version__

    if name == BUILTIN:
        return PackInfo(name, __version__, plugin.__name__, builtin=True)
    dist = pm.dists.get(name) if isinstance(pm, PackManager) else None
    version = dist.version if dist is not None else getattr(plugin, "__version__", "0")
    return PackInfo(name, version, getattr(plugin, "__name__", repr(plugin)))


def load_registry(pm: pluggy.PluginManager) -> Registry:
    """Call every pack's hooks, tagging each registration with its pack and checking for clashes."""
    reg = Registry(plugin_manager=pm)
    names = sorted((n for n, p in pm.list_name_plugin() if p is not None), key=lambda n: (n != BUILTIN, n))
    reg.packs = [_pack_info(pm, n, pm.get_plugin(n)) for n in names]
    order = {n: i for i, n in enumerate(names)}
    for hook_name, make_register in _REGISTRARS.items():
        impls = getattr(pm.hook, hook_name).get_hookimpls()
        for impl in sorted(impls, key=lambda i: order.get(i.plugin_name, len(order))):
            try:
                impl.function(register=make_register(reg, impl.plugin_name))
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(f"pack {impl.plugin_name!r} failed in {hook_name}: {exc}") from exc
    return reg


def _status_registrar(reg: Registry, pack: str) -> Callable[..., None]:
    def register(title: str, lines: Callable[[], list[str]]) -> None:
        reg.status[f"{pack}: {title}"] = lines

    return register


def _tool_registrar(reg: Registry, pack: str) -> Callable[..., None]:
    def register(fn: Any, *, name: str | None = None, side_effects: bool | None = None, effect: Any = None) -> None:
        marks = getattr(fn, "__tinyagent_tool__", {})
        effects = side_effects if side_effects is not None else marks.get("side_effects")
        t = make_tool(fn, name=name or marks.get("name"), side_effects=effects, pack=pack, effect=effect)
        if t.name in reg.tools:
            raise PluginError(f"tool {t.name!r} is registered by both {reg.tools[t.name].pack!r} and {pack!r}")
        reg.tools[t.name] = t

    return register


def _backend_registrar(reg: Registry, pack: str) -> Callable[..., None]:
    def register(name: str, factory: Callable[..., Any]) -> None:
        if name in reg.backends:
            raise PluginError(f"backend {name!r} is registered twice (second time by {pack!r})")
        reg.backends[name] = factory

    return register


def _item_registrar(attr: str, kind: type) -> Callable[[Registry, str], Callable[[Any], None]]:
    def make(reg: Registry, pack: str) -> Callable[[Any], None]:
        def register(item: Any) -> None:
            if not isinstance(item, kind):
                raise PluginError(f"pack {pack!r} registered {item!r}; expected a {kind.__name__}")
            getattr(reg, attr).append(dataclasses.replace(item, pack=pack))

        return register

    return make


_REGISTRARS: dict[str, Callable[[Registry, str], Callable[..., None]]] = {
    "register_tools": _tool_registrar,
    "register_examples": _item_registrar("examples", Example),
    "register_prompt_rules": _item_registrar("rules", PromptRule),
    "register_task_templates": _item_registrar("templates", TaskTemplate),
    "register_backends": _backend_registrar,
    "register_status": _status_registrar,
}
