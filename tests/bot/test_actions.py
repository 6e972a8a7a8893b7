import pytest

from bot.actions import ActionRegistry, Dispatcher, ResponseAction
from bot.domain import domain_from_dict
from bot.errors import ActionError
from bot.events import BotUttered, Restarted, SlotSet
from bot.tracker import Tracker

DOMAIN = domain_from_dict(
    {
        "slots": {"city": {"type": "text"}},
        "responses": {
            "utter_where": ["Concerts in {city}, not in {country}"],
            "utter_default": ["default message"],
        },
        "actions": ["action_sync", "action_not_built"],
    }
)


class SyncAction:
    """A Rasa Core 0.x style action: name() method, plain run()."""

    def name(self):
        return "action_sync"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_template("utter_where", tracker)
        return [SlotSet("city", "Paris")]


async def run(name, custom=None, slots=()):
    tracker = Tracker("c", DOMAIN, [SlotSet(k, v) for k, v in slots])
    dispatcher = Dispatcher(DOMAIN, tracker)
    events = await ActionRegistry(DOMAIN, custom or {}).get(name).run(dispatcher, tracker, DOMAIN)
    return [m.text for m in dispatcher.messages], events


async def test_response_fills_slots_and_leaves_unknown_placeholders():
    assert await run("utter_where", slots=[("city", "Berlin")]) == (
        ["Concerts in Berlin, not in {country}"],
        [],
    )


async def test_plain_custom_action_runs_too():
    assert await run("action_sync", {"action_sync": SyncAction()}, [("city", "Rome")]) == (
        ["Concerts in Rome, not in {country}"],
        [SlotSet("city", "Paris")],
    )


async def test_restart_and_fallback():
    assert await run("action_restart") == ([], [Restarted()])
    assert await run("action_default_fallback") == (["default message"], [])


async def test_an_action_without_implementation_fails_only_when_run():
    registry = ActionRegistry(DOMAIN, {})
    with pytest.raises(ActionError, match="action_not_built has no implementation.*actions.py"):
        registry.get("action_not_built")
    assert isinstance(registry.get("where"), ResponseAction)


def returning(*events):
    class Returns:
        name = "action_sync"

        async def run(self, dispatcher, tracker, domain):
            return list(events)

    return {"action_sync": Returns()}


async def test_an_action_returning_non_events_is_an_error():
    with pytest.raises(ActionError, match="42, which is not an event"):
        await run("action_sync", returning(42))
    with pytest.raises(ActionError, match="a slot event without a slot name"):
        await run("action_sync", returning({"event": "slot"}))


async def test_rasa_event_dicts_are_converted_at_the_boundary():
    said = {"event": "bot", "text": "hi", "data": {"image": "https://x/cat.png"}}
    slot = {"event": "slot", "name": "city", "value": "Oslo", "timestamp": None}
    assert await run("action_sync", returning(said, slot, SlotSet("city", "Rome"))) == (
        ["hi"],
        [SlotSet("city", "Oslo"), SlotSet("city", "Rome")],
    )


async def test_the_dispatcher_takes_rasa_s_keywords():
    tracker = Tracker("c", DOMAIN, [SlotSet("city", "Lima")])
    dispatcher = Dispatcher(DOMAIN, tracker)
    dispatcher.utter_message(text="pick", buttons=[{"title": "Yes", "payload": "/affirm"}])
    dispatcher.utter_message(response="utter_where", country="Peru")
    dispatcher.utter_message("plain", [("No", "/deny")])
    assert [(m.text, m.buttons) for m in dispatcher.messages] == [
        ("pick", (("Yes", "/affirm"),)),
        ("Concerts in Lima, not in Peru", ()),
        ("plain", (("No", "/deny"),)),
    ]


PICTURED = domain_from_dict(
    {
        "slots": {"city": {"type": "text"}, "member": {"type": "bool"}},
        "responses": {
            "utter_poster": [
                {
                    "text": "Tonight in {city}",
                    "image": "https://x/{city}.png",
                    "buttons": [{"title": "Tickets in {city}", "payload": "/buy"}],
                    "custom": {"map": {"city": "{city}"}},
                }
            ],
            "utter_price": [
                {"text": "members pay 5", "condition": [{"type": "slot", "name": "member",
                                                         "value": True}]},
            ],
        },
    }
)  # fmt: skip


async def test_a_response_s_image_and_custom_payload_are_said_filled_in():
    dispatcher = Dispatcher(PICTURED, Tracker("c", PICTURED, [SlotSet("city", "Oslo")]))
    dispatcher.utter_response("utter_poster")
    assert dispatcher.messages == [
        BotUttered(
            'Tonight in Oslo\n[custom: {"map": {"city": "Oslo"}}]',
            (("Tickets in Oslo", "/buy"),),
            image="https://x/Oslo.png",
        )
    ]


async def test_a_response_none_of_whose_conditions_holds_says_nothing_and_tells_why():
    member = Dispatcher(PICTURED, Tracker("c", PICTURED, [SlotSet("member", True)]))
    member.utter_response("utter_price")
    assert [m.text for m in member.messages] == ["members pay 5"]
    guest = Dispatcher(PICTURED, Tracker("c", PICTURED, []))
    guest.utter_response("utter_price")
    assert (guest.messages, guest.ignored) == (
        [], ["response utter_price (no variation's condition holds)"]
    )  # fmt: skip


def test_rasa_core_0_dispatcher_spellings_fill_responses_and_add_buttons():
    tracker = Tracker("c", DOMAIN, [SlotSet("city", "Rome")])
    dispatcher = Dispatcher(DOMAIN, tracker)
    more = {"title": "more", "payload": "/more"}
    dispatcher.utter_template("utter_where", tracker, country="Italy")
    dispatcher.utter_template("utter_nowhere", tracker, silent_fail=True)
    dispatcher.utter_button_template("utter_where", [more], tracker)
    dispatcher.utter_button_message("more?", [more])
    dispatcher.utter_attachment("https://example.org/map.png")
    assert [(m.text, m.buttons) for m in dispatcher.messages] == [
        ("Concerts in Rome, not in Italy", ()),
        ("Concerts in Rome, not in {country}", (("more", "/more"),)),
        ("more?", (("more", "/more"),)),
        ("[attachment: https://example.org/map.png]", ()),
    ]
    with pytest.raises(ActionError, match="utter_nowhere"):
        dispatcher.utter_template("utter_nowhere", tracker)
