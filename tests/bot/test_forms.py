"""Forms run as Rasa runs them: activation, questions, slots filled by their mappings,
validation, rejection, leaving the form; for users and in teaching."""

import pytest

from bot.actions import ActionRegistry
from bot.domain_forms import REQUESTED_SLOT
from bot.engine import Engine, UserMessage
from bot.events import ActionExecutionRejected, ActiveLoop, SlotSet
from bot.exporter import StoryExporter
from bot.outputs import ActionProposal, BotMessage, Notice
from bot.stores.memory import MemoryTrackerStore
from bot.teaching import Answer
from tests.bot.forms_bot import FormsPolicy, ValidateRestaurantForm, forms_domain


@pytest.fixture
def engine(tmp_path):
    domain = forms_domain()
    custom = {"validate_restaurant_form": ValidateRestaurantForm()}
    return Engine(
        domain,
        FormsPolicy(domain),
        MemoryTrackerStore(),
        ActionRegistry(domain, custom),
        StoryExporter(tmp_path / "exported"),
    )


async def said(engine, text, conversation="u1"):
    outputs = await engine.handle(conversation, UserMessage(text), trainer=False)
    return [o.text for o in outputs if isinstance(o, BotMessage | Notice)]


async def test_a_form_asks_for_each_slot_until_all_are_filled(engine):
    assert await said(engine, "/request_restaurant") == ["What cuisine?"]
    assert await said(engine, '/inform{"cuisine": "thai"}') == ["For how many people?"]
    assert await said(engine, '/inform{"number": 4}') == ["Outside?"]
    assert await said(engine, "/affirm") == ["A table: thai for 4."]
    events = (await engine.store.load("u1")).events
    assert [e for e in events if isinstance(e, ActiveLoop)] == [
        ActiveLoop("restaurant_form"),
        ActiveLoop(None),
    ]
    asked = [e.value for e in events if isinstance(e, SlotSet) and e.name == REQUESTED_SLOT]
    assert asked == ["cuisine", "num_people", "outdoor_seating", None]
    assert SlotSet("outdoor_seating", True) in events


async def test_a_slot_filled_before_the_form_starts_is_not_asked_for(engine):
    assert await said(engine, '/request_restaurant{"number": 2}') == ["What cuisine?"]
    assert await said(engine, '/inform{"cuisine": "thai"}') == ["Outside?"]


async def test_a_message_that_fills_nothing_lets_the_form_go_and_it_asks_again_after(engine):
    await said(engine, "/request_restaurant")
    assert await said(engine, "/chitchat") == ["Chitchat!", "What cuisine?"]
    events = (await engine.store.load("u1")).events
    assert ActionExecutionRejected("restaurant_form") in events
    assert await said(engine, '/inform{"cuisine": "thai"}') == ["For how many people?"]


async def test_a_slot_fills_only_when_its_conditions_hold(engine):
    await said(engine, "/request_restaurant")
    await said(engine, '/inform{"cuisine": "thai"}')  # now it asks for num_people
    assert await said(engine, "/affirm") == []  # outdoor_seating fills only when asked for
    assert SlotSet("outdoor_seating", True) not in (await engine.store.load("u1")).events
    assert await said(engine, '/inform{"number": 3}') == ["Outside?"]


async def test_the_validation_action_refuses_a_value_and_the_form_asks_again(engine):
    await said(engine, "/request_restaurant")
    assert await said(engine, '/inform{"cuisine": "pizza"}') == ["No pizza here.", "What cuisine?"]
    await said(engine, '/inform{"cuisine": "thai"}')
    assert await said(engine, '/inform{"number": 12}') == ["At most 8.", "For how many people?"]


async def test_a_story_can_leave_the_form(engine):
    await said(engine, "/request_restaurant")
    assert await said(engine, "/stop") == []  # action_deactivate_loop, then listen
    tail = await engine.store.load_tail("u1")
    events = (await engine.store.load("u1")).events
    assert events[-3:-1] == (ActiveLoop(None), SlotSet(REQUESTED_SLOT, None))
    assert tail.pending is None


async def test_the_trainer_sees_the_form_and_the_slot_it_asks_for(engine):
    [first] = await engine.handle("t", UserMessage("/request_restaurant"), trainer=True)
    assert (first.action, first.active_form) == ("restaurant_form", None)
    outputs = await engine.handle("t", Answer(first.question_id, "approve"), trainer=True)
    [listen] = [o for o in outputs if isinstance(o, ActionProposal)]
    assert (listen.action, listen.policy) == ("action_listen", "scripted")
    assert (listen.active_form, listen.asking_for) == ("restaurant_form", "cuisine")


async def test_a_form_that_lets_go_tells_the_trainer_and_another_action_is_proposed(engine):
    [asked] = await engine.handle("t", UserMessage("/request_restaurant"), trainer=True)
    outputs = await engine.handle("t", Answer(asked.question_id, "approve"), trainer=True)
    [listen] = [o for o in outputs if isinstance(o, ActionProposal)]
    await engine.handle("t", Answer(listen.question_id, "approve"), trainer=True)
    [form] = await engine.handle("t", UserMessage("/chitchat"), trainer=True)
    assert form.action == "restaurant_form"
    outputs = await engine.handle("t", Answer(form.question_id, "approve"), trainer=True)
    notice = next(o for o in outputs if isinstance(o, Notice))
    assert "found no cuisine in this message" in notice.text
    [instead] = [o for o in outputs if isinstance(o, ActionProposal)]
    assert instead.action == "utter_chitchat"
