import pytest
import yaml

from bot.errors import StoryError
from bot.stories.markdown import parse_markdown, write_markdown
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    Checkpoint,
    Rule,
    SlotStep,
    Story,
    UserStep,
    UserTurn,
)
from bot.stories.yaml_format import parse_rules, parse_yaml, write_yaml
from tests.policy.forms import FORM_RULES, FORM_STORIES

EVERY_ELEMENT = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hi
rules:
- rule: say goodbye
  steps:
  - intent: goodbye
  - action: utter_goodbye
stories:
- story: greet and ask
  steps:
  - checkpoint: from_start
  - intent: greet
    user: hello there
  - action: utter_greet
  - intent: inform
    entities:
    - city: Zürich
    - entity: people
      value: 4
    - vegan
  - slot_was_set:
    - city: Zürich
    - confirmed
    - people: 4
      start: 2018-03-10
  - or:
    - intent: affirm
    - intent: thanks
      entities:
      - mood: happy
  - checkpoint: at_the_end
- story: no steps
  metadata:
    author: me
  steps: []
"""


def test_reads_every_element() -> None:
    assert parse_yaml(EVERY_ELEMENT, "s.yml") == [
        Story(
            "greet and ask",
            (
                Checkpoint("from_start"),
                UserStep((UserTurn("greet"),)),
                ActionStep("utter_greet"),
                UserStep((UserTurn("inform", {"city": "Zürich", "people": 4, "vegan": ""}),)),
                SlotStep("city", "Zürich"),
                SlotStep("confirmed", True),
                SlotStep("people", 4),
                SlotStep("start", "2018-03-10"),
                UserStep((UserTurn("affirm"), UserTurn("thanks", {"mood": "happy"}))),
                Checkpoint("at_the_end"),
            ),
        ),
        Story("no steps", ()),
    ]


def test_story_source_is_the_story_line() -> None:
    stories = parse_yaml(EVERY_ELEMENT, "data/s.yml")
    assert [story.source for story in stories] == ["data/s.yml:12", "data/s.yml:35"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - hi\n",
        "intents:\n- greet\nresponses:\n  utter_greet:\n  - text: hi\n",
        "rules:\n- rule: r\n  steps:\n  - intent: greet\n",
        "stories:\n",
    ],
)
def test_files_without_stories_read_as_none(text: str) -> None:
    assert parse_yaml(text, "s.yml") == []


def test_empty_steps_make_an_empty_story() -> None:
    assert parse_yaml("stories:\n- story: empty\n  steps:\n", "s.yml") == [Story("empty", ())]


def test_merge_keys_and_anchors() -> None:
    text = """\
stories:
- story: base
  steps: &steps
  - intent: greet
- <<: {story: merged}
  steps: *steps
"""
    greet = (UserStep((UserTurn("greet"),)),)
    assert parse_yaml(text, "s.yml") == [Story("base", greet), Story("merged", greet)]


def story_with(*steps: str) -> str:
    return "stories:\n- story: s\n  steps:\n" + "".join(f"  {step}\n" for step in steps)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            story_with("- intent: greet", "- user: hello"),
            "s.yml:5: end-to-end stories need NLU, not supported; use `intent:` and `action:`",
        ),
        (story_with("- bot: hi there"), "s.yml:4: end-to-end stories need NLU"),
        (story_with("- active_loop: [my_form]"), "s.yml:4: the form name must be text"),
        (
            story_with("- active_loop: my_form", "  action: my_form"),
            "s.yml:4: a step has exactly one of intent, or, action, slot_was_set, active_loop, "
            "checkpoint; got active_loop, action",
        ),
        (
            story_with("- intent: greet", "  action: utter_greet"),
            "s.yml:4: a step has exactly one of intent, or, action, slot_was_set, active_loop, "
            "checkpoint; got intent, action",
        ),
        (story_with("- wait: 3"), "s.yml:4: a step has exactly one of intent, or, action"),
        (
            story_with("- action: utter_greet", "  entities: []"),
            "s.yml:4: unknown key entities in a `action` step",
        ),
        (story_with("- utter_greet"), "s.yml:4: a step is a mapping such as `- action: "),
        (story_with("- action: 3"), "s.yml:4: the action name must be text, got 3"),
        (story_with("- intent: ''"), "s.yml:4: the intent name must be text, got ''"),
        (
            story_with("- intent: inform", "  entities: {city: Berlin}"),
            "s.yml:4: `entities:` takes a list; write entities as `- city: Berlin`",
        ),
        (
            story_with("- intent: inform", "  entities:", "  - [city]"),
            "s.yml:4: cannot read the entity ['city']",
        ),
        (
            story_with("- intent: inform", "  entities:", "  - {entity: city, role: from}"),
            "s.yml:4: entity roles and groups are not supported",
        ),
        (
            story_with("- slot_was_set: {city: Berlin}"),
            "s.yml:4: `slot_was_set:` takes a list; write slots as `- slot_name: value`",
        ),
        (story_with("- slot_was_set: [3]"), "s.yml:4: cannot read the slot 3"),
        (
            story_with("- or:", "  - slot_was_set: [a]"),
            "s.yml:4: only intents can be alternatives; write `- intent: name`",
        ),
        (story_with("- or: []"), "s.yml:4: `or:` takes a list of `- intent: name` items"),
        (story_with("- checkpoint: [a]"), "s.yml:4: the checkpoint name must be text"),
        ("stories:\n- story: s\n", "s.yml:2: a story needs `story: name` and `steps:`"),
        ("stories:\n- story: s\n  steps: greet\n", "s.yml:3: `steps:` must be a list"),
        ("stories: {story: s}\n", "s.yml:1: `stories:` must be a list"),
        ("stories:\n- just a name\n", "s.yml:2: a story must be a mapping"),
        ("- stories\n", "s.yml:1: a YAML file of stories must be a mapping"),
        ("stories:\n- story: [s]\n  steps: []\n", "s.yml:2: the story name must be text"),
        ("stories:\n- story: s\n  steps: [\n", "s.yml:4: not valid YAML: expected the node"),
        (
            story_with("- action: !!python/name:os.system x"),
            "s.yml:4: not valid YAML: could not determine a constructor",
        ),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(StoryError) as error:
        parse_yaml(text, "s.yml")
    assert str(error.value).startswith(message)


def test_writes_rasa_yaml() -> None:
    stories = [
        Story(
            "first",
            (
                Checkpoint("start"),
                UserStep((UserTurn("greet"),)),
                ActionStep("utter_greet"),
                UserStep((UserTurn("inform", {"city": "Zürich", "n": 2}), UserTurn("affirm"))),
                SlotStep("city", "Zürich"),
                SlotStep("done", True),
                ActionStep("utter_ok"),
                SlotStep("city", None),
            ),
        ),
        Story("second", ()),
    ]
    assert write_yaml(stories) == (
        'version: "3.1"\n'
        "stories:\n"
        "- story: first\n"
        "  steps:\n"
        "  - checkpoint: start\n"
        "  - intent: greet\n"
        "  - action: utter_greet\n"
        "  - or:\n"
        "    - intent: inform\n"
        "      entities:\n"
        "      - city: Zürich\n"
        "      - n: 2\n"
        "    - intent: affirm\n"
        "  - slot_was_set:\n"
        "    - city: Zürich\n"
        "    - done: true\n"
        "  - action: utter_ok\n"
        "  - slot_was_set:\n"
        "    - city: null\n"
        "- story: second\n"
        "  steps: []\n"
    )
    assert write_yaml([]) == 'version: "3.1"\nstories: []\n'


RICH = [
    Story(
        "rich: every step, ünïcödé 🚀 # not a comment",
        (
            Checkpoint("entry point"),
            UserStep(
                (UserTurn("greet", {"name": "Jürgen", "answer": "yes", "date": "2018-03-10"}),)
            ),
            ActionStep("utter_greet"),
            UserStep(
                (
                    UserTurn("inform", {"n": 3, "x": 1.5, "ok": False, "none": None}),
                    UserTurn("faq/ask_price", {"nested": {"a": [1, "b"]}}),
                    UserTurn("deny"),
                )
            ),
            SlotStep("people", 3),
            SlotStep("tags", ["a", "b"]),
            SlotStep("cleared", None),
            SlotStep("flag", True),
            ActionStep("action_search"),
            ActionStep("restaurant_form"),
            ActiveLoopStep("restaurant_form"),
            ActionStep("restaurant_form"),
            ActiveLoopStep(None),
            Checkpoint("middle"),
            ActionStep("utter_done"),
        ),
    ),
    Story("no steps", ()),
    Story("only a checkpoint", (Checkpoint("end"),)),
]


def test_round_trip() -> None:
    text = write_yaml(RICH)
    assert parse_yaml(text, "s.yml") == RICH
    assert yaml.safe_load(text)["version"] == "3.1"


def test_markdown_to_yaml_to_markdown() -> None:
    markdown = (
        "## one\n"
        "> start\n"
        '* inform{"city": "Zürich", "people": 4} OR affirm\n'
        '    - slot{"city": "Zürich"}\n'
        '    - slot{"when": "10.03.2018"}\n'
        "    - utter_ok\n"
        "\n"
        "## two\n"
        "* greet\n"
        "    - utter_greet\n"
        "> end\n"
    )
    stories = parse_markdown(markdown, "s.md")
    from_yaml = parse_yaml(write_yaml(stories), "s.yml")
    assert from_yaml == stories
    assert write_markdown(from_yaml) == markdown


def test_with_problems_collected_every_broken_story_and_step_is_told() -> None:
    text = (
        "stories:\n"
        "- story: one\n"
        "  steps:\n"
        "  - intent: greet\n"
        "  - wait: 3\n"
        "  - action: utter_greet\n"
        "- story: nameless\n"
        "- story: two\n"
        "  steps:\n"
        "  - active_loop: {name: form}\n"
    )
    problems: list[str] = []
    stories = parse_yaml(text, "s.yml", problems)
    assert [problem.split(":")[1] for problem in problems] == ["5", "7", "10"]
    assert [story.name for story in stories] == ["one", "two"]
    assert stories[0].steps[-1] == ActionStep("utter_greet")


def test_reads_and_writes_active_loops_of_forms() -> None:
    [story] = parse_yaml(FORM_STORIES, "s.yml")
    assert story.steps[1:3] == (ActionStep("restaurant_form"), ActiveLoopStep("restaurant_form"))
    assert story.steps[6:8] == (ActiveLoopStep(None), SlotStep("requested_slot", None))
    assert write_yaml([story]) == f'version: "3.1"\n{FORM_STORIES}'


def test_rules_read_active_loops_in_steps_and_conditions() -> None:
    activate, submit, greet = parse_rules(FORM_RULES, "rules.yml")
    assert activate.steps[-1] == ActiveLoopStep("restaurant_form")
    assert submit == Rule(
        "submit form",
        (
            ActionStep("restaurant_form"),
            ActiveLoopStep(None),
            SlotStep("requested_slot", None),
            ActionStep("utter_submit"),
        ),
        condition=(ActiveLoopStep("restaurant_form"),),
    )
    assert greet.condition == (ActiveLoopStep(None),)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("- intent: greet", "rules.yml:4: a rule's condition is `- slot_was_set: [...]` or "),
        ("- active_loop: [f]", "rules.yml:4: the form name must be text"),
        ("- {active_loop: f, slot_was_set: []}", "rules.yml:4: a rule's condition is"),
    ],
)
def test_a_wrong_condition_names_its_line(condition: str, message: str) -> None:
    text = f"rules:\n- rule: r\n  condition:\n  {condition}\n  steps:\n  - action: a\n"
    with pytest.raises(StoryError) as error:
        parse_rules(text, "rules.yml")
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("value", ["0E0", "1e5", "-2E-3", "0o17", "0x1F", ".5", "yes", "null"])
def test_text_that_yaml_1_2_reads_as_a_number_is_written_quoted(value: str) -> None:
    story = Story("s", (SlotStep("code", value),))
    assert parse_yaml(write_yaml([story]), "s.yml") == [story]
