from bot.events import (
    ACTION_LISTEN,
    ACTION_RESTART,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Corrected,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from bot.stories.export import stories_from_events
from bot.stories.markdown import parse_markdown, write_markdown
from bot.stories.model import ActionStep, ActiveLoopStep, SlotStep, Story, UserStep, UserTurn


def user(intent: str, **entities: object) -> UserUttered:
    return UserUttered(f"/{intent}", intent, dict(entities))


def user_step(intent: str, **entities: object) -> UserStep:
    return UserStep((UserTurn(intent, dict(entities)),))


LISTEN = ActionExecuted(ACTION_LISTEN)

GREETING: list[Event] = [
    LISTEN,
    user("greet"),
    ActionExecuted("utter_greet", policy="memo", confidence=1.0),
    BotUttered("Hello!"),
    LISTEN,
    user("inform", city="Köln", people=2),
    SlotSet("city", "Köln"),
    Corrected("action", "utter_bye", "action_search"),
    ActionExecuted("action_search", policy="trainer"),
    SlotSet("results", ["a", "b"]),
    LISTEN,
]


def test_one_conversation_is_one_story_without_listens_and_bot_messages() -> None:
    assert stories_from_events(GREETING, "chat 42") == [
        Story(
            "chat 42",
            (
                user_step("greet"),
                ActionStep("utter_greet"),
                user_step("inform", city="Köln", people=2),
                SlotStep("city", "Köln"),
                ActionStep("action_search"),
                SlotStep("results", ["a", "b"]),
            ),
        )
    ]


def test_a_restart_in_the_middle_gives_two_numbered_stories() -> None:
    events = [
        *GREETING[:3],
        user("restart"),
        ActionExecuted(ACTION_RESTART),
        Restarted(),
        LISTEN,
        user("bye"),
        ActionExecuted("utter_bye"),
    ]
    assert stories_from_events(events, "chat") == [
        Story("chat (1)", (user_step("greet"), ActionStep("utter_greet"), user_step("restart"))),
        Story("chat (2)", (user_step("bye"), ActionStep("utter_bye"))),
    ]


def test_empty_parts_are_dropped() -> None:
    events = [Restarted(), LISTEN, Restarted(), *GREETING[:3], Restarted(), BotUttered("hi")]
    assert stories_from_events(events, "chat") == [
        Story("chat", (user_step("greet"), ActionStep("utter_greet")))
    ]
    assert stories_from_events([], "chat") == []
    assert stories_from_events([LISTEN, Restarted()], "chat") == []


def test_a_reverted_user_message_is_taken_out_with_what_followed() -> None:
    events = [
        *GREETING[:3],
        LISTEN,
        user("inform", city="Rom"),
        SlotSet("city", "Rom"),
        ActionExecuted("utter_wrong"),
        UserUtteranceReverted(),
        user("inform", city="Köln"),
        ActionExecuted("utter_ok"),
    ]
    assert stories_from_events(events, "c")[0].steps == (
        user_step("greet"),
        ActionStep("utter_greet"),
        user_step("inform", city="Köln"),
        ActionStep("utter_ok"),
    )


def test_a_reverted_action_is_taken_out_with_what_it_set() -> None:
    events = [
        *GREETING[:3],
        ActionExecuted("action_search"),
        SlotSet("results", []),
        ActionReverted(),
        ActionExecuted("utter_ask_city"),
    ]
    assert stories_from_events(events, "c")[0].steps == (
        user_step("greet"),
        ActionStep("utter_greet"),
        ActionStep("utter_ask_city"),
    )


def test_conversation_markdown() -> None:
    text = write_markdown(stories_from_events(GREETING, "chat 42"))
    assert text == (
        "## chat 42\n"
        "* greet\n"
        "    - utter_greet\n"
        '* inform{"city": "Köln", "people": 2}\n'
        '    - slot{"city": "Köln"}\n'
        "    - action_search\n"
        '    - slot{"results": ["a", "b"]}\n'
    )
    assert parse_markdown(text, "export.md") == stories_from_events(GREETING, "chat 42")


def test_a_form_becomes_active_loop_steps_and_its_refusals_are_left_out() -> None:
    events = [
        LISTEN,
        user("request_restaurant"),
        ActionExecuted("restaurant_form"),
        ActiveLoop("restaurant_form"),
        LISTEN,
        user("chitchat"),
        ActionExecutionRejected("restaurant_form"),
        ActionExecuted("utter_chitchat"),
        ActionExecuted("restaurant_form"),
        ActiveLoop(None),
        LISTEN,
    ]
    [story] = stories_from_events(events, "form")
    assert story.steps == (
        user_step("request_restaurant"),
        ActionStep("restaurant_form"),
        ActiveLoopStep("restaurant_form"),
        user_step("chitchat"),
        ActionStep("utter_chitchat"),
        ActionStep("restaurant_form"),
        ActiveLoopStep(None),
    )
