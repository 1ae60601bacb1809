from __future__ import annotations

import email
import email.policy
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import icalendar
import pytest
import vobject
import yaml
from click.testing import CliRunner

from tinyagent.cli import cli
from tinyagent.plugins import ToolInputError
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent_assistant import tools as t

from .assistant_home import write_config
from .httpserver import completions_server
from .smtpserver import smtp_server

DEMO_SCRIPT = Path(t.__file__).parent / "demo" / "script.yaml"

# The 16 tools exactly as the published TinyAgent models were trained on them.
REFERENCE = {
    "get_phone_number": ["name"],
    "get_email_address": ["name"],
    "create_calendar_event": ["title", "start_date", "end_date", "location", "invitees", "notes", "calendar"],
    "open_and_get_file_path": ["file_name"],
    "summarize_pdf": ["pdf_path"],
    "compose_new_email": ["recipients", "cc", "subject", "context", "attachments"],
    "reply_to_email": ["cc", "context", "attachments"],
    "forward_email": ["recipients", "cc", "context", "attachments"],
    "maps_open_location": ["location"],
    "maps_show_directions": ["start_location", "end_location", "transport"],
    "create_note": ["name", "content", "folder"],
    "open_note": ["name", "folder"],
    "append_note_content": ["name", "content", "folder"],
    "create_reminder": ["name", "due_date", "notes", "list_name", "priority", "all_day"],
    "send_sms": ["recipients", "message"],
    "get_zoom_meeting_link": ["topic", "start_time", "duration", "meeting_invitees"],
}


def test_both_packs_are_discovered_from_their_installed_distributions(home):
    reg = load_registry(get_plugin_manager())
    packs = {p.name: p.version for p in reg.packs}
    assert packs["assistant"] == "0.1.0" and packs["todo"] == "0.1.0"
    assistant = {n: [p.name for p in tool.params] for n, tool in reg.tools.items() if tool.pack == "assistant"}
    assert assistant == REFERENCE
    assert list(assistant) == list(REFERENCE)  # the original's order
    assert reg.tools["send_sms"].side_effects and not reg.tools["get_phone_number"].side_effects
    assert len([e for e in reg.examples if e.pack == "assistant"]) >= 12
    used = {line.split("(")[0].split(". ")[1] for e in reg.examples for line in e.plan.splitlines() if ". " in line}
    assert set(REFERENCE) <= used  # every tool has an example


def test_contacts_and_refusing_to_guess(data):
    assert t.get_phone_number("Maria") == "+34 600 123 456"
    assert t.get_email_address("eren erdogan") == "eren.erdogan@example.com.tr"  # accents and case
    assert t.get_email_address("someone@else.org") == "someone@else.org"  # a literal address passes through
    with pytest.raises(ToolInputError, match="matches several contacts: J.*Smith, J.*Smith"):
        t.get_phone_number("Smith")
    with pytest.raises(ToolInputError, match="no contact matches 'Zebediah'"):
        t.get_email_address("Zebediah")
    (data / "contacts" / "broken.vcf").write_text("BEGIN:VCARD\nFN:x\n")
    with pytest.raises(ToolInputError, match="broken.vcf is not a valid vCard"):
        t.get_phone_number("Maria")


def test_calendar_event_is_real_icalendar_in_the_configured_timezone(data):
    out = t.create_calendar_event(
        "Design review", "2026-12-03 15:00:00", "2026-12-03 16:30:00", "Room 4", ["a@example.org"], "bring notes", None
    )
    assert "Calendar.ics" in out
    raw = (data / "calendar" / "Calendar.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    (ev,) = [e for e in cal.walk("VEVENT") if e["SUMMARY"] == "Design review"]
    assert ev.decoded("DTSTART").isoformat() == "2026-12-03T15:00:00+09:00"
    assert str(ev["DTSTART"].params["TZID"]) == "Asia/Tokyo"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert str(ev["ATTENDEE"]) == "mailto:a@example.org" and str(ev["LOCATION"]) == "Room 4"
    parsed = vobject.readOne(raw.decode())  # a second, independent parser reads it too
    assert "Design review" in [v.summary.value for v in parsed.vevent_list]
    with pytest.raises(ToolInputError, match="not a date"):
        t.create_calendar_event("x", "next tuesday", "", "", [], "", None)
    with pytest.raises(ToolInputError, match="not an e-mail address"):
        t.create_calendar_event("x", "2026-12-03 15:00:00", "", "", ["Marcus"], "", None)


def test_reminders_are_vtodo(data):
    t.create_reminder("Call the dentist", "2026-11-26 09:00:00", "", None, 0, False)
    t.create_reminder("Pay rent", "2026-12-01 00:00:00", "", "Home", 1, True)
    (todo,) = icalendar.Calendar.from_ical((data / "reminders" / "Reminders.ics").read_bytes()).walk("VTODO")
    assert str(todo["SUMMARY"]) == "Call the dentist" and todo.decoded("DUE").hour == 9
    (rent,) = icalendar.Calendar.from_ical((data / "reminders" / "Home.ics").read_bytes()).walk("VTODO")
    assert rent["DUE"].to_ical() == b"20261201" and rent["PRIORITY"] == 1  # all-day: a DATE value


def test_notes(data):
    t.create_note("Q3 summary", "Revenue grew.", "")
    assert (data / "notes" / "Notes" / "Q3 summary.md").read_text() == "# Q3 summary\n\nRevenue grew.\n"
    with pytest.raises(ToolInputError, match="already exists"):
        t.create_note("Q3 summary", "again", "")
    t.append_note_content("groceries", "oat milk", None)
    assert t.open_note("Groceries", "").endswith("- coffee\n\noat milk\n")
    with pytest.raises(ToolInputError, match="cannot be used as a name"):
        t.create_note("../../escape", "x", "")
    with pytest.raises(ToolInputError, match="no note matches 'Taxes'"):
        t.open_note("Taxes", "")


def _eml(path: str) -> email.message.EmailMessage:
    return email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)


def _draft_path(result: str) -> str:
    return re.search(r"saved to (\S+\.eml)", result).group(1)


def test_compose_with_attachment_is_mime_correct(data):
    pdf = t.open_and_get_file_path("quarterly report")
    msg = _eml(_draft_path(t.compose_new_email(["marcus@example.com"], ["p@example.in"], "Report", "Hi", [pdf])))
    assert msg["To"] == "marcus@example.com" and msg["Cc"] == "p@example.in" and msg["Subject"] == "Report"
    assert msg.is_multipart() and msg.get_body(("plain",)).get_content().strip() == "Hi"
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "quarterly_report.pdf" and att.get_content_type() == "application/pdf"
    assert att.get_content() == Path(pdf).read_bytes()
    with pytest.raises(ToolInputError, match="not an e-mail address"):
        t.compose_new_email(["Marcus"], [], "x", "y", [])


def test_reply_and_forward_act_on_the_current_message(data):
    reply = _eml(_draft_path(t.reply_to_email(["lena@example.de"], "Will do.", [])))
    assert reply["Subject"] == "Re: Launch checklist"  # the newest inbox message
    assert reply["To"] == "priya.patel@example.in" and reply["In-Reply-To"] == "<launch-2@example.org>"
    assert "> Here is the launch checklist." in reply.get_body(("plain",)).get_content()
    out = CliRunner().invoke(cli, ["assistant", "select-mail", str(data / "mail" / "inbox" / "001-offsite.eml")])
    assert out.exit_code == 0, out.output
    fwd = _eml(_draft_path(t.forward_email(["chen@example.cn"], [], "FYI", [])))
    assert fwd["Subject"] == "Fwd: Team offsite"
    (inner,) = [p for p in fwd.iter_attachments() if p.get_content_type() == "message/rfc822"]
    assert inner.get_content()["Message-ID"] == "<offsite-1@example.org>"


def test_smtp_sends_only_when_configured(home, data):
    with smtp_server() as (port, received):
        t.compose_new_email(["a@example.org"], [], "Draft only", "x", [])
        assert received == []
        write_config(
            home,
            f"packs:\n  assistant:\n    open_in_apps: false\n    smtp: {{host: 127.0.0.1, port: {port}, "
            "starttls: false, send: true}\n",
        )
        result = t.compose_new_email(["a@example.org"], [], "Sent", "body", [])
    assert "sent through 127.0.0.1" in result
    (mail,) = received
    assert "a@example.org" in mail["rcpt"][0] and b"Subject: Sent" in mail["data"]


def test_sms_drafts_and_gateway(home, data):
    out = t.send_sms(["Maria", "+1 415 555 0199"], "Running late")
    assert "draft" in out
    row = json.loads((data / "sms" / "outbox.jsonl").read_text().splitlines()[-1])
    assert row["to"] == ["+34 600 123 456", "+1 415 555 0199"] and row["text"] == "Running late"
    with completions_server("ok") as (url, requests):
        write_config(home, f"packs:\n  assistant:\n    sms_gateway: {{url: '{url}/sms'}}\n")
        assert t.send_sms(["Yuki"], "hi").endswith("sent")
    assert requests[0]["body"] == {"to": ["+81 90 1234 5678"], "text": "hi"}


def test_maps_urls(data):
    assert t.maps_open_location("Café de Flore, Paris") == (
        "https://www.openstreetmap.org/search?query=Caf%C3%A9+de+Flore%2C+Paris"
    )
    url = t.maps_show_directions("", "Louvre", "w")
    assert url == "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&to=Louvre"
    assert "from=Alexanderplatz" in t.maps_show_directions("Alexanderplatz", "Tor", "d")
    with pytest.raises(ToolInputError, match="transport must be"):
        t.maps_show_directions("a", "b", "x")


def test_files_stay_inside_the_roots(data, tmp_path):
    assert t.open_and_get_file_path("contract").endswith("Downloads/contract_draft.txt")
    with pytest.raises(ToolInputError, match="no file matching 'zzqx.doc'"):
        t.open_and_get_file_path("zzqx.doc")
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF")
    with pytest.raises(ToolInputError, match="outside the folders"):
        t.summarize_pdf(str(secret))
    (data / "files" / "link.pdf").symlink_to(secret)  # a symlink out of the roots is not followed
    with pytest.raises(ToolInputError):
        t.summarize_pdf(str(data / "files" / "link.pdf"))


def test_pdf_summary_is_extractive(data):
    summary = t.summarize_pdf(t.open_and_get_file_path("quarterly_report.pdf"))
    assert "Revenue grew 18 percent" in summary
    assert 1 <= summary.count(". ") + 1 <= 4
    with pytest.raises(ToolInputError, match="not a readable PDF"):
        t.summarize_pdf(t.open_and_get_file_path("contract_draft.txt"))


def test_meeting_links(home):
    assert re.fullmatch(
        r"https://meet\.jit\.si/DesignReview-[0-9a-f]{8}",
        t.get_zoom_meeting_link("Design review", "2026-12-03 15:00:00", 60, []),
    )
    seen = []  # a real local HTTP server plays Zoom's REST API

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            seen.append(
                (
                    self.path,
                    self.headers["Authorization"],
                    json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                )
            )
            body = b'{"join_url": "https://zoom.us/j/123"}'
            self.send_response(201)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        os.environ["TEST_ZOOM_TOKEN"] = "tok"
        write_config(
            home,
            "packs:\n  assistant:\n    zoom: {token_env: TEST_ZOOM_TOKEN, "
            f"api_url: 'http://127.0.0.1:{server.server_port}/v2'}}\n",
        )
        assert t.get_zoom_meeting_link("Sync", "2026-12-03 15:00:00", 30, ["a@b.org"]) == "https://zoom.us/j/123"
    finally:
        os.environ.pop("TEST_ZOOM_TOKEN")
        server.shutdown()
    path, auth, body = seen[0]
    assert path == "/v2/users/me/meetings" and auth == "Bearer tok"
    assert body["duration"] == 30 and body["settings"]["meeting_invitees"] == [{"email": "a@b.org"}]


def test_atomic_write_survives_a_crash_before_rename(data, monkeypatch):
    ics = data / "calendar" / "Calendar.ics"
    before = ics.read_bytes()

    def crash(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        t.create_calendar_event("Lost", "2026-12-03 15:00:00", "", "", [], "", None)
    monkeypatch.undo()
    assert ics.read_bytes() == before
    assert [p.name for p in ics.parent.iterdir()] == ["Calendar.ics"]  # no temp file left behind


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _queries() -> list[str]:
    return [e["query"] for e in yaml.safe_load(DEMO_SCRIPT.read_text())]


def test_demo_script_exercises_every_tool():
    tools = {
        line.split("(")[0].split(". ")[1]
        for e in yaml.safe_load(DEMO_SCRIPT.read_text())
        for line in e["plan"].splitlines()
        if "(" in line
    }
    assert set(REFERENCE) <= tools


def test_dry_run_writes_nothing(data):
    before = _snapshot(data)
    for query in _queries():
        out = CliRunner().invoke(cli, ["run", "--dry-run", "--script", str(DEMO_SCRIPT), query])
        assert out.exit_code == 0, out.output
        assert "dry run: nothing was executed" in out.output
    assert _snapshot(data) == before


def test_run_yes_executes_every_demo_request(data):
    for query in _queries():
        out = CliRunner().invoke(cli, ["run", "--yes", "--json", "--script", str(DEMO_SCRIPT), query])
        assert out.exit_code == 0, (query, out.output)
        steps = json.loads(out.output)["rounds"][-1]["steps"]
        assert steps and all(s["status"] == "ok" for s in steps), steps
    assert len(list((data / "mail" / "outbox").glob("*.eml"))) == 3
    assert (data / "notes" / "Notes" / "Q3 summary.md").exists()
