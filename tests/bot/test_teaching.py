import pytest

from bot import texts
from bot.errors import AnswerError
from bot.events import ActionExecuted, Corrected, SlotSet, UserUtteranceReverted, UserUttered
from bot.outputs import BotDid, ConversationStart, EntityFix, UserSaid
from bot.teaching import (
    Answer,
    AskAgain,
    Export,
    Question,
    Relabel,
    RunAction,
    decide,
    describe,
    entity_fix,
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
    ]  # the engine fills the slots the message fills as it reads now
    for event in relabel.events:
        tracker.apply(event)
    assert tracker.latest_message.intent == "search_concerts"
    assert tracker.latest_action == "action_listen"


FIX = Question("q2", "fix_entities", "action_show_venue_reviews", 0.33, "lightgbm")


def free_text(domain, text, intent, entities):
    return Tracker(
        "c1",
        domain,
        [
            ActionExecuted("action_listen"),
            UserUttered(text, intent, entities, confidence=0.8),
            *(SlotSet(name, value) for name, value in entities.items()),
        ],
    )


def test_wrong_entities_asks_for_the_message_marked_as_it_was_read(concert_domain):
    tracker = free_text(
        concert_domain, "any concerts in Berlin?", "search_concerts", {"city": "Berlin"}
    )
    ask = decide(CONFIRM, Answer("q1", "wrong_entities"), tracker, "q2")
    assert ask == AskAgain(FIX)
    fix = entity_fix(ask.question, tracker)
    number = concert_domain.entities.index("city")
    assert fix == EntityFix(
        "q2", "any concerts in [Berlin](city)?", False, ((number, "city", "Berlin"),)
    )


def test_a_message_marked_again_replaces_its_entities(concert_domain):
    tracker = free_text(
        concert_domain, "gigs in Paris or Berlin?", "search_concerts", {"city": "Paris"}
    )
    relabel = decide(
        FIX, Answer("q2", "mark_entities", "Gigs in  paris or [Berlin](city)?"), tracker, "q3"
    )
    assert relabel == Relabel(
        [
            UserUtteranceReverted(),
            Corrected("entities", "city=Paris", "city=Berlin"),
            UserUttered("gigs in Paris or Berlin?", "search_concerts", {"city": "Berlin"}),
        ],
        texts.corrected_entities("city=Paris", "city=Berlin"),
    )


def test_a_message_marked_without_entities_has_none(concert_domain):
    tracker = free_text(concert_domain, "hi Berlin", "greet", {"city": "Berlin"})
    relabel = decide(FIX, Answer("q2", "mark_entities", "hi Berlin"), tracker, "q3")
    assert relabel.events[1:3] == [
        Corrected("entities", "city=Berlin", texts.NO_ENTITIES),
        UserUttered("hi Berlin", "greet", {}),
    ]


def test_dropping_an_entity_keeps_the_others(concert_domain):
    entities = {"city": "Berlin", "name": "Foo"}
    tracker = free_text(concert_domain, "Foo in Berlin", "search_concerts", entities)
    relabel = decide(FIX, Answer("q2", "drop_entity", "name"), tracker, "q3")
    assert relabel.events[2] == UserUttered("Foo in Berlin", "search_concerts", {"city": "Berlin"})


def test_a_typed_intent_is_typed_again_with_its_entities(tracker):
    fix = entity_fix(FIX, tracker)
    assert (fix.marked, fix.typed) == ('/compare_reviews{"city": "Berlin"}', True)
    relabel = decide(
        FIX, Answer("q2", "mark_entities", '/compare_reviews{"city": "Bonn"}'), tracker, "q3"
    )
    assert relabel.events[2].entities == {"city": "Bonn"}
    assert relabel.events[2].text == '/compare_reviews{"city": "Berlin"}'


@pytest.mark.parametrize(
    ("marked", "message"),
    [
        ("any gigs in [Berlin](city)?", "Mark the message itself"),
        ("any concerts in [Berlin](town)?", "Unknown entity town"),
        ("any concerts in [Berlin(city)?", "is never closed"),
        ("", "Mark the message itself"),
    ],
)
def test_a_wrong_marking_is_refused_and_says_why(concert_domain, marked, message):
    tracker = free_text(concert_domain, "any concerts in Berlin?", "search_concerts", {})
    with pytest.raises(AnswerError, match=message):
        decide(FIX, Answer("q2", "mark_entities", marked), tracker, "q3")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('/greet{"city": "Bonn"}', "Keep the intent compare_reviews"),
        ("/compare_reviews{", "Could not read that"),
    ],
)
def test_a_typed_intent_keeps_its_intent_when_its_entities_are_fixed(tracker, typed, message):
    with pytest.raises(AnswerError, match=message):
        decide(FIX, Answer("q2", "mark_entities", typed), tracker, "q3")


def test_dropping_an_entity_the_message_has_not_is_refused(tracker):
    with pytest.raises(AnswerError, match="no entity 'name'"):
        decide(FIX, Answer("q2", "drop_entity", "name"), tracker, "q3")


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
