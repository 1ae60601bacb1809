from __future__ import annotations

import pytest

from tinyagent.plugins import ToolInputError
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import get_plugin_manager, load_registry
from tinyagent_todo import Task, add_todo, complete_todo, list_todos, todo_file


def test_todo_txt_round_trip(isolated):
    add_todo("Buy milk", "", "")
    add_todo("File taxes", "2027-04-15 09:00:00", "a")
    add_todo("Fix the garage door", "2026-12-01", "B")
    lines = todo_file().read_text().splitlines()
    assert lines[1].startswith("(A) ") and lines[1].endswith("File taxes due:2027-04-15")
    assert list_todos("").splitlines() == [
        "- File taxes (due 2027-04-15) [A]",
        "- Fix the garage door (due 2026-12-01) [B]",
        "- Buy milk",
    ]
    assert list_todos("garage") == "- Fix the garage door (due 2026-12-01) [B]"
    add_todo("Weed garden", "", "")
    assert list_todos("the garden") == list_todos("my  Garden") == "- Weed garden"  # how it was said
    assert complete_todo("taxes") == "Completed 'File taxes'"
    done = Task.parse(todo_file().read_text().splitlines()[1])
    assert done.done and done.title == "File taxes" and "pri:A" in done.text
    assert "File taxes" not in list_todos("")


def test_todo_errors(isolated):
    with pytest.raises(ToolInputError, match="no open tasks"):
        complete_todo("x")
    add_todo("Call Anna", "", "")
    add_todo("Call Anne", "", "")
    with pytest.raises(ToolInputError, match="matches several open tasks"):
        complete_todo("call ann")
    with pytest.raises(ToolInputError, match="YYYY-MM-DD"):
        add_todo("x", "friday", "")
    with pytest.raises(ToolInputError, match="letter A-Z"):
        add_todo("x", "", "high")


def test_installing_the_todo_pack_changes_the_fingerprint(monkeypatch):
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant")
    without = load_registry(get_plugin_manager())
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    with_todo = load_registry(get_plugin_manager())
    assert {"add_todo", "list_todos", "complete_todo"} <= set(with_todo.tools)
    assert fingerprint(without) != fingerprint(with_todo)
