"""Contacts from vCard (.vcf) files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import vobject

from tinyagent.plugins import ToolInputError, match_person

__all__ = ["Contact", "find_contact", "load_contacts", "looks_like_email", "looks_like_phone"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


def looks_like_email(text: str) -> bool:
    return bool(_EMAIL.match(text.strip()))


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE.match(text.strip())) and sum(c.isdigit() for c in text) >= 6


@dataclass(frozen=True)
class Contact:
    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    nickname: str = ""


def load_contacts(folder: Path) -> list[Contact]:
    """Every vCard in every ``.vcf`` file under ``folder``. A corrupt file is a clear error."""
    contacts = []
    for path in sorted(folder.glob("**/*.vcf")):
        try:
            for card in vobject.readComponents(path.read_text(encoding="utf-8")):
                if card.name != "VCARD":
                    continue
                name = card.fn.value if hasattr(card, "fn") else str(getattr(card, "n", "")).strip()
                phones = tuple(t.value for t in card.contents.get("tel", []))
                emails = tuple(e.value for e in card.contents.get("email", []))
                nick = card.nickname.value if hasattr(card, "nickname") else ""
                contacts.append(Contact(name, phones, emails, nick))
        except (vobject.base.ParseError, UnicodeDecodeError) as exc:
            raise ToolInputError(f"address book file {path.name} is not a valid vCard file: {exc}") from None
    return contacts


def find_contact(folder: Path, name: str) -> Contact:
    contacts = load_contacts(folder)
    if not contacts:
        raise ToolInputError(f"the address book is empty (no .vcf files in {folder})")
    by_name = {c.name: c for c in contacts}
    aliases = {c.name: [c.nickname] if c.nickname else [] for c in contacts}
    return match_person(name, by_name, "contact", aliases)
