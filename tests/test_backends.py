from __future__ import annotations

import socket
from datetime import datetime

import pytest

from tinyagent.agent import Agent, allow_all
from tinyagent.backends.base import BackendError
from tinyagent.backends.openai import OpenAIBackend
from tinyagent.backends.scripted import ScriptedBackend, load_script

from .httpserver import completions_server

PLAN = '1. get_phone_number("Maria")\n2. send_sms(["$1"], "late")\n3. join()<END_OF_PLAN>'


def test_openai_backend_streams_from_a_real_server():
    with completions_server(PLAN, chunk=3) as (url, requests):
        backend = OpenAIBackend(base_url=url, model="tiny", api_key="k")
        chunks = list(backend.stream("Question: x\n", stop=["<END_OF_PLAN>"], grammar="root ::= x"))
    assert len(chunks) > 10
    assert "".join(chunks) == PLAN.split("<END_OF_PLAN>")[0]
    (req,) = requests
    assert req["path"] == "/v1/completions" and req["auth"] == "Bearer k"
    assert req["body"]["model"] == "tiny" and req["body"]["stream"] is True
    assert req["body"]["stop"] == ["<END_OF_PLAN>"] and req["body"]["grammar"] == "root ::= x"


def test_openai_backend_drives_the_agent(registry):
    with completions_server(PLAN) as (url, _):
        result = Agent(registry, OpenAIBackend(base_url=url)).run("text maria", datetime(2026, 1, 1), consent=allow_all)
    assert result.rounds[0][1].ok


def test_openai_backend_http_error_is_clear():
    with completions_server(PLAN, status=503) as (url, _):
        with pytest.raises(BackendError, match="HTTP 503.*model not loaded"):
            OpenAIBackend(base_url=url).complete("x")


def test_openai_backend_unreachable_is_clear():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendError, match="cannot reach the model server"):
        OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", timeout=2).complete("x")


def test_scripted_backend_matches_the_last_question_and_rounds(tmp_path):
    script = tmp_path / "s.yaml"
    script.write_text("- query: Text Maria\n  plans: ['1. a()', '1. b()']\n- query: other\n  plan: '1. c()'\n")
    backend = ScriptedBackend(script=script)
    prompt = "Question: example\n###\nQuestion: text  MARIA\n"
    assert backend.complete(prompt) == "1. a()"
    assert backend.complete(prompt) == "1. b()"
    assert backend.complete(prompt) == "1. b()"
    with pytest.raises(BackendError, match="no plan for 'nope'"):
        backend.complete("Question: nope\n")


def test_scripted_backend_bad_script(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- query: x\n")
    with pytest.raises(BackendError, match="entry 1: needs 'query' and 'plan'"):
        load_script(bad)
    with pytest.raises(BackendError, match="cannot read script"):
        load_script(tmp_path / "missing.yaml")
    with pytest.raises(BackendError, match="needs a script"):
        ScriptedBackend()
