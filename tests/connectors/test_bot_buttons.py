"""A bot message's buttons: the token a button says its payload with, and which buttons fit."""

from __future__ import annotations

import pytest

from bot.outputs import BotMessage
from connectors.bot_buttons import button_label, read_said, said_data, split_buttons
from connectors.training_view import Press, read_press


@pytest.mark.parametrize("payload", ["/affirm", '/inform{"cuisine": "thai"}', "yes please", ">"])
def test_a_said_token_reads_back_and_is_no_teaching_press(payload):
    assert read_said(said_data(payload)) == payload
    assert read_press(said_data(payload)) is None


@pytest.mark.parametrize(
    "data", [None, "", ">", Press("3f9a1c2e", "approve").data, Press("ab", "page", 1).data]
)
def test_teaching_tokens_and_empty_ones_say_nothing(data):
    assert read_said(data) is None


def test_buttons_that_do_not_fit_stay_text_lines_in_order():
    message = BotMessage("pick", (("A", "/a"), ("Long", "/" + "x" * 99), ("B", "/b"), ("C", " ")))
    rest, shown = split_buttons(message, lambda payload: len(payload) < 10, most=5)
    assert shown == (("A", "/a"), ("B", "/b"))
    assert rest == BotMessage("pick", (("Long", "/" + "x" * 99), ("C", " ")))
    rest, shown = split_buttons(message, lambda payload: True, most=1)
    assert shown == (("A", "/a"),) and len(rest.buttons) == 3


def test_a_button_without_title_shows_its_payload():
    assert button_label(("Yes", "/affirm")) == "Yes"
    assert button_label((" ", "/affirm")) == "/affirm"
