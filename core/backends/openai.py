"""Any OpenAI-compatible completions server: llama.cpp server, Ollama, LM Studio, vLLM."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from .base import Backend, BackendError

__all__ = ["OpenAIBackend"]


class OpenAIBackend(Backend):
    """Streams ``POST {base_url}/completions`` (server-sent events). A ``grammar`` is sent as the
    ``grammar`` field, which llama.cpp's server honours and others ignore."""

    name = "openai"

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        temperature: float = 0.0,
        **_: Any,
    ):
        self.base_url = (base_url or os.environ.get("TINYAGENT_BASE_URL") or "http://127.0.0.1:8080/v1").rstrip("/")
        self.model = model or os.environ.get("TINYAGENT_MODEL") or "default"
        key = api_key or os.environ.get("TINYAGENT_API_KEY") or os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.temperature = temperature
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def stream(
        self, prompt: str, *, stop: Sequence[str] = (), grammar: str | None = None, max_tokens: int = 512
    ) -> Iterator[str]:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "stream": True,
        }
        if stop:
            body["stop"] = list(stop)
        if grammar:
            body["grammar"] = grammar
        url = f"{self.base_url}/completions"
        try:
            with self._client.stream("POST", url, json=body) as resp:
                if resp.status_code >= 400:
                    detail = resp.read().decode("utf-8", "replace")[:300]
                    raise BackendError(f"{url} answered HTTP {resp.status_code}: {detail}")
                yield from self._events(resp)
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach the model server at {url}: {exc}") from None

    @staticmethod
    def _events(resp: httpx.Response) -> Iterator[str]:
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                event = json.loads(data)
            except json.JSONDecodeError:
                raise BackendError(f"the server sent an event that is not JSON: {data[:100]!r}") from None
            if "error" in event:
                raise BackendError(f"the server reported an error: {event['error']}")
            for choice in event.get("choices", []):
                text = choice.get("text") or (choice.get("delta") or {}).get("content") or ""
                if text:
                    yield text

    def close(self) -> None:
        self._client.close()
