import random
import re
from datetime import datetime

import pytest

from tinyagent.prompt import build_compact_prompt
from tinyagent.training.dates import sample_when
from tinyagent.when import resolve_times

NOW = datetime(2026, 11, 24, 10, 30)  # a Tuesday


@pytest.mark.parametrize(
    ("query", "start", "minutes"),
    [
        ("Zoom with Ana tomorrow at 3pm", "2026-11-25 15:00:00", 60),
        ("lunch next Friday at noon for half an hour", "2026-11-27 12:00:00", 30),
        ("call on Tuesday at 9", "2026-12-01 09:00:00", 60),  # a bare weekday is never today
        ("book it at 3 on Friday", "2026-11-27 15:00:00", 60),  # a bare afternoon hour
        ("dinner tonight at 9", "2026-11-24 21:00:00", 60),
        ("call mom tonite at 9", "2026-11-24 21:00:00", 60),  # texting spelling
        ("standup at 09:15", "2026-11-25 09:15:00", 60),  # passed today: tomorrow
        ("review on Feb 29 at 2pm", "2028-02-29 14:00:00", 60),  # the next year that has one
        ("sync on 3 March at 4:30 pm for 2 hours", "2027-03-03 16:30:00", 120),
        ("remind me in two hours", "2026-11-24 12:30:00", 60),
        ("in a couple hours remind me to move the laundry", "2026-11-24 12:30:00", 60),
        ("in 2 hrs remind me to flip the compost", "2026-11-24 12:30:00", 60),
        ("call Bo in a couple of minutes", "2026-11-24 10:32:00", 60),
        ("the day after tomorrow at 18:00 for an hour and a half", "2026-11-26 18:00:00", 90),
        ("planning on 2027-01-04 at 10am", "2027-01-04 10:00:00", 60),
        ("set a reminder for tomorrow at 2: buy milk", "2026-11-25 14:00:00", 60),  # a colon after the hour
        ("zoom w/ Elif tmrw 10:30 re budget, 45 min", "2026-11-25 10:30:00", 45),  # the only time: said later
        ("zoom w/ Hildegard & Bertrand fri 2pm", "2026-11-27 14:00:00", 60),  # "Bertrand" is no "and"
        ("block out Saturday 10am to noon for yoga", "2026-11-28 10:00:00", 120),  # a range to noon
        ("meeting tomorrow at 3 with Bo to plan the offsite for 2 hours", "2026-11-25 15:00:00", 120),
    ],
)
def test_resolves_what_people_say(query, start, minutes):
    (ref,) = resolve_times(query, NOW)
    assert (ref.start, ref.minutes) == (start, minutes)
    assert ref.day == start[:10]


@pytest.mark.parametrize(
    ("query", "start", "all_day"),
    [
        ("remind me tomorrow morning at 9 to move the sprinkler", "2026-11-25 09:00:00", False),
        ("dinner Friday evening at 7", "2026-11-27 19:00:00", False),
        ("tomorrow morning at 7", "2026-11-25 07:00:00", False),  # the morning overrides "1-7 is afternoon"
        ("call mom this afternoon", "2026-11-24 15:00:00", False),  # a part of the day alone: its usual hour
        ("remind me tmrw at 8am to grab the dry cleaning", "2026-11-25 08:00:00", False),
        ("reminder: call grandma tmr", "2026-11-25 09:00:00", True),
        ("water the plants sat morning", "2026-11-28 09:00:00", False),  # a short weekday before a part
        ("remind me in the evening today to take out the trash", "2026-11-24 18:00:00", False),
        ("thurs at 4 works", "2026-11-26 16:00:00", False),
        ("next tues", "2026-12-01 09:00:00", True),
        ("renew the registration on the 15th", "2026-12-15 09:00:00", True),  # a day of the month alone
        ("call on the 24th at 3pm", "2026-11-24 15:00:00", False),  # today's date is today
        ("dinner the 1st at 7pm", "2026-12-01 19:00:00", False),  # passed this month: the next month's
        ("lunch on the 3rd of March", "2027-03-03 09:00:00", True),  # a month said: that month's
        ("dinner w/ Marisol fri 7:30 at Delfina", "2026-11-27 19:30:00", False),  # short day, bare clock
        ("lunch fri at noon", "2026-11-27 12:00:00", False),
        ("sat 10:00 brunch", "2026-11-28 10:00:00", False),
        ("meeting w/ Linnea & Tobiah fri 3-4pm re hiring plan", "2026-11-27 15:00:00", False),
        ("half past 3 on Friday remind me to move the car", "2026-11-27 15:30:00", False),  # as "at 3" is
        ("standup at quarter past nine tomorrow", "2026-11-25 09:15:00", False),
        ("call mom quarter to 8pm", "2026-11-24 19:45:00", False),
        # dev batch thirty-nine: a month and day in figures, days and weeks from now, a weekday with its date
        ("remind me on 12/15 to pay rent", "2026-12-15 09:00:00", True),
        ("pay rent 1/3", "2027-01-03 09:00:00", True),  # passed this year: the next
        ("meeting on 12/9/2026 at 3pm", "2026-12-09 15:00:00", False),
        ("lunch with Ana a week from today at 1pm", "2026-12-01 13:00:00", False),
        ("remind me in 3 days to follow up", "2026-11-27 09:00:00", True),
        ("remind me in two weeks to check the tires", "2026-12-08 09:00:00", True),
        ("book the gym on Monday the 30th at 6am", "2026-11-30 06:00:00", False),  # one moment, not two
        ("remind me tmrw @ 8 to go", "2026-11-25 08:00:00", False),
    ],
)
def test_parts_of_the_day_and_texting_shorthand(query, start, all_day):
    (ref,) = resolve_times(query, NOW)
    assert (ref.start, ref.all_day) == (start, all_day)


def test_no_times_and_numbers_that_are_not_times():
    assert resolve_times("Text Maria that I'll be 10 minutes late", NOW) == []
    assert resolve_times("send budget_2027.xlsx to Marcus at marcus@example.com", NOW) == []
    assert resolve_times("Book a video call with Thu about the plan", NOW) == []
    assert resolve_times("text Sun that the sun is out and I sat down", NOW) == []  # short weekdays as words
    assert [r.text for r in resolve_times("a video call with Thu at 4pm", NOW)] == ["at 4pm"]  # a name
    assert resolve_times("meet on the 3rd floor", NOW) == []
    assert resolve_times("half past tenacious", NOW) == []  # an hour word only as a word  # an ordinal that is no day
    assert [r.text for r in resolve_times("watch the sun 7:30 pm", NOW)] == ["7:30 pm"]  # "the sun" is no Sunday
    assert [r.text for r in resolve_times("zoom Marih 4 at 8am", NOW)] == ["at 8am"]  # a name, not "March 4"
    assert resolve_times("add 1/2 cup of sugar, 3/4 of it", NOW) == []  # fractions
    assert resolve_times("email bo@5star.example hi", NOW) == []  # an address's "@5"
    assert resolve_times("remind me on 13/45 to x", NOW) == []  # no such month
    assert resolve_times("Bond list: afternoon, coffee and tomatoes", NOW) == []  # the "noon" of "afternoon"
    (feb,) = resolve_times("on the 31st", datetime(2026, 2, 2))  # no 31st in February: March's
    assert (feb.day, feb.all_day) == ("2026-03-31", True)


def test_a_plan_may_write_an_all_day_date_as_the_day_or_its_midnight():
    """The grammar's choices for one expression (dev batches ten to twelve write an all-day reminder's
    date as midnight, the generator as the day; a grammar without midnight forced 09:00 on the model)."""
    (day,) = resolve_times("remind me on Friday to pay rent", NOW)
    assert day.values == ("2026-11-27 09:00:00", "2026-11-27 10:00:00", "2026-11-27", "2026-11-27 00:00:00")
    (stretch,) = resolve_times("remind me on Friday to stretch for 10 minutes", NOW)  # a later duration
    assert stretch.all_day and stretch.day == "2026-11-27"  # leaves a day alone all day
    (timed,) = resolve_times("remind me on Friday at 5pm to pay rent", NOW)
    assert timed.values == ("2026-11-27 17:00:00", "2026-11-27 18:00:00", "2026-11-27")


def test_two_expressions_in_request_order():
    refs = resolve_times("lunch Friday at 1pm, and a call tomorrow at 8:30 am for 20 minutes", NOW)
    assert [r.start for r in refs] == ["2026-11-27 13:00:00", "2026-11-25 08:30:00"]
    assert refs[1].end == "2026-11-25 08:50:00"


@pytest.mark.parametrize(
    "query, start",
    [
        ("remind me tomorrow to call Bo at 5", "2026-11-25 17:00:00"),
        ("text Ilaria the zoom link for our 4pm call tmrw", "2026-11-25 16:00:00"),
        ("our 3pm meeting on Friday", "2026-11-27 15:00:00"),
        ("remind me at 5 to call mom tomorrow", "2026-11-25 17:00:00"),
    ],
)
def test_a_day_and_a_time_said_apart_in_one_clause_are_one_moment(query, start):
    refs = resolve_times(query, NOW)
    assert len(refs) == 2 and {r.start for r in refs} == {start} and not any(r.all_day for r in refs)


def test_a_day_and_a_time_of_two_clauses_stay_apart():
    day, clock = resolve_times("remind me tomorrow to pay rent and text Bo at 5", NOW)
    assert day.all_day and day.day == "2026-11-25" and clock.start == "2026-11-24 17:00:00"
    assert len(resolve_times("lunch tomorrow at noon, and a reminder on Friday at 3 about the dentist", NOW)) == 2


def test_agrees_with_the_synthetic_data_on_thousands_of_expressions():
    """Every expression the data generator writes resolves to the value its plans use."""
    rng = random.Random(7)
    misses = []
    for _ in range(3000):
        now = datetime(2026, 1, 5, 9).replace(day=rng.randint(1, 28), month=rng.randint(1, 12), hour=rng.randint(8, 20))
        when = sample_when(rng, now, with_duration=True, day_only=rng.random() < 0.5)
        refs = resolve_times(f"schedule the review {when}", now)
        if not refs or (refs[0].start, refs[0].end, refs[0].all_day) != (when.start, when.end, when.all_day):
            misses.append((when.text, now, [r.describe() for r in refs]))
    assert not misses, misses[:5]


def test_ranges_durations_said_first_and_days_without_a_time():
    def one(query: str) -> tuple[str, str, bool]:
        (ref,) = resolve_times(query, NOW)
        return ref.start, ref.end, ref.all_day

    assert one("block Friday 1-3pm for the offsite") == ("2026-11-27 13:00:00", "2026-11-27 15:00:00", False)
    assert one("from 11 to 1pm tomorrow") == ("2026-11-25 11:00:00", "2026-11-25 13:00:00", False)
    assert one("between 2pm and 3:30pm on Monday") == ("2026-11-30 14:00:00", "2026-11-30 15:30:00", False)
    assert one("a 30 minute call on Wednesday at 9") == ("2026-11-25 09:00:00", "2026-11-25 09:30:00", False)
    assert one("remind me Friday to renew my passport") == ("2026-11-27 09:00:00", "2026-11-27 10:00:00", True)
    assert resolve_times("remind me Friday to renew my passport", NOW)[0].describe().endswith(", all day 2026-11-27")
    assert one("5 to 10 people at 3pm")[:2] == ("2026-11-24 15:00:00", "2026-11-24 16:00:00")  # not a range
    assert one("block out Wednesday 9 to 11 for deep work")[:2] == ("2026-11-25 09:00:00", "2026-11-25 11:00:00")
    assert one("from 11-1 on Friday")[:2] == ("2026-11-27 11:00:00", "2026-11-27 13:00:00")  # bare hours
    assert one("zoom Thursday at 1:30, 45 mins")[:2] == ("2026-11-26 13:30:00", "2026-11-26 14:15:00")
    assert one("a call with Sio for 20 minutes tomorrow at 4:40pm")[:2] == (
        "2026-11-25 16:40:00",
        "2026-11-25 17:00:00",
    )
    (said_first,) = resolve_times("a call with Sio for 20 minutes tomorrow at 4:40pm", NOW)
    assert said_first.text == "for 20 minutes tomorrow at 4:40pm", "cut from a title with its time"
    assert resolve_times("text Sam 2 to 3 people are coming", NOW) == []  # no day, no "from": not a range
    # a duration said first measures the next time said, wherever the request has others
    assert [r.minutes for r in resolve_times("a 30 minute call at 9 and lunch at 1", NOW)] == [30, 60]
    both = resolve_times("zoom at 11 tomorrow, 15 min, then set up a 20-minute catch-up at 3:45pm Friday", NOW)
    assert [r.minutes for r in both] == [15, 20]


def test_compact_prompt_carries_resolved_times(registry):
    tools = list(registry.tools.values())
    prompt = build_compact_prompt("meet tomorrow at 3pm", tools, now=NOW)
    assert "Time: 2026-11-25 15:00:00 to 2026-11-25 16:00:00 (60 min)" in prompt
    assert prompt.startswith("Tools: " + " ".join(t.name for t in tools))
    assert prompt.endswith("Question: meet tomorrow at 3pm\nPlan:\n")
    assert not re.search(r"Time:", build_compact_prompt("hello there", tools, now=NOW))
