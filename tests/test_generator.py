from __future__ import annotations

import json
import random
import re
from datetime import datetime

import pytest
from click.testing import CliRunner

from tinyagent.cli import cli
from tinyagent.plan import parse_plan
from tinyagent.plugins import Example, hookimpl
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin
from tinyagent.training.dates import sample_when
from tinyagent.training.generator import (
    CORRECTIONS,
    HELD_OUT_SPLITS,
    SPLITS,
    DataConfig,
    check_example,
    generate,
    handwritten_rows,
    split_counts,
    write_dataset,
)


@pytest.fixture
def packs(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    return load_registry(get_plugin_manager())


def _examples(reg, train=600, seed=0):
    return list(generate(reg, DataConfig(train, 60, 60, 60, 60, seed)))


def test_deterministic_for_a_seed(packs):
    a = [e.to_json() for e in _examples(packs, 200, seed=7)]
    b = [e.to_json() for e in _examples(packs, 200, seed=7)]
    c = [e.to_json() for e in _examples(packs, 200, seed=8)]
    assert a == b and a != c


def test_every_example_is_sound_and_splits_are_disjoint(packs):
    examples = _examples(packs)
    splits = SPLITS
    assert [sum(e.split == s for e in examples) for s in splits] == [600, 60, 60, 60, 60]
    assert len({e.query for e in examples}) == len(examples)  # disjoint by query text
    for e in examples:
        assert check_example(e.to_json(), packs) == []
    # each held-out split uses phrasings that no other split ever saw
    for split in HELD_OUT_SPLITS:
        held = {p for e in examples if e.split == split for p in e.phrasings}
        seen = {p for e in examples if e.split != split for p in e.phrasings}
        assert all(any(p not in seen for p in e.phrasings) for e in examples if e.split == split)
        assert held - seen


def test_coverage_every_tool_alone_and_multi_intent_requests(packs):
    examples = _examples(packs, 3000)
    alone = {e.tools[0] for e in examples if len(e.templates) == 1 and len(e.tools) == 1}
    needs_a_lookup = {"summarize_pdf"}  # always after open_and_get_file_path
    assert set(packs.tools) - needs_a_lookup <= alone
    sizes = {len(e.templates) for e in examples}
    assert sizes == {1, 2, 3, 4}
    # the data flow is right: a looked-up address feeds the e-mail
    flow = next(e for e in examples if e.templates == ["email"])
    plan = parse_plan(flow.plan)
    assert plan.steps[1].deps == (1,) and plan.steps[1].args[0] == ["$1"]


def test_slot_values_are_copied_from_the_request(packs):
    for e in _examples(packs, 300):
        for step in parse_plan(e.plan).steps:
            if step.tool in ("get_phone_number", "get_email_address", "open_and_get_file_path"):
                assert step.args[0] in e.query, (e.query, step)


def test_shorthand_rewrites_template_words_never_values(packs):
    from tinyagent.training.generator import SHORTHAND, render_template

    sms = next(t for t in packs.templates if t.id == "sms")
    now = datetime(2026, 11, 24, 9, 30)
    rewritten = 0
    abbreviations = {a for v in SHORTHAND.values() for a in ((v,) if isinstance(v, str) else v)}
    for seed in range(40):
        for j in range(len(sms.phrasings)):
            plain, plan = render_template(sms, j, random.Random(seed), now, noise=0)
            short, same = render_template(sms, j, random.Random(seed), now, noise=0, short=True)
            assert plan == same  # the values (and so the plan) do not depend on the surface
            for value in (plan.steps[0].args[0], plan.steps[1].args[1]):
                assert value in short
            rewritten += plain != short
            assert set(short.split()) - set(plain.split()) <= abbreviations | set(plain.split())
    assert rewritten  # some phrasing had a word to abbreviate


def test_relative_dates_resolve_against_now():
    now = datetime(2026, 11, 24, 9, 30)  # a Tuesday
    rng = random.Random(3)
    for _ in range(300):
        w = sample_when(rng, now)
        if w.text.startswith("tomorrow at 3pm"):
            assert w.start == "2026-11-25 15:00:00"
        if "Friday" in w.text and "at" in w.text:
            assert w.start_dt.date().isoformat() == "2026-11-27"
        assert w.start_dt > now or "in " in w.text


def test_check_rejects_corrupted_examples(packs):
    good = _examples(packs, 50)[0].to_json()
    corruptions = {
        "unparsable": {"plan": '1. get_phone_number("x"\n2. join()'},
        "unknown tool": {"plan": '1. get_fone_number("x")\n2. join()', "tools": ["get_fone_number"]},
        "arity": {"plan": '1. send_sms("x")\n2. join()', "tools": ["send_sms"]},
        "tools field": {"tools": ["maps_open_location"]},
        "bad now": {"now": "yesterday"},
        "no query": {"query": ""},
        "missing field": {"plan": None},
    }
    for name, change in corruptions.items():
        assert check_example(good | change, packs), name
    wrong_refs = good | {
        "plan": '1. get_phone_number("a")\n2. send_sms(["x"], "hi")\n3. join()',
        "tools": ["get_phone_number", "send_sms"],
        "expected_deps": {1: [], 2: [1]},
    }
    assert "references" in check_example(wrong_refs, packs)[0]


def test_retrain_only_data_writes_the_dataset(tmp_path, packs):
    out = tmp_path / "data"
    res = CliRunner().invoke(cli, ["retrain", "--only", "data", "--size", "400", "--out", str(out)])
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text())
    # the assistant pack's hand-written requests join train, each at least once
    assert manifest["handwritten"] > 300
    train = 400 + manifest["handwritten"]
    assert manifest["counts"] == {"train": train, "val": 50, "val_heldout": 50, "test": 50, "test_heldout": 50}
    assert manifest["rejected"] == 0 and len(manifest["fingerprint"]) == 64
    row = json.loads((out / "test.jsonl").read_text().splitlines()[0])
    assert set(row) == {"query", "now", "plan", "tools", "templates", "phrasings", "split"}
    assert CliRunner().invoke(cli, ["retrain", "--only", "classifier"]).exit_code == 1


def test_no_templates_is_a_clear_error(tmp_path, fake_pack, monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "")
    from tinyagent.plugins.host import remove_plugin

    remove_plugin("fake")
    res = CliRunner().invoke(cli, ["retrain", "--only", "data", "--size", "10", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "register no task templates" in res.output


def test_pinned_held_out_phrasings_stay_out_of_training(packs):
    templates = {t.id: t for t in packs.templates}
    assert any(t.held_out for t in templates.values())  # the assistant pack pins its benchmark
    seen = set()
    for e in _examples(packs):
        for p in e.phrasings:
            t_id, i = p.split("#")
            if "<" in t_id:  # a chain's phrasing: never held out
                continue
            pinned = templates[t_id].held_out
            text = templates[t_id].phrasings[int(i)]
            if text in pinned:  # the first pinned phrasing is the test's, the second val's
                assert e.split == ("test_heldout", "val_heldout")[pinned.index(text)]
                seen.add((t_id, text))
    assert len(seen) > 20  # both splits did use them


@pytest.mark.parametrize(
    "held_out, error",
    [
        (("text {person} that {text}",), "two different phrasings"),
        (("text {person} that {text}", "text {person} that {text}"), "two different phrasings"),
        (("text {person} that {text}", "never said this"), "two different phrasings"),
    ],
)
def test_held_out_must_name_two_of_its_own_phrasings(held_out, error):
    from tinyagent.plugins import TaskTemplate

    phrasings = ("text {person} that {text}", "sms {person}: {text}", "tell {person} {text}", "ping {person} {text}")
    with pytest.raises(ValueError, match=error):
        TaskTemplate(
            "sms",
            phrasings,
            '1. send_sms(["{person}"], "{text}")',
            {"person": "person", "text": "text"},
            held_out=held_out,
        )
    with pytest.raises(ValueError, match="at least 4 phrasings"):
        TaskTemplate(
            "sms",
            phrasings[:3],
            '1. send_sms(["{person}"], "{text}")',
            {"person": "person", "text": "text"},
            held_out=phrasings[:2],
        )


def test_chains_compose_every_producer_with_every_consumer_that_takes_its_kind(packs):
    from tinyagent.training.generator import chain_pairs

    reg = load_registry(get_plugin_manager())
    pairs = {(p.id, o.id) for p, o, _ in chain_pairs(sorted(reg.templates, key=lambda t: t.id))}
    assert ("summarize", "email") in pairs and ("todo_list", "sms") in pairs  # across packs, through the API
    assert ("map", "note_create") in pairs and not any(p == o for p, o in pairs)
    chained = [e for e in generate(reg, DataConfig(600, 20, 20, 20, 20)) if any("<" in p for p in e.phrasings)]
    assert len(chained) > 50
    for ex in chained:
        assert not check_example(ex.to_json(), reg), ex.query
        plan = parse_plan(ex.plan)
        tools = {s.idx: s.tool for s in plan.steps}
        producers = {"summarize_pdf", "get_zoom_meeting_link", "maps_open_location", "maps_show_directions"}
        takes = [(s, d) for s in plan.steps for d in s.deps if tools[d] in producers | {"list_todos"}]
        assert takes, ex.plan  # some step uses a product
        assert "@@IT@@" not in ex.plan


def test_a_product_sent_on_twice_feeds_both_consumers(packs):
    """ "summarize q3.pdf, save it in a note called Q3 and send it to Bertille": two chains, one producer."""
    twice = [e for e in generate(packs, DataConfig(2000, 20, 20, 20, 20)) if sum("<" in p for p in e.phrasings) == 2]
    assert len(twice) > 10
    producers = {"summarize_pdf", "get_zoom_meeting_link", "maps_open_location", "maps_show_directions", "list_todos"}
    for ex in twice:
        assert not check_example(ex.to_json(), packs), ex.query
        plan = parse_plan(ex.plan)
        made = [s.idx for s in plan.steps if s.tool in producers]
        takers = {s.idx for s in plan.steps for d in s.deps if d in made and s.tool not in producers}
        owners = [p.split("<")[0] for p in ex.phrasings if "<" in p]
        assert len(takers) >= 2 and owners[0] != owners[1], ex.plan
        assert ex.templates[: len(owners) + 1][1:] == owners  # producer, then both consumers


def test_an_inline_noun_asks_for_the_product_in_the_clause_that_sends_it(packs):
    """One clause ("email Greg the summary of lease.pdf"): the producer's steps, then the chain's."""
    inline = [e for e in generate(packs, DataConfig(1500, 20, 20, 20, 20)) if any("<<" in p for p in e.phrasings)]
    assert len(inline) > 30
    kinds = {p.split("#")[0] for e in inline for p in e.phrasings if "<<" in p}
    for producer in ("<<summarize", "<<map", "<<directions"):
        assert any(producer in k for k in kinds), kinds
    for ex in inline:
        assert not check_example(ex.to_json(), packs), ex.query
        plan = parse_plan(ex.plan)
        tools = {s.idx: s.tool for s in plan.steps}
        # the product's value reaches the consumer as a reference (a summary asked for on its own
        # in another clause of the request feeds nothing)
        chained_summary = any("<<summarize" in p for p in ex.phrasings) and not any(
            p.startswith("summarize#") for p in ex.phrasings
        )
        for step in plan.steps:
            if step.tool == "summarize_pdf" and chained_summary:
                (file_step,) = step.deps
                assert plan.steps[file_step - 1].args[0] in ex.query
                assert any(step.idx in s.deps for s in plan.steps if tools[s.idx] != "summarize_pdf")
            if step.tool in ("maps_open_location", "maps_show_directions"):
                assert step.args[1 if step.tool == "maps_show_directions" else 0] in ex.query


def test_an_inline_noun_must_say_every_value_of_its_plan():
    from tinyagent.plugins import TaskTemplate

    with pytest.raises(ValueError, match="does not say"):
        TaskTemplate(
            "route", ("route from {a} to {b}",), '1. directions("{a}", "{b}")', {"a": "place", "b": "place"},
            produces="directions", nouns=("the route", "the route to {b}"),
        )  # fmt: skip


def test_a_chain_back_to_the_producers_person_says_a_pronoun_and_reuses_the_name(packs):
    """ "set up a zoom with Theo and text him the link": Theo's number, looked up by his name, and
    nobody is ever looked up as "him"."""
    cfg = DataConfig(2500, 20, 20, 20, 20, chain_rate=1.0)
    examples = list(generate(packs, cfg))
    said = re.compile(r'get_(?:email_address|phone_number)\("(?:him|her|them)"\)')
    assert not any(said.search(e.plan) for e in examples)
    back = [e for e in examples if any(p.startswith("sms<zoom#") for p in e.phrasings)]
    # the chain alone: a third intent may say "her" of someone else ("... and message her that ...")
    back = [e for e in back if len(e.phrasings) == 2 and re.search(r"\b(?:him|her|them)\b", e.query)]
    assert len(back) >= 3
    for ex in back:
        plan = parse_plan(ex.plan)
        invitee = next(s for s in plan.steps if s.tool == "get_email_address").args[0]
        phone = next(s for s in plan.steps if s.tool == "get_phone_number")
        sms = next(s for s in plan.steps if s.tool == "send_sms")
        assert phone.args[0] == invitee and sms.args[0] == [f"${phone.idx}"], ex.plan


def test_a_mailed_meeting_link_invites_its_recipients(packs):
    """The natural sets' convention: whoever gets a meeting link by e-mail is invited to the meeting
    (no e-mail chain takes a link; ``zoom_email`` says it), and the subject is the meeting's topic."""
    examples = list(generate(packs, DataConfig(3000, 20, 20, 20, 20, chain_rate=1.0)))
    assert not any(p.startswith(("email<zoom", "email_two<zoom")) for e in examples for p in e.phrasings)
    mailed = [e for e in examples if any(p.startswith("zoom_email") for p in e.phrasings)]
    assert len(mailed) >= 3
    for ex in mailed:
        plan = parse_plan(ex.plan)
        for zoom in (s for s in plan.steps if s.tool == "get_zoom_meeting_link"):
            mail = next((s for s in plan.steps if s.tool == "compose_new_email" and zoom.idx in s.deps), None)
            if mail is not None:
                assert mail.args[0] == zoom.args[3] and mail.args[2] == zoom.args[0], ex.plan


def test_a_subject_must_name_a_product_with_slots_of_its_own():
    from tinyagent.plugins import TaskTemplate

    with pytest.raises(ValueError, match="does not declare"):
        TaskTemplate("t", ("do {a}",), '1. f("{a}")', {"a": "title"}, subject="{a}")
    with pytest.raises(ValueError, match="has no slot"):
        TaskTemplate("t", ("do {a}",), '1. f("{a}")', {"a": "title"}, produces="x", nouns=("it",), subject="{b}")


def test_a_false_start_taken_back_leaves_only_what_follows_in_the_plan(packs):

    examples = list(generate(packs, DataConfig(400, 20, 20, 20, 20, correction_rate=1.0)))
    for ex in examples:
        marker = next((m for m in CORRECTIONS if m in ex.query), None)
        assert marker, ex.query
        assert not check_example(ex.to_json(), packs), ex.query
    rate = DataConfig().correction_rate
    plain = list(generate(packs, DataConfig(2000, 20, 20, 20, 20)))
    taken_back = sum(any(m in e.query for m in CORRECTIONS) for e in plain) / len(plain)
    assert rate / 2 < taken_back < rate * 2


def test_no_request_says_two_determiners_in_a_row(packs):
    """An article in the template and one in the value ("my the Party review note") is not English."""
    assert not [e.query for e in _examples(packs, 2000) if re.search(r"\b(?:the|my|a|your)\s+the\b", e.query, re.I)]


def test_a_day_after_by_or_for_drops_its_on(packs):
    """ "due by Friday", "a reminder for Dec 3": never "by on Friday" (dev todo batch one)."""
    queries = [e.query for e in _examples(packs, 2000)]
    assert not [q for q in queries if re.search(r"\b(?:by|for|until|before|due) on\b", q, re.I)]
    weekday = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    assert [q for q in queries if re.search(rf"\bby {weekday}", q, re.I)]


def test_a_message_of_two_clauses_is_planned_whole(packs):
    """ "numbers attached, see tab 2": the body runs past its comma (dev batch eight cut it there)."""
    bodies = []  # about 1.7% of texts have two clauses (3 seeds of 3,000): pooled over two seeds, over 0.5%
    for e in _examples(packs, 3000) + _examples(packs, 3000, seed=1):
        for step in parse_plan(e.plan).steps:
            if step.tool == "send_sms" and "$" not in step.args[1]:
                bodies.append(step.args[1])
    two = [b for b in bodies if re.search(r"\w(?:; |\. )\w", b)]  # a comma also joins lists: not counted
    assert len(two) > max(5, 0.005 * len(bodies))


def test_a_reminder_list_is_said_in_the_request(packs):
    lists = [
        (e.query, s.args[3])
        for e in _examples(packs, 3000)
        for s in parse_plan(e.plan).steps
        if s.tool == "create_reminder" and s.args[3]
    ]
    assert len(lists) > 5 and all(name in q for q, name in lists)


def test_todo_priority_words_plan_their_letters(packs):
    """The todo pack's convention: urgent or high is A, medium B, low C."""
    letters = {"urgent": "A", "high priority": "A", "medium priority": "B", "low priority": "C"}
    seen = set()
    for e in _examples(packs, 4000):
        steps = parse_plan(e.plan, require_join=False).steps
        if [s.tool for s in steps] != ["add_todo"]:
            continue
        task, _, letter = steps[0].args
        query = e.query
        for marker in CORRECTIONS:  # what a false start said is taken back ("a medium priority... actually")
            query = query.split(marker)[-1]
        said = query.lower().replace(task.lower(), "")  # a priority word in the task itself says nothing
        for word, expected in letters.items():
            if word in said:
                assert letter == expected, (e.query, e.plan)
                seen.add(letter)
    assert seen == {"A", "B", "C"}


def test_an_event_is_said_with_its_article_and_planned_without_a(packs):
    """ "schedule a call with Ana" is an event called "call"; "the retro" keeps its article."""
    titles = [
        (e.query, s.args[0])
        for e in _examples(packs, 2000)
        for s in parse_plan(e.plan).steps
        if s.tool == "create_calendar_event" and not str(s.args[0]).startswith("$")
    ]
    assert not [t for _, t in titles if re.match(r"(?:a|an) ", t)]
    lead = r"(?:\S+[- ](?:minute|min|hour) )?"  # "a 30 minute check-in"
    said_with_a = [t for q, t in titles if re.search(rf"\b(?:a|an) {lead}{re.escape(t)}\b", q)]
    assert len(said_with_a) > 0.1 * len(titles) > 10
    assert any(t.startswith("the ") for _, t in titles)


def test_a_day_without_a_time_makes_an_all_day_reminder(packs):
    from tinyagent.when import resolve_times

    rows = [e for e in _examples(packs, 1500) if "create_reminder" in e.plan]
    all_day = [e for e in rows if ", True)" in e.plan]
    assert len(all_day) > 10
    for ex in all_day:
        step = next(s for s in parse_plan(ex.plan).steps if s.tool == "create_reminder" and s.args[-1] is True)
        refs = resolve_times(ex.query, datetime.strptime(ex.now, "%Y-%m-%d %H:%M:%S"))
        assert any(r.all_day and r.day == step.args[1] for r in refs), ex.query  # the day alone, as resolved


@pytest.mark.parametrize(
    ("chain", "error"),
    [
        (dict(accepts=("x",), phrasings=("send it",), plan='1. f("{it}")'), "must say {it}"),
        (dict(accepts=("x",), phrasings=("send {it} to {who}",), plan='1. f("{it}")'), "{who} has no slot"),
        (dict(accepts=(), phrasings=("send {it}",), plan='1. f("{it}")'), "accepted kinds"),
    ],
)
def test_a_chain_is_checked_where_it_is_declared(chain, error):
    from tinyagent.plugins import Chain, TaskTemplate

    with pytest.raises(ValueError, match=error):
        TaskTemplate("t", ("do it",), "1. f()", chains=(Chain(**chain),))
    with pytest.raises(ValueError, match="go together"):
        TaskTemplate("t", ("do it",), "1. f()", produces="thing")


def test_a_dataset_is_identified_by_its_content(tmp_path, packs):
    from tinyagent.training.generator import write_dataset

    built = [
        write_dataset(packs, tmp_path / str(i), DataConfig(200, 20, 20, 20, 20, seed), "fp")
        for i, seed in enumerate((1, 1, 2))
    ]
    assert built[0]["sha256"] == built[1]["sha256"] != built[2]["sha256"]


class _Handwritten:
    """A pack that ships hand-written requests, as a third party would."""

    def __init__(self, *examples: Example):
        self.examples = examples

    @hookimpl
    def register_examples(self, register):
        for example in self.examples:
            register(example)


_ODILE = Example(
    "pls txt Odile: running l8, start w/o me",
    '1. get_phone_number("Odile")\n2. send_sms(["$1"], "running l8, start w/o me")\n3. join()<END_OF_PLAN>',
    now="2026-12-02 14:00:00",
)


def test_a_packs_handwritten_requests_are_trained_on_in_train_only(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    before = fingerprint(load_registry(get_plugin_manager()))
    add_plugin(_Handwritten(_ODILE, Example("a plain in-context example", "1. join()<END_OF_PLAN>")), "mine")
    try:
        reg = load_registry(get_plugin_manager())
        cfg = DataConfig(2000, 20, 20, 20, 20, handwritten_share=0.5)
        manifest = write_dataset(reg, tmp_path, cfg, "fp")
    finally:
        remove_plugin("mine")
    n = len(handwritten_rows(reg))  # the assistant pack's and this one's: only the dated ones
    assert n == sum(bool(e.now) for e in reg.examples) and manifest["handwritten"] == n
    assert manifest["counts"] == split_counts(reg, cfg) and manifest["counts"]["train"] == 2000 + n * round(1000 / n)
    rows = {s: [json.loads(line) for line in (tmp_path / f"{s}.jsonl").read_text().splitlines()] for s in SPLITS}
    mine = [r for r in rows["train"] if r["query"] == _ODILE.query]
    assert len(mine) == round(1000 / n) and mine[0]["templates"] == ["handwritten"]
    assert mine[0]["now"] == _ODILE.now and mine[0]["tools"] == ["get_phone_number", "send_sms"]
    assert not any(r["query"] == _ODILE.query for s in SPLITS[1:] for r in rows[s])
    # spread through train, not appended: a run on the first rows (--examples N) sees some
    assert any(r["templates"] == ["handwritten"] for r in rows["train"][:200])
    assert fingerprint(reg) != before  # new training data: the planner is stale until retrained


def test_a_handwritten_request_the_tools_reject_is_an_error_naming_it(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    bad = Example("text Odile hi", '1. send_sms("Odile", "hi")\n2. join()<END_OF_PLAN>', now="2026-12-02 14:00:00")
    add_plugin(_Handwritten(bad), "mine")
    try:
        reg = load_registry(get_plugin_manager())
    finally:
        remove_plugin("mine")
    with pytest.raises(ValueError, match=r"pack 'mine': hand-written example 'text Odile hi': plan invalid"):
        handwritten_rows(reg)


def test_a_list_is_added_things_and_keeps_its_name(packs):
    """ "put oat milk and granola on my Shopping list": an ``...items`` slot draws one to three things
    (or a task), and the reminder goes on the named list, never into a note or an SMS."""
    from tinyagent.training.slots import fill_slot

    rng = random.Random(0)
    said = [fill_slot("title", rng, datetime(2026, 12, 2, 14), "items").text for _ in range(300)]
    assert all(said) and any(re.search(r" and |, | & ", s) for s in said) and any(" " not in s for s in said)
    examples = _examples(packs, 3000)
    listed = [e for e in examples if len(e.phrasings) == 1 and e.phrasings[0].startswith("reminder_list_items#")]
    assert len(listed) >= 5
    for ex in listed:
        step = next(s for s in parse_plan(ex.plan).steps if s.tool == "create_reminder")
        # the first letter may change case ("Tea & selling - add to ..."), as the grammar allows
        query = ex.query.casefold()
        assert step.args[0].casefold() in query and step.args[3] and step.args[3].casefold() in query, ex.query
