"""Corrections said out loud: "by car, no wait, by train" plans "by train", and "text Yara... sorry,
email Yara that ..." plans the e-mail.

A correction is a marker ("... sorry,", ", no wait,", "... actually", " - I mean") with words on both
sides. What follows it replaces what it corrects in one of two ways, and in no other:

- it starts with a word said before the marker: the request is spliced at that word's last
  occurrence ("directions to the office by car, no wait, by train" -> "... office by train");
- it starts with a name and the words before the marker end in one: the name is replaced ("text
  Anselm, sorry, I mean Florian: ..." -> "text Florian: ...");
- it starts with a date or time (``core/when.py`` reads which) and the words before the marker end in
  one: that one is replaced ("remind me at 5, no wait, 6pm" -> "remind me at 6pm");
- it is one word after a marker that only corrects ("no wait", "I mean", "make that"): it replaces
  the last word before the marker ("directions by car, no wait, walking" -> "directions by walking");
- it starts with a word that starts a request (``starts``: the installed packs' phrasings say which):
  the request starts over there ("drive... actually walk to the market" -> "walk to the market"), and
  a "him", "her" or "them" there is the person named before ("email Quentin, no wait, text him: ..."
  -> "text Quentin: ...").

A bare ", no," only splices at a repeated word ("by car, no, by bus"): "text Bob, no, I can't come"
is a message. Anything else is left as said, marker included: "tell Bob the film was... actually
great" keeps its message, and the planner (trained on false starts too) reads it whole.

Fillers ("um", "uh", "erm", "hmm") are dropped wherever they are, with the commas around them:
"um, remind me to, uh, call the plumber" plans "remind me to call the plumber".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from .when import times_said

__all__ = ["plainly", "request_starts", "take_back", "without_fillers"]

# An ellipsis takes any of the words; a comma or a dash only the ones that never start a message
# ("text Bob, no, I can't come" and "Ana, actually, it's fine" are messages)
_MARKER = re.compile(
    r"(?:\.\.\.|…)\s*(?:sorry|no wait|wait no|no|oops|actually|I mean|make that|scratch that)\b[,:]?\s+"
    r"|(?:,|\s-+|\s—)\s*(?:no wait|wait no|actually,? no|scratch that|I mean|sorry,? I mean|(?:no,? )?make that|oops)"
    r"\b[,:]?\s+"
    r"|(?P<bare>,\s*no,\s+)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'@.+-]+")
# People said together: "Ana", "Dr. Okafor", "Ana and Bo", "Ilse + Tomas"
_NAMES = re.compile(r"(?:[A-Z][\w'.-]*(?:\s+(?:and|&|\+)\s+|,\s*|\s+))*[A-Z][\w'.-]*")
_PRONOUN = re.compile(r"\b(?:him|her|them)\b")


# Words that start requests and messages alike ("... actually I loved it" is a message)
_NEVER_STARTS = set("i i'm i've i'd can could would will please the a an my what what's whats how do".split())
_NEVER_STARTS |= set("is are where when who which it this that we you hey hi ok so just quick short".split())


# Lowercase or capitalized only: "UH" and "UM" may be names (a university, a company). The training
# data has fillers only before a request ("um, "), and the planner titled "remind me to, uh, call the
# plumber" "The" (dev batch ten).
_FILLER = re.compile(r"\s*(?:,\s*)?(?<![\w'])(?:[Uu]m+|[Uu]h+|[Ee]rm+|[Hh]m+)(?![\w'])[,.]?\s*")


def without_fillers(request: str) -> str:
    """The request without its fillers and the commas that set them off."""
    return _FILLER.sub(" ", request).strip()


# Courtesy the planner never saw: the training data's requests open with "could you please", "hey,"
# or "hi! I was wondering if you could", never "Good morning! Would you be so kind as to", which planned
# a text saying "to email Mrs. Abernathy" (dev batch twenty-four), nor "I was wondering whether you might
# be able to" (batch thirty-five). A greeting that opens the request
# is dropped (not the trained "hey," or "hello there,": dropping those cost a synthetic held-out plan),
# and a polite wrapper that opens a sentence reads "could you please"; inside a sentence
# ("text Ana: would you be able to come?") both are a message's words and stay.
_GREETING = re.compile(
    r"^\s*(?:good\s+(?:morning|afternoon|evening)|howdy|greetings|(?:hi|hello|hey),?\s+(?:siri|google|alexa))"
    r"(?:\s*[!,.]+\s*|\s+)(?=\S)",
    re.IGNORECASE,
)
_WRAPPER = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<greeting>\s*(?:hi|hello|hey)(?:\s+there)?,\s+)?\s*(?:(?:would|could|can|will)\s+you\s+(?:please\s+)?"
    r"(?:be\s+so\s+kind\s+as\s+to|be\s+able\s+to|possibly|kindly|perhaps)"
    r"|do\s+you\s+think\s+you\s+could|would\s+it\s+be\s+possible\s+(?:for\s+you\s+)?to"
    r"|is\s+it\s+possible\s+(?:for\s+you\s+)?to|i(?:'d|\s+would)\s+(?:really\s+)?appreciate\s+it\s+if\s+you\s+could"
    r"|i\s+was\s+hoping\s+you\s+could|i(?:'d|\s+would)\s+like\s+you\s+to"
    r"|i\s+was\s+wondering\s+(?:if|whether)\s+you\s+(?:might|could|would)\s+be\s+able\s+to)\s+",
    re.IGNORECASE,
)


# "Would you mind setting up a meeting ... to go over the budget" was titled "setting up a meeting"
# (dev batches eighteen and thirty): the verb after "would you mind" is read as a request starts with it
_MIND = re.compile(r"(?:^|(?<=[.!?]\s))\s*(?:would|do)\s+you\s+mind\s+(?P<verb>[a-z]+ing)\b", re.IGNORECASE)


def _unmind(m: re.Match[str], starts: Collection[str]) -> str:
    stem = m["verb"][:-3].lower()
    bases = [stem, stem + "e"] + ([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])
    base = next((b for b in bases if b in starts), None)  # "setting" -> "set", "scheduling" -> "schedule"
    return f"could you please {base}" if base else m[0]


# "what's the best way to get to the Exploratorium by bus" went to "To", "what's the quickest way to get to
# Berkeley by BART" to "The Quickest" (dev batches thirty-six and thirty-nine): the data asks "how do I get to".
# Where it opens a sentence, as a wrapper: inside one it is a message's words
_WAY = re.compile(
    r"(?:^|(?<=[.!?]\s))\s*what(?:'s|\s+is)\s+the\s+(?:best|quickest|fastest|easiest|shortest)\s+way\s+to\s+(?:get|go)\s+to\b",
    re.IGNORECASE,
)


def plainly(request: str, starts: Collection[str] = ()) -> str:
    """The request without an opening greeting, its sentences' polite wrappers read "could you please",
    "would you mind" before a verb that starts a request (``starts``) read so too, and "what's the best
    way to get to" read "how do I get to"."""
    request = _WRAPPER.sub(lambda m: f"{m['greeting'] or ''}could you please ", _GREETING.sub("", request, count=1))
    return _WAY.sub("how do I get to", _MIND.sub(lambda m: _unmind(m, starts), request))


def request_starts(phrasings: Iterable[str]) -> frozenset[str]:
    """The first words of the packs' phrasings that only begin a request ("text", "email", "remind")."""
    firsts = (_first_word(p) for p in phrasings if not p.startswith("{"))
    return frozenset(w for w in firsts if w.isalpha() and len(w) > 2 and w not in _NEVER_STARTS)


def _first_word(text: str) -> str:
    m = _WORD.match(text)
    return m.group(0).casefold() if m else ""


def _is_name(word: str) -> bool:
    return word[:1].isupper() and word.casefold() not in _NEVER_STARTS and not word.startswith("I'")


def _last_names(before: str) -> re.Match[str] | None:
    """The last people named in ``before``, never its first word (a capitalized verb)."""
    first = _WORD.match(before)
    found = [m for m in _NAMES.finditer(before, first.end() if first else 0) if _is_name(m.group(0))]
    return found[-1] if found else None


def _time_said_last(before: str) -> int | None:
    """Where a date or time that ends ``before`` starts ("remind me at 5" -> the index of "at 5")."""
    refs = times_said(before)
    text = before.rstrip()
    if not refs or not text.endswith(refs[-1].text):
        return None
    at = len(text) - len(refs[-1].text)
    return at + 3 if text[at:].lower().startswith("at ") else at  # "at 5, no, 6pm": "at 6pm"


def _time_said_first(after: str) -> bool:
    refs = times_said(after)
    return bool(refs) and after.startswith(refs[0].text) and not after.lower().startswith(("at ", "@"))


# Markers that only ever correct: after them one word is what the last word before meant ("by car, no
# wait, walking" planned nothing when "walking" started the request over; dev batch thirty). Not
# "actually" nor "sorry": "the film was... actually great" is a message.
# "Actually, no" too ("by bus, actually no, walking" planned nothing; dev batch thirty-eight). The word
# may go on to the rest of the request after a comma ("at 3, no make that 4, to move the car").
_CORRECTS = re.compile(r"no wait|wait no|I mean|make that|actually,? no", re.IGNORECASE)


def _replaces_a_word(marker: str, after: str) -> bool:
    return bool(_CORRECTS.search(marker)) and len(after.split(",")[0].split()) == 1


def _last_word(before: str) -> re.Match[str] | None:
    words = list(_WORD.finditer(before))
    return words[-1] if len(words) > 1 else None


def take_back(request: str, starts: Collection[str] = ()) -> str:
    """The request as meant: every correction applied, left to right (see the module docstring).
    ``starts``: case-folded words that begin a request."""
    pos = 0
    while m := _MARKER.search(request, pos):
        before, after = request[: m.start()], request[m.end() :]
        word = _first_word(after)
        spans = [w for w in _WORD.finditer(before) if w.group(0).casefold() == word]
        names = _last_names(before)
        if word and spans:
            request = before[: spans[-1].start()] + after
            pos = spans[-1].start()
        elif (at := _time_said_last(before)) is not None and _time_said_first(after):
            request = before[:at] + after
            pos = at
        elif m["bare"]:
            pos = m.end()
        elif names and names.end() == len(before) and _is_name(next(iter(after.split()), "")):
            request = before[: names.start()] + after
            pos = names.start()
        elif _replaces_a_word(m.group(0), after) and (last := _last_word(before)):
            request = before[: last.start()] + after
            pos = last.start()
        elif word and word in starts:
            request = _PRONOUN.sub(names.group(0), after, count=1) if names and not _last_names(after) else after
            pos = 0
        else:
            pos = m.end()
    return request
