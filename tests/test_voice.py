"""Spoken requests end to end: espeak-ng speaks, Whisper tiny.en (offline) transcribes, the agent plans."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from tinyagent.cli import cli
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent.voice import Transcriber, VoiceError, vocabulary_prompt

from .httpserver import completions_server

assert shutil.which("espeak-ng"), "scripts/test installs espeak-ng from Debian's packages"


def speak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en", "-s", "120", "-g", "6", "-w", str(path), text], check=True)
    return path


def words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def transcriber():
    """Prompted like `tinyagent run --audio` prompts it: with the assistant pack's example requests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TINYAGENT_PLUGINS", "assistant")
        queries = [e.query for e in load_registry(get_plugin_manager()).examples]
    return Transcriber(prompt=vocabulary_prompt(queries))


@pytest.mark.parametrize(
    "spoken, expected",
    [
        ("Text Maria that I will be late.", "text maria that i will be late"),
        ("Remind me to call the dentist tomorrow.", "remind me to call the dentist tomorrow"),
        ("Email Marcus the budget file.", "email marcus the budget file"),
        ("What is Yuki's phone number?", "what is yuki's phone number"),
    ],
)
def test_transcribes_spoken_requests(transcriber, tmp_path, spoken, expected):
    t = transcriber.transcribe(speak(spoken, tmp_path / "r.wav"))
    assert words(t.text) == expected
    assert t.audio_seconds > 1 and 0 < t.real_time_factor < 5


def _encode(samples: np.ndarray, path: Path, codec: str, rate: int = 16000) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((samples[None, :] * 32767).astype(np.int16), format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in list(stream.encode(frame)) + list(stream.encode(None)):
            container.mux(packet)
    return path


def test_other_formats(transcriber, tmp_path):
    samples = transcriber.load(speak("Text Maria that I will be late.", tmp_path / "r.wav"))
    for name, codec, rate in [("r.flac", "flac", 16000), ("r.mp3", "libmp3lame", 16000), ("r.ogg", "libopus", 48000)]:
        text = transcriber.transcribe(_encode(samples, tmp_path / name, codec, rate)).text
        assert "maria" in words(text) and "late" in words(text), (name, text)


def test_clear_errors(transcriber, tmp_path):
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000 * 2)
    with pytest.raises(VoiceError, match="no speech detected"):
        transcriber.transcribe(silent)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(VoiceError, match="is empty"):
        transcriber.transcribe(tmp_path / "empty.wav")
    (tmp_path / "junk.mp3").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(VoiceError, match="unsupported or corrupt audio"):
        transcriber.transcribe(tmp_path / "junk.mp3")
    with pytest.raises(VoiceError, match="does not exist"):
        transcriber.transcribe(tmp_path / "missing.wav")
    with pytest.raises(VoiceError, match="not a faster-whisper model"):
        Transcriber(model=tmp_path).transcribe(speak("hello there", tmp_path / "h.wav"))


def test_run_audio_plans_the_spoken_request(tmp_path, monkeypatch):
    """The whole path in one command: audio -> transcript (shown first) -> prompt -> plan."""
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    wav = speak("Text Maria that I will be late.", tmp_path / "request.wav")

    def planner(body):  # a stand-in planner at the HTTP boundary: the test is about the voice path
        question = body["prompt"].rsplit("Question:", 1)[1].strip().lower()
        if "maria" in question and "late" in question:
            return '1. get_phone_number("Maria")\n2. send_sms(["$1"], "I will be late")\n3. join()<END_OF_PLAN>'
        return "1. join()<END_OF_PLAN>"

    with completions_server(answer_for=planner) as (url, requests):
        out = CliRunner().invoke(
            cli, ["run", "--audio", str(wav), "--dry-run", "--json", "--backend", "openai", "--base-url", url]
        )
    assert out.exit_code == 0, out.output
    heard, _, rest = out.output.partition("\n")
    assert words(heard) == "heard text maria that i will be late"
    data = json.loads(rest)
    assert data["plan"].startswith('1. get_phone_number("Maria")') and data["issues"] == []
    question = requests[0]["body"]["prompt"].rsplit("Question:", 1)[1].strip()
    assert words(question) == "text maria that i will be late"


def test_run_audio_errors_are_clear(tmp_path):
    silent = tmp_path / "s.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 8000)
    out = CliRunner().invoke(cli, ["run", "--audio", str(silent), "--script", "x.yaml"])
    assert out.exit_code == 1 and "no speech detected" in out.output
    out = CliRunner().invoke(cli, ["run", "--audio", str(silent), "and a query"])
    assert out.exit_code == 2 and "either QUERY or --audio" in out.output


def test_listen_without_an_input_device_is_a_clear_error():
    out = CliRunner().invoke(cli, ["listen", "--seconds", "1", "--script", "x.yaml"])
    assert out.exit_code == 1 and "audio input" in out.output
