from __future__ import annotations

import pytest

from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin

from . import fakepack
from .assistant_home import write_config


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own TINYAGENT_HOME and loads no installed entry points."""
    monkeypatch.setenv("TINYAGENT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TINYAGENT_PLUGINS", "")
    for var in ("TINYAGENT_CONFIG", "TINYAGENT_BACKEND", "TINYAGENT_BASE_URL", "TINYAGENT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    fakepack.CALLS.clear()
    fakepack.RELEASE.clear()
    yield tmp_path


@pytest.fixture
def fake_pack():
    add_plugin(fakepack, "fake")
    yield fakepack
    remove_plugin("fake")


@pytest.fixture
def registry(fake_pack):
    return load_registry(get_plugin_manager())


@pytest.fixture
def home(isolated, monkeypatch):
    path = isolated / "home"
    write_config(path, "timezone: Asia/Tokyo\npacks:\n  assistant:\n    open_in_apps: false\n")
    monkeypatch.setenv("TINYAGENT_PLUGINS", "assistant,todo")
    from tinyagent_assistant.demo import seed
    from tinyagent_assistant.settings import load_settings

    seed(load_settings())
    return path


@pytest.fixture
def data(home):
    return home / "data" / "assistant"
