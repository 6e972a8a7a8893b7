"""Whose conversation a Slack event, command or press is, and what it asks of ozbot."""

from __future__ import annotations

import pytest

from bot.engine import UserMessage
from connectors.chat_commands import BY_NAME
from connectors.slack_events import (
    Place,
    press_place,
    pressed_value,
    read_command,
    read_event,
    read_text,
)

TRAINERS = frozenset({"U1"})


def event(**fields):
    return {"type": "message", "user": "U1", "text": "!greet", "channel": "D1"} | fields


def test_a_dm_is_one_conversation_and_a_thread_in_it_gets_the_answers():
    assert read_event(event(channel_type="im"), TRAINERS) == (
        Place("slack:D1", "D1"),
        "U1",
        UserMessage("!greet"),
    )
    threaded = read_event(event(channel_type="im", thread_ts="5.1"), TRAINERS)
    assert threaded is not None and threaded[0] == Place("slack:D1", "D1", "5.1")


def test_in_channels_a_mention_is_per_member_and_per_thread_in_threads():
    mention = event(type="app_mention", channel="C1", text="<@UBOT> !greet")
    assert read_event(mention, TRAINERS) == (
        Place("slack:C1:U1", "C1"),
        "U1",
        UserMessage("!greet"),
    )
    in_thread = read_event(mention | {"thread_ts": "7.2"}, TRAINERS)
    assert in_thread is not None and in_thread[0] == Place("slack:C1:7.2", "C1", "7.2")


def test_in_a_thread_trainers_share_one_conversation_and_everybody_else_has_their_own():
    mention = event(type="app_mention", channel="C1", text="<@UBOT> !greet", thread_ts="7.2")
    trainers = frozenset({"U1", "U2"})
    assert read_event(mention, trainers)[0] == read_event(mention | {"user": "U2"}, trainers)[0]
    other = read_event(mention | {"user": "U3"}, trainers)
    assert other is not None and other[0] == Place("slack:C1:7.2:U3", "C1", "7.2")


@pytest.mark.parametrize(
    "ignored",
    [
        event(channel_type="im", bot_id="B1"),
        event(channel_type="im", subtype="message_changed"),
        event(channel_type="im", subtype="channel_join"),
        event(channel="C1", channel_type="channel"),  # talk without a mention
        event(channel_type="im", user=None),
        event(type="reaction_added", channel_type="im"),
    ],
)
def test_bots_edits_joins_and_channel_talk_are_not_for_the_engine(ignored):
    assert read_event(ignored, TRAINERS) is None


def test_typed_text_reads_our_commands_with_either_prefix_and_drops_the_mention():
    assert read_text("<@UBOT|oz>: !restart") == BY_NAME["restart"]
    assert read_text("/undo") == BY_NAME["undo"]
    assert read_text("!help") == BY_NAME["help"]
    assert read_text("!status") == BY_NAME["status"]
    assert read_text('  <@UBOT> !search_concerts{"city": "Berlin"} ') == UserMessage(
        '!search_concerts{"city": "Berlin"}'
    )
    assert read_text("hello <@UBOT>") == UserMessage("hello <@UBOT>")


def test_the_slash_command_knows_its_words():
    assert read_command("") == BY_NAME["help"]
    assert read_command(" Export ") == BY_NAME["export"]
    assert read_command("status") == BY_NAME["status"]
    assert read_command("dance") is None


def test_a_press_is_in_the_conversation_of_its_message():
    payload = {
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "message": {"ts": "9.9", "thread_ts": "7.2"},
        "actions": [{"value": "ab:y"}],
    }
    assert press_place(payload, TRAINERS) == (Place("slack:C1:7.2", "C1", "7.2"), "U1")
    parent = payload | {"message": {"ts": "9.9", "thread_ts": "9.9"}}  # replies under it
    assert press_place(parent, TRAINERS) == (Place("slack:C1:U1", "C1"), "U1")
    assert press_place({"user": {"id": "U1"}}, TRAINERS) is None
    assert pressed_value(payload) == "ab:y"
    select = {"actions": [{"selected_option": {"value": "ab:A:1"}}]}
    assert pressed_value(select) == "ab:A:1"
    assert pressed_value({"actions": []}) is None
