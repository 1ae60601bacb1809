"""The tool-set fingerprint: a stable hash of everything a trained artifact depends on."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .host import Registry

__all__ = ["fingerprint", "fingerprint_payload"]


def fingerprint_payload(reg: Registry) -> dict[str, Any]:
    """The canonical, order-independent content that :func:`fingerprint` hashes.

    Backends are left out on purpose: changing the LLM server does not make a classifier stale.
    The built-in pack is left out too, so upgrading tinyagent itself does not force a retrain, and so is
    a pack that contributes nothing (the MCP pack with no servers configured).
    """
    used = {x.pack for x in (*reg.tools.values(), *reg.examples, *reg.rules, *reg.templates)}
    return {
        "packs": sorted([p.name, p.version] for p in reg.packs if not p.builtin and p.name in used),
        "tools": sorted((t.schema() | {"pack": t.pack} for t in reg.tools.values()), key=lambda s: s["name"]),
        "examples": sorted([e.pack, e.query, e.plan, *([e.now] if e.now else [])] for e in reg.examples),
        "rules": sorted([r.pack, r.text, sorted(r.tools)] for r in reg.rules),
        "templates": sorted(
            (t.to_json() | {"pack": t.pack} for t in reg.templates), key=lambda t: (t["pack"], t["id"])
        ),
    }


def fingerprint(reg: Registry) -> str:
    """Hex sha256 of :func:`fingerprint_payload`; equal registries give equal fingerprints."""
    blob = json.dumps(fingerprint_payload(reg), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
