"""Copy the active planner (a base trained with ``--from-scratch``) and its tool set's classifier
into the package as the embedded default: ``python -m tinyagent.training.embed``.

The Hugging Face weights are stored in float16 (half the size; training upcasts them), beside the
4-bit GGUF the runtime loads and the tokenizer, so ``tinyagent retrain`` can train adapters on them.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from ..artifacts import EMBEDDED_DIR, active_planner, classifier_dir, find_classifier
from ..config import paths

__all__ = ["embed"]


def embed(artifacts: Path, target: Path = EMBEDDED_DIR) -> dict:
    from safetensors.numpy import load_file, save_file

    planner = active_planner(artifacts)
    if planner is None or planner.source != "retrained" or planner.lora is not None:
        raise SystemExit("the active planner must be a base trained with `tinyagent retrain --from-scratch`")
    src = planner.model.parent
    classifier = find_classifier(artifacts, planner.fingerprint)  # retrained, else the embedded one kept
    if classifier is None:
        raise SystemExit(f"no classifier for {planner.fingerprint[:16]}: run `tinyagent retrain --only classifier`")
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "base").mkdir(parents=True)
    for name in ("config.json", "tokenizer.model", planner.model.name):
        shutil.copy2(src / name, staging / "base" / name)
    weights = {k: v.astype("float16") for k, v in load_file(str(src / "model.safetensors")).items()}
    save_file(weights, str(staging / "base" / "model.safetensors"), metadata={"format": "pt"})
    shutil.copytree(classifier, classifier_dir(staging, planner.fingerprint))
    manifest = dict(planner.manifest, model=f"base/{planner.model.name}", lora=None)
    if manifest.get("inputs", {}).get("base") != "scratch" and (target / "manifest.json").exists():
        # trained further from the embedded base: keep the earlier runs, so the manifest tells the whole story
        before = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        earlier = {k: before[k] for k in ("inputs", "training") if k in before}
        manifest["lineage"] = [*before.get("lineage", []), earlier]
    for run in (manifest, *manifest.get("lineage", [])):  # "the embedded base", never a path on this machine
        base = run.get("inputs", {}).get("base")
        if base and Path(base).parts[-2:] == ("embedded", "base"):
            run["inputs"] = dict(run["inputs"], base="embedded")
    for split in manifest.get("eval", {}).values():  # the numbers ship; the failure listings stay local
        split.pop("failures", None)
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return manifest


if __name__ == "__main__":
    m = embed(paths().artifacts_dir)
    print(f"embedded planner for {m['fingerprint'][:16]} -> {EMBEDDED_DIR}", file=sys.stderr)
