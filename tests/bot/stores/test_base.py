"""The pure parts of the store protocol: what is taught, and a turn's one commit."""

import pytest

from bot.errors import ConflictError, StoreError
from bot.events import ActionExecuted, Corrected, UserUttered, event_to_json
from bot.stores.base import ConversationTail, StoredTurn, decode_taught, is_taught
from bot.stores.memory import MemoryTrackerStore


def events(policy):
    return [
        ActionExecuted("action_listen"),
        UserUttered("/greet", "greet"),
        ActionExecuted("utter_greet", policy, 1.0),
    ]


def test_only_conversations_with_trainer_answers_are_taught():
    assert is_taught(tuple(events("trainer")))
    assert not is_taught(tuple(events("memoization")))


def test_an_intent_correction_alone_makes_a_conversation_taught():
    relabelled = [*events("memoization"), Corrected("intent", "greet", "goodbye")]
    assert is_taught(relabelled)


def test_decoding_keeps_the_taught_and_reports_the_corrupt_by_id():
    stored = {
        "taught": [event_to_json(e) for e in events("trainer")],
        "user": [event_to_json(e) for e in events("lightgbm")],
        "broken": [event_to_json(events("trainer")[0]), "{not json"],
    }
    found = decode_taught(stored, lambda cid: f"conversation {cid}")
    assert found.conversations == {"taught": tuple(events("trainer"))}
    assert list(found.corrupt) == ["broken"] and isinstance(found.corrupt["broken"], StoreError)
    assert "conversation broken, event 1: stored event is not valid JSON" in str(
        found.corrupt["broken"]
    )


async def test_a_turn_commits_once_after_its_tail():
    store = MemoryTrackerStore()
    await store.append("c1", events("lightgbm")[:1], expected_length=0, pending=None)
    turn = StoredTurn(store, await store.load_tail("c1"))
    await turn.commit(events("lightgbm")[1:], pending=None, snapshot=None)
    assert (await store.load("c1")).events == tuple(events("lightgbm"))
    with pytest.raises(RuntimeError, match="turn on conversation c1 has committed already"):
        await turn.commit([], pending=None, snapshot=None)


async def test_a_turns_past_must_match_its_tail():
    store = MemoryTrackerStore()
    await store.append("c1", events("lightgbm"), expected_length=0, pending=None)
    turn = StoredTurn(store, ConversationTail("c1", None, ()))
    with pytest.raises(ConflictError, match="conversation c1 has 3 events, expected 0"):
        await turn.load_all()
