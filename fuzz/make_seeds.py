"""Write seed corpora for the fuzz targets from the inputs of the Python tests.

Every string (and bytes) literal in the tests of a topic becomes a seed of that topic's
target; for the platform target, pairs of specifiers also become two-line seeds so that
the matchers start from real wanted/candidate pairs; the manifest target also gets a
sample of the shared corpus of realistic manifest lists (``shared/corpus`` beside the
repository), when it is there, and documents nested around the JSON depth bound. Usage::

    python3 fuzz/make_seeds.py OUTDIR

writes ``OUTDIR/<target>/<sha1 of the seed>``. Regression inputs found by fuzzing are
committed separately under ``fuzz/seeds/<target>/`` and used alongside.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
MAX_SEED = 4096
CORPUS_SAMPLE = 64
SHARED_CORPUS = next(
    (
        p / "shared" / "corpus" / "manifest-lists.jsonl"
        for p in ROOT.parents[:3]
        if (p / "shared" / "corpus" / "manifest-lists.jsonl").is_file()
    ),
    None,
)

# target -> the test files whose literals seed it
SOURCES = {
    "platform": ["test_platforms_*.py"],
    "reference": ["test_reference*.py"],
    "digest": ["test_digest.py", "test_idindex.py"],
    "idindex": ["test_idindex.py"],
    "manifest": ["test_manifests*.py", "data/**/*.json"],
}


def literals(path: Path) -> list[bytes]:
    """String and bytes constants of a Python file, or a data file's whole content."""
    if path.suffix != ".py":
        return [path.read_bytes()]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value
            out.append(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value)
    return out


def seeds_for(target: str) -> set[bytes]:
    found: set[bytes] = set()
    for pattern in SOURCES[target]:
        for path in sorted(TESTS.glob(pattern)):
            found.update(v for v in literals(path) if 0 < len(v) <= MAX_SEED)
    if target == "platform":
        specs = sorted(s for s in found if b"\n" not in s and len(s) <= 40)[:200]
        pairs = itertools.islice(itertools.permutations(specs, 2), 0, None, 97)
        found.update(a + b"\n" + b for a, b in pairs)
    if target == "manifest" and SHARED_CORPUS is not None:
        lists = [line for line in SHARED_CORPUS.read_bytes().splitlines() if len(line) <= MAX_SEED]
        found.update(lists[:: max(1, len(lists) // CORPUS_SAMPLE)])
    if target == "manifest":
        # Nesting around the JSON reader's depth bound (10,000), in a skipped field.
        for depth in (9_999, 10_000, 10_001):
            found.add(b'{"x":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}")
    return found


def main(outdir: str) -> int:
    for target in SOURCES:
        directory = Path(outdir) / target
        directory.mkdir(parents=True, exist_ok=True)
        seeds = seeds_for(target)
        for seed in seeds:
            (directory / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        print(f"{target}: {len(seeds)} seeds")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
