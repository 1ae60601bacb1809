from __future__ import annotations

from tinyagent.metrics import args_match, dag_match, normalize_value, tool_recall_precision
from tinyagent.plan import parse_plan

GOLD = parse_plan(
    '1. get_email_address("Eren")\n'
    '2. get_zoom_meeting_link("Sync", "2026-12-03 15:00:00", 60, ["$1"])\n'
    '3. create_calendar_event("Sync", "2026-12-03 15:00:00", "2026-12-03 16:00:00", "", ["$1"], "$2", None)\n'
    "4. join()"
)


def test_isomorphic_plans_numbered_differently_match():
    pred = parse_plan(
        '2. get_email_address("eren")\n'
        '5. get_zoom_meeting_link("sync", "2026-12-03T15:00", 60, ["${2}"])\n'
        '7. create_calendar_event("Sync", "2026-12-03 15:00", "2026-12-03 16:00:00", "", ["$2"], "${5}", None)\n'
        "8. join()"
    )
    assert dag_match(pred, GOLD)
    assert args_match(pred, GOLD)  # case, date format and reference numbering are normalized


def test_same_tools_different_structure_do_not_match():
    # the same tool set, but the calendar event no longer depends on the meeting link
    pred = parse_plan(
        '1. get_email_address("Eren")\n'
        '2. get_zoom_meeting_link("Sync", "2026-12-03 15:00:00", 60, ["$1"])\n'
        '3. create_calendar_event("Sync", "2026-12-03 15:00:00", "2026-12-03 16:00:00", "", ["$1"], "", None)\n'
        "4. join()"
    )
    assert {s.tool for s in pred.steps} == {s.tool for s in GOLD.steps}
    assert not dag_match(pred, GOLD)


def test_dependency_labels_are_recursive():
    # two lookups feeding two sends, but crossed to the wrong tool kinds
    a = parse_plan(
        '1. get_phone_number("A")\n2. get_email_address("B")\n3. send_sms(["$1"], "x")\n'
        '4. compose_new_email(["$2"], [], "s", "c", [])\n5. join()'
    )
    b = parse_plan(
        '1. get_phone_number("A")\n2. get_email_address("B")\n3. send_sms(["$2"], "x")\n'
        '4. compose_new_email(["$1"], [], "s", "c", [])\n5. join()'
    )
    assert dag_match(a, a) and not dag_match(a, b)


def test_embedded_and_braced_references_count():
    gold = parse_plan('1. a()\n2. b("Hi ${1}")\n3. join()')
    pred_missing = parse_plan('1. a()\n2. b("Hi there")\n3. join()')
    pred_bare = parse_plan('1. a()\n2. b("Hi $1")\n3. join()')
    assert not dag_match(pred_missing, gold)
    assert dag_match(pred_bare, gold) and args_match(pred_bare, gold)


def test_argument_mismatch_is_caught_by_the_strict_score_only():
    pred = parse_plan(
        '1. get_email_address("Leo")\n'
        '2. get_zoom_meeting_link("Sync", "2026-12-03 15:00:00", 60, ["$1"])\n'
        '3. create_calendar_event("Sync", "2026-12-03 15:00:00", "2026-12-03 16:00:00", "", ["$1"], "$2", None)\n'
        "4. join()"
    )
    assert dag_match(pred, GOLD) and not args_match(pred, GOLD)


def test_extra_or_missing_steps():
    assert not dag_match(parse_plan('1. get_email_address("Eren")\n2. join()'), GOLD)
    assert dag_match(parse_plan("1. join()"), parse_plan("1. join()"))


def test_normalize_and_recall():
    assert normalize_value(" 2026-1-3 9:05 ") == "2026-01-03 09:05:00"
    assert normalize_value([1, "A  b"]) == [1.0, "a b"]
    assert tool_recall_precision({"a", "b", "c"}, {"a", "d"}) == (0.5, 1 / 3)
    assert tool_recall_precision(set(), set()) == (1.0, 1.0)
