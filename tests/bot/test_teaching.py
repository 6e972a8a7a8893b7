import pytest

from bot.errors import AnswerError
from bot.events import ActionExecuted, Corrected, SlotSet, UserUtteranceReverted, UserUttered
from bot.outputs import BotDid, ConversationStart, UserSaid
from bot.teaching import (
    Answer,
    AskAgain,
    Export,
    Question,
    Relabel,
    RunAction,
    decide,
    describe,
    recent_history,
)
from bot.tracker import Tracker

CONFIRM = Question("q1", "confirm", "action_show_venue_reviews", 0.33, "lightgbm")


@pytest.fixture
def tracker(concert_domain):
    return Tracker(
        "c1",
        concert_domain,
        [
            ActionExecuted("action_listen"),
            UserUttered(
                '/compare_reviews{"city": "Berlin"}', "compare_reviews", {"city": "Berlin"}
            ),
            SlotSet("city", "Berlin"),
        ],
    )


def test_yes_runs_the_predicted_action(tracker):
    assert decide(CONFIRM, Answer("q1", "approve"), tracker, "q2") == RunAction(
        "action_show_venue_reviews", None
    )


def test_wrong_action_then_choice_records_the_correction(tracker):
    ask = decide(CONFIRM, Answer("q1", "wrong_action"), tracker, "q2")
    assert ask == AskAgain(Question("q2", "choose_action", CONFIRM.action, 0.33, "lightgbm"))
    run = decide(
        ask.question, Answer("q2", "choose_action", "action_show_concert_reviews"), tracker, "q3"
    )
    assert run == RunAction(
        "action_show_concert_reviews",
        Corrected("action", "action_show_venue_reviews", "action_show_concert_reviews"),
    )


def test_choosing_the_predicted_action_is_no_correction(tracker):
    question = Question("q2", "choose_action", "utter_greet", 0.5, "lightgbm")
    assert decide(question, Answer("q2", "choose_action", "utter_greet"), tracker, "q3") == (
        RunAction("utter_greet", None)
    )


def test_wrong_intent_relabels_the_user_turn(tracker):
    ask = decide(CONFIRM, Answer("q1", "wrong_intent"), tracker, "q2")
    relabel = decide(ask.question, Answer("q2", "choose_intent", "search_concerts"), tracker, "q3")
    assert isinstance(relabel, Relabel)
    assert relabel.events == [
        UserUtteranceReverted(),
        Corrected("intent", "compare_reviews", "search_concerts"),
        UserUttered('/compare_reviews{"city": "Berlin"}', "search_concerts", {"city": "Berlin"}),
        SlotSet("city", "Berlin"),
    ]
    for event in relabel.events:
        tracker.apply(event)
    assert tracker.latest_message.intent == "search_concerts"
    assert tracker.latest_action == "action_listen" and tracker.slots["city"] == "Berlin"


def test_export_is_allowed_at_every_stage(tracker):
    question = Question("q9", "choose_intent", "utter_greet", 0.5, "memoization")
    assert decide(question, Answer("q9", "export"), tracker, "x") == Export()


@pytest.mark.parametrize(
    ("question", "answer", "message"),
    [
        (None, Answer("q1", "approve"), "no open question"),
        (CONFIRM, Answer("old", "approve"), "already answered"),
        (CONFIRM, Answer("q1", "choose_action", "utter_greet"), "already answered"),
        (
            Question("q1", "choose_action", "a", 0.1, "p"),
            Answer("q1", "choose_action", "fly"),
            "Unknown action 'fly'",
        ),
        (
            Question("q1", "choose_intent", "a", 0.1, "p"),
            Answer("q1", "choose_intent", None),
            "Unknown intent None",
        ),
    ],
)
def test_answers_that_do_not_fit_are_refused(tracker, question, answer, message):
    with pytest.raises(AnswerError, match=message):
        decide(question, answer, tracker, "q2")


def test_history_starts_like_the_seed(concert_domain):
    tracker = Tracker(
        "c", concert_domain, [ActionExecuted("action_listen"), UserUttered("/greet", "greet")]
    )
    assert recent_history(tracker) == (
        ConversationStart(),
        BotDid("action_listen"),
        UserSaid("/greet", "greet"),
    )


def test_history_shows_only_the_last_turns(concert_domain):
    events = []
    for intent in ["greet", "thankyou", "goodbye", "greet", "search_venues"]:
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"/{intent}", intent),
            ActionExecuted("utter_greet"),
        ]
    lines = recent_history(Tracker("c", concert_domain, events), turns=2)
    assert lines[:2] == (BotDid("utter_greet"), BotDid("action_listen"))
    assert [line.text for line in lines if isinstance(line, UserSaid)] == [
        "/greet",
        "/search_venues",
    ]


def test_history_keeps_whole_turns_when_the_bot_only_listened(concert_domain):
    events = [ActionExecuted("action_listen"), UserUttered("/greet", "greet")]
    for intent in ["thankyou", "goodbye", "greet"]:
        events += [ActionExecuted("action_listen"), UserUttered(f"/{intent}", intent)]
    lines = recent_history(Tracker("c", concert_domain, events), turns=2)
    assert lines == (
        BotDid("action_listen"),
        UserSaid("/goodbye", "goodbye"),
        BotDid("action_listen"),
        UserSaid("/greet", "greet"),
    )


def test_describe_shows_slots_intent_and_entities(tracker):
    proposal = describe(CONFIRM, tracker)
    assert proposal.action == "action_show_venue_reviews" and proposal.question_id == "q1"
    assert dict(proposal.slots) == {"concerts": None, "venues": None, "city": "Berlin"}
    assert (proposal.intent, proposal.entities) == ("compare_reviews", {"city": "Berlin"})


def test_question_round_trips_through_a_dict():
    assert Question.from_dict(CONFIRM.to_dict()) == CONFIRM
