"""Mail as RFC 5322 ``.eml`` drafts that any mail client opens.

* ``mail/outbox/`` receives every composed, replied or forwarded draft.
* "The current message" (what reply and forward act on) is the message named in
  ``mail/current`` if that file exists (``tinyagent assistant select-mail FILE`` writes it),
  else the newest ``.eml`` in ``mail/inbox/`` by its Date header.
* Sending happens only when ``smtp`` is configured with ``send: true``; the step is marked
  side-effecting, so interactive use asks first and ``--dry-run`` writes nothing.
"""

from __future__ import annotations

import email
import email.policy
import mimetypes
import os
import re
import smtplib
import time
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Any

from tinyagent.plugins import ToolInputError, create_exclusive

__all__ = ["header_value", "build_forward", "build_message", "build_reply", "current_message", "save_draft", "send"]


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_value(text: str) -> str:
    """A header value that cannot add a header, whatever its encoding.

    RFC 2047 encoded words are decoded first (repeatedly, as a header parser would), then every
    control character, CR and LF included, becomes one space: a subject that decodes to
    ``x\\r\\nBcc: evil@...`` stays one line of text in the Subject header.
    """
    for _ in range(5):
        try:
            decoded = str(make_header(decode_header(text)))
        except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
            decoded = text
        decoded = _CONTROL.sub(" ", decoded)
        if decoded == text:
            break
        text = decoded
    return " ".join(_CONTROL.sub(" ", text).split())


def _addresses(values: list[str], what: str) -> list[str]:
    out = []
    for v in values:
        if _CONTROL.search(v.strip()) or "=?" in v:
            raise ToolInputError(f"{what} {v!r} is not a plain e-mail address")
        v = v.strip()
        if not v:
            continue
        if "@" not in v:
            raise ToolInputError(f"{what} {v!r} is not an e-mail address; look it up with get_email_address first")
        out.append(v)
    return out


def _attach(msg: EmailMessage, paths: list[Path]) -> None:
    for path in paths:
        ctype, encoding = mimetypes.guess_type(path.name)
        if ctype is None or encoding is not None:
            ctype = "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)


def build_message(
    sender: str, to: list[str], cc: list[str], subject: str, body: str, attachments: list[Path]
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = header_value(sender)
    msg["To"] = ", ".join(_addresses(to, "recipient"))
    if cc:
        msg["Cc"] = ", ".join(_addresses(cc, "cc"))
    msg["Subject"] = header_value(subject)
    msg["Date"] = format_datetime(_now())
    msg["Message-ID"] = make_msgid(domain="tinyagent.localhost")
    msg["X-Unsent"] = "1"  # Outlook and Thunderbird open it as a draft ready to send
    msg.set_content(body or "")
    _attach(msg, attachments)
    return msg


def _now():
    from datetime import datetime

    return datetime.now().astimezone()


def current_message(mail_dir: Path) -> tuple[Path, EmailMessage]:
    selected = mail_dir / "current"
    if selected.exists():
        name = selected.read_text(encoding="utf-8").strip()
        path = (mail_dir / "inbox" / name) if not os.path.isabs(name) else Path(name)
        if not path.exists():
            raise ToolInputError(f"the selected message {name} no longer exists")
        return path, _read(path)
    inbox = sorted((mail_dir / "inbox").glob("*.eml"))
    if not inbox:
        raise ToolInputError("there is no current message: the inbox folder has no .eml files")

    def when(p: Path) -> float:
        try:
            return parsedate_to_datetime(_read(p)["Date"]).timestamp()
        except (TypeError, ValueError):
            return p.stat().st_mtime

    path = max(inbox, key=when)
    return path, _read(path)


def _read(path: Path) -> EmailMessage:
    with path.open("rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)  # type: ignore[return-value]


def _quote(original: EmailMessage) -> str:
    part = original.get_body(preferencelist=("plain",))
    text = part.get_content() if part is not None else ""
    return "\n".join("> " + line for line in text.splitlines())


def build_reply(sender: str, original: EmailMessage, cc: list[str], body: str, attachments: list[Path]) -> EmailMessage:
    to = [addr for _, addr in getaddresses([original.get("Reply-To") or original.get("From") or ""]) if addr]
    if not to:
        raise ToolInputError("the current message has no sender to reply to")
    subject = header_value(str(original.get("Subject", "")))
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    who = header_value(str(original.get("From", "")))
    msg = build_message(sender, to, cc, subject, f"{body}\n\n{who} wrote:\n{_quote(original)}\n", attachments)
    if original.get("Message-ID"):
        msg_id = header_value(str(original["Message-ID"]))
        msg["In-Reply-To"] = msg_id
        msg["References"] = " ".join(filter(None, [header_value(str(original.get("References") or "")), msg_id]))
    return msg


def build_forward(
    sender: str, original: EmailMessage, to: list[str], cc: list[str], body: str, attachments: list[Path]
) -> EmailMessage:
    subject = header_value(str(original.get("Subject", "")))
    subject = subject if subject.lower().startswith("fwd:") else f"Fwd: {subject}"
    msg = build_message(sender, to, cc, subject, body, attachments)
    msg.add_attachment(original, filename="forwarded.eml")  # message/rfc822, the original intact
    return msg


def save_draft(outbox: Path, msg: EmailMessage) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in (msg.get("Subject") or "draft"))[:40].strip("-") or "draft"
    # O_EXCL names: two drafts with one subject in one second (parallel steps) both survive.
    return create_exclusive(outbox, f"{stamp}-{slug}", ".eml", msg.as_bytes(policy=email.policy.SMTP))


def send(msg: EmailMessage, smtp: dict[str, Any]) -> str:
    """Send through the configured SMTP server. Returns a sentence for the user."""
    host, port = smtp.get("host"), int(smtp.get("port", 587))
    if not host:
        raise ToolInputError("smtp.host is not configured")
    with smtplib.SMTP(host, port, timeout=float(smtp.get("timeout", 30))) as server:
        if smtp.get("starttls", port == 587):
            server.starttls()
        user = smtp.get("user")
        if user:
            server.login(user, os.environ.get(smtp.get("password_env", "TINYAGENT_SMTP_PASSWORD"), ""))
        server.send_message(msg)
    return f"sent through {host}"
