"""A trainer reviews users' flagged turns through the teaching flow, in a conversation of its
own: the user's conversation is only read, the reviewed one is taught."""

import time
from dataclasses import replace

import pytest

from bot import texts
from bot.engine import UserMessage
from bot.events import ActionExecuted, Corrected, UserUttered
from bot.outputs import ActionProposal, Choices, Notice
from bot.review import ReviewRules
from bot.review_desk import ReviewDesk
from bot.stores.review_queue import MemoryReviewQueue
from bot.teaching import Answer

RULES = ReviewRules(action_threshold=0.9, retention_days=1)


class Clock:
    def __init__(self):
        self.now = time.time()  # the engine stamps flags with the time of day

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def desk(engine, clock):
    engine.review = RULES
    outcomes = []
    desk = ReviewDesk(
        engine, MemoryReviewQueue(engine.store), RULES, on_reviewed=outcomes.append, clock=clock
    )
    desk.outcomes = outcomes
    engine.reviews = desk
    return desk


async def user_says(engine, conversation_id, text):
    return await engine.handle(conversation_id, UserMessage(text), trainer=False)


def proposal(outputs):
    return next(o for o in outputs if isinstance(o, ActionProposal))


async def press(engine, trainer, outputs, kind, value=None):
    question = next(o for o in outputs if isinstance(o, ActionProposal | Choices))
    question_id = question.question_id
    return await engine.handle(trainer, Answer(question_id, kind, value), trainer=True)


async def test_a_reviewed_turn_becomes_taught_and_leaves_the_queue(engine, desk, learner):
    await user_says(engine, "u1", "/greet")
    users_chat = await engine.store.load("u1")
    outputs = await desk.next("t1")
    assert Notice("1 turn to review, 1 of them about greet.") in outputs
    asked = proposal(outputs)
    assert (asked.action, asked.confidence, asked.intent) == ("utter_greet", 0.8, "greet")
    outputs = await press(engine, "t1", outputs, "approve")
    outputs = await press(engine, "t1", outputs, "approve")  # then listen
    assert outputs[-1] == Notice(texts.reviewed(0))
    assert desk.outcomes == ["reviewed"] and await desk.waiting() == []
    taught = (await engine.store.taught()).conversations
    assert list(taught) == ["review:1:u1"]
    assert taught["review:1:u1"][1] == UserUttered("/greet", "greet")
    assert ActionExecuted("utter_greet", "trainer", 0.8) in taught["review:1:u1"]
    assert learner.taught  # it stuck at once
    assert await engine.store.load("u1") == users_chat  # the user's chat is never edited
    assert (await engine.store.load("t1")).events == ()


async def test_a_wrong_intent_in_review_is_corrected_as_in_teaching(engine, desk):
    await user_says(engine, "u1", "/greet")
    outputs = await press(engine, "t1", await desk.next("t1"), "wrong_intent")
    outputs = await press(engine, "t1", outputs, "choose_intent", "search_concerts")
    assert proposal(outputs).action == "action_search_concerts"
    events = (await engine.store.load("review:1:u1")).events
    assert Corrected("intent", "greet", "search_concerts") in events


async def test_two_trainers_never_get_the_same_turn(engine, desk):
    await user_says(engine, "u1", "/greet")
    await user_says(engine, "u2", "/greet")
    first = proposal(await desk.next("t1"))
    second = proposal(await desk.next("t2"))
    assert first.question_id != second.question_id
    assert await desk.next("t3") == [Notice(texts.all_claimed(2))]


async def test_a_skipped_turn_stays_claimed_then_comes_back(engine, desk, clock):
    await user_says(engine, "u1", "/greet")
    await desk.next("t1")
    assert await desk.next("t1") == [Notice(texts.all_claimed(1))]  # skipped
    assert await desk.reviewing("t1") is None
    clock.now += RULES.claim_seconds + 1
    assert proposal(await desk.next("t2")).action == "utter_greet"


async def test_a_dismissed_turn_leaves_the_queue_untaught(engine, desk):
    await user_says(engine, "u1", "/greet")
    assert await desk.dismiss("t1") == [Notice(texts.NO_REVIEW_OPEN)]
    await desk.next("t1")
    assert await desk.dismiss("t1") == [Notice(texts.NOTHING_TO_REVIEW)]
    assert desk.outcomes == ["not_useful"]
    assert (await engine.store.taught()).conversations == {}


async def test_a_trainers_messages_go_to_the_open_review(engine, desk):
    await user_says(engine, "u1", "/greet")
    await desk.next("t1")
    outputs = await engine.handle("t1", UserMessage("/greet"), trainer=True)
    assert Notice(texts.ANSWER_FIRST) in outputs
    assert (await engine.store.load("t1")).events == ()


async def test_old_flags_are_dropped_and_gone_messages_skipped(engine, desk, clock):
    await user_says(engine, "u1", "/greet")
    await user_says(engine, "u2", "/greet")
    flags = engine.store.flags
    flags["1:u1"] = replace(flags["1:u1"], at=clock.now - 2 * 86400)
    gone = replace(flags["1:u2"], position=9, action_confidence=0.1)  # ranked first
    flags["9:u2"] = gone  # past the end of its conversation
    assert sorted(f.key for f in await desk.waiting()) == ["1:u2", "9:u2"]
    outputs = await desk.next("t1")
    assert outputs[0] == Notice("2 turns to review, 2 of them about greet.")
    assert proposal(outputs)
    assert [f.key for f in await desk.waiting()] == ["1:u2"]  # the one past the end is gone
