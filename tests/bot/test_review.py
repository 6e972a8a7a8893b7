"""Which users' turns are flagged for review, and in which order trainers see them."""

import pytest

from bot.errors import StoreError
from bot.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from bot.review import Flag, ReviewRules, Summary, flag_turn, ranked, read_key, summarize

RULES = ReviewRules(nlu_threshold=0.5, action_threshold=0.5)


def turn(intent="greet", nlu=0.9, action="utter_greet", policy_confidence=0.9, text="hi"):
    return [
        ActionExecuted("action_listen"),
        UserUttered(text, intent, confidence=nlu),
        SlotSet("city", None),
        ActionExecuted(action, "lightgbm", policy_confidence),
        BotUttered("hey"),
        ActionExecuted("action_listen", "lightgbm", 0.95),
    ]


def flagged(events, previous=None, rules=RULES):
    return flag_turn("c1", 10, events, previous, rules, now=100.0)


def test_a_confident_turn_is_not_flagged():
    assert flagged(turn()) is None


def test_an_unsure_nlu_flags_the_message_at_its_position_in_the_conversation():
    flag = flagged(turn(nlu=0.3))
    assert flag is not None
    assert (flag.position, flag.intent, flag.reasons) == (11, "greet", ("nlu",))
    assert (flag.action, flag.action_confidence, flag.text) == ("utter_greet", 0.9, "hi")
    assert read_key(flag.key) == ("c1", 11)


def test_an_unsure_action_a_fallback_and_a_repeat_each_flag_the_turn():
    assert flagged(turn(policy_confidence=0.2)).reasons == ("action",)
    assert flagged(turn(action="action_default_fallback")).reasons == ("fallback",)
    assert flagged(turn(intent="nlu_fallback", nlu=0.9)).reasons == ("fallback",)
    again = flagged(turn(text="Hi "), previous=UserUttered("hi", "greet"))
    assert again.reasons == ("repeat",)


def test_rules_switched_off_flag_nothing():
    quiet = ReviewRules(fallbacks=False, repeats=False)
    assert flagged(turn(intent="nlu_fallback"), rules=quiet) is None
    assert flagged(turn(), UserUttered("hi", "greet"), rules=quiet) is None
    assert flagged(turn(nlu=0.1), rules=ReviewRules(enabled=False)) is None


def test_a_flag_keeps_no_copy_of_the_text_when_told_so():
    assert flagged(turn(nlu=0.1), rules=ReviewRules(keep_text=False)).text is None


def test_a_typed_intent_has_no_nlu_confidence_and_is_not_flagged_for_it():
    assert flagged(turn(nlu=None)) is None


def test_flags_round_trip_and_a_damaged_one_is_a_store_error():
    flag = flagged(turn(nlu=0.1, text="wo ist ü?"))
    assert Flag.from_json(flag.to_json(), "here") == flag
    with pytest.raises(StoreError, match="here: a review flag is not valid"):
        Flag.from_json('{"position": 1}', "here")


def make(key, intent, confidence, at=0.0):
    return Flag(key, 1, intent, confidence, "utter_x", None, ("nlu",), at)


def test_the_most_useful_come_first_unsure_and_frequent():
    rare_unsure = make("a", "greet", 0.1)
    frequent = [make(f"f{i}", "card_arrival", 0.4, at=i) for i in range(3)]
    sure = make("s", "card_arrival", 0.49)
    order = ranked([sure, rare_unsure, *frequent])
    assert [f.conversation_id for f in order] == ["f0", "f1", "f2", "s", "a"]


def test_the_summary_names_the_most_frequent_kind():
    flags = [make("a", "greet", 0.1), *(make(f"f{i}", "card_arrival", 0.4) for i in range(2))]
    assert summarize(flags) == Summary(3, "card_arrival", 2)
    assert summarize([]).total == 0
