"""MCP tool schemas (JSON Schema) as tinyagent tools.

Parameters keep the order of the schema's ``properties``; each maps by this fixed table, first match:

| JSON Schema | tinyagent type |
|---|---|
| ``type: string`` (with or without ``enum``/``format``) | ``str`` |
| ``type: integer`` | ``int`` |
| ``type: number`` | ``float`` |
| ``type: boolean`` | ``bool`` |
| ``type: array`` of one of the four above | ``list[...]`` |
| one of the above or ``null`` (``type: [x, "null"]`` or ``anyOf``) | ``x | None`` |

Anything else (objects, ``$ref``, mixed ``oneOf``, arrays of objects) cannot be written in a plan: the
tool is left out and the reason reported, never guessed. A parameter that is not required may be
``None`` in a plan, and is then not sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tinyagent.plugins import Param, Tool

__all__ = ["Unrepresentable", "tool_name", "to_params", "to_tool"]

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


class Unrepresentable(ValueError):
    """A schema tinyagent's plan language cannot express."""


def _type(schema: dict[str, Any], where: str) -> str:
    if not isinstance(schema, dict):
        raise Unrepresentable(f"{where}: not a schema")
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        kinds = [_type(o, where) for o in options if o.get("type") != "null"]
        nullable = any(o.get("type") == "null" for o in options)
        if len(kinds) != 1:
            raise Unrepresentable(f"{where}: a choice of several types")
        return f"{kinds[0]} | None" if nullable else kinds[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        if len(rest) != 1:
            raise Unrepresentable(f"{where}: several types {kind}")
        inner = _type({**schema, "type": rest[0]}, where)
        return f"{inner} | None" if "null" in kind else inner
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        items = schema.get("items")
        if isinstance(items, dict) and items.get("type") in _SCALARS:
            return f"list[{_SCALARS[items['type']]}]"
        raise Unrepresentable(f"{where}: an array of {(items or {}).get('type', 'unspecified items')}")
    if "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
        return "str"
    raise Unrepresentable(f"{where}: {kind or 'an untyped or referenced'} value")


def to_params(schema: dict[str, Any]) -> tuple[tuple[Param, ...], set[str]]:
    """The parameters (schema order) and the names of the required ones."""
    if schema.get("type", "object") != "object":
        raise Unrepresentable("the input schema is not an object")
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    params = []
    for name, prop in props.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise Unrepresentable(f"parameter {name!r} is not a plain name")
        text = _type(prop, f"parameter {name!r}")
        if name not in required and "None" not in text:
            text = f"{text} | None"  # may be left out: the plan writes None
        params.append(Param(name, text, str(prop.get("description", "")).strip()))
    return tuple(params), required


def tool_name(name: str) -> str:
    """A plan-safe name: ``get-weather.v2`` -> ``get_weather_v2``."""
    safe = re.sub(r"\W", "_", name)
    return safe if re.match(r"[A-Za-z_]", safe) else f"_{safe}"


def to_tool(info: dict[str, Any], name: str, call: Callable[[dict[str, Any]], str]) -> Tool:
    """A tinyagent tool that calls ``call(arguments)``; side-effecting unless marked read-only."""
    params, required = to_params(info.get("input_schema") or {})
    names = [p.name for p in params]

    def invoke(*args: Any) -> str:
        arguments = {n: v for n, v in zip(names, args, strict=True) if v is not None or n in required}
        return call(arguments)

    invoke.__name__ = name
    description = " ".join((info.get("description") or f"The MCP tool {info['name']}.").split())
    return Tool(name, description, params, "str", invoke, side_effects=not info.get("read_only"))
