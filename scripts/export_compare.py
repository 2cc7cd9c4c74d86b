"""Build the same plans with two source trees of this project and compare the exported graphs exactly.

    python scripts/export_compare.py BASE_TREE NEW_TREE [PATHS…] [--manifest M] [--identity-corpus]

Each tree builds PATHS (default data/plans, with data/manifest.toml) into a temporary embedded store in a
fresh process (PYTHONPATH points at the tree) and exports JSON; the node and edge sets are compared with
every property (nothing ignored), and so are the build's warning lines. ``--identity-corpus`` builds instead
the seeds plus the front matters the plan-identity tests use (the real 国发〔2021〕30号 notice, five national
front matters, county and development-zone plans). Exit status 1 when anything differs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from graph_builder.cli import main; sys.exit(main(sys.argv[1:]))"


def identity_corpus(root: Path) -> tuple[Path, Path]:
    """The seeds + the plan-identity tests' documents (written by the tests' own helpers)."""
    sys.path.insert(0, str(ROOT))
    from tests.national_corpus import write_corpus
    from tests.test_plan_identity_county import AMBIGUOUS, CASES
    from tests.test_plan_identity_national import LINGBI, NOTICES, TASK

    d = write_corpus(root, extra={"lingbi-county.txt": LINGBI})
    for name, (front, _) in NOTICES.items():
        (d / f"notice-{name}").write_text(front + TASK, "utf-8")
    for name, (text, *_) in CASES.items():
        (d / f"county-{name}").write_text(text, "utf-8")
    (d / "qiaoxi.txt").write_text(AMBIGUOUS, "utf-8")
    for f in (ROOT / "data" / "plans").iterdir():
        shutil.copy(f, d / f.name)
    return d, root / "manifest.toml"


def build_export(tree: Path, paths: list[str], manifest: Path, work: Path) -> tuple[dict, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "200"}
    store, out = work / "store", work / "export.json"
    b = subprocess.run([sys.executable, "-c", CLI, "build", *paths, "--store", str(store), "--manifest", str(manifest)],
                       env=env, cwd=tree, capture_output=True, text=True)
    subprocess.run([sys.executable, "-c", CLI, "export", str(out), "--format", "json", "--store", str(store)],
                   env=env, cwd=tree, capture_output=True, text=True, check=True)
    warnings = sorted(ln.strip() for ln in (b.stdout + b.stderr).splitlines() if re.match(r"\s*警告", ln))
    return json.loads(out.read_text("utf-8")), warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--manifest", type=Path, default=ROOT / "data" / "manifest.toml")
    ap.add_argument("--identity-corpus", action="store_true")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if a.identity_corpus:
            plans, manifest = identity_corpus(tmp / "corpus")
            paths = [str(plans)]
        else:
            paths, manifest = [str(Path(p).resolve()) for p in (a.paths or [ROOT / "data" / "plans"])], a.manifest.resolve()
        results = {}
        for name, tree in (("base", a.base.resolve()), ("new", a.new.resolve())):
            (tmp / name).mkdir()
            results[name] = build_export(tree, paths, manifest, tmp / name)
    (gb, wb), (gn, wn) = results["base"], results["new"]
    same = gb.get("schema") == gn.get("schema") and wb == wn
    for part in ("nodes", "edges"):
        sb = {json.dumps(x, sort_keys=True, ensure_ascii=False) for x in gb[part]}
        sn = {json.dumps(x, sort_keys=True, ensure_ascii=False) for x in gn[part]}
        print(f"{part}：改动前 {len(sb)}，改动后 {len(sn)}，只在改动前 {len(sb - sn)}，只在改动后 {len(sn - sb)}")
        for x in sorted(sb - sn)[:5] + sorted(sn - sb)[:5]:
            print("  ", x[:300])
        same &= sb == sn
    print(f"构建警告：改动前 {len(wb)} 条，改动后 {len(wn)} 条，{'相同' if wb == wn else '不同'}")
    print("导出完全相同" if same else "导出不同")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
