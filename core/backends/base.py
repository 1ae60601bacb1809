"""The backend interface every planner model sits behind."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

__all__ = ["Backend", "BackendError", "approx_tokens"]

_TOKENISH = re.compile(r"\w+|[^\w\s]", re.UNICODE)


class BackendError(RuntimeError):
    """The model could not be reached or answered with an error."""


def approx_tokens(text: str) -> int:
    """Words and punctuation marks: a tokenizer-free estimate, used when a backend has no tokenizer."""
    return len(_TOKENISH.findall(text))


class Backend(ABC):
    """Complete a prompt, optionally under a GBNF grammar and stop strings, streaming text."""

    name: str = "backend"

    @abstractmethod
    def stream(
        self, prompt: str, *, stop: Sequence[str] = (), grammar: str | None = None, max_tokens: int = 512
    ) -> Iterator[str]:
        """Yield text chunks of the completion as they are produced."""

    def complete(
        self, prompt: str, *, stop: Sequence[str] = (), grammar: str | None = None, max_tokens: int = 512
    ) -> str:
        return "".join(self.stream(prompt, stop=stop, grammar=grammar, max_tokens=max_tokens))

    def count_tokens(self, text: str) -> int:
        """Prompt tokens; backends with a tokenizer override this with an exact count."""
        return approx_tokens(text)

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release resources (connections, model memory)."""
