"""Rasa's own example bots (tests/rasa_bots/), run through ozbot with zero edits to their files:
check, train, and evaluate on their own test stories."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BOTS = REPO / "tests" / "rasa_bots"


def ozbot(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--project", str(project), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def copied(tmp_path: Path):
    """A copy of one example bot, so that models and the store stay out of the repository."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(BOTS / name, tmp_path / name))

    return copy


@pytest.mark.parametrize(("name", "stories"), [("moodbot", 3), ("reminderbot", 1)])
def test_check_and_train_read_a_rasa_project_as_it_is(copied, name: str, stories: int) -> None:
    project = copied(name)
    checked = ozbot(project, "check", "terminal")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "are not run" in checked.stderr  # Rasa's pipeline and policies, reported once
    assert checked.stderr.count("are not run") == 1
    trained = ozbot(project, "train")
    assert trained.returncode == 0, trained.stderr
    assert f"Trained on {stories} stories" in trained.stdout


def test_moodbot_is_evaluated_on_its_tests_folder(copied) -> None:
    project = copied("moodbot")
    assert ozbot(project, "train").returncode == 0
    evaluated = ozbot(project, "evaluate")
    assert evaluated.returncode == 0, evaluated.stderr
    assert "7 test stories" in evaluated.stdout
    assert "story accuracy     1.000" in evaluated.stdout  # 0.571 without the rules


def test_a_project_without_stories_is_an_error_at_check_and_train(tmp_path: Path) -> None:
    (tmp_path / "domain.yml").write_text("intents: [greet]\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n", encoding="utf-8"
    )
    checked = ozbot(tmp_path, "check", "terminal")
    assert checked.returncode == 1
    assert "no stories in stories/ or data/" in checked.stdout
    trained = ozbot(tmp_path, "train")
    assert trained.returncode != 0
    assert "no stories in stories/ or data/" in trained.stderr + trained.stdout
    assert "Trained on" not in trained.stdout
