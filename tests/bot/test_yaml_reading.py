"""YAML is read as YAML 1.2, as Rasa reads it: `no` stays the word, wherever ozbot reads YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import load_domain
from bot.errors import DomainError, ProjectError
from bot.nlu.yaml_format import parse_nlu_yaml
from bot.project import Project, read_config
from bot.stories.model import ActionStep, SlotStep, UserStep, UserTurn
from bot.stories.yaml_format import parse_yaml
from bot.yaml_reading import load_yaml


def test_yes_no_on_off_stay_text_and_only_true_false_are_booleans() -> None:
    text = "[yes, no, on, off, y, n, Yes, NO, true, False, TRUE]"
    assert load_yaml(text, "t.yml", ProjectError) == [
        "yes", "no", "on", "off", "y", "n", "Yes", "NO", True, False, True,
    ]  # fmt: skip


def test_numbers_follow_the_core_schema_and_dates_stay_text() -> None:
    text = "[010, 0o10, 0x1f, '1:20', 1:20, 1.5, 1e3, -2, ~, null, 2020-01-01, 1_000]"
    assert load_yaml(text, "t.yml", ProjectError) == [
        10, 8, 31, "1:20", "1:20", 1.5, 1000.0, -2, None, None, "2020-01-01", "1_000",
    ]  # fmt: skip


def test_a_parse_error_names_the_file_and_line() -> None:
    with pytest.raises(ProjectError, match=r"t\.yml:2: not valid YAML"):
        load_yaml("a: 1\nb: c: d\n", "t.yml", ProjectError)


def test_the_domain_keeps_an_intent_and_slot_values_named_no(tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(
        "intents: [yes, no]\n"
        "slots:\n  answer: {type: categorical, values: [yes, no, on]}\n"
        "responses:\n  utter_ok: [{text: ok}]\n",
        encoding="utf-8",
    )
    domain = load_domain(path)
    assert domain.intents == ("yes", "no")
    assert domain.slots[0].values == ("yes", "no", "on")


def test_a_domain_that_does_not_parse_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text("intents:\n- greet\n- [\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"domain\.yml:\d+: not valid YAML"):
        load_domain(path)


def test_stories_keep_intents_actions_and_slot_values_named_like_booleans() -> None:
    text = (
        "stories:\n- story: no\n  steps:\n  - intent: yes\n  - action: off\n"
        "  - slot_was_set:\n    - answer: no\n"
    )
    (story,) = parse_yaml(text, "s.yml")
    assert story.name == "no"
    assert story.steps == (
        UserStep((UserTurn("yes"),)),
        ActionStep("off"),
        SlotStep("answer", "no"),
    )


def test_nlu_examples_of_an_intent_named_no() -> None:
    data = parse_nlu_yaml("nlu:\n- intent: no\n  examples: |\n    - nope\n", "n.yml")
    assert [(e.text, e.intent) for e in data.examples] == [("nope", "no")]


def test_config_values_named_like_booleans_stay_text(tmp_path: Path) -> None:
    (tmp_path / "config.yml").write_text("language: no\nassistant_id: on\n", encoding="utf-8")
    assert read_config(Project(tmp_path)) == {"language": "no", "assistant_id": "on"}
