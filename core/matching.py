"""Name matching that refuses to guess: one clear winner above a floor, or an error."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from .plugins.tools import ToolInputError

__all__ = ["best_match", "match_person", "normalize"]

T = TypeVar("T")


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: 'Erdoğan ' -> 'erdogan'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_FILLER = {"the", "a", "an", "my", "our", "this", "that", "one"}


def _score(query: str, names: Iterable[str]) -> float:
    q = normalize(query)
    best = 0.0
    for name in names:
        n = normalize(name)
        if not n:
            continue
        if q == n:
            return 1.0
        ratio = difflib.SequenceMatcher(None, q, n).ratio()
        # A query that is a whole word of the name ("Maria" for "Maria García") is a strong match.
        words = n.split()
        if q in words or q.replace(" ", "") == n.replace(" ", ""):
            ratio = max(ratio, 0.9)
        elif all(w in words for w in q.split()):
            ratio = max(ratio, 0.85)
        elif set(words) <= set(q.split()) and set(q.split()) - set(words) <= _FILLER:
            ratio = max(ratio, 0.85)  # "the pasta" for "pasta", "my groceries" for "Groceries"
        best = max(best, ratio)
    return best


def best_match(
    query: str,
    items: dict[str, T],
    what: str,
    aliases: dict[str, list[str]] | None = None,
    floor: float = 0.75,
    margin: float = 0.08,
) -> T:
    """The item whose label (or an alias) best matches ``query``.

    Raises ToolInputError when nothing reaches ``floor`` or when the runner-up is within ``margin``
    of the winner (the message lists the candidates, so the user or a replan can choose).
    """
    scored = sorted(((_score(query, [label, *(aliases or {}).get(label, [])]), label) for label in items), reverse=True)
    if not scored or scored[0][0] < floor:
        near = [label for s, label in scored[:3] if s >= 0.5]
        hint = f"; closest: {', '.join(near)}" if near else ""
        raise ToolInputError(f"no {what} matches {query!r}{hint}")
    top, label = scored[0]
    rivals = [lab for s, lab in scored[1:] if s >= floor and top - s < margin]
    if rivals and top < 1.0:
        raise ToolInputError(f"{query!r} matches several {what}s: {', '.join([label, *rivals])}; say which one")
    return items[label]


_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "madam", "dame", "coach", "nurse"}


def _words(text: str) -> list[str]:
    return [w for w in normalize(text).replace(".", " ").replace(",", " ").split() if w]


def match_person(query: str, items: dict[str, T], what: str, aliases: dict[str, list[str]] | None = None) -> T:
    """The one person ``query`` names, or a ToolInputError that names the candidates.

    Stricter than :func:`best_match`, because a wrong match sends a message to the wrong person
    ("Chen Wu" got Chen Wei's number, "Yuko Tanaka" Yuki Tanaka's). A label or alias matches when,
    ignoring case, accents and a leading title (Dr., Ms., Prof....), either it equals the query or
    every word of the query is a whole word of it ("Maria" -> "Maria García"). Exactly one item
    must match; a near miss (a letter off, a different first name) is never taken, it is offered.
    """
    q = _words(query)
    while len(q) > 1 and q[0] in _TITLES:
        q = q[1:]
    if not q:
        raise ToolInputError(f"no {what} matches {query!r}")
    exact, partial = [], []
    for label in items:
        names = [label, *(aliases or {}).get(label, [])]
        forms = [_words(n) for n in names]
        if any(f == q for f in forms):
            exact.append(label)
        elif any(all(w in f for w in q) for f in forms):
            partial.append(label)
    found = exact or partial
    if len(found) == 1:
        return items[found[0]]
    if found:
        raise ToolInputError(f"{query!r} matches several {what}s: {', '.join(sorted(found))}; say which one")
    near = sorted(((_score(query, [label, *(aliases or {}).get(label, [])]), label) for label in items), reverse=True)
    hint = [label for s, label in near[:3] if s >= 0.6]
    raise ToolInputError(f"no {what} matches {query!r}" + (f"; did you mean {' or '.join(hint)}?" if hint else ""))
