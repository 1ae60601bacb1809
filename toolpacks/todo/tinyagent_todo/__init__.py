"""A todo.txt task list (http://todotxt.org format) for tinyagent.

The list lives in ``<data dir>/todo/todo.txt`` unless ``packs: {todo: {file: PATH}}`` says
otherwise, so any todo.txt app (Simpletask, sleek, todo.sh) shows the same tasks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

from tinyagent.plugins import (
    Example,
    Keyword,
    Levels,
    PromptRule,
    Said,
    TaskTemplate,
    ToolInputError,
    When,
    atomic_write,
    best_match,
    hookimpl,
    keyword,
    locked,
    pack_data_dir,
    pack_options,
)

__version__ = "0.1.0"

_TASK = re.compile(
    r"^(?:(?P<done>x) (?P<completed>\d{4}-\d{2}-\d{2}) )?(?:\((?P<pri>[A-Z])\) )?"
    r"(?:(?P<created>\d{4}-\d{2}-\d{2}) )?(?P<text>.*)$"
)
# "high priority", "priority B": the letter the request states (the template phrasings below)
Priority = Annotated[str, Levels("priority", "", high="A", top="A", medium="B", mid="B", low="C", a="A", b="B", c="C")]
_DUE = re.compile(r"(?:^|\s)due:(\d{4}-\d{2}-\d{2})\b")
_PRI_TAG = re.compile(r"(?:^|\s)pri:([A-Z])\b")


@dataclass
class Task:
    text: str
    priority: str = ""
    created: str = ""
    done: bool = False
    completed: str = ""

    @classmethod
    def parse(cls, line: str) -> Task:
        m = _TASK.match(line.strip())
        assert m is not None  # the pattern matches any line
        return cls(m["text"], m["pri"] or "", m["created"] or "", bool(m["done"]), m["completed"] or "")

    @property
    def due(self) -> str:
        m = _DUE.search(self.text)
        return m.group(1) if m else ""

    @property
    def title(self) -> str:
        return _PRI_TAG.sub("", _DUE.sub("", self.text)).strip()

    def render(self) -> str:
        if self.done:  # todo.txt keeps a completed task's priority as a pri:X tag
            tag = f" pri:{self.priority}" if self.priority and not _PRI_TAG.search(self.text) else ""
            return " ".join(filter(None, ["x", self.completed, self.created, self.text + tag]))
        return " ".join(filter(None, [f"({self.priority})" if self.priority else "", self.created, self.text]))


@pydantic_dataclass(config=ConfigDict(extra="forbid", strict=True))
class Options:
    """``packs.todo`` in the config file: ``file``, the todo.txt to use."""

    file: str = ""


def todo_file() -> Path:
    opts = pack_options("todo", Options)
    return Path(opts.file or pack_data_dir("todo") / "todo.txt").expanduser()


def _load() -> tuple[Path, list[Task]]:
    path = todo_file()
    if not path.exists():
        return path, []
    lines = path.read_text(encoding="utf-8").splitlines()
    return path, [Task.parse(line) for line in lines if line.strip()]


def _save(path: Path, tasks: list[Task]) -> None:
    atomic_write(path, "".join(t.render() + "\n" for t in tasks))


def add_todo(task: Said, due_date: When, priority: Priority) -> str:
    """Adds a task to the todo list.
    - due_date is 'YYYY-MM-DD' (a time part is ignored) or empty for no due date.
    - priority is a letter from 'A' (highest) to 'Z', or empty for none: urgent or high is 'A',
      medium 'B', low 'C'.
    """
    title = " ".join(task.split())
    if not title:
        raise ToolInputError("the task is empty")
    pri = priority.strip().upper()
    if pri and not re.fullmatch(r"[A-Z]", pri):
        raise ToolInputError(f"priority must be a letter A-Z or empty, got {priority!r}")
    due = ""
    if due_date.strip():
        try:
            due = datetime.strptime(due_date.strip()[:10], "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise ToolInputError(f"due date {due_date!r} is not in the form YYYY-MM-DD") from None
    with locked(todo_file()):
        path, tasks = _load()
        tasks.append(Task(title + (f" due:{due}" if due else ""), pri, date.today().isoformat()))
        _save(path, tasks)
    return f"Added {title!r}" + (f" due {due}" if due else "") + (f" with priority {pri}" if pri else "")


def list_todos(filter_text: Keyword) -> str:
    """Lists the open tasks, highest priority and soonest due first.
    - filter_text keeps only tasks containing it; empty lists every open task.
    """
    _, tasks = _load()
    # "tasks about the garden" keeps "Weed garden": a leading article or "my" is how the request said
    # it, not part of the task (the grammar's own rule for a Keyword, for planners it does not bind)
    needle = keyword(" ".join(filter_text.split())).casefold()
    open_tasks = [t for t in tasks if not t.done and needle in t.text.casefold()]
    if not open_tasks:
        return "No open tasks" + (f" matching {filter_text!r}" if needle else "")
    open_tasks.sort(key=lambda t: (t.priority or "~", t.due or "9999", t.title))
    return "\n".join(
        f"- {t.title}" + (f" (due {t.due})" if t.due else "") + (f" [{t.priority}]" if t.priority else "")
        for t in open_tasks
    )


def complete_todo(task: Said) -> str:
    """Marks the open task that best matches the given text as done."""
    with locked(todo_file()):
        path, tasks = _load()
        open_tasks = {t.title: t for t in tasks if not t.done}
        if not open_tasks:
            raise ToolInputError("there are no open tasks")
        found = best_match(task, open_tasks, "open task")
        found.done, found.completed = True, date.today().isoformat()
        _save(path, tasks)
    return f"Completed {found.title!r}"


@hookimpl
def register_tools(register: Callable[..., Any]) -> None:
    register(add_todo, side_effects=True, effect=lambda args: f"adds a task to {todo_file()}")
    register(list_todos)
    register(complete_todo, side_effects=True, effect=lambda args: f"marks a task done in {todo_file()}")


@hookimpl
def register_examples(register: Callable[..., Any]) -> None:
    for query, plan in [
        ("Add buy milk to my todo list", '1. add_todo("Buy milk", "", "")\n2. join()<END_OF_PLAN>'),
        (
            "Add a task to file taxes by 2027-04-15, top priority",
            '1. add_todo("File taxes", "2027-04-15", "A")\n2. join()<END_OF_PLAN>',
        ),
        ("What's on my todo list?", '1. list_todos("")\n2. join()<END_OF_PLAN>'),
        ("Which of my tasks mention the garage?", '1. list_todos("garage")\n2. join()<END_OF_PLAN>'),
        ("I finished the slides, tick them off", '1. complete_todo("slides")\n2. join()<END_OF_PLAN>'),
    ]:
        register(Example(query, plan))


@hookimpl
def register_prompt_rules(register: Callable[..., Any]) -> None:
    register(
        PromptRule(
            "Todo due dates are 'YYYY-MM-DD'; priorities are letters A (highest) to Z: urgent or high is A, medium B,"
            " low C.",
            ("add_todo",),
        )
    )


@hookimpl
def register_task_templates(register: Callable[..., Any]) -> None:
    # Phrasings from the ways people keep lists ("put it on my list", "gotta", "to do", "tasks"), the
    # task said before or after the list; the first two of each stay pinned as held out, so the
    # held-out benchmark stays comparable as phrasings are added.
    task = {"task": "title"}
    due = {"task": "title", "when": "date"}

    def add(name: str, phrasings: tuple[str, ...], plan: str, slots: dict[str, str], **kw: Any) -> None:
        register(TaskTemplate(name, phrasings, plan, slots, held_out=phrasings[:2], **kw))

    add(
        "todo_add",
        (
            "put {task} on my to-do list",
            "I need to {task}, add it to my tasks",
            "add {task} to my todo list",
            "new todo: {task}",
            "add a task to {task}",
            "todo: {task}",
            "add {task} to my tasks",
            "make a todo to {task}",
            "add {task} to my to do list",
            "add to my todo list: {task}",
            "add to my list {task}",
            "new task - {task}",
            "put {task} on my list",
            "I gotta {task}, put it on my list",
            "can you add {task} to my todos",
            "add a todo: {task}",
            "to do: {task}",
            "task: {task}",
            "remember to {task}, add it to my to-do list",
            "create a task {task}",
            "{task} - add it to my list",
            "add {task} to the list",
        ),
        '1. add_todo("{task}", "", "")',
        task,
        weight=2,
    )
    add(
        "todo_add_due",
        (
            "task for {when}: {task}",
            "I need to {task} by {when}, add it to my tasks",
            "add {task} to my todo list, due {when}",
            "put {task} on my to-do list for {when}",
            "new todo due {when}: {task}",
            "add a task to {task}, due {when}",
            "todo: {task} by {when}",
            "make a todo to {task} {when}",
            "add {task} to my tasks for {when}",
            "todo for {when} - {task}",
            "{when}: {task} (add to my tasks)",
            "add to my to do list: {task}, due {when}",
            "by {when}: {task}, put it on my list",
            "I gotta {task} by {when}, put it on my list",
            "put {task} on my list, due {when}",
            "add a todo to {task} by {when}",
            "new task due {when} - {task}",
            "add {task} to my todos due {when}",
        ),
        '1. add_todo("{task}", "{when.day}", "")',
        due,
        weight=1.5,
    )
    for level, letter, words in (
        ("top", "A", ("urgent", "high priority", "top priority", "priority A", "most important", "important")),
        ("mid", "B", ("medium priority", "priority B", "mid priority")),
        ("low", "C", ("low priority", "priority C")),
    ):
        phrasings = tuple(
            p.replace("{w}", w)
            for w in words
            for p in (
                "add {task} to my todo list, {w}",
                "{w} todo: {task}",
                "add a {w} task: {task}",
                "{w}: {task}, put it on my list",
                "add {task} to my tasks as {w}",
                "new {w} task - {task}",
            )
        )
        add(f"todo_add_{level}", phrasings, f'1. add_todo("{{task}}", "", "{letter}")', task, weight=0.6)
        add(
            f"todo_add_due_{level}",
            tuple(
                p.replace("{w}", w)
                for w in words
                for p in (
                    "add {task} to my todo list, due {when}, {w}",
                    "{w} todo for {when}: {task}",
                    "add a {w} task to {task} by {when}",
                    "put {task} on my list for {when}, it's {w}",
                )
            ),
            f'1. add_todo("{{task}}", "{{when.day}}", "{letter}")',
            due,
            weight=0.3,
        )
    add(
        "todo_add_two",
        tuple(
            p.replace("{lst}", lst)
            for p in (
                "add {task} and {task2} to {lst}",
                "put {task} and {task2} on {lst}",
                "add 2 tasks: {task}, {task2}",
                "new todos: {task}; {task2}",
                "add to {lst}: {task}, and {task2}",
            )
            for lst in ("my todo list", "my to-do list", "my to do list")
        ),
        '1. add_todo("{task}", "", "")\n2. add_todo("{task2}", "", "")',
        {"task": "title", "task2": "title"},
        weight=0.4,
    )
    add(
        "todo_list",
        (
            "read me my to-do list",
            "what's left on my list",
            "what's on my todo list?",
            "show my tasks",
            "list my todos",
            "what do I still have to do?",
            "which tasks are open?",
            "show me my open todos",
            "what tasks do I have",
            "whats on my to do list",
            "show me everything I still need to do",
            "my todos?",
            "what's on my list today",
            "any open tasks?",
            "go through my task list",
            "what have I got left to do",
        ),
        '1. list_todos("")',
        {},
        produces="list",  # the assistant pack's SMS, e-mail and note chains take it
        nouns=("the list", "my todo list", "it", "my tasks", "my open tasks", "my to-do list"),
    )
    add(
        "todo_find",
        (
            "list my {word} tasks",
            "search my todo list for {word}",
            "which of my tasks mention {word}?",
            "show todos about {word}",
            "do I have a task about {word}?",
            "find tasks with {word}",
            "any todos for {word}?",
            "what tasks do I have on {word}",
            "anything on my to-do list for {word}?",
            "list tasks mentioning {word}",
            "what's left on my todo about {word}",
            "show my {word} todos",
            "do i have any todos about {word}",
            "tasks about {word}?",
        ),
        '1. list_todos("{word}")',
        {"word": "title"},
        produces="list",
        nouns=("the list", "them", "it", "those tasks", "my {word} tasks", "the tasks about {word}"),
    )
    add(
        "todo_done",
        (
            "check off {task} on my list",
            "done with {task}",
            "mark {task} as done",
            "I finished {task}",
            "tick off {task}",
            "complete the task {task}",
            "{task} is done",
            "cross {task} off my todo list",
            "finished {task}, check it off",
            "{task} is done, tick it off the list",
            "mark {task} done",
            "mark the task {task} as complete",
            "complete todo: {task}",
            "done: {task}",
            "ok {task} is done, cross it off my tasks",
            "I did {task}, mark it done",
        ),
        '1. complete_todo("{task}")',
        task,
        weight=2,
    )
