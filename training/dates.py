"""Date and time expressions people use, each with the datetime it resolves to against ``now``.

Conventions (documented in docs/synthetic-data.md): a bare weekday or "next <weekday>" is the first
such day strictly after today; hours 1-7 without am/pm mean the afternoon; "tonight" is 8pm unless
a time is given; "noon" is 12:00; dates without a year are the next such date from today.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..when import DATETIME_FORMAT, MONTHS, PART_HOURS, WEEKDAYS
from ..when import NUMBER_WORDS as _NUMBER_WORDS

__all__ = ["When", "sample_duration", "sample_lead_when", "sample_when"]

SAID = (1, 2, 3, 4, 5, 10, 15, 20, 30, 45)  # the durations written in words as well as in digits
NUMBER_WORDS = {n: word for word, n in _NUMBER_WORDS.items() if n in SAID}


@dataclass(frozen=True)
class When:
    """A date/time slot value: ``text`` for the request, ``start``/``end``/``minutes`` for the plan."""

    text: str
    start_dt: datetime
    minutes: int = 60
    all_day: bool = False  # a day said without a time: a reminder keeps only the day (``due``)
    lead: str = ""  # the duration said before the event, as an adjective: "a {lead} call" ("30 minute")

    def __format__(self, spec: str) -> str:
        return self.text

    @property
    def start(self) -> str:
        return self.start_dt.strftime(DATETIME_FORMAT)

    @property
    def end(self) -> str:
        return (self.start_dt + timedelta(minutes=self.minutes)).strftime(DATETIME_FORMAT)

    @property
    def day(self) -> str:
        return self.start_dt.strftime("%Y-%m-%d")

    @property
    def due(self) -> str:
        """A reminder's due date: the day alone when no time was said, else the start."""
        return self.day if self.all_day else self.start

    @property
    def plan(self) -> str:
        return self.start


def _clock(rng: random.Random) -> tuple[int, int, str]:
    """An hour, minute and how it is said ('3pm', '15:00', '3:30', 'noon'...)."""
    hour = rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    minute = rng.choice([0, 0, 0, 0, 15, 30, 30, 45])
    style = rng.random()
    if hour == 12 and minute == 0 and style < 0.3:
        return hour, minute, "noon"
    h12 = hour - 12 if hour > 12 else hour
    suffix = "pm" if hour >= 12 else "am"
    if style < 0.45:
        return hour, minute, f"{h12}{f':{minute:02d}' if minute else ''}{rng.choice(['', ' '])}{suffix}"
    if style < 0.7:
        return hour, minute, f"{hour:02d}:{minute:02d}" if rng.random() < 0.5 else f"{hour}:{minute:02d}"
    if 13 <= hour <= 19:  # a bare afternoon hour: "at 3" means 15:00
        return hour, minute, f"{h12}" + (f":{minute:02d}" if minute else "")
    return hour, minute, f"{h12}{f':{minute:02d}' if minute else ''} {suffix}"


def _next_weekday(now: datetime, weekday: int) -> datetime:
    days = (weekday - now.weekday()) % 7 or 7
    return now + timedelta(days=days)


def _day(rng: random.Random, now: datetime) -> tuple[datetime, str]:
    r = rng.random()
    if r < 0.25:
        return now + timedelta(days=1), "tomorrow" if rng.random() < 0.9 else rng.choice(["tmrw", "tmr"])
    if r < 0.32:
        return now + timedelta(days=2), "the day after tomorrow"
    if r < 0.42:
        return now, "today"
    if r < 0.62:
        wd = rng.randrange(7)
        prefix = rng.choice(["on ", "next ", "this coming ", "", "on "])
        return _next_weekday(now, wd), f"{prefix}{WEEKDAYS[wd]}"
    day = now + timedelta(days=rng.randint(3, 120))
    month = MONTHS[day.month - 1]
    style = rng.random()
    if style < 0.12:  # "on the 15th": the next 15th, so within four weeks (dev batch six)
        day = now + timedelta(days=rng.randint(1, 27))
        return day, f"on the {_ordinal(day.day)}"
    if style < 0.35:
        return day, f"on {month[:3]} {day.day}"
    if style < 0.6:
        return day, f"on {month} {day.day}"
    if style < 0.8:
        return day, f"on {day.day} {month}"
    return day, f"on {day:%Y-%m-%d}"


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _hour_text(hour: int, minute: int, suffix: bool) -> str:
    h12 = hour - 12 if hour > 12 else hour
    return f"{h12}{f':{minute:02d}' if minute else ''}" + (("pm" if hour >= 12 else "am") if suffix else "")


def _range(rng: random.Random) -> tuple[int, int, int, str]:
    """A clock range ('1-3pm', 'from 10 to 11:30am', 'between 2pm and 4pm'): start, minute, length."""
    hour, minute = rng.randint(8, 17), rng.choice([0, 0, 0, 30])
    minutes = rng.choice([30, 60, 90, 120, 180])
    end = datetime(2000, 1, 1, hour, minute) + timedelta(minutes=minutes)
    both = rng.random() < 0.3 or (hour < 12) != (end.hour < 12)  # "11am-1pm" must say both
    a, b = _hour_text(hour, minute, both), _hour_text(end.hour, end.minute, True)
    if rng.random() < 0.25 and 8 <= hour <= 19 and hour != 12:  # "9 to 11", "1-3": read as bare hours are
        a, b = _hour_text(hour, minute, False), _hour_text(end.hour, end.minute, False)
    form = rng.choice(["{a}-{b}", "from {a} to {b}", "between {a} and {b}", "{a} - {b}", "from {a}-{b}", "{a} to {b}"])
    return hour, minute, minutes, form.format(a=a, b=b)


def sample_when(rng: random.Random, now: datetime, with_duration: bool = False, day_only: bool = False) -> When:
    """A date/time expression and its value; sometimes relative to the minute ('in two hours'), a
    day alone (with ``day_only``: 'on Friday', all day) or a clock range (with ``with_duration``)."""
    if day_only and rng.random() < 0.25:
        base, day_text = _day(rng, now)
        return When(day_text, base.replace(hour=9, minute=0, second=0, microsecond=0), 60, all_day=True)
    if with_duration and rng.random() < 0.1:
        base, day_text = _day(rng, now)
        if day_text == "today":
            base, day_text = now + timedelta(days=1), "tomorrow"
        hour, minute, minutes, span = _range(rng)
        text = f"{day_text} {span}" if rng.random() < 0.5 else f"{span} {day_text}"
        return When(" ".join(text.split()), base.replace(hour=hour, minute=minute, second=0, microsecond=0), minutes)
    minutes = 60
    dur_text = ""
    if with_duration and rng.random() < 0.4:
        minutes, dur_text = sample_duration(rng)
        dur_text = (", " if rng.random() < 0.15 else " for ") + dur_text
    r = rng.random()
    if r < 0.08:
        n = rng.choice([1, 2, 3, 4, 5])
        word = NUMBER_WORDS.get(n, str(n)) if rng.random() < 0.5 else str(n)
        unit = "hour" if n == 1 else "hours"
        text = "in an hour" if n == 1 and rng.random() < 0.5 else f"in {word} {unit}"
        return When(text + dur_text, now.replace(second=0) + timedelta(hours=n), minutes)
    if r < 0.12:
        n = rng.choice([15, 20, 30, 45])
        return When(f"in {n} minutes" + dur_text, now.replace(second=0) + timedelta(minutes=n), minutes)
    if r < 0.17:
        hour = rng.choice([19, 20, 21])
        text = "tonight" if hour == 20 and rng.random() < 0.5 else f"tonight at {hour - 12}"
        return When(text + dur_text, now.replace(hour=hour, minute=0, second=0), minutes)
    base, day_text = _day(rng, now)
    if r < 0.23 and day_text not in ("today", "the day after tomorrow"):  # "tomorrow morning at 9"
        part = rng.choice(["morning", "afternoon", "evening"])
        hour = {"morning": rng.randint(7, 11), "afternoon": rng.randint(13, 17), "evening": rng.randint(18, 21)}[part]
        minute = rng.choice([0, 0, 0, 30])
        clock = rng.choice(["", f" at {_hour_text(hour, minute, False)}", f" at {_hour_text(hour, minute, False)}"])
        if not clock:
            hour, minute = PART_HOURS[part], 0
        start = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return When(f"{day_text} {part}{clock}" + dur_text, start, minutes)
    hour, minute, clock = _clock(rng)
    if day_text == "today" and (hour, minute) <= (now.hour, now.minute):
        base, day_text = now + timedelta(days=1), "tomorrow"  # nobody books a slot that has passed
    at = "" if clock == "noon" and rng.random() < 0.5 else "at "
    if rng.random() < 0.5:
        text = f"{day_text} {at}{clock}"
    else:
        text = f"{at}{clock} {day_text}"
    start = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return When(" ".join(text.split()) + dur_text, start, minutes)


def sample_lead_when(rng: random.Random, now: datetime) -> When:
    """A date/time whose duration is said before the event ("a 30 minute check-in tomorrow at 4"):
    ``{when.lead}`` is "30 minute", and the request's time expression has no duration after it."""
    when = sample_when(rng, now)
    minutes = rng.choice([15, 20, 30, 30, 45, 60, 90, 120])
    unit = rng.choice(["minute", "min"])
    if minutes == 60:
        lead = rng.choice(["one hour", "1 hour", "1-hour"])
    elif minutes == 120:
        lead = rng.choice(["2 hour", "2-hour", "two hour"])
    elif minutes == 30 and rng.random() < 0.3:
        lead = rng.choice(["half hour", "half-hour"])
    else:
        lead = f"{minutes}{rng.choice([' ', '-'])}{unit}"
    return dataclasses.replace(when, minutes=minutes, lead=lead)


def sample_duration(rng: random.Random) -> tuple[int, str]:
    minutes = rng.choice([15, 20, 30, 45, 60, 90, 120, 180])
    if minutes == 60:
        return minutes, rng.choice(["an hour", "1 hour", "one hour", "60 minutes"])
    if minutes == 30 and rng.random() < 0.5:
        return minutes, "half an hour"
    if minutes >= 120 and minutes % 60 == 0:
        return minutes, f"{minutes // 60} hours"
    if minutes == 90 and rng.random() < 0.5:
        return minutes, "an hour and a half"
    return minutes, f"{minutes} {rng.choice(['minutes', 'minutes', 'minutes', 'mins', 'min'])}"
