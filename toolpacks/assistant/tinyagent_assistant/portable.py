"""The portable backend: the 16 tools on standard files in the data directory.

Layout under ``data_dir``: ``contacts/*.vcf``, ``calendar/<calendar>.ics``,
``reminders/<list>.ics``, ``notes/<folder>/<name>.md``, ``mail/inbox``, ``mail/outbox``,
``sms/outbox.jsonl``. Files are searched under ``file_roots``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tinyagent.plugins import Labeled, ToolInputError, ask_consent

from . import calendar, mail, notes, places
from .contacts import find_contact, looks_like_email, looks_like_phone
from .files import allowed_file, find_file, pdf_text, summarize_text
from .settings import Settings

__all__ = ["PortableBackend"]


class PortableBackend:
    def __init__(self, settings: Settings):
        self.s = settings

    # -- contacts
    def get_phone_number(self, name: str) -> str:
        if looks_like_phone(name):
            return name.strip()
        contact = find_contact(self.s.dir("contacts"), name)
        if not contact.phones:
            raise ToolInputError(f"{contact.name} has no phone number in the address book")
        return Labeled(contact.phones[0], contact.name)

    def get_email_address(self, name: str) -> str:
        if looks_like_email(name):
            return name.strip()
        contact = find_contact(self.s.dir("contacts"), name)
        if not contact.emails:
            raise ToolInputError(f"{contact.name} has no e-mail address in the address book")
        return Labeled(contact.emails[0], contact.name)

    # -- calendar and reminders
    def create_calendar_event(
        self, title: str, start_date: str, end_date: str, location: str, invitees: list[str], notes_: str, cal: str
    ) -> str:
        start = calendar.parse_when(start_date, self.s.timezone, "start date")
        end = calendar.parse_when(end_date, self.s.timezone, "end date") if end_date else start + timedelta(hours=1)
        attendees = [a for a in invitees if a]
        for a in attendees:
            if not looks_like_email(a):
                raise ToolInputError(f"invitee {a!r} is not an e-mail address; look it up with get_email_address")
        path = calendar.add_event(
            self.s.dir("calendar"), cal or self.s.default_calendar, title, start, end, location, attendees, notes_
        )
        return f"Event {title!r} on {start:%Y-%m-%d %H:%M}-{end:%H:%M} added to {path.name}"

    def create_reminder(
        self, name: str, due_date: str, notes_: str, list_name: str, priority: int, all_day: bool
    ) -> str:
        due = calendar.parse_when(due_date, self.s.timezone, "due date") if due_date else None
        path = calendar.add_reminder(
            self.s.dir("reminders"), list_name or self.s.default_reminder_list, name, due, notes_, priority, all_day
        )
        when = f" due {due:%Y-%m-%d}" + ("" if all_day else f" {due:%H:%M}") if due else ""
        return f"Reminder {name!r}{when} added to {path.name}"

    def _launch(self, target: str) -> None:
        """Open ``target`` in the desktop's app: only when configured and the user allows it (launching
        a program is a side effect), and never an executable."""
        if self.s.open_in_apps and ask_consent("open_in_app", target):
            places.open_in_app(target)

    # -- files
    def _resolve_file(self, name: str) -> Path:
        candidate = Path(name).expanduser()
        if candidate.is_absolute():
            return allowed_file(candidate, self.s.file_roots)
        return find_file(name, self.s.file_roots)

    def open_and_get_file_path(self, file_name: str) -> str:
        path = self._resolve_file(file_name)
        self._launch(str(path))
        return str(path)

    def summarize_pdf(self, pdf_path: str) -> str:
        path = self._resolve_file(pdf_path)
        text = pdf_text(path)
        if not text.strip():
            raise ToolInputError(f"{path.name} has no extractable text (a scanned PDF needs OCR first)")
        return summarize_text(text)

    # -- mail
    def _attachments(self, attachments: list[str]) -> list[Path]:
        return [self._resolve_file(a) for a in attachments if a]

    def _finish_mail(self, msg: mail.EmailMessage) -> str:
        path = mail.save_draft(self.s.dir("mail") / "outbox", msg)
        if self.s.smtp.get("send"):
            return f"Draft saved to {path} and {mail.send(msg, self.s.smtp)}"
        self._launch(str(path))
        return f"Draft saved to {path}"

    def compose_new_email(
        self, recipients: list[str], cc: list[str], subject: str, context: str, attachments: list[str]
    ) -> str:
        msg = mail.build_message(self.s.from_address, recipients, cc, subject, context, self._attachments(attachments))
        return self._finish_mail(msg)

    def reply_to_email(self, cc: list[str], context: str, attachments: list[str]) -> str:
        _, original = mail.current_message(self.s.dir("mail"))
        msg = mail.build_reply(self.s.from_address, original, cc, context, self._attachments(attachments))
        return self._finish_mail(msg)

    def forward_email(self, recipients: list[str], cc: list[str], context: str, attachments: list[str]) -> str:
        _, original = mail.current_message(self.s.dir("mail"))
        msg = mail.build_forward(self.s.from_address, original, recipients, cc, context, self._attachments(attachments))
        return self._finish_mail(msg)

    # -- maps
    def maps_open_location(self, location: str) -> str:
        url = places.search_url(location)
        self._launch(url)
        return url

    def maps_show_directions(self, start_location: str, end_location: str, transport: str) -> str:
        url, note = places.directions_url(start_location, end_location, transport)
        self._launch(url)
        return url + note

    # -- notes
    def create_note(self, name: str, content: str, folder: str) -> str:
        path = notes.create_note(self.s.dir("notes"), name, content, folder or self.s.default_note_folder)
        return f"Note {name!r} created at {path}"

    def open_note(self, name: str, folder: str) -> str:
        path = notes.find_note(self.s.dir("notes"), name, folder or "")
        self._launch(str(path))
        return path.read_text(encoding="utf-8")

    def append_note_content(self, name: str, content: str, folder: str) -> str:
        path = notes.append_note(self.s.dir("notes"), name, content, folder or "")
        return f"Added to note {path.stem!r}"

    # -- messages and meetings
    def send_sms(self, recipients: list[str], message: str) -> str:
        # Names are resolved as a convenience; a number goes through unchanged.
        numbers = [r if looks_like_phone(r) else self.get_phone_number(r) for r in recipients if r.strip()]
        if not numbers:
            raise ToolInputError("the SMS has no recipients")
        path = places.save_sms_draft(self.s.dir("sms"), numbers, message)
        if self.s.sms_gateway.get("url"):
            return f"SMS to {', '.join(numbers)} {places.send_sms(self.s.sms_gateway, numbers, message)}"
        return f"SMS draft to {', '.join(numbers)} saved to {path} (sending needs a configured sms_gateway)"

    def get_zoom_meeting_link(self, topic: str, start_time: str, duration: int, meeting_invitees: list[str]) -> str:
        start = calendar.parse_when(start_time, self.s.timezone, "start time")
        if duration <= 0:
            raise ToolInputError(f"the meeting duration must be positive, got {duration}")
        if self.s.zoom:
            return places.zoom_link(topic, start, duration, meeting_invitees, self.s.zoom)
        return places.jitsi_link(topic)
