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


def artifact_status(artifacts_dir: Path, current: str) -> ArtifactStatus:
    """Read ``active/manifest.json``; a missing or corrupt manifest counts as no artifacts."""
    active = artifacts_dir / "active"
    try:
        manifest = json.loads((active / "manifest.json").read_text(encoding="utf-8"))
        fp = manifest.get("fingerprint") if isinstance(manifest, dict) else None
    except (OSError, json.JSONDecodeError):
        fp = None
    return ArtifactStatus(active, fp if isinstance(fp, str) else None, current)
