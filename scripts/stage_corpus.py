"""Stage the interop corpus (tests/interop/corpus/manifest.yaml) from local clones.

Each repository of the manifest is read from `<mirrors>/<owner>+<name>/repo` (a bare clone),
at the manifest's commit, with `git show`; the entries and the `also` paths are written under
`<output>/<owner>+<name>/<path>`, with the repository's licence file beside them. Nothing is
downloaded. The vendored copy in tests/interop/corpus/files was written this way.
Usage: python scripts/stage_corpus.py [OUTPUT] [--mirrors DIR]
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "tests" / "interop" / "corpus" / "manifest.yaml"


def _git(git_dir: Path, *args: str) -> bytes:
    command = ["git", f"--git-dir={git_dir}", *args]
    return subprocess.run(command, check=True, capture_output=True).stdout


def _wanted(path: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/") and path.startswith(pattern):
            return True
        if "*" in pattern and "/" not in pattern and "/" not in path and fnmatch.fnmatch(path, pattern):
            return True
        if path == pattern or path.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, nargs="?", default=MANIFEST.parent / "files")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    args = parser.parse_args()
    manifest = yaml.safe_load(MANIFEST.read_text())
    patterns: dict[str, list[str]] = {}
    for entry in [*manifest["cloudformation"], *manifest["terraform"], *manifest.get("also", [])]:
        repo, _, path = entry.partition(":")
        patterns.setdefault(repo, []).append(path)
    for repo, info in manifest["repositories"].items():
        git_dir = args.mirrors / repo.replace("/", "+") / "repo"
        if not git_dir.exists():
            print(f"missing clone: {git_dir}", file=sys.stderr)
            return 1
        commit = info["commit"]
        files = _git(git_dir, "ls-tree", "-r", "--name-only", commit).decode().splitlines()
        licence = [f for f in files if "/" not in f and f.lower().startswith("licen")]
        chosen = [f for f in files if _wanted(f, patterns.get(repo, []))] + licence
        for path in chosen:
            target = args.output / repo.replace("/", "+") / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(git_dir, "show", f"{commit}:{path}"))
        print(f"{repo}: {len(chosen)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
