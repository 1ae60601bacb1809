"""Where trained artifacts live and whether they match the installed tool set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EMBEDDED_DIR",
    "ArtifactStatus",
    "PlannerArtifacts",
    "active_planner",
    "read_planner",
    "artifact_status",
    "install_active",
    "stale_report",
]


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


def classifier_dir(artifacts_dir: Path, fingerprint: str) -> Path:
    """Where the Tool RAG classifier for ``fingerprint`` lives under an artifacts (or embedded) folder."""
    return artifacts_dir / "classifier" / fingerprint[:16]


def find_classifier(artifacts_dir: Path, fingerprint: str) -> Path | None:
    """The classifier trained for ``fingerprint``: the user's retrained one, else the embedded one."""
    for root in (artifacts_dir, EMBEDDED_DIR):
        folder = classifier_dir(root, fingerprint)
        if _fingerprint_of(folder / "manifest.json") == fingerprint:
            return folder
    return None


def artifact_status(artifacts_dir: Path, current: str) -> ArtifactStatus:
    """Stale when the active planner was built for another tool set; else current when a classifier
    for ``current`` exists (retrained or embedded); else the newest classifier for another tool set
    (stale); else none."""
    planner = active_planner(artifacts_dir)
    if planner is not None and planner.fingerprint != current:
        return ArtifactStatus(planner.model.parent, planner.fingerprint, current)
    mine = find_classifier(artifacts_dir, current)
    if mine is not None:
        return ArtifactStatus(mine, current, current)
    others = sorted((artifacts_dir / "classifier").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    for path in reversed(others):
        fp = _fingerprint_of(path)
        if fp:
            return ArtifactStatus(path.parent, fp, current)
    if planner is not None:
        return ArtifactStatus(planner.model.parent, planner.fingerprint, current)
    return ArtifactStatus(artifacts_dir / "planner", None, current)


# The embedded default: a planner (and the assistant pack's classifier) shipped inside the package.
EMBEDDED_DIR = Path(__file__).parent / "embedded"


@dataclass(frozen=True)
class PlannerArtifacts:
    """A planner ready to load: the GGUF model, an optional GGUF LoRA adapter, and what it was built for."""

    model: Path
    lora: Path | None
    fingerprint: str
    prompt_style: str
    source: str  # "retrained" or "embedded"
    manifest: dict

    def classifier_dir(self) -> Path | None:
        folder = self.manifest.get("classifier")
        return self.model.parent / folder if folder else None


def _planner_from(folder: Path, source: str) -> PlannerArtifacts | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        model = folder / manifest["model"]
        lora = folder / manifest["lora"] if manifest.get("lora") else None
        if not model.is_file() or (lora and not lora.is_file()):
            return None
        return PlannerArtifacts(
            model, lora, manifest["fingerprint"], manifest.get("prompt_style", "compact"), source, manifest
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: as if absent


def read_planner(folder: Path) -> PlannerArtifacts | None:
    """The planner in ``folder`` (its ``manifest.json`` names the model, adapter and prompt style), or
    None when it is missing or incomplete."""
    return _planner_from(folder, "retrained")


def active_planner(artifacts_dir: Path) -> PlannerArtifacts | None:
    """What ``tinyagent retrain`` installed last (``active.json`` names its folder), else the
    embedded default, else None."""
    try:
        folder = json.loads((artifacts_dir / "active.json").read_text(encoding="utf-8"))["folder"]
        trained = _planner_from(artifacts_dir / folder, "retrained")
    except (OSError, ValueError, KeyError, TypeError):
        trained = None
    return trained or _planner_from(EMBEDDED_DIR, "embedded")


def install_active(artifacts_dir: Path, folder: Path) -> None:
    """Make ``folder`` (complete, with its manifest, under ``artifacts_dir``) the active planner.
    One atomic rename of ``active.json`` switches; until then the previous planner stays active, so
    an interrupted or failed retrain changes nothing."""
    from .atomic import atomic_write

    if _planner_from(folder, "retrained") is None:
        raise ValueError(f"{folder} is not a complete planner folder")
    atomic_write(artifacts_dir / "active.json", json.dumps({"folder": folder.relative_to(artifacts_dir).as_posix()}))


def _labels(artifacts_dir: Path, fingerprint: str) -> list[str] | None:
    """The tools a classifier trained for ``fingerprint`` knows (retrained first, then embedded)."""
    folder = find_classifier(artifacts_dir, fingerprint)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8")) if folder else None
    except (OSError, json.JSONDecodeError):
        return None
    if isinstance(manifest, dict) and isinstance(manifest.get("labels"), list):
        return [str(x) for x in manifest["labels"]]
    return None


def stale_report(artifacts_dir: Path, current: str, tools: dict[str, str], retrain: str) -> list[str]:
    """Per stage, what is stale and what to do: ``tools`` maps each installed tool to its pack,
    ``retrain`` is the measured duration of a retrain. Empty when nothing is stale."""
    planner = active_planner(artifacts_dir)
    if planner is None or planner.fingerprint == current:
        return []
    known = _labels(artifacts_dir, planner.fingerprint)
    lines = [
        f"planner: trained for another tool set ({planner.fingerprint[:12]}, {planner.source}); "
        f"installed: {current[:12]}"
    ]
    data = artifacts_dir / "work" / current[:16] / "data" / "manifest.json"
    lines.append(
        "data: "
        + ("built for the installed tools" if _fingerprint_of(data) == current else "not built for the installed tools")
    )
    has_classifier = find_classifier(artifacts_dir, current) is not None
    lines.append(
        "classifier: "
        + ("trained for the installed tools" if has_classifier else "not trained for the installed tools")
    )
    if known is not None:
        added = [n for n in tools if n not in known]
        removed = [n for n in known if n not in tools]
        by_pack: dict[str, list[str]] = {}
        for n in added:
            by_pack.setdefault(tools[n], []).append(n)
        for pack, names in sorted(by_pack.items()):
            lines.append(f"added since: the {pack} pack ({', '.join(names)})")
        if removed:
            lines.append(f"removed since: {', '.join(removed)}")
        if not added and not removed:
            lines.append("changed since: tool descriptions, examples or task templates (same tool names)")
        lines.append(
            f"meanwhile: requests for the {len([n for n in known if n in tools])} tools the planner knows are "
            "planned as "
            "before; a request for a tool it has not learned is answered with this advice, never planned"
        )
        packs = sorted({tools[n] for n in added})
        if packs:
            lines.append(f"or turn it off: `disabled_packs: [{', '.join(packs)}]` in the config")
    lines.insert(1, f"to fix: `tinyagent retrain` ({retrain})")
    return lines
