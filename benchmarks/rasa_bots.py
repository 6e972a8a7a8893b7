"""Rasa bots run through ozbot with zero edits: check, train and evaluate, as a user runs them.

    python benchmarks/rasa_bots.py [BOT_FOLDER ...] [--json]

By default the bots of the tests: Rasa's moodbot and reminderbot as Rasa publishes them
(tests/rasa_bots/) and a Rasa 3 bot with a form, rules and a rasa-sdk validation
(tests/form_bot/). Each is copied (models and the store stay out of the original), then
`ozbot check terminal`, `ozbot train` and, when it has test stories, `ozbot evaluate --json`
run on it. Printed per bot: each command's exit code, the training's seconds (the whole
command, as a user waits for it) and the story and action accuracy on its test stories.
Measured (2 shared CPUs): every check and train exits 0; training 3.5 s (moodbot), 3.1 s
(reminderbot, no test stories), 3.6 s (form bot); moodbot's 7 test stories and the form bot's
2 all pass (story and action accuracy 1.0).
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

TESTS = HERE.parent / "tests"
BOTS = (TESTS / "rasa_bots" / "moodbot", TESTS / "rasa_bots" / "reminderbot", TESTS / "form_bot")


def ozbot(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", "--project", str(project), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)


def measured(bot: Path, folder: Path) -> dict[str, Any]:
    project = Path(shutil.copytree(bot, folder / bot.name))
    checked = ozbot(project, "check", "terminal")
    started = time.perf_counter()
    trained = ozbot(project, "train")
    seconds = time.perf_counter() - started
    figures: dict[str, Any] = {
        "check_exit": checked.returncode,
        "train_exit": trained.returncode,
        "train_seconds": round(seconds, 2),
    }
    if trained.returncode == 0 and (project / "tests").is_dir():
        evaluated = ozbot(project, "evaluate", "--json")
        figures["evaluate_exit"] = evaluated.returncode
        if evaluated.returncode == 0:
            scores = json.loads(evaluated.stdout)
            figures["test_stories"] = scores["stories"]
            figures["story_accuracy"] = scores["story_accuracy"]
            figures["action_accuracy"] = scores["action_accuracy"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bots", nargs="*", type=Path, help="bot folders (default: the tests')")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    missing = [bot for bot in args.bots if not (bot / "domain.yml").exists()]
    if missing:
        sys.exit(f"not a bot folder (no domain.yml): {', '.join(map(str, missing))}")
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for bot in args.bots or BOTS:
            for key, value in measured(bot, Path(tmp)).items():
                summary[f"{bot.name}_{key}"] = value
    report(summary, args.json)


if __name__ == "__main__":
    main()
