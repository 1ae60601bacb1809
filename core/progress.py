"""Progress for long commands (retrain's stages, bench): one callback, ``progress(stage, done, total)``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import click

__all__ = ["Progress", "progress_bars"]

Progress = Callable[[str, int, int], None]


def progress_bars() -> Progress:
    """A ``progress(stage, done, total)`` callback on stderr: a click progress bar with ETA per stage
    on a terminal; elsewhere (a log file, CI) a line per 5% with the elapsed time and the ETA, as
    click's bar prints nothing until the end when its output is not a terminal."""
    bars: dict[str, Any] = {}
    started: dict[str, tuple[float, int]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            t0, last = started.setdefault(stage, (time.monotonic(), -1))
            step = max(1, total // 20)
            if done != last and (done // step != last // step or done >= total):
                started[stage] = (t0, done)
                elapsed = time.monotonic() - t0
                eta = elapsed / max(done, 1) * (total - done)
                line = f"{stage}: {done}/{total} ({done / total:.0%}), {elapsed / 60:.1f} min"
                click.echo(f"{line}, ETA {eta / 60:.1f} min", err=True)
            return
        if stage not in bars:
            bars[stage] = click.progressbar(length=total, label=stage, show_eta=True, show_pos=True, file=sys.stderr)
            bars[stage].__enter__()
        bars[stage].update(done - bars[stage].pos)
        if done >= total:
            bars.pop(stage).__exit__(None, None, None)

    return progress
