"""Notes as Markdown files: ``notes/<folder>/<name>.md``."""

from __future__ import annotations

from pathlib import Path

from tinyagent.plugins import ToolInputError, atomic_write, best_match

from .calendar import safe_name

__all__ = ["append_note", "create_note", "find_note"]


def create_note(root: Path, name: str, content: str, folder: str) -> Path:
    path = root / safe_name(folder, "note folder") / f"{safe_name(name, 'note name')}.md"
    if path.exists():
        raise ToolInputError(f"a note named {name!r} already exists in {folder!r}; append to it instead")
    atomic_write(path, f"# {name}\n\n{content.rstrip()}\n")
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
    return best_match(name, notes, f"note{where}" if where else "note", aliases)


def append_note(root: Path, name: str, content: str, folder: str) -> Path:
    path = find_note(root, name, folder)
    text = path.read_text(encoding="utf-8")
    atomic_write(path, text.rstrip("\n") + "\n\n" + content.rstrip() + "\n")
    return path
