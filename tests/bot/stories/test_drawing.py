"""The story graph as DOT text: merged as `rasa visualize` merges, readable labels."""

import re
import shutil
import subprocess

import pytest

from bot.stories.drawing import dialogue_dot
from bot.stories.markdown import parse_markdown
from bot.stories.model import ActionStep, Rule, SlotStep, UserStep, UserTurn


def graph(dot: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The DOT text read back: the label of each node id, and the edges as label pairs."""
    labels = dict(re.findall(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M))
    edges = {(labels[a], labels[b]) for a, b in re.findall(r"^  (n\d+) -> (n\d+);", dot, re.M)}
    return labels, edges


def stories(markdown: str):
    return parse_markdown(markdown, "stories.md")


def test_stories_that_open_alike_share_their_opening_and_end_together():
    dot = dialogue_dot(
        stories(
            "## happy\n* greet\n  - utter_greet\n* mood_great\n  - utter_happy\n"
            "## sad\n* greet\n  - utter_greet\n* mood_unhappy\n  - utter_cheer_up\n"
        ),
        title="moodbot",
    )
    labels, edges = graph(dot)
    assert sorted(labels.values()) == sorted(
        ["START", "greet", "utter_greet", "mood_great", "utter_happy", "mood_unhappy",
         "utter_cheer_up", "END"]
    )  # fmt: skip
    assert edges == {
        ("START", "greet"),
        ("greet", "utter_greet"),
        ("utter_greet", "mood_great"),
        ("utter_greet", "mood_unhappy"),
        ("mood_great", "utter_happy"),
        ("mood_unhappy", "utter_cheer_up"),
        ("utter_happy", "END"),
        ("utter_cheer_up", "END"),
    }


def test_a_step_after_other_steps_is_a_node_of_its_own():
    dot = dialogue_dot(
        stories(
            "## a\n* greet\n  - utter_greet\n* thanks\n  - utter_welcome\n"
            "## b\n* goodbye\n  - utter_goodbye\n* thanks\n  - utter_welcome\n"
        ),
        title="t",
    )
    labels, _ = graph(dot)
    assert list(labels.values()).count("thanks") == 2  # different openings before it


def test_checkpoints_join_stories_and_or_alternatives_stand_side_by_side():
    dot = dialogue_dot(
        stories(
            "## ask\n* greet\n  - utter_ask\n> asked\n"
            "## yes\n> asked\n* affirm OR thanks\n  - utter_happy\n"
        ),
        title="t",
    )
    _, edges = graph(dot)
    assert ("utter_ask", "> asked") in edges
    assert {("> asked", "affirm"), ("> asked", "thanks")} <= edges
    assert {("affirm", "utter_happy"), ("thanks", "utter_happy")} <= edges
    assert ("utter_ask", "END") not in edges and ("START", "> asked") not in edges


def test_rules_start_at_any_time_or_at_the_start_and_slots_are_left_out():
    rules = [
        Rule("bye", (UserStep((UserTurn("bye"),)), ActionStep("utter_bye"))),
        Rule(
            "welcome",
            (UserStep((UserTurn("greet"),)), SlotStep("name", "x"), ActionStep("utter_hi")),
            conversation_start=True,
            wait_for_user_input=False,
        ),
    ]
    _, edges = graph(dialogue_dot([], rules, title="t"))
    assert edges == {
        ("any time (rules)", "bye"),
        ("bye", "utter_bye"),
        ("utter_bye", "END"),
        ("START", "greet"),
        ("greet", "utter_hi"),  # no END: another rule or story goes on
    }


def test_a_form_s_start_and_end_are_notes_in_the_dialogue():
    dot = dialogue_dot(
        stories(
            "## form\n* request_restaurant\n  - restaurant_form\n"
            '  - active_loop{"name": "restaurant_form"}\n'
            '* chitchat\n  - restaurant_form\n  - active_loop{"name": null}\n  - utter_submit\n'
        ),
        title="t",
    )
    _, edges = graph(dot)
    assert {
        ("restaurant_form", "form restaurant_form active"),
        ("form restaurant_form active", "chitchat"),
        ("restaurant_form", "form ended"),
        ("form ended", "utter_submit"),
    } <= edges
    assert "shape=note" in dot


def test_odd_names_and_titles_are_quoted():
    story = stories('## s\n* greet\n  - utter_say"hi\\\n')
    dot = dialogue_dot(story, title='bot "x"\nline')
    assert 'label="bot \\"x\\"\\nline\\n' in dot
    assert r'[label="utter_say\"hi\\",' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_reads_every_drawing():
    dot = dialogue_dot(
        stories('## s\n> c\n* greet OR hi{"a": "\\"}"}\n  - utter_x"y\n> c\n'), title="a\\b"
    )
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
    assert drawn.returncode == 0, drawn.stderr
    assert "utter_x&quot;y" in drawn.stdout
