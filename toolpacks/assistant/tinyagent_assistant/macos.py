"""The macOS backend: Contacts, Calendar, Mail, Messages, Notes, Reminders and Maps through
AppleScript, like the original TinyAgent, but with every string escaped.

Every value from a plan reaches AppleScript only through :func:`quote`, which produces one
string literal; scripts run through ``osascript`` with an argument list, never a shell.
Files, PDFs and meeting links use the portable implementations.
"""

from __future__ import annotations

import html
import subprocess
from urllib.parse import quote as url_quote

from tinyagent.plugins import ToolInputError

from .calendar import parse_when
from .contacts import looks_like_email, looks_like_phone
from .portable import PortableBackend

__all__ = ["MacBackend", "quote", "scripts"]


# Inside an AppleScript string literal only the backslash and the double quote are special;
# line breaks and tabs are escaped too so every script stays one literal per value.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\r": "\\r", "\n": "\\n", "\t": "\\t"})


def quote(text: str) -> str:
    """An AppleScript string literal holding exactly ``text``."""
    return f'"{str(text).translate(_ESCAPES)}"'


def _date(var: str, when) -> str:
    """Build an AppleScript date field by field (locale-independent, unlike date "...")."""
    return (
        f"set {var} to current date\n"
        f"set day of {var} to 1\n"
        f"set year of {var} to {when.year}\nset month of {var} to {when.month}\nset day of {var} to {when.day}\n"
        f"set hours of {var} to {when.hour}\nset minutes of {var} to {when.minute}\nset seconds of {var} to 0\n"
    )


class scripts:  # noqa: N801 - a namespace of script builders, one per app action
    @staticmethod
    def contact_field(name: str, field: str) -> str:
        return (
            'tell application "Contacts"\n'
            f"set found to every person whose name contains {quote(name)}\n"
            'if (count of found) is 0 then error "no contact matches"\n'
            'if (count of found) > 1 then error "several contacts match: " & (name of found as string)\n'
            f"return value of first {field} of item 1 of found\n"
            "end tell"
        )

    @staticmethod
    def calendar_event(title, start, end, location, invitees, notes, calendar) -> str:
        lines = [_date("startDate", start), _date("endDate", end), 'tell application "Calendar"']
        lines.append(
            f"set cal to first calendar whose name is {quote(calendar)}" if calendar else "set cal to calendar 1"
        )
        lines.append(
            "set ev to make new event at end of events of cal with properties "
            f"{{summary:{quote(title)}, start date:startDate, end date:endDate, location:{quote(location)}, "
            f"description:{quote(notes)}}}"
        )
        for email in invitees:
            lines.append(f"make new attendee at end of attendees of ev with properties {{email:{quote(email)}}}")
        lines.append("end tell")
        return "\n".join(lines)

    @staticmethod
    def reminder(name, due, notes, list_name, priority, all_day) -> str:
        props = [f"name:{quote(name)}", f"body:{quote(notes)}", f"priority:{int(priority)}"]
        head = ""
        if due is not None:
            head = _date("dueDate", due)
            props.append("allday due date:dueDate" if all_day else "due date:dueDate")
        target = f"list {quote(list_name)}" if list_name else "default list"
        return (
            head + 'tell application "Reminders"\n'
            f"make new reminder at end of reminders of {target} with properties {{{', '.join(props)}}}\nend tell"
        )

    @staticmethod
    def note(action: str, name: str, content: str, folder: str) -> str:
        where = f"folder {quote(folder)}" if folder else "default account"
        if action == "create":
            body = f"<h1>{html.escape(name)}</h1><p>{html.escape(content)}</p>"
            return (
                f'tell application "Notes"\nmake new note at {where} with properties {{body:{quote(body)}}}\nend tell'
            )
        find = f"set n to first note of {where} whose name is {quote(name)}\n"
        if action == "open":
            return f'tell application "Notes"\n{find}show n\nreturn plaintext of n\nend tell'
        addition = quote("<p>" + html.escape(content) + "</p>")
        return f'tell application "Notes"\n{find}set body of n to (body of n) & {addition}\nend tell'

    @staticmethod
    def mail_draft(recipients, cc, subject, content, attachments) -> str:
        lines = [
            'tell application "Mail"',
            f"set msg to make new outgoing message with properties {{subject:{quote(subject)}, "
            f"content:{quote(content)}, visible:true}}",
            "tell msg",
        ]
        lines += [f"make new to recipient with properties {{address:{quote(r)}}}" for r in recipients]
        lines += [f"make new cc recipient with properties {{address:{quote(r)}}}" for r in cc]
        lines += [
            f"make new attachment with properties {{file name:(POSIX file {quote(a)})}} at after the last paragraph"
            for a in attachments
        ]
        lines += ["end tell", "activate", "end tell"]
        return "\n".join(lines)

    @staticmethod
    def mail_reply_or_forward(kind: str, recipients, cc, content) -> str:
        verb = "reply" if kind == "reply" else "forward"
        lines = [
            'tell application "Mail"',
            "set sel to selection",
            'if (count of sel) is 0 then error "no message is selected in Mail"',
            f"set msg to {verb} (item 1 of sel) with opening window",
            "tell msg",
            f"set content to {quote(content)} & return & content",
        ]
        lines += [f"make new to recipient with properties {{address:{quote(r)}}}" for r in recipients]
        lines += [f"make new cc recipient with properties {{address:{quote(r)}}}" for r in cc]
        lines += ["end tell", "activate", "end tell"]
        return "\n".join(lines)


def run_script(script: str) -> str:
    try:
        out = subprocess.run(["osascript", "-e", script], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise RuntimeError("osascript is not available: the macOS backend needs macOS") from None
    if out.returncode != 0:
        message = out.stderr.strip()
        if "no contact matches" in message or "several contacts match" in message or "Can’t get" in message:
            raise ToolInputError(message)
        raise RuntimeError(f"AppleScript failed: {message}")
    return out.stdout.strip()


class MacBackend(PortableBackend):
    run = staticmethod(run_script)

    def get_phone_number(self, name: str) -> str:
        return name.strip() if looks_like_phone(name) else self.run(scripts.contact_field(name, "phone"))

    def get_email_address(self, name: str) -> str:
        return name.strip() if looks_like_email(name) else self.run(scripts.contact_field(name, "email"))

    def create_calendar_event(self, title, start_date, end_date, location, invitees, notes_, cal) -> str:
        start = parse_when(start_date, self.s.timezone, "start date")
        end = parse_when(end_date, self.s.timezone, "end date")
        self.run(scripts.calendar_event(title, start, end, location, invitees, notes_, cal))
        return f"Event {title!r} created in Calendar"

    def create_reminder(self, name, due_date, notes_, list_name, priority, all_day) -> str:
        due = parse_when(due_date, self.s.timezone, "due date") if due_date else None
        self.run(scripts.reminder(name, due, notes_, list_name, priority, all_day))
        return f"Reminder {name!r} created in Reminders"

    def create_note(self, name, content, folder) -> str:
        self.run(scripts.note("create", name, content, folder))
        return f"Note {name!r} created in Notes"

    def open_note(self, name, folder) -> str:
        return self.run(scripts.note("open", name, "", folder))

    def append_note_content(self, name, content, folder) -> str:
        self.run(scripts.note("append", name, content, folder))
        return f"Added to note {name!r}"

    def compose_new_email(self, recipients, cc, subject, context, attachments) -> str:
        paths = [str(p) for p in self._attachments(attachments)]
        self.run(scripts.mail_draft(recipients, cc, subject, context, paths))
        return "Draft opened in Mail"

    def reply_to_email(self, cc, context, attachments) -> str:
        self.run(scripts.mail_reply_or_forward("reply", [], cc, context))
        return "Reply draft opened in Mail"

    def forward_email(self, recipients, cc, context, attachments) -> str:
        self.run(scripts.mail_reply_or_forward("forward", recipients, cc, context))
        return "Forward draft opened in Mail"

    def send_sms(self, recipients, message) -> str:
        numbers = [r if looks_like_phone(r) else self.get_phone_number(r) for r in recipients]
        url = f"sms://open?addresses={url_quote(','.join(numbers))}&body={url_quote(message)}"
        subprocess.run(["open", url], check=False)
        return f"Message to {', '.join(numbers)} opened in Messages (not sent)"

    def maps_open_location(self, location) -> str:
        url = f"maps://?q={url_quote(location)}"
        subprocess.run(["open", url], check=False)
        return url

    def maps_show_directions(self, start_location, end_location, transport) -> str:
        mode = {"d": "d", "w": "w", "r": "r"}.get((transport or "d")[:1].lower(), "d")
        url = f"maps://?saddr={url_quote(start_location)}&daddr={url_quote(end_location)}&dirflg={mode}"
        subprocess.run(["open", url], check=False)
        return url
