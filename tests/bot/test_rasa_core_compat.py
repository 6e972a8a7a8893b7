"""A bot whose actions are written for Rasa Core 0.x (`rasa_core`, `rasa_core_sdk`), neither
installed: its actions import ozbot's stand-ins and run through the engine unchanged."""

import datetime
import logging
import sys
from dataclasses import dataclass

import pytest

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.domain import Domain, domain_from_dict
from bot.engine import Engine, UserMessage
from bot.events import ActionExecuted, ActionExecutionRejected, SlotSet
from bot.exporter import StoryExporter
from bot.outputs import BotMessage
from bot.policy import Prediction
from bot.rasa_core_compat import Form, ReminderScheduled
from bot.rasa_core_compat import SlotSet as CoreSlotSet
from bot.stores.memory import MemoryTrackerStore

ACTIONS_0X = '''
from rasa_core.actions.action import Action
from rasa_core.dispatcher import Dispatcher
from rasa_core.events import FollowupAction, ReminderScheduled, SlotSet
from rasa_core.trackers import DialogueStateTracker
import datetime

import rasa_core_sdk
from rasa_core_sdk.events import AllSlotsReset
from rasa_core_sdk.executor import CollectingDispatcher


class WeatherAction(Action):
    """A base of the actions below: no name of its own."""


class ActionWeather(WeatherAction):
    def name(self):
        return "action_weather"

    def run(self, dispatcher: Dispatcher, tracker: DialogueStateTracker, domain):
        city = next(tracker.get_latest_entity_values("city"), None) or "Berlin"
        dispatcher.utter_template("utter_weather", tracker, when="today")
        return [SlotSet("city", city.title()), FollowupAction("action_forecast")]


class ActionForecast(rasa_core_sdk.Action):
    def name(self):
        return "action_forecast"

    def run(self, dispatcher: CollectingDispatcher, tracker: rasa_core_sdk.Tracker, domain):
        buttons = [{"title": "again", "payload": "/weather"}]
        dispatcher.utter_button_message(f"rain in {tracker.get_slot('city')}", buttons)
        return []


class ActionForget(rasa_core_sdk.Action):
    def name(self):
        return "action_forget"

    def run(self, dispatcher, tracker, domain):
        later = datetime.datetime(2030, 1, 1)
        return [AllSlotsReset(), ReminderScheduled("action_weather", later)]


class ActionRefuse(rasa_core_sdk.Action):
    def name(self):
        return "action_refuse"

    def run(self, dispatcher, tracker, domain):
        raise rasa_core_sdk.ActionExecutionRejection(self.name(), "not now")
'''

DOMAIN = {
    "intents": ["weather", "forget", "refuse"],
    "entities": ["city"],
    "slots": {"city": {"type": "text"}},
    "responses": {"utter_weather": ["the weather {when} in {city}"]},
    "actions": ["action_weather", "action_forecast", "action_forget", "action_refuse"],
}
RULES = {"weather": "action_weather", "forget": "action_forget", "refuse": "action_refuse"}


@dataclass
class ByIntent:
    """After the user speaks, the action of the intent (RULES); listens after any other."""

    domain: Domain

    def predict(self, tracker):
        state = tracker.current_state()
        action = "action_listen"
        if state.prev_action == "action_listen":
            action = RULES.get(state.intent, action)
        probabilities = dict.fromkeys(self.domain.actions, 0.0) | {action: 1.0}
        return Prediction(action, 1.0, "rules", probabilities)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # restored after the test
    project = tmp_path / "bot"
    project.mkdir()
    (project / "actions.py").write_text(ACTIONS_0X)
    return project


@pytest.fixture
def engine(project, tmp_path):
    domain = domain_from_dict(DOMAIN)
    actions = ActionRegistry(domain, load_custom_actions(project, domain))
    exporter = StoryExporter(tmp_path / "exported")
    return Engine(domain, ByIntent(domain), MemoryTrackerStore(), actions, exporter)


async def say(engine, text):
    outputs = await engine.handle("c1", UserMessage(text), trainer=False)
    return [o.text for o in outputs if isinstance(o, BotMessage)]


async def test_actions_for_rasa_core_0_set_slots_say_and_follow_up(engine):
    said = await say(engine, '/weather{"city": "lisbon"}')
    assert said == ["the weather today in lisbon", "rain in Lisbon"]
    events = (await engine.store.load("c1")).events
    assert SlotSet("city", "Lisbon") in events
    assert ActionExecuted("action_forecast", "followup", 1.0) in events


async def test_an_event_ozbot_cannot_apply_is_reported_and_the_rest_applied(engine, caplog):
    await say(engine, '/weather{"city": "Lisbon"}')
    with caplog.at_level(logging.WARNING):
        assert await say(engine, "/forget") == []
    assert "action action_forget: not applied: event reminder" in caplog.text
    assert SlotSet("city", None) in (await engine.store.load("c1")).events


async def test_a_rejection_of_rasa_core_sdk_lets_another_action_run(engine):
    await say(engine, "/refuse")
    assert ActionExecutionRejected("action_refuse") in (await engine.store.load("c1")).events


def test_each_action_is_found_by_its_name_and_an_abstract_base_is_none(project):
    found = load_custom_actions(project, domain_from_dict(DOMAIN))
    assert sorted(found) == sorted(DOMAIN["actions"])


@pytest.mark.parametrize(
    ("event", "as_rasa_writes_it"),
    [
        (CoreSlotSet("city", "Rome"), {"name": "city", "value": "Rome"}),
        (Form(None), {"name": None}),
        (
            ReminderScheduled("action_x", datetime.datetime(2030, 1, 2)),
            {
                "action": "action_x",
                "date_time": "2030-01-02T00:00:00",
                "name": None,
                "kill_on_user_msg": True,
            },
        ),
    ],
)
def test_events_are_rasas_event_dicts(event, as_rasa_writes_it):
    assert event.as_dict() == {"event": event.type_name, "timestamp": None, **as_rasa_writes_it}
