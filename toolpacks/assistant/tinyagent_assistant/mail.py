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
import smtplib
import time
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Any

from tinyagent.plugins import ToolInputError, atomic_write

__all__ = ["build_forward", "build_message", "build_reply", "current_message", "save_draft", "send"]


def _addresses(values: list[str], what: str) -> list[str]:
    out = []
    for v in values:
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
    msg["From"] = sender
    msg["To"] = ", ".join(_addresses(to, "recipient"))
    if cc:
        msg["Cc"] = ", ".join(_addresses(cc, "cc"))
    msg["Subject"] = subject
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
    subject = original.get("Subject", "")
    subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    who = original.get("From", "")
    msg = build_message(sender, to, cc, subject, f"{body}\n\n{who} wrote:\n{_quote(original)}\n", attachments)
    if original.get("Message-ID"):
        msg["In-Reply-To"] = original["Message-ID"]
        msg["References"] = " ".join(filter(None, [original.get("References"), original["Message-ID"]]))
    return msg


def build_forward(
    sender: str, original: EmailMessage, to: list[str], cc: list[str], body: str, attachments: list[Path]
) -> EmailMessage:
    subject = original.get("Subject", "")
    subject = subject if subject.lower().startswith("fwd:") else f"Fwd: {subject}"
    msg = build_message(sender, to, cc, subject, body, attachments)
    msg.add_attachment(original, filename="forwarded.eml")  # message/rfc822, the original intact
    return msg


def save_draft(outbox: Path, msg: EmailMessage) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in (msg.get("Subject") or "draft"))[:40].strip("-") or "draft"
    path = outbox / f"{stamp}-{slug}.eml"
    n = 1
    while path.exists():
        n += 1
        path = outbox / f"{stamp}-{slug}-{n}.eml"
    atomic_write(path, msg.as_bytes(policy=email.policy.SMTP))
    return path


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
