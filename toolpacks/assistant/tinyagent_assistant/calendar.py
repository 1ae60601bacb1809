"""Calendar events (VEVENT) and reminders (VTODO) in iCalendar (.ics) files."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from tinyagent.plugins import DATETIME_FORMAT, ToolInputError, atomic_write, locked

__all__ = ["add_event", "add_reminder", "parse_when", "read_calendar", "safe_name"]

_FORMATS = (DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_when(text: str, tz: ZoneInfo, what: str) -> datetime:
    """An ISO date/time from a plan (``YYYY-MM-DD HH:MM:SS``) as an aware datetime in ``tz``."""
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ToolInputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD HH:MM:SS")


def safe_name(name: str, what: str) -> str:
    """A file name from a user-chosen name; refuses path tricks rather than silently rewriting."""
    cleaned = name.strip()
    if not cleaned or cleaned in (".", "..") or re.search(r"[/\\\x00]", cleaned):
        raise ToolInputError(f"{what} {name!r} cannot be used as a name")
    return cleaned


def read_calendar(path: Path) -> icalendar.Calendar:
    if not path.exists():
        return _new_calendar()
    try:
        return icalendar.Calendar.from_ical(path.read_bytes())
    except ValueError as exc:
        raise ToolInputError(f"calendar file {path.name} is not valid iCalendar: {exc}") from None


def _new_calendar() -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//tinyagent//assistant//EN")
    cal.add("version", "2.0")
    return cal


_END = b"END:VCALENDAR"


def _insert(path: Path, item: icalendar.cal.Component) -> None:
    """Add ``item`` to the calendar file without re-serializing what is already there.

    A lenient parse and a rewrite dropped lines the parser did not understand (a line without a colon,
    a bad RRULE, odd ATTENDEE quoting), so the user's own lines are kept byte for byte: the new
    component (and any VTIMEZONE it needs that the file lacks) goes in before the last END:VCALENDAR.
    A file without BEGIN/END:VCALENDAR is refused and left untouched. Serialized per file by a lock.
    """
    piece = _new_calendar()
    piece.add_component(item)
    piece.add_missing_timezones()
    with locked(path) as target:
        if not target.exists() or not target.read_bytes().strip():
            atomic_write(target, piece.to_ical())
            return
        raw = target.read_bytes()
        at = raw.rfind(_END)
        if b"BEGIN:VCALENDAR" not in raw[:4096] or at < 0:
            raise ToolInputError(f"calendar file {target.name} is not an iCalendar file (no VCALENDAR); left unchanged")
        newline = b"\r\n" if b"\r\n" in raw else b"\n"
        added = b""
        for comp in piece.subcomponents:
            if isinstance(comp, icalendar.Timezone) and b"TZID:" + str(comp["tzid"]).encode() in raw:
                continue
            added += comp.to_ical().replace(b"\r\n", newline)
        head = raw[:at]
        if head and not head.endswith(b"\n"):
            head += newline
        atomic_write(target, head + added + raw[at:])


def _component(kind: type, title: str) -> icalendar.cal.Component:
    """A new VEVENT or VTODO with the properties every one needs: a unique id, a stamp, a summary."""
    item = kind()
    item.add("uid", f"{uuid.uuid4()}@tinyagent")
    item.add("dtstamp", datetime.now(UTC))
    item.add("summary", title)
    return item


def add_event(
    folder: Path,
    calendar: str,
    title: str,
    start: datetime,
    end: datetime,
    location: str,
    attendees: list[str],
    notes: str,
) -> Path:
    if end <= start:
        raise ToolInputError(f"the event ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M})")
    path = folder / f"{safe_name(calendar, 'calendar')}.ics"
    ev = _component(icalendar.Event, title)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    if location:
        ev.add("location", location)
    if notes:
        ev.add("description", notes)
    for addr in attendees:
        ev.add("attendee", f"mailto:{addr}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"})
    _insert(path, ev)
    return path


def add_reminder(
    folder: Path, list_name: str, title: str, due: datetime | None, notes: str, priority: int, all_day: bool
) -> Path:
    if not 0 <= priority <= 9:
        raise ToolInputError(f"priority must be between 0 (none) and 9, got {priority}")
    path = folder / f"{safe_name(list_name, 'reminder list')}.ics"
    todo = _component(icalendar.Todo, title)
    todo.add("status", "NEEDS-ACTION")
    if due is not None:
        todo.add("due", due.date() if all_day else due)
    if notes:
        todo.add("description", notes)
    if priority:
        todo.add("priority", priority)
    _insert(path, todo)
    return path
