"""Local GGUF models through llama.cpp (llama-cpp-python): streaming, LoRA adapters, plan grammars.

llama-cpp-python keeps the last prompt's KV cache and evaluates only the tokens after the longest
common prefix, so the static start of a prompt is computed once and reused across requests.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .base import Backend, BackendError

__all__ = ["MIN_CONTEXT", "LlamaBackend"]

# tinyagent's own models train on up to 512 positions, and a plan for a long request can run past
# them: llama.cpp gets at least this much room (RoPE carries a little past the trained length)
MIN_CONTEXT = 1024


def _quiet() -> Any:
    """Silences llama.cpp's own stderr output (a private helper of llama-cpp-python, hence the guard)."""
    try:
        from llama_cpp._utils import suppress_stdout_stderr

        return suppress_stdout_stderr(disable=False)
    except ImportError:
        return contextlib.nullcontext()


@lru_cache(maxsize=32)
def _grammar(text: str) -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(text, verbose=False)


class LlamaBackend(Backend):
    """``model``: a GGUF file; ``lora``: an optional GGUF LoRA adapter; ``threads``: CPU threads
    (default: all cores, at most 8); ``n_ctx``: context length (0: the model's own, at least
    ``MIN_CONTEXT``); ``prompt_style``: the prompt the model was trained on ("compact" for tinyagent's
    own models, "tinyagent" for published ones)."""

    name = "llama"

    def __init__(
        self,
        model: str | os.PathLike[str],
        lora: str | os.PathLike[str] | None = None,
        threads: int | None = None,
        n_ctx: int = 0,
        prompt_style: str = "tinyagent",
        seed: int = 0,
    ):
        self.model_path, self.lora_path = Path(model), Path(lora) if lora else None
        for path in filter(None, (self.model_path, self.lora_path)):
            if not path.is_file():
                raise BackendError(f"no GGUF file at {path}")
        self.threads = threads or min(8, os.cpu_count() or 1)
        self.n_ctx, self.prompt_style, self.seed = n_ctx, prompt_style, seed
        self._llm: Any = None
        self._lock = threading.Lock()  # one decode at a time: the KV cache is shared

    @property
    def llm(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendError("the llama backend needs llama-cpp-python: pip install llama-cpp-python") from exc

            def load(n_ctx: int) -> Any:
                return Llama(
                    str(self.model_path),
                    lora_path=str(self.lora_path) if self.lora_path else None,
                    n_ctx=n_ctx,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    seed=self.seed,
                    verbose=False,
                )

            try:
                self._llm = load(self.n_ctx)
                if not self.n_ctx and self._llm.n_ctx() < MIN_CONTEXT:
                    self._llm.close()
                    with _quiet():  # llama.cpp warns on stderr that the context exceeds the trained one
                        self._llm = load(MIN_CONTEXT)
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"llama.cpp could not load {self.model_path}: {exc}") from exc
        return self._llm

    def stream(
        self, prompt: str, *, stop: Sequence[str] = (), grammar: str | None = None, max_tokens: int = 512
    ) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self.llm.create_completion(
                    prompt,
                    max_tokens=max_tokens,
                    temperature=0.0,
                    stop=list(stop),
                    grammar=_grammar(grammar) if grammar else None,
                    stream=True,
                )
                for chunk in chunks:
                    text = chunk["choices"][0]["text"]
                    if text:
                        yield text
                    if chunk["choices"][0].get("finish_reason") == "length":
                        raise BackendError(
                            f"the plan did not finish within {max_tokens} tokens or the model's context of "
                            f"{self.llm.n_ctx()} tokens (a repetition loop, or a request too long for this model)"
                        )
            except ValueError as exc:  # e.g. a prompt longer than the context
                raise BackendError(f"llama.cpp: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None
