"""``tinyagent assistant ...``: seed demo data, pick the current e-mail, show where data lives."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tinyagent.plugins import ConfigError, atomic_write

from .settings import load_settings


def _settings():
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def assistant() -> None:
    """The assistant pack's data: contacts, calendar, notes, mail, files."""


@assistant.command()
@click.option("--force", is_flag=True, help="Rewrite the demo files if they exist.")
@click.option("--json", "as_json", is_flag=True)
def seed(force: bool, as_json: bool) -> None:
    """Write a demo address book, calendar, notes, inbox and files into the data directory."""
    from .demo import seed as write_demo

    settings = _settings()
    try:
        written = write_demo(settings, force=force)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"data_dir": str(settings.data_dir), "files": [str(p) for p in written]}, indent=2))
        return
    click.echo(f"Demo data written to {settings.data_dir} ({len(written)} files)")


@assistant.command("select-mail")
@click.argument("message", type=click.Path(exists=True, dir_okay=False))
def select_mail(message: str) -> None:
    """Make MESSAGE (an .eml file) the current message that reply and forward act on."""
    settings = _settings()
    atomic_write(settings.dir("mail") / "current", str(Path(message).resolve()) + "\n")
    click.echo(f"Current message: {message}")


@assistant.command()
@click.option("--json", "as_json", is_flag=True)
def where(as_json: bool) -> None:
    """Show the data directory, the backend, the timezone and the file roots."""
    s = _settings()
    if as_json:
        info = {"data_dir": str(s.data_dir), "backend": s.backend, "timezone": str(s.timezone)}
        click.echo(json.dumps({**info, "file_roots": [str(r) for r in s.file_roots]}, indent=2))
        return
    click.echo(f"data dir: {s.data_dir}\nbackend: {s.backend}\ntimezone: {s.timezone}")
    click.echo("file roots: " + ", ".join(str(r) for r in s.file_roots))
