"""How quickly `ozbot` answers when it has nothing heavy to do, against a bare Python start.

    python benchmarks/cli_startup.py [--runs N] [--json]

Each command runs N times as a child process of this Python (from this checkout, in a clean
environment without tokens): `python -c pass` (the floor: the interpreter's own start),
`python -m bot --help`, and `python -m bot run telegram` without TELEGRAM_TOKEN (the error a
user sees first when a token is missing). Reported per command: the median and the fastest
wall time in milliseconds, and the median over the floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds policy.py: on sys.path it would hide the `policy` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from benchmarks.common import report  # noqa: E402

COMMANDS = {
    "python_pass": ["-c", "pass"],
    "ozbot_help": ["-m", "bot", "--help"],
    "ozbot_missing_token": ["-m", "bot", "run", "telegram"],
}


def clean_env() -> dict[str, str]:
    prefixes = ("TELEGRAM_", "SLACK_", "REDIS_", "OZBOT_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def wall_ms(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *argv], cwd=HERE.parent, env=env, capture_output=True, check=False
    )
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = clean_env()
    summary: dict[str, float | int] = {"runs": args.runs}
    for name, argv in COMMANDS.items():
        wall_ms(argv, env)  # warm the file cache
        times = [wall_ms(argv, env) for _ in range(args.runs)]
        summary[f"{name}_median_ms"] = round(statistics.median(times), 1)
        summary[f"{name}_fastest_ms"] = round(min(times), 1)
    floor = summary["python_pass_median_ms"]
    for name in ("ozbot_help", "ozbot_missing_token"):
        summary[f"{name}_over_python_ms"] = round(summary[f"{name}_median_ms"] - floor, 1)
    report(summary, args.json)


if __name__ == "__main__":
    main()
