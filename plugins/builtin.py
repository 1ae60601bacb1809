"""Built-in features, registered through the same hooks a third-party pack uses."""

from __future__ import annotations

from typing import Any, Callable

from .hookspecs import hookimpl


@hookimpl
def register_backends(register: Callable[..., Any]) -> None:
    from ..backends.openai import OpenAIBackend
    from ..backends.scripted import ScriptedBackend

    register("scripted", ScriptedBackend)
    register("openai", OpenAIBackend)
