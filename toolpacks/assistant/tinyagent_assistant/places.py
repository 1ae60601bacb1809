"""Maps (OpenStreetMap URLs), meeting links (Jitsi or Zoom), SMS drafts."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tinyagent.plugins import ToolInputError, atomic_write, locked

__all__ = [
    "directions_url",
    "jitsi_link",
    "launchable",
    "open_in_app",
    "save_sms_draft",
    "search_url",
    "send_sms",
    "zoom_link",
]

# OpenStreetMap's routing engines. It has no public-transit router: transit falls back to walking.
_ENGINES = {"d": "fossgis_osrm_car", "w": "fossgis_osrm_foot", "r": "fossgis_osrm_foot"}


def search_url(location: str) -> str:
    if not location.strip():
        raise ToolInputError("the location is empty")
    return "https://www.openstreetmap.org/search?" + urlencode({"query": location.strip()})


def directions_url(start: str, end: str, transport: str) -> tuple[str, str]:
    """The URL and a note for the user. An empty ``start`` means "from here" (the browser asks)."""
    mode = (transport or "d").strip().lower()[:1]
    if mode not in _ENGINES:
        raise ToolInputError(f"transport must be 'd' (drive), 'w' (walk) or 'r' (transit), got {transport!r}")
    if not end.strip():
        raise ToolInputError("the destination is empty")
    params = {"engine": _ENGINES[mode], "to": end.strip()}
    if start.strip():
        params["from"] = start.strip()
    note = " (OpenStreetMap has no transit routing; showing walking directions)" if mode == "r" else ""
    return "https://www.openstreetmap.org/directions?" + urlencode(params), note


_RUNNABLE = {
    ".sh",
    ".bash",
    ".command",
    ".app",
    ".exe",
    ".bat",
    ".cmd",
    ".com",
    ".msi",
    ".desktop",
    ".jar",
    ".py",
    ".pl",
    ".rb",
    ".ps1",
    ".vbs",
    ".scpt",
    ".applescript",
    ".appimage",
    ".run",
    ".bin",
    ".deb",
    ".rpm",
    ".pkg",
    ".dmg",
    ".workflow",
    ".action",
    ".terminal",
    ".url",
    ".webloc",
    ".lnk",
    ".scr",
}


def launchable(target: str) -> bool:
    """An http(s) URL, or a regular file that is not a program: no executable bit and no extension
    that an opener runs (``xdg-open`` on an executable ``.sh`` ran it)."""
    if target.startswith(("https://", "http://")):
        return True
    path = Path(target)
    if path.suffix.lower() in _RUNNABLE or not path.is_file():
        return False
    return not os.access(path, os.X_OK)


def open_in_app(target: str) -> bool:
    """Open a URL or file with the desktop's default app, only when there is a display and the
    target is not something that runs (see :func:`launchable`)."""
    if not launchable(target):
        return False
    if sys.platform == "darwin":
        cmd = ["open", target]
    elif os.name == "nt":
        os.startfile(target)  # type: ignore[attr-defined]  # noqa: S606
        return True
    elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        if not shutil.which("xdg-open"):
            return False
        cmd = ["xdg-open", target]
    else:
        return False
    subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return True


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(w.capitalize() for w in "".join(c if c.isalnum() else " " for c in ascii_text).split())[:40]


def jitsi_link(topic: str) -> str:
    """A Jitsi Meet room: needs no account; the random suffix keeps strangers out."""
    return f"https://meet.jit.si/{_slug(topic) or 'Meeting'}-{secrets.token_hex(4)}"


def zoom_link(topic: str, start: datetime, duration: int, invitees: list[str], zoom: dict[str, Any]) -> str:
    token = os.environ.get(zoom.get("token_env", "TINYAGENT_ZOOM_TOKEN"), "")
    if not token:
        raise ToolInputError("Zoom is configured but its token environment variable is empty")
    url = zoom.get("api_url", "https://api.zoom.us/v2").rstrip("/") + "/users/me/meetings"
    body = {
        "topic": topic,
        "type": 2,
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "timezone": str(start.tzinfo),
        "duration": duration,
        "settings": {"meeting_invitees": [{"email": e} for e in invitees]},
    }
    try:
        resp = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    except httpx.HTTPError as exc:
        raise RuntimeError(f"cannot reach Zoom at {url}: {exc}") from None
    if resp.status_code >= 300:
        raise RuntimeError(f"Zoom answered HTTP {resp.status_code}: {resp.text[:200]}")
    return resp.json()["join_url"]


def save_sms_draft(outbox: Path, recipients: list[str], message: str) -> Path:
    """Append a draft to ``sms/outbox.jsonl`` (one JSON object a line), atomically."""
    path = outbox / "outbox.jsonl"
    row = {"created": datetime.now().astimezone().isoformat(timespec="seconds"), "to": recipients, "text": message}
    with locked(path) as target:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        atomic_write(target, old + json.dumps(row, ensure_ascii=False) + "\n")
    return path


def send_sms(gateway: dict[str, Any], recipients: list[str], message: str) -> str:
    """POST ``{"to": [...], "text": ...}`` to a configured SMS gateway."""
    token = os.environ.get(gateway.get("token_env", "TINYAGENT_SMS_TOKEN"), "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        resp = httpx.post(gateway["url"], json={"to": recipients, "text": message}, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        raise RuntimeError(f"cannot reach the SMS gateway: {exc}") from None
    if resp.status_code >= 300:
        raise RuntimeError(f"the SMS gateway answered HTTP {resp.status_code}")
    return "sent"
