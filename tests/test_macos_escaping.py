"""The macOS backend's AppleScript stays inert whatever the names and texts contain.

A small AppleScript lexer splits a script into string literals and code. For every script
builder, hostile inputs must (1) leave the code outside literals exactly as benign inputs do,
and (2) come back unchanged when their literal is decoded.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinyagent_assistant.macos import quote, scripts

HOSTILE = [
    'Robert "); do shell script "touch /tmp/pwned" --',
    '" & do shell script "id" & "',
    'back\\slash \\" still inside',
    "two\nlines\r\tand a tab",
    "(* not a comment *) -- nor this # nor this",
    "Eren Erdoğan ✓",
]
_UNESCAPE = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}


def lex(script: str) -> tuple[list[str], list[str]]:
    """Return (code pieces, decoded string literals)."""
    code, literals, buf, i = [], [], "", 0
    while i < len(script):
        ch = script[i]
        if ch == '"':
            code.append(buf)
            buf, i = "", i + 1
            value = ""
            while script[i] != '"':
                if script[i] == "\\":
                    value += _UNESCAPE[script[i + 1]]
                    i += 2
                else:
                    value += script[i]
                    i += 1
            literals.append(value)
            i += 1
        else:
            buf += ch
            i += 1
    code.append(buf)
    return code, literals


WHEN = datetime(2026, 12, 3, 15, 0, tzinfo=ZoneInfo("UTC"))


def builders(v: str) -> dict[str, str]:
    return {
        "contact": scripts.contact_field(v, "phone"),
        "event": scripts.calendar_event(v, WHEN, WHEN, v, [v, v], v, v),
        "reminder": scripts.reminder(v, WHEN, v, v, 3, False),
        "note_create": scripts.note("create", v, v, v),
        "note_open": scripts.note("open", v, "", v),
        "note_append": scripts.note("append", v, v, v),
        "mail": scripts.mail_draft([v], [v], v, v, [v]),
        "reply": scripts.mail_reply_or_forward("reply", [], [v], v),
        "forward": scripts.mail_reply_or_forward("forward", [v], [v], v),
    }


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_inside_string_literals(hostile):
    benign = builders("x")
    for name, script in builders(hostile).items():
        code, literals = lex(script)
        assert code == lex(benign[name])[0], f"{name}: the script's structure changed"
        assert "do shell script" not in "".join(code)
        if name != "note_create":  # note bodies are HTML: checked below
            assert hostile in literals, name


def test_note_html_is_escaped_then_quoted():
    _, literals = lex(scripts.note("create", "<b>", 'a & "b"', ""))
    assert literals[-1] == "<h1>&lt;b&gt;</h1><p>a &amp; &quot;b&quot;</p>"


@pytest.mark.parametrize("text", HOSTILE)
def test_quote_round_trips(text):
    code, literals = lex(quote(text))
    assert code == ["", ""] and literals == [text]
