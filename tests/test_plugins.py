from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tinyagent.plugins import PluginError, ToolDefinitionError, hookimpl, make_tool
from tinyagent.plugins.fingerprint import fingerprint
from tinyagent.plugins.host import add_plugin, get_plugin_manager, load_registry, remove_plugin


def test_registry_attributes_everything_to_its_pack(registry):
    assert [p.name for p in registry.packs] == ["tinyagent.builtin", "fake"]
    assert registry.tools["send_sms"].pack == "fake" and registry.tools["send_sms"].side_effects
    assert not registry.tools["get_phone_number"].side_effects
    assert {e.pack for e in registry.examples} == {"fake"}
    assert registry.rules[0].tools == ("get_phone_number", "send_sms")
    assert registry.templates[0].id == "sms"
    assert {"scripted", "openai"} <= set(registry.backends)  # built-ins come through the same hooks


def test_schema_from_hints_and_docstring(registry):
    t = registry.tools["count"]
    assert t.signature() == "count(items: list[str], limit: int, ratio: float | None, flag: bool) -> int"
    assert registry.tools["get_phone_number"].params[0].description == "the contact's name"
    assert registry.tools["async_lookup"].is_async


def test_bad_tool_definitions():
    def no_doc(x: str) -> str:
        return x

    def no_hint(x) -> str:
        """Doc."""

    def bad_type(x: set) -> str:
        """Doc."""

    def kw_only(*, x: str) -> str:
        """Doc."""

    for fn, msg in [
        (no_doc, "docstring"),
        (no_hint, "no type hint"),
        (bad_type, "unsupported"),
        (kw_only, "positional"),
    ]:
        with pytest.raises(ToolDefinitionError, match=msg):
            make_tool(fn)


class Clash:
    @staticmethod
    @hookimpl
    def register_tools(register):
        def get_phone_number(name: str) -> str:
            """Another one."""

        register(get_phone_number)


def test_duplicate_tool_names_are_an_error(fake_pack):
    add_plugin(Clash, "clash")
    try:
        with pytest.raises(
            PluginError, match="registered by both 'clash' and 'fake'|registered by both 'fake' and 'clash'"
        ):
            load_registry(get_plugin_manager())
    finally:
        remove_plugin("clash")


def test_config_can_disable_a_pack(fake_pack):
    reg = load_registry(get_plugin_manager(disabled=["fake"]))
    assert "send_sms" not in reg.tools


def test_fingerprint_is_stable_and_tracks_what_training_depends_on(registry, fake_pack):
    a = fingerprint(registry)
    assert a == fingerprint(load_registry(get_plugin_manager()))
    base = fingerprint(load_registry(get_plugin_manager(disabled=["fake"])))
    assert a != base

    class Extra:
        @staticmethod
        @hookimpl
        def register_examples(register):
            from tinyagent.plugins import Example

            register(Example("q", "1. join()"))

    add_plugin(Extra, "extra")
    try:
        assert fingerprint(load_registry(get_plugin_manager())) != a
    finally:
        remove_plugin("extra")


PACK_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
[project]
name = "tinyagent-hello-pack"
version = "1.2.3"
[project.entry-points.tinyagent]
hello = "tinyagent_hello"
[tool.setuptools]
py-modules = ["tinyagent_hello"]
"""

PACK_MODULE = '''
from tinyagent.plugins import hookimpl

def greet(name: str) -> str:
    """Say hello to someone."""
    return "hello " + name

@hookimpl
def register_tools(register):
    register(greet)
'''


@pytest.fixture(scope="session")
def installed_pack(tmp_path_factory):
    """A real distribution with a `tinyagent` entry point, pip-installed into a directory."""
    src = tmp_path_factory.mktemp("hello-src")
    (src / "pyproject.toml").write_text(PACK_PYPROJECT)
    (src / "tinyagent_hello.py").write_text(textwrap.dedent(PACK_MODULE))
    target = tmp_path_factory.mktemp("site")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "--target",
        str(target),
        str(src),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    return target


def _cli(target, *args, plugins=None):
    env = {k: v for k, v in os.environ.items() if k != "TINYAGENT_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")])
    if plugins is not None:
        env["TINYAGENT_PLUGINS"] = plugins
    out = subprocess.run([sys.executable, "-m", "tinyagent", *args], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_discovers_a_real_installed_entry_point(installed_pack):
    packs = json.loads(_cli(installed_pack, "packs", "--json", plugins="hello"))
    hello = next(p for p in packs if p["name"] == "hello")
    assert hello["version"] == "1.2.3" and hello["tools"] == ["greet"]
    tools = json.loads(_cli(installed_pack, "tools", "--json", plugins="hello"))
    assert [t["signature"] for t in tools] == ["greet(name: str) -> str"]


def test_tinyagent_plugins_restricts_loading(installed_pack):
    assert [p["name"] for p in json.loads(_cli(installed_pack, "packs", "--json", plugins=""))] == ["tinyagent.builtin"]
    names = [p["name"] for p in json.loads(_cli(installed_pack, "packs", "--json"))]
    assert "hello" in names  # unset: every installed pack loads
