from pathlib import Path

import pytest

from bot.errors import StoryError
from bot.stories.markdown import is_nlu_markdown, parse_markdown, write_markdown
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    Checkpoint,
    SlotStep,
    Story,
    UserStep,
    UserTurn,
)

TRAIN = Path("/work/shared/data/subdialogues/train")

EVERY_ELEMENT = """\
<!-- a comment before the first story -->
## greet and ask
> from_start
* greet
    - utter_greet
* inform{"city": "Zürich", "people": 4, "vegan": true, "dates": ["mon", null]}
  - slot{"city": "Zürich", "people": 4}
    - action_search   \n\
> in_the_middle
* affirm OR thanks{"mood": "happy"}   <!-- inline comment -->
<!--
    - utter_commented_out
-->
    - utter_bye
> at_the_end

# second story
* greet: hello there
    - utter_greet
"""


def test_reads_every_element() -> None:
    assert parse_markdown(EVERY_ELEMENT, "s.md") == [
        Story(
            "greet and ask",
            (
                Checkpoint("from_start"),
                UserStep((UserTurn("greet"),)),
                ActionStep("utter_greet"),
                UserStep(
                    (
                        UserTurn(
                            "inform",
                            {"city": "Zürich", "people": 4, "vegan": True, "dates": ["mon", None]},
                        ),
                    )
                ),
                SlotStep("city", "Zürich"),
                SlotStep("people", 4),
                ActionStep("action_search"),
                Checkpoint("in_the_middle"),
                UserStep((UserTurn("affirm"), UserTurn("thanks", {"mood": "happy"}))),
                ActionStep("utter_bye"),
                Checkpoint("at_the_end"),
            ),
        ),
        Story("second story", (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))),
    ]


def test_story_source_is_the_header_line() -> None:
    stories = parse_markdown(EVERY_ELEMENT, "data/s.md")
    assert [story.source for story in stories] == ["data/s.md:2", "data/s.md:17"]


def test_end_to_end_text_is_ignored_in_every_alternative() -> None:
    [story] = parse_markdown('## s\n* greet: hi OR inform{"a": 1}: I am in Rome\n', "s.md")
    assert story.steps == (UserStep((UserTurn("greet"), UserTurn("inform", {"a": 1}))),)


def test_story_without_steps_and_empty_text() -> None:
    assert parse_markdown("## lonely\n", "s.md") == [Story("lonely", ())]
    assert parse_markdown("<!-- nothing -->\n\n", "s.md") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("* greet\n", "s.md:1: '* greet' comes before any story; start one with `## name`"),
        (
            '## s\n* inform{"city": Berlin}\n',
            "s.md:2: '{\"city\": Berlin}' is not valid JSON (Expecting value); write `* intent`",
        ),
        ("## s\n\nhello there\n", "s.md:3: cannot read 'hello there'; a story line is"),
        (
            "## s\n    - active_loop\n",
            's.md:2: cannot read the active form {}; write `    - active_loop{"name": ',
        ),
        ('## s\n    - form{"name": 3}\n', 's.md:2: cannot read the active form {"name": 3}'),
        ('## s\n    - form{"name": ""}\n', "s.md:2: cannot read the active form"),
        ('## s\n    - form{"name": "f", "x": 1}\n', "s.md:2: cannot read the active form"),
        ('## s\n    - form: utter_x{"a": 1}\n', "s.md:2: only `slot` takes a JSON object"),
        ("## s\n    - slot\n", "s.md:2: `slot` needs a slot and its value; write `    - slot{"),
        ("## s\n    - slot{}\n", "s.md:2: `slot` needs a slot and its value"),
        ('## s\n    - utter_x{"a": 1}\n', "s.md:2: only `slot` takes a JSON object"),
        ("## s\n    - utter_x extra\n", "s.md:2: unexpected 'extra'"),
        ("## s\n    -\n", "s.md:2: expected an action name after `-`"),
        ("## s\n* greet junk\n", "s.md:2: unexpected ' junk'; write `* intent`"),
        ("## s\n* greet OR\n", "s.md:2: unexpected ' OR'"),
        ("## s\n*\n", "s.md:2: expected an intent at ''"),
        ('## s\n* {"a": 1}\n', "s.md:2: expected an intent at '{\"a\": 1}'"),
        ('## s\n> check{"slot": 1}\n', "s.md:2: write a checkpoint as `> checkpoint_name`"),
        ("## s\n>\n", "s.md:2: write a checkpoint as `> checkpoint_name`"),
        ("##\n", "s.md:1: a story needs a name; write `## story name`"),
        ("## intent:greet\n- hello\n", "s.md:1: '## intent:greet' is NLU training data"),
        ("## s\n<!-- open\n* greet\n", "s.md:2: this `<!--` comment is never closed"),
        ("## s\n<!--\n\n-->\n* greet{\n", "s.md:5: '{' is not valid JSON"),
    ],
)
def test_syntax_errors_name_file_line_and_fix(text: str, message: str) -> None:
    with pytest.raises(StoryError) as error:
        parse_markdown(text, "s.md")
    assert str(error.value).startswith(message)


def test_writes_rasa_markdown() -> None:
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
                Checkpoint("end"),
            ),
        ),
        Story("second", (UserStep((UserTurn("bye"),)),)),
    ]
    assert write_markdown(stories) == (
        "## first\n"
        "> start\n"
        "* greet\n"
        "    - utter_greet\n"
        '* inform{"city": "Zürich", "n": 2} OR affirm\n'
        '    - slot{"city": "Zürich"}\n'
        '    - slot{"done": true}\n'
        "> end\n"
        "\n"
        "## second\n"
        "* bye\n"
    )
    assert write_markdown([]) == ""


RICH = [
    Story(
        "rich: every step, ünïcödé 🚀",
        (
            Checkpoint("entry point"),
            UserStep((UserTurn("greet", {"name": "Jürgen", "emoji": "😀"}),)),
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
    assert parse_markdown(write_markdown(RICH), "s.md") == RICH


def test_round_trip_keeps_rasa_files_byte_for_byte() -> None:
    text = '## s\n* inform{"a": "b"}\n    - slot{"a": "b"}\n    - utter_x\n\n## t\n> c\n'
    assert write_markdown(parse_markdown(text, "s.md")) == text


@pytest.mark.parametrize(
    ("story", "kind"),
    [
        (Story("s", (UserStep((UserTurn("two words"),)),)), "intent 'two words'"),
        (Story("s", (UserStep((UserTurn("greet:x"),)),)), "intent 'greet:x'"),
        (Story("s", (ActionStep("utter x"),)), "action 'utter x'"),
        (Story("s", (ActionStep("slot"),)), "action 'slot'"),
        (Story("s", (ActionStep("form"),)), "action 'form'"),
        (Story("s", (ActionStep("active_loop"),)), "action 'active_loop'"),
        (Story("s", (Checkpoint("c{x}"),)), "checkpoint 'c{x}'"),
        (Story("two\nlines", ()), "story name 'two\\nlines'"),
        (Story("# hashed", ()), "story name '# hashed'"),
        (Story("", ()), "story name ''"),
    ],
)
def test_refuses_names_that_would_not_read_back(story: Story, kind: str) -> None:
    with pytest.raises(StoryError) as error:
        write_markdown([story])
    assert str(error.value) == (
        f"cannot write the {kind} as Markdown: it would not read back as written; "
        "rename it or write YAML stories"
    )


def test_recognises_nlu_markdown() -> None:
    assert is_nlu_markdown("## intent:greet\n- hi\n")
    assert is_nlu_markdown("## s\n\n## synonym: NYC\n- New York\n")
    assert not is_nlu_markdown("## greet story\n* greet\n")


@pytest.mark.skipif(not TRAIN.is_dir(), reason="subdialogue data is not available")
def test_reads_the_subdialogue_training_files() -> None:
    counts = {
        path.name: len(parse_markdown(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(TRAIN.glob("*.md"))
    }
    assert counts == {
        "hotel_happy.md": 11,
        "restaurant_happy.md": 8,
        "simulated_hotel_train.md": 78,
        "simulated_restaurant_train.md": 50,
    }
    first = parse_markdown((TRAIN / "hotel_happy.md").read_text(encoding="utf-8"), "h.md")[0]
    assert first.name == "hotel happy 1"
    assert first.steps[:4] == (
        UserStep((UserTurn("request_hotel"),)),
        ActionStep("utter_ask_details"),
        UserStep((UserTurn("inform", {"location": "paris"}),)),
        ActionStep("utter_ask_people"),
    )
    assert SlotStep("hotel", "hotel") in first.steps


def test_with_problems_collected_every_broken_line_is_told_and_the_rest_read() -> None:
    text = "* greet\n## one\n* greet\n    oops\n    - utter_greet\n## \n## two\n* {bad\n"
    problems: list[str] = []
    stories = parse_markdown(text, "s.md", problems)
    assert [line.split(":")[1] for line in problems] == ["1", "4", "6", "8"]
    assert [story.name for story in stories] == ["one", "two"]
    assert stories[0].steps[-1] == ActionStep("utter_greet")  # read on past line 4
    with pytest.raises(StoryError, match="s.md:1:"):
        parse_markdown(text, "s.md")  # a start stops at the first


def test_rasa_core_stories_before_0_8_are_converted_with_a_note(caplog) -> None:
    text = (
        "## old\n* _greet\n    - utter_greet\n"
        "* _inform[cuisine=italian, people=2]\n    - utter_ok\n"
    )
    with caplog.at_level("WARNING"):
        (story,) = parse_markdown(text, "old.md")
    assert story.steps == (
        UserStep((UserTurn("greet"),)),
        ActionStep("utter_greet"),
        UserStep((UserTurn("inform", {"cuisine": "italian", "people": "2"}),)),
        ActionStep("utter_ok"),
    )
    [note] = caplog.messages
    assert note.startswith("old.md: 2 story lines in the form of Rasa Core before 0.8")


def test_reads_and_writes_active_loops() -> None:
    text = (
        "## form\n"
        "* request_restaurant\n"
        "    - restaurant_form\n"
        '    - active_loop{"name": "restaurant_form"}\n'
        "* chitchat\n"
        "    - utter_chitchat\n"
        "    - restaurant_form\n"
        '    - active_loop{"name": null}\n'
    )
    [story] = parse_markdown(text, "s.md")
    assert story.steps[2] == ActiveLoopStep("restaurant_form")
    assert story.steps[-1] == ActiveLoopStep(None)
    assert write_markdown([story]) == text


def test_reads_rasa_1_forms() -> None:
    text = (
        "## rasa 1 form\n"
        "* request_restaurant\n"
        "    - restaurant_form\n"
        '    - form{"name": "restaurant_form"}\n'
        '    - slot{"requested_slot": "cuisine"}\n'
        '* form: inform{"cuisine": "thai"}\n'
        "    - form: restaurant_form\n"
        '    - form{"name": null}\n'
    )
    [story] = parse_markdown(text, "s.md")
    assert story.steps == (
        UserStep((UserTurn("request_restaurant"),)),
        ActionStep("restaurant_form"),
        ActiveLoopStep("restaurant_form"),
        SlotStep("requested_slot", "cuisine"),
        UserStep((UserTurn("inform", {"cuisine": "thai"}),)),
        ActionStep("restaurant_form"),
        ActiveLoopStep(None),
    )
    assert '- active_loop{"name": "restaurant_form"}' in write_markdown([story])
