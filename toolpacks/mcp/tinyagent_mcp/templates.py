"""Task templates for MCP tools, so that `tinyagent retrain` can teach the planner a server's tools.

A server entry may name a YAML file (``"templates": "weather.yaml"`` beside ``command``/``url``)::

    - id: forecast
      phrasings: ["what's the weather in {city}", "forecast for {city}", ...]
      plan: '1. get_forecast("{city}")'
      slots: {city: place}

``id``, ``phrasings`` and ``plan`` are required; ``slots`` maps placeholders to slot kinds
(docs/synthetic-data.md); ``weight`` is optional. Tool names in plans are the ones ``tinyagent tools``
shows. Without a file, :func:`generic_templates` words requests from each tool's description and
parameter names: a weak baseline (docs/mcp.md measures it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tinyagent.plugins import SLOT_KINDS, ConfigError, TaskTemplate, Tool

__all__ = ["generic_templates", "load_templates", "plan_tools"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    phrasings: list[str] = Field(min_length=1)
    plan: str
    slots: dict[str, str] = Field(default_factory=dict)
    weight: float = Field(default=1.0, gt=0)


def plan_tools(plan: str) -> set[str]:
    """The tool names a template's plan calls (placeholders and all: it need not parse yet)."""
    return set(re.findall(r"^\s*\d+\.\s*([A-Za-z_][\w.-]*)\(", plan, re.M))


def load_templates(path: Path, server: str, names: dict[str, str]) -> list[TaskTemplate]:
    """The templates of a server's YAML file; every error names the file and the entry. ``names`` maps
    the server's own tool names to tinyagent's (prefixed on a clash): plans may use either."""
    try:
        data: Any = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"templates of MCP server {server!r}: cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"templates of MCP server {server!r}: {path} is not YAML: {exc}") from None
    if not isinstance(data, list):
        raise ConfigError(f"templates of MCP server {server!r}: {path} must be a list of templates")
    out = []
    for n, raw in enumerate(data, 1):
        where = f"templates of MCP server {server!r}, {path.name} entry {n}"
        try:
            entry = _Entry(**raw) if isinstance(raw, dict) else _Entry.model_validate(raw)
            unknown = set(entry.slots.values()) - SLOT_KINDS
            if unknown:
                raise ValueError(f"unknown slot kind {sorted(unknown)[0]!r} (known: {', '.join(sorted(SLOT_KINDS))})")
            plan = re.sub(
                r"^(\s*\d+\.\s*)([A-Za-z_][\w.-]*)\(",
                lambda m: m.group(1) + names.get(m.group(2), m.group(2)) + "(",
                entry.plan,
                flags=re.M,
            )
            used = plan_tools(plan)
            if used - set(names.values()):
                raise ValueError(f"the plan calls {sorted(used - set(names.values()))[0]!r}, not a tool of this server")
            out.append(TaskTemplate(f"{server}.{entry.id}", tuple(entry.phrasings), plan, entry.slots, entry.weight))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(f"{where}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return out


_KIND_BY_NAME = [
    (r"email", "email"),
    (r"phone|number", "phone"),
    (r"city|place|location|address|where|destination", "place"),
    (r"name|person|contact|who|user", "person"),
    (r"file|path|document", "file"),
    (r"date|time|when|day", "datetime"),
    (r"message|text|body|content|note|comment|description", "text"),
]
_DEFAULTS = {"int": "1", "float": "1.0", "bool": "False"}


def _kind(name: str) -> str:
    return next((kind for pattern, kind in _KIND_BY_NAME if re.search(pattern, name, re.I)), "title")


def _imperative(description: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0].rstrip(".!? ")
    words = sentence.split()
    if not words:
        return ""
    verb = words[0].lower()
    if verb.endswith("ies"):
        verb = verb[:-3] + "y"
    elif verb.endswith(("ches", "shes", "sses", "xes")):
        verb = verb[:-2]
    elif verb.endswith("s") and not verb.endswith("ss"):
        verb = verb[:-1]
    return " ".join([verb, *words[1:]])


def generic_templates(server: str, tools: list[Tool]) -> list[TaskTemplate]:
    """One template per tool, worded from its description; string parameters become slots (their kind
    guessed from the name), others get a fixed value (1, 1.0, False; None when optional)."""
    out = []
    for tool in tools:
        action = _imperative(tool.description) or tool.name.replace("_", " ")
        slots, args, tail = {}, [], []
        for p in tool.params:
            base = p.type.split("|")[0].strip()
            if base == "str":
                slots[p.name] = _kind(p.name)
                args.append(f'"{{{p.name}}}"')
                tail.append(f"{p.name.replace('_', ' ')} {{{p.name}}}")
            elif base == "list[str]":
                slots[p.name] = _kind(p.name)
                args.append(f'["{{{p.name}}}"]')
                tail.append(f"{p.name.replace('_', ' ')} {{{p.name}}}")
            else:
                args.append("None" if "None" in p.type else _DEFAULTS.get(base, "[]"))
        detail = ", ".join(tail)
        phrasings = [
            f"{action}{': ' + detail if detail else ''}",
            f"please {action}{' with ' + detail if detail else ''}",
            f"can you {action}{', ' + detail if detail else ''}",
            f"{tool.name.replace('_', ' ')}{' ' + detail if detail else ''}",
        ]
        plan = f"1. {tool.name}({', '.join(args)})"
        out.append(TaskTemplate(f"{server}.{tool.name}.generic", tuple(dict.fromkeys(phrasings)), plan, slots))
    return out
