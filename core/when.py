"""Date and time expressions in a request, resolved in code against the current time.

A small planner is bad at calendar arithmetic ("next Friday at 3" -> which date?), so the runtime
resolves what it finds here and puts the results in the prompt for the model to copy. The
conventions match the synthetic data's (``training/dates.py``, docs/synthetic-data.md): a bare
weekday or "next <weekday>" is the first such day strictly after today; a bare hour from 1 to 7
means the afternoon; "tonight" is 8pm; a date without a year is the next such date; the default
duration is 60 minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DATETIME_FORMAT", "TimeRef", "resolve_times", "times_said"]

#: How plans, datasets and ``--now`` write a date-time (the one place this format is spelled).
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_FMT = DATETIME_FORMAT
# The vocabulary, shared with the data generator (training/dates.py), which writes what this reads.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "fifteen": 15,
                "twenty": 20, "thirty": 30, "forty-five": 45, "ninety": 90}  # fmt: skip
# A part of the day said without a clock time ("tomorrow morning") starts at its usual hour
PART_HOURS = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}
_WEEKDAYS = [d.lower() for d in WEEKDAYS]
_MONTHS = [m.lower() for m in MONTHS]
_NUMBERS = {"a": 1, "an": 1, **NUMBER_WORDS}
_HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")

# what an ordinal counts when it is no day: "on the 3rd floor", "on the 2nd try"
_ORDINAL_NOUNS = r"(?:floor|level|time|try|attempt|draft|row|page|line|round|step|version|place|grade|seat)s?"
# a month's name or its short form, and no other word ("Marih 4" is a name, not March 4)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
# "sat morning", "thurs at 4", "fri 7:30", "fri 3-4pm", "on tue": a short weekday only where it cannot
# be a word ("the sun", "sat down") nor a name ("a call with Thu at 4pm")
_SHORT_WEEKDAY = r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    rf"|(?:(?<=on )|(?<=next )){_SHORT_WEEKDAY}"
    # whole words only: "Bertrand fri 2pm" is Friday ("Bertrand" ends in "and "; dev batch thirty)
    rf"|(?<!\bwith )(?<!\band )(?<!\bto )(?<!, )(?<!\bcc )(?<!\bthe ){_SHORT_WEEKDAY}"
    r"(?= (?:morning|afternoon|evening|night|at (?:\d|noon)|@ ?\d|noon|\d{1,2}:\d\d"
    r"|\d{1,2}(?::\d\d)? ?(?:[ap]m|-|–|to \d))))"
)
_NUM = rf"(?:\d+(?:\.\d+)?|an?|{'|'.join(NUMBER_WORDS)})"
_DAY = (
    r"(?P<rel>today|tomorrow|tmrw|tmr|tomorow|the day after tomorrow|tonight|tonite"
    r"|this (?:morning|afternoon|evening))"
    # "in 3 days", "in a week", "two weeks from today" (dev batch thirty-nine: "a week from today at 3pm"
    # was today at 3pm)
    rf"|in (?P<rn>{_NUM}|a couple(?: of)?) (?P<ru>days?|weeks?)\b"
    rf"|(?P<fn>{_NUM}) (?P<fu>days?|weeks?) from (?:today|now)\b"
    # "Monday the 7th", "on Fri, the 4th": the date said (the weekday only names it)
    rf"|(?:on |next )?{_WEEKDAY},? (?:the )?(?P<d5>\d{{1,2}})(?:st|nd|rd|th)\b"
    rf"|(?:on |next |this coming |this )?(?P<wd>{_WEEKDAY})\b"
    rf"|(?:on |the )?(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    # "on 12/15", "12/15/2026": month first; not a fraction of something ("1/2 cup", "3/4 of it")
    r"|(?:on |by )?(?<![\d/.])(?P<md>\d{1,2}/\d{1,2}(?:/\d{4}|/\d{2})?)(?![\d/]| ?(?:hours?|hrs?|mins?|cups?|of\b|%))"
    rf"|(?:on |the )?(?P<mon1>{_MONTH}) (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|(?:on |the )?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<mon2>{_MONTH})"
    # "on the 15th": the next 15th (a month said is read above: "the 15th of May"), but not "on the 3rd
    # floor"; "the 15th" without "on" only before what follows a date ("the 2nd draft" is no date)
    rf"|on the (?P<d3>\d{{1,2}})(?:st|nd|rd|th)\b(?! (?:of )?{_MONTH}| {_ORDINAL_NOUNS}\b)"
    r"|the (?P<d4>\d{1,2})(?:st|nd|rd|th)(?=$|[,.;:!?)]| \d| (?:at|@|in|on|by|from|to|and|for|with|about|re"
    r"|between|until|till|then|morning|afternoon|evening|night|please|pls|thx|thanks|-)\b)"
)
_CLOCK = (
    r"(?<![a-z])(?P<noon>noon|midday|midnight)"  # not the "noon" of "afternoon"
    # "half past 3", "quarter to 8pm": read as the hour is, then moved by the fraction (dev batch twenty);
    # "at half 10" is British for half past (dev batch twenty-eight)
    r"|(?P<frac>half past|quarter past|quarter to|(?<=at )half(?= \d))"
    rf" (?P<hf>\d{{1,2}}(?!\d)|(?:{'|'.join(_HOURS)})\b)"
    r"(?: ?(?P<apf>[ap]\.?m\.?))?"
    r"|(?P<h>\d{1,2})(?::(?P<m>\d{2}))? ?(?P<ap>[ap]\.?m\.?)"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})"
    # "at 2: buy milk" too, and "tmrw @ 7" (not an address's "bo@5star.com" nor "at 12 Elm Street")
    r"|(?:(?<=at )|(?<= @ )|(?<= @))(?P<hb>\d{1,2})(?!\d|:\d|\.\d| ?%| ?(?:min|hour|h\b|day|week|people|of\b)"
    r"| [A-Z][\w'-]* (?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Way|Dr|Drive|Pl|Place|Ct|Court)\b)"
)
_DURATION = rf"(?:for |lasting |, )(?P<dur>(?:an hour and a half|half an hour|{_NUM} (?:hours?|hrs?|minutes?|mins?)))"
# "a 30 minute call", "a 2-hour workshop": a duration said before what it measures
_ADJ_DURATION = r"\b(?:a|an|one) (?P<n>\d+|half|" + "|".join(NUMBER_WORDS) + r")[- ](?P<u>hour|hr|minute|min)\b"
# "1-3pm", "from 10 to 11:30am", "between 2 and 4pm", "2pm-4pm": the second end says am or pm
_RANGE = (
    r"(?:\b(?:from|between) )?\b(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))? ?(?P<ap1>[ap]\.?m\.?)?"
    r" ?(?:-|–|to|until|till|and) ?(?:(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))? ?(?P<ap2>[ap]\.?m\.?)"
    r"|(?P<noon2>noon|midday)\b)"  # "10am to noon" ended at 11 (dev batch thirty-one)
)
# "9 to 11", "from 1-3": a range without am/pm, read as bare hours are; only next to a day or after
# "from"/"between", so "2 to 3 people" stays a number
_BARE_RANGE = (
    r"(?:\b(?P<pre>from|between) )?\b(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?"
    r" ?(?:-|–|to|until|till|and) ?(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\b"
    r"(?! ?[ap]\.?m| ?%| ?(?:min|hour|h\b|day|week|people|of\b))"
)
# "tomorrow morning", "Friday evening at 7": the part of the day says am or pm
_PART = r"(?:,? (?:in the )?(?P<part>morning|afternoon|evening|night)\b)?"
# "in a couple hours" is two (dev batch twenty-seven)
# "in 2 hrs" too (dev batch thirty-six: the reminder went undated and listed "2 hrs")
_RELATIVE = rf"\bin (?P<rn>{_NUM}|half an?|a couple(?: of)?) ?(?P<ru>hours?|hrs?|minutes?|mins?)\b"

# "in the evening today": the part of the day said first
_PART_FIRST = r"(?:\bin the (?P<part0>morning|afternoon|evening) )?"
_DAY_RE = re.compile(rf"{_PART_FIRST}\b(?:{_DAY}){_PART}", re.I)
_CLOCK_RE = re.compile(rf"(?:\bat |@ ?)?(?:{_CLOCK})", re.I)
_DURATION_RE = re.compile(rf"\b{_DURATION}\b", re.I)
_RELATIVE_RE = re.compile(_RELATIVE, re.I)
_ADJ_DURATION_RE = re.compile(_ADJ_DURATION, re.I)
_RANGE_RE = re.compile(rf"(?:\bat )?{_RANGE}", re.I)
_BARE_RANGE_RE = re.compile(rf"(?:\bat )?{_BARE_RANGE}", re.I)


@dataclass(frozen=True)
class TimeRef:
    """One resolved expression: ``start``/``end`` as 'YYYY-MM-DD HH:MM:SS', ``day`` as 'YYYY-MM-DD'."""

    text: str
    start: str
    end: str
    minutes: int
    day: str
    all_day: bool = False  # a day without a clock time ("on Friday"): a reminder then keeps only the day

    def describe(self) -> str:
        return f"{self.start} to {self.end} ({self.minutes} min)" + (f", all day {self.day}" if self.all_day else "")

    @property
    def values(self) -> tuple[str, ...]:
        """The strings a plan may write for this expression: its start, end and day, and for a day
        alone also that day at midnight ("2026-12-07 00:00:00"), the hand-written sets' form of an
        all-day date, equal to the day under :func:`tinyagent.metrics.normalize_value`."""
        return (self.start, self.end, self.day) + ((f"{self.day} 00:00:00",) if self.all_day else ())


def _number(word: str) -> float:
    word = word.lower()
    return float(word) if word[0].isdigit() else float(_NUMBERS.get(word, 1))


def _minutes(text: str) -> int:
    text = text.lower()
    if text == "an hour and a half":
        return 90
    if text.startswith("half an"):
        return 30
    n, unit = text.split(" ", 1)
    return round(_number(n) * (60 if unit.startswith("h") else 1))


def _month(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(name.lower().rstrip(".")[:3]))


def _next_date(now: datetime, month: int, day: int) -> datetime | None:
    for year in range(now.year, now.year + 5):
        try:
            candidate = now.replace(year=year, month=month, day=day)
        except ValueError:
            continue  # February 29 in a year without one
        if candidate.date() >= now.date():
            return candidate
    return None


def _next_day_of_month(now: datetime, day: int) -> datetime | None:
    """ "the 15th": the first such date from today, in whichever month has it next."""
    return min(filter(None, (_next_date(now, month, day) for month in range(1, 13))), default=None)


def _day(m: re.Match[str], now: datetime) -> datetime | None:
    if rel := m["rel"]:
        rel = rel.lower()
        return now + timedelta(days=2 if rel.startswith("the day") else 1 if rel.startswith(("tom", "tmr")) else 0)
    if wd := m["wd"]:
        target = next(i for i, w in enumerate(_WEEKDAYS) if w.startswith(wd.lower()[:3]))
        return now + timedelta(days=(target - now.weekday()) % 7 or 7)
    if m["ru"] or m["fu"]:
        said, unit = (m["rn"] or m["fn"]).lower(), (m["ru"] or m["fu"]).lower()
        amount = 2 if said.startswith("a couple") else _number(said)
        return now + timedelta(days=amount * (7 if unit.startswith("w") else 1))
    if m["d5"]:
        return _next_day_of_month(now, int(m["d5"]))
    if md := m["md"]:
        month, day, *year = (int(x) for x in md.split("/"))
        if not year:
            return _next_date(now, month, day) if 1 <= month <= 12 else None
        try:
            return now.replace(year=year[0] + (2000 if year[0] < 100 else 0), month=month, day=day)
        except ValueError:
            return None
    if iso := m["iso"]:
        try:
            return datetime.strptime(iso, "%Y-%m-%d").replace(hour=now.hour, minute=now.minute)
        except ValueError:
            return None
    if m["mon1"]:
        return _next_date(now, _month(m["mon1"]), int(m["d1"]))
    if dom := m["d3"] or m["d4"]:
        return _next_day_of_month(now, int(dom))
    return _next_date(now, _month(m["mon2"]), int(m["d2"]))


def _clock(m: re.Match[str]) -> tuple[int, int] | None:
    if noon := m["noon"]:
        return (0, 0) if noon.lower() == "midnight" else (12, 0)
    if frac := m["frac"]:
        hf = m["hf"].lower()
        hour = int(hf) if hf.isdigit() else _HOURS.index(hf) + 1
        if not 1 <= hour <= 12:
            return None
        if m["apf"]:
            hour = hour % 12 + (12 if m["apf"].lower().startswith("p") else 0)
        elif hour <= 7:
            hour += 12  # "half past 3" is 15:30, as "at 3" is 15:00
        if frac.lower() == "quarter to":
            return (hour - 1) % 24, 45
        return hour, 30 if frac.lower().startswith("half") else 15
    if m["ap"]:
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if not 1 <= hour <= 12:
            return None
        pm = m["ap"].lower().startswith("p")
        return (hour % 12 + (12 if pm else 0), minute)
    if m["h24"]:
        hour, minute = int(m["h24"]), int(m["m24"])
        if 1 <= hour <= 7 and not m["h24"].startswith("0"):
            hour += 12  # "at 1:45" is the afternoon; "01:45" is not
        return (hour, minute) if hour < 24 and minute < 60 else None
    hour = int(m["hb"])
    if not 1 <= hour <= 12:
        return None
    return (hour + 12, 0) if hour <= 7 else (hour, 0)  # "at 3" is 15:00, "at 9" is 09:00


def _range(m: re.Match[str]) -> tuple[int, int, int] | None:
    """A clock range's start (hour, minute) and length in minutes; the first end takes the second's
    am/pm unless that puts it after the second ("11-1pm" starts at 11am)."""
    h1, m1 = int(m["h1"]), int(m["m1"] or 0)
    h2, m2 = (12, 0) if m["noon2"] else (int(m["h2"]), int(m["m2"] or 0))
    if not (1 <= h1 <= 12 and 1 <= h2 <= 12 and m1 < 60 and m2 < 60):
        return None
    end = (h2, m2) if m["noon2"] else (h2 % 12 + (12 if m["ap2"].lower().startswith("p") else 0), m2)
    if m["ap1"]:
        start = h1 % 12 + (12 if m["ap1"].lower().startswith("p") else 0), m1
    else:
        start = h1 % 12 + (end[0] // 12) * 12, m1
        if start > end:
            start = (start[0] - 12, m1)
    minutes = (end[0] - start[0]) * 60 + end[1] - start[1]
    return (start[0], start[1], minutes) if minutes > 0 else None


def _part_of(day: re.Match[str]) -> str:
    """The part of the day a day expression names: "tonight" is the night, "this morning" the morning."""
    rel = (day["rel"] or "").lower()
    said = day["part"] or day["part0"] or ""
    return "night" if rel in ("tonight", "tonite") else rel[5:] if rel.startswith("this ") else said.lower()


def _bare_range(m: re.Match[str]) -> tuple[int, int, int] | None:
    """A range without am/pm: the start read as a bare hour is (1-7 is the afternoon), the end the first
    such hour after it ("9 to 11" is 09:00-11:00, "11-1" is 11:00-13:00, "1-3" is 13:00-15:00)."""
    h1, m1, h2, m2 = int(m["h1"]), int(m["m1"] or 0), int(m["h2"]), int(m["m2"] or 0)
    if not (1 <= h1 <= 12 and 1 <= h2 <= 12 and m1 < 60 and m2 < 60):
        return None
    start = h1 + 12 if h1 <= 7 else h1
    end = next(h for h in (h2 % 12, h2 % 12 + 12, h2 % 12 + 24) if (h, m2) > (start, m1))
    minutes = (end - start) * 60 + m2 - m1
    return (start, m1, minutes) if minutes <= 12 * 60 and end < 24 else None


def _part(hour: int, part: str) -> int:
    """An hour moved into the part of the day said with it ("morning at 7" is 07:00, "evening at 7" 19:00)."""
    if part == "morning":
        return hour - 12 if 13 <= hour <= 19 else hour
    return hour + 12 if hour < 12 else hour


_CLAUSE_BREAK = re.compile(r"[,;.!?]|\b(?:and|then|also|but|or)\b", re.IGNORECASE)


def _near(day: re.Match[str], start: int, end: int) -> bool:
    """Whether a clock time spanning ``start:end`` is within a few characters of ``day``."""
    return 0 <= start - day.end() <= 4 or 0 <= day.start() - end <= 4


def _ref(text: str, start: datetime, minutes: int, all_day: bool = False) -> TimeRef:
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=minutes)
    return TimeRef(text.strip(), start.strftime(_FMT), end.strftime(_FMT), minutes, start.strftime("%Y-%m-%d"), all_day)


def resolve_times(query: str, now: datetime) -> list[TimeRef]:
    """Every date/time expression in ``query``, in order, resolved against ``now``.

    A day and a clock time (or a clock range, "1-3pm") within a few words of each other form one
    expression ("tomorrow at 3pm", "at 3pm on Friday"); a duration right after or before it ("for 2 hours"), one
    said before it ("a 30 minute call ... at 9": the next expression, or the only one), or one said
    anywhere after the only expression ("... at 9 re budget, 45 min") sets the end.
    A day alone starts at 09:00 and is marked ``all_day``; a clock time alone is today's, or
    tomorrow's when it has passed.
    """
    days = [m for m in _DAY_RE.finditer(query) if _day(m, now) is not None]
    # clock items: (start index, end index, hour, minute, minutes or None)
    clocks: list[tuple[int, int, int, int, int | None]] = []
    for r in _RANGE_RE.finditer(query):
        if (span := _range(r)) is not None:
            clocks.append((r.start(), r.end(), *span))
    for r in _BARE_RANGE_RE.finditer(query):
        if any(a <= r.start() < b or r.start() <= a < r.end() for a, b, *_ in clocks):
            continue
        if (r["pre"] or any(_near(d, r.start(), r.end()) for d in days)) and (span := _bare_range(r)) is not None:
            clocks.append((r.start(), r.end(), *span))
    for c in _CLOCK_RE.finditer(query):
        hm = _clock(c)
        inside = any(a <= c.start() < b for a, b, *_ in clocks) or any(d.start() <= c.start() < d.end() for d in days)
        if hm is not None and not inside:
            clocks.append((c.start(), c.end(), *hm, None))
    clocks.sort()
    found: list[tuple[int, int, datetime, int | None, bool]] = []
    used: set[int] = set()
    for d in days:
        day = _day(d, now)
        assert day is not None
        near = [i for i, (c0, c1, *_) in enumerate(clocks) if i not in used and _near(d, c0, c1)]
        if near:
            used.add(near[0])
            c0, c1, hour, minute, span = clocks[near[0]]
            if part := _part_of(d):
                hour = _part(hour, part)  # "tonight at 9" is 21:00, "tomorrow morning at 7" 07:00
            found.append((min(d.start(), c0), max(d.end(), c1), day.replace(hour=hour, minute=minute), span, False))
        elif part := _part_of(d):
            found.append((d.start(), d.end(), day.replace(hour=PART_HOURS[part], minute=0), None, False))
        else:
            found.append((d.start(), d.end(), day.replace(hour=9, minute=0), None, True))
    for i, (c0, c1, hour, minute, span) in enumerate(clocks):
        if i in used:
            continue
        start = now.replace(hour=hour, minute=minute)
        if start <= now:
            start += timedelta(days=1)
        found.append((c0, c1, start, span, False))
    # One day and one clock time said apart in one clause are one moment: "remind me tomorrow to call Bo
    # at 5", "our 4pm call tmrw" (dev batch twenty-five) were offered only tomorrow 09:00 and today 17:00
    lone_days = [i for i, f in enumerate(found) if f[4]]
    lone_clocks = [i for i, f in enumerate(found) if not f[4] and f[0] in {c[0] for c in clocks}]
    if len(lone_days) == 1 and len(lone_clocks) == 1 and len(found) == 2:
        (d0, d1, day, _, _), (c0, c1, clock, span, _) = found[lone_days[0]], found[lone_clocks[0]]
        if not _CLAUSE_BREAK.search(query[min(d1, c1) : max(d0, c0)]):
            moment = day.replace(hour=clock.hour, minute=clock.minute)
            found = [(d0, d1, moment, span, False), (c0, c1, moment, span, False)]
    for r in _RELATIVE_RE.finditer(query):
        unit = r["ru"].lower()
        said = r["rn"].lower()
        amount = 0.5 if said.startswith("half") else 2 if said.startswith("a couple") else _number(said)
        start = now + timedelta(minutes=amount * (60 if unit.startswith("h") else 1))
        found.append((r.start(), r.end(), start, None, False))
    found.sort(key=lambda f: f[0])
    # a duration said before what it measures belongs to the next expression ("a 30 min check-in with
    # Rafael tomorrow at 4", also after other requests); the only one, wherever it is said
    leads: dict[int, re.Match[str]] = {}
    for adj in _ADJ_DURATION_RE.finditer(query):
        only = 0 if len(found) == 1 else None
        i = next((i for i, f in enumerate(found) if f[0] >= adj.end() and i not in leads), only)
        if i is not None:
            leads[i] = adj
    refs = []
    for i, (start_i, end_i, start, span, all_day) in enumerate(found):
        minutes = span or 60
        dur = _DURATION_RE.search(query, end_i)
        before = leads.get(i)
        # "for 20 minutes tomorrow at 4:40pm": said right before the expression (dev batch seventeen)
        prior = next((p for p in _DURATION_RE.finditer(query, 0, start_i) if start_i - p.end() <= 2), None)
        if dur and dur.start() - end_i <= 2:
            minutes, end_i, all_day = _minutes(dur["dur"]), dur.end(), False
        elif prior and span is None:
            minutes, start_i, all_day = _minutes(prior["dur"]), prior.start(), False
        elif dur and len(found) == 1 and span is None and before is None:
            # the only expression, its duration said later ("zoom w/ Elif tmrw 10:30 re budget, 45 min",
            # dev batches ten and twelve); a day alone stays all day ("on Friday ... for 10 minutes")
            minutes = _minutes(dur["dur"])
        elif before and span is None:
            amount = 0.5 if before["n"].lower() == "half" else _number(before["n"])
            minutes, all_day = round(amount * (60 if before["u"].lower().startswith("h") else 1)), False
        refs.append(_ref(query[start_i:end_i], start, minutes, all_day))
    return refs


def times_said(text: str) -> list[TimeRef]:
    """The time expressions ``text`` says (their ``text``), resolved against a fixed day: for where a
    time is said, never for its date."""
    return resolve_times(text, datetime(2026, 1, 1))
