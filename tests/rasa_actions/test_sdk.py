"""Actions written against rasa-sdk run unchanged in process: rasa-sdk's own executor, its
`Tracker`, `CollectingDispatcher` and event dicts, converted at the boundary."""

from __future__ import annotations

import logging

import pytest

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry, CustomAction
from bot.engine import Engine
from bot.events import ActionExecuted, SlotSet
from bot.outputs import BotMessage, Notice
from bot.teaching import Answer
from rasa_actions.sdk import SdkAction, in_process_action
from tests.rasa_actions.conftest import SDK_BOT, approve, engine_with

pytestmark = pytest.mark.filterwarnings("ignore:No method 'extract_:UserWarning")
"""rasa-sdk's form validation warns about slots without an extraction method, as it does on
its own action server."""


@pytest.fixture
def engine(sdk_domain, tmp_path) -> Engine:
    custom = load_custom_actions(SDK_BOT, sdk_domain)
    return engine_with(sdk_domain, ActionRegistry(sdk_domain, custom, in_process_action), tmp_path)


def test_rasa_sdk_actions_run_through_rasa_sdk_and_others_as_ozbot_s(sdk_domain):
    custom = load_custom_actions(SDK_BOT, sdk_domain)
    assert sorted(custom) == [
        "action_broken", "action_follow", "action_reject", "action_search_concerts",
        "action_slow", "validate_restaurant_form",
    ]  # fmt: skip
    assert all(isinstance(in_process_action(n, a), SdkAction) for n, a in custom.items())
    assert isinstance(in_process_action("action_x", object()), CustomAction)


async def test_a_rasa_sdk_action_says_and_sets_what_it_would_on_its_server(engine):
    outputs = await approve(engine, '/search{"city": "Oslo"}')
    said = [o for o in outputs if isinstance(o, BotMessage)]
    assert [m.text for m in said] == [
        "c1 asked (search) for concerts in Oslo",
        "found 2 concerts",
        "slots: city, concerts, cuisine, requested_slot",
    ]
    assert (said[0].buttons, said[0].image) == (
        (("more", "/search"),),
        "https://example.org/concerts.png",
    )
    events = (await engine.store.load("c1")).events
    assert events[-1] == SlotSet("concerts", ["Foo Fighters", "Katy Perry"])


async def test_a_form_validation_action_runs_in_process(engine):
    outputs = await approve(engine, '/inform{"cuisine": "klingon"}')
    assert [o.text for o in outputs if isinstance(o, BotMessage)] == ["we do not serve klingon"]
    events = (await engine.store.load("c1")).events
    assert list(events[-2:]) == [SlotSet("cuisine", None), SlotSet("requested_slot", "cuisine")]


async def test_a_rejection_and_a_bug_are_one_line_each_and_change_nothing(engine, caplog):
    outputs = await approve(engine, "/reject")
    [notice] = [o.text for o in outputs if isinstance(o, Notice)]
    assert "rejected it (the city is unknown)" in notice
    wrong = Answer(outputs[-1].question_id, "wrong_action")
    question = (await engine.handle("c1", wrong, trainer=True))[-1].question_id
    with caplog.at_level(logging.ERROR):
        outputs = await engine.handle(
            "c1", Answer(question, "choose_action", "action_broken"), trainer=True
        )
    [notice] = [o.text for o in outputs if isinstance(o, Notice)]
    assert "The action action_broken failed: KeyError: 'concerts\\nsecond line'." in notice
    assert "\n" not in notice
    assert "Traceback" in caplog.text and "action_broken" in caplog.text
    stored = await engine.store.load("c1")
    assert [e.name for e in stored.events if isinstance(e, ActionExecuted)] == ["action_listen"]
    assert stored.pending.id == outputs[-1].question_id
