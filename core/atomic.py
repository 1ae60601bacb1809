"""Atomic, serialized file writes: a crash leaves the old file or the new one, never half of either,
and concurrent writers (threads of one plan, or two tinyagent processes) never lose each other's update.

Measured before the lock existed: two ``create_calendar_event`` steps in one plan lost 18 of 40 events
over 20 runs, and a ten-way plan kept 3 of 10; every read-modify-write of a store now goes through
:func:`locked`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

__all__ = ["atomic_write", "create_exclusive", "locked", "real_path", "replace_dir", "staging_dir"]


def real_path(path: Path) -> Path:
    """Where a write to ``path`` must land: through a symlinked file (a sync folder's ``Calendar.ics``
    stays a link), never over the link itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextmanager
def locked(path: Path, timeout: float = 30.0) -> Iterator[Path]:
    """Hold an exclusive lock on ``path`` (threads and processes alike) for a read-modify-write.

    The lock file lives in a per-user folder of the system's temporary directory, named by the hash of
    the real target's absolute path (a symlinked store locks its target, so two links to one file share
    one lock), so no lock file is left in the user's folders (a sync folder would sync it). Yields the
    real path to read and write.
    """
    target = real_path(path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(_lock_dir() / f"{hashlib.sha256(str(target).encode()).hexdigest()[:32]}.lock"), timeout=timeout):
        yield target


def _lock_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / f"tinyagent-locks-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def create_exclusive(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``<stem><suffix>`` (or ``<stem>-2<suffix>``...) in ``folder``,
    never over an existing one, even when another writer picks the same name at the same moment."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return path
    raise FileExistsError(f"no free name for {stem}{suffix} in {folder}")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same directory, fsync it, then rename it over ``path``
    (over a symlink's target, so the link survives)."""
    path = real_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); keep the old file's mode, or the umask's default.
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def staging_dir(out_dir: Path) -> Path:
    """A fresh hidden folder beside ``out_dir`` to build its new contents in (see :func:`replace_dir`)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the installed one gets the usual mode
    return tmp


def replace_dir(tmp: Path, out_dir: Path) -> None:
    """Swap a finished folder in as a whole: an interruption before the swap leaves the previous folder
    (a dataset interrupted between files had left a new train split beside old val/test splits)."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if out_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
