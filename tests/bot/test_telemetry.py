"""What an operator sees of each turn: one log line and the metrics, fed by the engine."""

import json
import logging

import pytest

from bot.actions import ActionRegistry
from bot.engine import Command, UserMessage
from bot.errors import StoreUnavailableError
from bot.logs import JsonFormatter
from bot.outputs import ActionProposal, Choices
from bot.stores.memory import MemoryTrackerStore
from bot.teaching import Answer
from bot.telemetry import Telemetry


class DownStore(MemoryTrackerStore):
    async def load_tail(self, conversation_id):
        raise StoreUnavailableError("Redis down")


@pytest.fixture
def telemetry(engine):
    telemetry = Telemetry()
    engine.on_turn = telemetry.turn
    return telemetry


async def answer(engine, outputs, kind, value=None):
    question = next(o for o in outputs if isinstance(o, ActionProposal | Choices))
    return await engine.handle("c1", Answer(question.question_id, kind, value), trainer=True)


async def test_one_log_line_per_turn_with_intent_actions_policy_confidence_latency(
    engine, telemetry, caplog
):
    with caplog.at_level(logging.INFO, "ozbot.turns"):
        await engine.handle("user:7", UserMessage("/greet"), trainer=False)

    [record] = caplog.records
    assert record.getMessage().startswith(
        "turn conversation_id=user:7 input=message intent=greet "
        "actions=action_listen,utter_greet,action_listen policy=rules confidence=0.8 latency_ms="
    )
    fields = json.loads(JsonFormatter().format(record))
    assert fields["conversation_id"] == "user:7"
    assert fields["actions"] == ["action_listen", "utter_greet", "action_listen"]
    assert fields["latency_ms"] >= 0


async def test_a_training_turn_logs_the_proposed_action(engine, telemetry, caplog):
    with caplog.at_level(logging.INFO, "ozbot.turns"):
        await engine.handle("c1", UserMessage("/greet"), trainer=True)
    assert "proposed=utter_greet" in caplog.records[0].getMessage()


async def test_metrics_count_turns_latency_corrections_and_errors(engine, telemetry):
    await answer(
        engine, await engine.handle("c1", UserMessage("/search_concerts"), trainer=True), "approve"
    )
    await answer(engine, await engine.pending_outputs("c1"), "approve")
    outputs = await engine.handle("c1", UserMessage("/compare_reviews"), trainer=True)
    outputs = await answer(engine, outputs, "wrong_action")
    await answer(engine, outputs, "choose_action", "action_show_concert_reviews")
    await engine.handle("c1", Command("restart"), trainer=True)
    engine.actions = ActionRegistry(engine.domain, {})  # action_search_concerts cannot run now
    await answer(
        engine, await engine.handle("c1", UserMessage("/search_concerts"), trainer=True), "approve"
    )
    engine.store = DownStore()
    await engine.handle("c1", UserMessage("/greet"), trainer=True)

    text = telemetry.render(1)
    assert 'ozbot_turns_total{input="answer"} 5' in text
    assert 'ozbot_turns_total{input="message"} 4' in text
    assert 'ozbot_turns_total{input="restart"} 1' in text
    assert "ozbot_turn_seconds_count 10" in text
    assert "ozbot_corrections_total 1" in text
    assert 'ozbot_errors_total{kind="action"} 1' in text
    assert 'ozbot_errors_total{kind="store_unavailable"} 1' in text


def test_retrains_their_duration_and_the_model_version():
    telemetry = Telemetry()
    assert "ozbot_model_version 1" in telemetry.render(1)
    telemetry.retrained(3.0)
    telemetry.retrain_failed()

    text = telemetry.render(2)
    assert "ozbot_model_version 2" in text
    assert 'ozbot_retrains_total{outcome="ok"} 1' in text
    assert 'ozbot_retrains_total{outcome="failed"} 1' in text
    assert "ozbot_retrain_seconds_sum 3" in text
    assert 'ozbot_errors_total{kind="retrain"} 1' in text


def test_other_background_failures_are_counted_apart_from_retrains():
    telemetry = Telemetry()

    telemetry.background_failed()

    text = telemetry.render(1)
    assert 'ozbot_errors_total{kind="background"} 1' in text
    assert not [line for line in text.splitlines() if line.startswith("ozbot_retrains_total")]
