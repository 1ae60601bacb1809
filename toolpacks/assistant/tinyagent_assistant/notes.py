"""Notes as Markdown files: ``notes/<folder>/<name>.md``."""

from __future__ import annotations

import os
from pathlib import Path

from tinyagent.plugins import ToolInputError, atomic_write, best_match, create_exclusive, locked

from .calendar import safe_name

__all__ = ["append_note", "create_note", "find_note"]


def _inside(root: Path, path: Path) -> Path:
    """``path`` unless a symlinked folder or note below ``root`` leads out of it (refused). The notes
    root itself may be a link (a sync folder); what is inside it may not leave it."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise ToolInputError(f"{path.relative_to(root)} leads outside the notes folder (a symbolic link); refused")
    return path


def create_note(root: Path, name: str, content: str, folder: str) -> Path:
    path = _inside(root, root / safe_name(folder, "note folder") / f"{safe_name(name, 'note name')}.md")
    try:  # O_EXCL: of two writers creating one note, exactly one succeeds
        create_exclusive_note(path, f"# {name}\n\n{content.rstrip()}\n")
    except FileExistsError:
        raise ToolInputError(f"a note named {name!r} already exists in {folder!r}; append to it instead") from None
    return path


def find_note(root: Path, name: str, folder: str) -> Path:
    """The note best matching ``name`` in ``folder`` (every folder when ``folder`` is empty)."""
    base = root / safe_name(folder, "note folder") if folder else root
    notes = {
        (p.stem if folder else f"{p.parent.name}/{p.stem}"): p for p in sorted(base.glob("**/*.md")) if p.is_file()
    }
    aliases = {label: [p.stem] for label, p in notes.items()}
    where = f" in folder {folder!r}" if folder else ""
    if not notes:
        raise ToolInputError(f"there are no notes{where}")
    return _inside(root, best_match(name, notes, f"note{where}" if where else "note", aliases))


def append_note(root: Path, name: str, content: str, folder: str) -> Path:
    path = _inside(root, find_note(root, name, folder))
    with locked(path) as target:
        text = target.read_text(encoding="utf-8")
        atomic_write(target, text.rstrip("\n") + "\n\n" + content.rstrip() + "\n")
    return path


def create_exclusive_note(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; FileExistsError when it exists (never overwritten)."""
    made = create_exclusive(path.parent, f".{path.name}", ".new", text.encode("utf-8"))
    try:
        os.link(made, path)  # atomic and exclusive: fails when the note exists
    finally:
        made.unlink()
