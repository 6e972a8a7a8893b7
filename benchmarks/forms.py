"""A Rasa 3 bot with a form (tests/form_bot/), trained and evaluated as it is, with its rules
and without them: what rules and forms bring.

    python benchmarks/forms.py [--json]

Each variant is a copy of the bot (without its rules: data/rules.yml removed) trained with
`ozbot train` and scored with `ozbot evaluate --json` on its own test stories
(tests/test_stories.yml, a booking with and without chitchat inside the form). Printed per
variant: training seconds (the whole command, as a user waits for it), story accuracy and
action accuracy. Measured (2 shared CPUs): with rules 4.6 s, stories 1.0, actions 1.0; without
rules 3.8 s, stories 0.0, actions 0.7 (the form starts, and comes back after chitchat, only by
the rules: two stories alone do not teach it).
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
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import report  # noqa: E402

FORM_BOT = HERE.parent / "tests" / "form_bot"


def ozbot(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", "--project", str(project), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)


def variant(folder: Path, rules: bool) -> dict[str, Any]:
    project = Path(shutil.copytree(FORM_BOT, folder))
    if not rules:
        (project / "data" / "rules.yml").unlink()
    started = time.perf_counter()
    ozbot(project, "train")
    seconds = time.perf_counter() - started
    scores = json.loads(ozbot(project, "evaluate", "--json").stdout)
    return {
        "train_seconds": round(seconds, 2),
        "story_accuracy": scores["story_accuracy"],
        "action_accuracy": scores["action_accuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, rules in (("with_rules", True), ("without_rules", False)):
            for key, value in variant(Path(tmp) / name, rules).items():
                summary[f"{name}_{key}"] = value
    report(summary, args.json)


if __name__ == "__main__":
    main()
