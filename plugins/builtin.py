"""Built-in features, registered through the same hooks a third-party pack uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .hookspecs import hookimpl


@hookimpl
def register_backends(register: Callable[..., Any]) -> None:
    from ..backends.openai import OpenAIBackend
    from ..backends.scripted import ScriptedBackend

    register("scripted", ScriptedBackend)
    register("openai", OpenAIBackend)
