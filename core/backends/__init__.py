"""LLM backends: something that completes a prompt, streaming text out."""

from .base import Backend, BackendError, approx_tokens

__all__ = ["Backend", "BackendError", "approx_tokens"]
