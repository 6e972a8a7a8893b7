"""Which files of a project hold its training data and its test stories.

Training data (stories, rules, NLU) is every story file of the data folders (`stories/`,
Rasa's `data/`), any name, any subfolder. Test stories are Rasa's: the files in `tests/` whose
name starts with `test_` (Rasa 2/3), and Rasa 1's `conversation_tests.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from bot.errors import ProjectError, StoryError
from bot.nlu.model import NluData
from bot.nlu.reader import read_nlu, readable_nlu
from bot.project import Project
from bot.stories.model import Rule, Story
from bot.stories.reader import read_folder_file, story_files
from bot.stories.yaml_format import parse_rules

TEST_PREFIX = "test_"
RASA1_TESTS = "conversation_tests.md"


def training_files(project: Project) -> list[Path]:
    """The story files of every data folder, folder by folder, each in name order."""
    return [file for folder in project.data_dirs for file in story_files(folder)]


@dataclass(frozen=True)
class TrainingFiles:
    """What the data folders hold, from every file that reads."""

    stories: list[Story]
    rules: list[Rule]
    nlu: NluData
    skipped: list[ProjectError]
    """The error of each file that does not read: one broken file (a hand edit, say) must not
    stop a bot from serving the others; `ozbot check` reports it."""


def readable_training_files(project: Project) -> TrainingFiles:
    stories: list[Story] = []
    rules: list[Rule] = []
    nlu = NluData()
    skipped: list[ProjectError] = []
    for file in training_files(project):
        try:
            stories += read_folder_file(file)
            rules += read_rules(file)
        except StoryError as exc:
            skipped.append(exc)
    for folder in project.data_dirs:
        data, errors = readable_nlu(folder)
        nlu = nlu.merged(data)
        skipped += errors
    return TrainingFiles(stories, rules, nlu, skipped)


def read_rules(file: Path) -> list[Rule]:
    """The `rules:` of a YAML file; none for Markdown (Rasa 1 had no rules)."""
    if file.suffix.lower() not in (".yml", ".yaml"):
        return []
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryError(f"{file}: cannot read the rules: {exc}") from exc
    return parse_rules(text, str(file))


def as_story(rule: Rule) -> Story:
    """A rule scored as a story by `ozbot evaluate`: its condition (slots, the active form)
    holds from the start."""
    return Story(f"rule: {rule.name}", (*rule.condition, *rule.steps), rule.source)


def read_training_nlu(project: Project) -> NluData:
    """The NLU data of every data folder, merged; raises NluDataError."""
    return reduce(NluData.merged, (read_nlu(folder) for folder in project.data_dirs), NluData())


def test_story_files(project: Project) -> list[Path]:
    """The test story files in tests/ and its subfolders, in name order."""
    folder = project.tests_dir
    if not folder.is_dir():
        return []
    return [
        file
        for file in story_files(folder)
        if file.name.startswith(TEST_PREFIX) or file.name == RASA1_TESTS
    ]


def read_test_stories(project: Project) -> list[Story]:
    """The stories and rules (scored as stories) of `test_story_files`."""
    files = test_story_files(project)
    stories = [story for file in files for story in read_folder_file(file)]
    return stories + [as_story(rule) for file in files for rule in read_rules(file)]
