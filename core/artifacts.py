"""Where trained artifacts live and whether they match the installed tool set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ArtifactStatus", "artifact_status"]


@dataclass(frozen=True)
class ArtifactStatus:
    active_dir: Path
    fingerprint: str | None  # the tool set the active artifacts were trained for, if any
    current: str  # the installed tool set

    @property
    def stale(self) -> bool:
        return self.fingerprint is not None and self.fingerprint != self.current

    def describe(self) -> str:
        if self.fingerprint is None:
            return f"no trained artifacts for this tool set ({self.current[:12]}); run `tinyagent retrain`"
        if self.stale:
            return (
                f"trained artifacts are stale: built for {self.fingerprint[:12]}, installed tools are "
                f"{self.current[:12]}; run `tinyagent retrain`"
            )
        return f"trained artifacts match the installed tool set ({self.current[:12]})"


def _fingerprint_of(manifest_path: Path) -> str | None:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # a missing or corrupt manifest counts as no artifacts
    fp = manifest.get("fingerprint") if isinstance(manifest, dict) else None
    return fp if isinstance(fp, str) else None


def artifact_status(artifacts_dir: Path, current: str) -> ArtifactStatus:
    """The trained classifier for ``current`` if there is one; else the newest for another tool set
    (stale); else the planner's ``active/manifest.json``; else none."""
    mine = artifacts_dir / "classifier" / current[:16]
    if _fingerprint_of(mine / "manifest.json") == current:
        return ArtifactStatus(mine, current, current)
    others = sorted((artifacts_dir / "classifier").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    for path in reversed(others):
        fp = _fingerprint_of(path)
        if fp:
            return ArtifactStatus(path.parent, fp, current)
    active = artifacts_dir / "active"
    return ArtifactStatus(active, _fingerprint_of(active / "manifest.json"), current)
