"""Built-in features, registered through the same hooks a third-party pack uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .hookspecs import hookimpl


def llama_backend(model: str | None = None, lora: str | None = None, **options: Any) -> Any:
    """The llama.cpp backend. Without ``model``: the active planner (what ``tinyagent retrain``
    installed, else the embedded default) with its adapter and prompt style."""
    from ..artifacts import active_planner
    from ..backends.base import BackendError
    from ..backends.llama import LlamaBackend
    from ..config import paths

    if model is None:
        planner = active_planner(paths().artifacts_dir)
        if planner is None:
            raise BackendError("no planner model: pass --model path/to/model.gguf or run `tinyagent retrain`")
        options.setdefault("prompt_style", planner.prompt_style)
        return LlamaBackend(planner.model, lora or planner.lora, **options)
    return LlamaBackend(model, lora, **options)


@hookimpl
def register_backends(register: Callable[..., Any]) -> None:
    from ..backends.openai import OpenAIBackend
    from ..backends.scripted import ScriptedBackend

    register("llama", llama_backend)
    register("scripted", ScriptedBackend)
    register("openai", OpenAIBackend)
