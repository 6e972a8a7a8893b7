"""Counts what `ozbot check` and `ozbot train`'s loading make of mutated concert bot projects.

    python benchmarks/project_fuzz.py [--examples N] [--seed S]

The mutations are those of tests/test_project_fuzz.py (which requires every one to end in a
clear error); this prints how many projects loaded, how many got a clear error and how many a
traceback, with the distinct tracebacks.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
from collections import Counter  # noqa: E402

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.test_project_fuzz import mutation, outcome, project_with  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # skipped story files are logged: not what is counted
    projects: Counter[str] = Counter()
    tracebacks: Counter[str] = Counter()

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutation())
    def run(changed: tuple[str, bytes]) -> None:
        name, data = changed
        with tempfile.TemporaryDirectory() as folder:
            results = outcome(project_with(name, data, Path(folder)))
        bad = [result for result in results if result not in ("ok", "clean")]
        projects["traceback" if bad else "clean" if "clean" in results else "loads"] += 1
        tracebacks.update(result[:160] for result in bad)

    run()
    print(json.dumps({"projects": dict(projects), "tracebacks": dict(tracebacks)}, indent=2))


if __name__ == "__main__":
    main()
