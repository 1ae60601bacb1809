"""Demo data: an address book, a calendar, notes, an inbox and some files, so the README's
commands show real results. Everything is written in the same standard formats a user's apps use."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from tinyagent.plugins import atomic_write

from .calendar import add_event
from .settings import Settings

__all__ = ["seed", "simple_pdf"]

CONTACTS = [
    ("Maria García", "+34 600 123 456", "maria.garcia@example.org"),
    ("Yuki Tanaka", "+81 90 1234 5678", "yuki.tanaka@example.jp"),
    ("Eren Erdoğan", "+90 532 123 4567", "eren.erdogan@example.com.tr"),
    ("Marcus Johnson", "+1 415 555 0142", "marcus.johnson@example.com"),
    ("Priya Patel", "+91 98765 43210", "priya.patel@example.in"),
    ("Lena Müller", "+49 151 2345 6789", "lena.mueller@example.de"),
    ("Omar Haddad", "+961 3 123 456", "omar.haddad@example.com"),
    ("Chen Wei", "+86 138 0013 8000", "chen.wei@example.cn"),
    ("Jon Smith", "+44 7700 900123", "jon.smith@example.co.uk"),
    ("John Smith", "+1 212 555 0199", "john.smith@example.com"),
]

REPORT = [
    "Quarterly Report: Q3 2026",
    "Revenue grew 18 percent over the previous quarter, driven by the new subscription plans.",
    "Customer churn fell to 2.1 percent after the onboarding redesign shipped in July.",
    "Operating costs rose 4 percent because of two new hires on the support team.",
    "The mobile app reached 120,000 monthly active users in September.",
    "Next quarter the team will focus on the offline mode and on enterprise single sign-on.",
    "Risks include a delayed payment provider migration and hiring in the data team.",
]


def _vcard(name: str, phone: str, email: str) -> str:
    first, _, last = name.partition(" ")
    return (
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"FN:{name}\r\nN:{last};{first};;;\r\nTEL;TYPE=CELL:{phone}\r\nEMAIL;TYPE=INTERNET:{email}\r\n"
        "END:VCARD\r\n"
    )


def simple_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with the given lines of text (Helvetica), readable by any PDF tool."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text.encode("latin-1")) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _email(sender: str, subject: str, body: str, when: datetime, msgid: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Me <me@localhost>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{msgid}@example.org>"
    msg.set_content(body)
    return msg.as_bytes()


def seed(settings: Settings, force: bool = False) -> list[Path]:
    """Write the demo data under the settings' data dir; refuses to overwrite unless ``force``."""
    data = settings.data_dir
    marker = data / "contacts" / "demo.vcf"
    if marker.exists() and not force:
        raise FileExistsError(f"demo data already exists in {data} (use --force to rewrite it)")
    written = []

    def put(path: Path, content: bytes | str) -> None:
        atomic_write(path, content)
        written.append(path)

    put(marker, "".join(_vcard(*c) for c in CONTACTS))
    now = datetime.now(settings.timezone).replace(minute=0, second=0, microsecond=0)
    cal_dir = data / "calendar"
    if force:
        (cal_dir / f"{settings.default_calendar}.ics").unlink(missing_ok=True)
    start = now + timedelta(days=1, hours=1)
    written.append(
        add_event(
            cal_dir,
            settings.default_calendar,
            "Team sync",
            start,
            start + timedelta(minutes=30),
            "Room 4",
            ["marcus.johnson@example.com"],
            "Weekly sync",
        )
    )
    notes = data / "notes" / settings.default_note_folder
    put(notes / "Groceries.md", "# Groceries\n\n- eggs\n- coffee\n")
    put(notes / "Trip ideas.md", "# Trip ideas\n\n- Kyoto in spring\n- Lisbon coast\n")
    inbox = data / "mail" / "inbox"
    put(
        inbox / "001-offsite.eml",
        _email(
            "Marcus Johnson <marcus.johnson@example.com>",
            "Team offsite",
            "Hi! Can you join the offsite on Friday?\n\nMarcus",
            now - timedelta(days=2),
            "offsite-1",
        ),
    )
    put(
        inbox / "002-launch.eml",
        _email(
            "Priya Patel <priya.patel@example.in>",
            "Launch checklist",
            "Here is the launch checklist. Please review it by Thursday.\n\nPriya",
            now - timedelta(hours=3),
            "launch-2",
        ),
    )
    files = data / "files"
    put(files / "Documents" / "quarterly_report.pdf", simple_pdf(REPORT))
    put(files / "Documents" / "budget_2027.xlsx.csv", "item,amount\nsalaries,120000\ncloud,18000\n")
    put(files / "Downloads" / "contract_draft.txt", "This agreement is made between the parties...\n")
    return written
