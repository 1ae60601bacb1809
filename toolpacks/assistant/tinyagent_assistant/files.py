"""Finding files by name under configured roots, and summarizing PDFs offline."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from pathlib import Path

from tinyagent.plugins import ToolInputError, normalize

__all__ = ["allowed_file", "find_file", "inside_roots", "summarize_text", "pdf_text"]

_MAX_FILES = 50_000  # a bound on the walk, so a huge home folder cannot stall the agent
_FLOOR = 0.6


def inside_roots(path: Path, roots: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(r.resolve()) for r in roots if r.exists())


def allowed_file(path: Path, roots: tuple[Path, ...]) -> Path:
    """``path`` resolved (symlinks followed), if it is a regular file inside a root and neither it
    nor any folder on its way below the root is hidden; otherwise a ToolInputError saying why."""
    resolved = path.resolve()
    for root in (r.resolve() for r in roots if r.exists()):
        if resolved.is_relative_to(root):
            if any(part.startswith(".") for part in resolved.relative_to(root).parts):
                raise ToolInputError(f"{path} is a hidden file or in a hidden folder: tinyagent does not read those")
            if not resolved.is_file():
                raise ToolInputError(f"{path} does not exist")
            return resolved
    raise ToolInputError(f"{path} is outside the folders tinyagent may read")


def _walk(roots: tuple[Path, ...]):
    seen = 0
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue  # hidden files and folders are not searched
            if path.is_file() and not path.is_symlink() and inside_roots(path, roots):
                yield path
                seen += 1
                if seen >= _MAX_FILES:
                    return


def find_file(name: str, roots: tuple[Path, ...]) -> Path:
    """The file under ``roots`` whose name best matches ``name``, above a similarity floor."""
    if not name.strip():
        raise ToolInputError("the file name is empty")
    query = normalize(Path(name).name)
    query_stem = normalize(Path(name).stem)
    scored = []
    for path in _walk(roots):
        full, stem = normalize(path.name), normalize(path.stem)
        if full == query:
            score = 1.0
        else:
            score = max(
                difflib.SequenceMatcher(None, query, full).ratio(),
                difflib.SequenceMatcher(None, query_stem, stem).ratio(),
            )
        scored.append((score, -len(str(path)), path))
    scored.sort(reverse=True)
    searched = ", ".join(str(r) for r in roots)
    if not scored or scored[0][0] < _FLOOR:
        near = [p.name for s, _, p in scored[:3] if s >= 0.4]
        hint = f"; closest: {', '.join(near)}" if near else ""
        raise ToolInputError(f"no file matching {name!r} under {searched}{hint}")
    best = scored[0]
    if len(scored) > 1 and scored[1][0] == best[0] and best[0] < 1.0:
        raise ToolInputError(f"{name!r} matches {best[2].name} and {scored[1][2].name} equally; say which one")
    return best[2]


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise ToolInputError(f"{path.name} is not a readable PDF: {exc}") from None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9']+")
_STOP = set(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with we our "
    "you your they their not but can also which".split()
)


def summarize_text(text: str, sentences: int = 3) -> str:
    """Extractive summary: the sentences with the most frequent content words, in reading order."""
    flat = " ".join(text.split())
    parts = [s.strip() for s in _SENTENCE.split(flat) if len(s.split()) >= 4]
    if not parts:
        return flat[:500]
    freq = Counter(w for w in (m.lower() for m in _WORD.findall(flat)) if w not in _STOP)

    def score(sentence: str) -> float:
        words = [w.lower() for w in _WORD.findall(sentence)]
        content = [freq[w] for w in words if w not in _STOP]
        return sum(content) / math.sqrt(len(words) + 1)

    ranked = sorted(range(len(parts)), key=lambda i: (-score(parts[i]), i))[:sentences]
    return " ".join(parts[i] for i in sorted(ranked))
