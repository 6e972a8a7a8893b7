"""A project in ozbot's layout or in Rasa's: the domain, the data folders, exports, tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import load_domain
from bot.errors import DomainError, ProjectError
from bot.project import open_project
from bot.stories.model import ActionStep, ActiveLoopStep
from bot.training_files import read_test_stories, read_training_nlu, readable_training_files


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


STORY = "stories:\n- story: {name}\n  steps:\n  - intent: greet\n  - action: utter_greet\n"


def test_a_domain_folder_is_merged_as_rasa_merges_it(tmp_path: Path) -> None:
    write(
        tmp_path / "domain" / "a.yml", "intents: [greet]\nresponses:\n  utter_greet: [{text: a}]\n"
    )
    write(
        tmp_path / "domain" / "sub" / "b.yml",
        "version: '3.1'\nintents: [greet, bye]\nresponses:\n  utter_greet: [{text: b}]\n",
    )
    write(tmp_path / "domain" / "notes.yml", "something: else\n")  # not a domain file: skipped
    project = open_project(tmp_path)
    assert project.domain_file == tmp_path.resolve() / "domain"
    domain = load_domain(project.domain_file)
    assert domain.intents == ("greet", "bye")
    assert domain.responses["utter_greet"][0].text == "b"  # the later file wins


def test_a_wrong_file_of_a_domain_folder_is_named(tmp_path: Path) -> None:
    write(tmp_path / "domain" / "a.yml", "intents: [greet]\nslots: [x]\n")
    with pytest.raises(DomainError, match=r"domain/a\.yml: slots"):
        load_domain(tmp_path / "domain")


def test_a_folder_with_neither_domain_file_nor_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no domain.yml nor domain/ folder"):
        open_project(tmp_path)


def test_stories_and_nlu_are_read_from_data_and_stories_in_any_file_name(tmp_path: Path) -> None:
    write(tmp_path / "domain.yml", "intents: [greet]\n")
    write(tmp_path / "stories" / "mine.md", "## ozbot's\n* greet\n    - utter_greet\n")
    write(tmp_path / "data" / "deep" / "whatever.yaml", STORY.format(name="rasa's"))
    write(tmp_path / "data" / "nlu" / "x.yml", "nlu:\n- intent: greet\n  examples: |\n    - hi\n")
    project = open_project(tmp_path)
    assert [s.name for s in readable_training_files(project).stories] == ["ozbot's", "rasa's"]
    assert [e.text for e in read_training_nlu(project).examples] == ["hi"]
    assert project.exported_dir == project.root / "stories" / "exported"


def test_a_rasa_project_exports_into_its_data_folder(tmp_path: Path) -> None:
    write(tmp_path / "domain.yml", "intents: [greet]\n")
    (tmp_path / "data").mkdir()
    assert open_project(tmp_path).exported_dir == tmp_path.resolve() / "data" / "exported"


def test_test_stories_are_the_test_files_of_tests(tmp_path: Path) -> None:
    write(tmp_path / "domain.yml", "intents: [greet]\n")
    write(tmp_path / "tests" / "test_stories.yml", STORY.format(name="tested"))
    write(tmp_path / "tests" / "sub" / "test_more.md", "## md\n* greet\n    - utter_greet\n")
    write(tmp_path / "tests" / "fixture.yml", STORY.format(name="not a test file"))
    assert [s.name for s in read_test_stories(open_project(tmp_path))] == ["md", "tested"]


def test_test_rules_are_scored_as_stories_that_start_with_their_condition(tmp_path: Path) -> None:
    write(tmp_path / "domain.yml", "intents: [greet]\n")
    write(
        tmp_path / "tests" / "test_rules.yml",
        "rules:\n- rule: submit\n  condition:\n  - active_loop: restaurant_form\n"
        "  steps:\n  - action: restaurant_form\n  - active_loop: null\n",
    )
    [rule] = read_test_stories(open_project(tmp_path))
    assert (rule.name, rule.steps) == (
        "rule: submit",
        (ActiveLoopStep("restaurant_form"), ActionStep("restaurant_form"), ActiveLoopStep(None)),
    )
