"""Rasa 2/3 rules read from YAML and applied as RulePolicy applies them."""

from __future__ import annotations

from bot.domain import domain_from_dict
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    SlotSet,
    UserUttered,
)
from bot.stories.yaml_format import parse_rules
from bot.tracker import Tracker
from policy.rules import NO_LOOP, RuleState, from_json, ruled, snippets, to_json
from tests.policy.forms import FORM_DOMAIN, FORM_RULES

DOMAIN = domain_from_dict(
    {
        "intents": ["greet", "goodbye", "affirm"],
        "slots": {"name": {"type": "text"}},
        "actions": ["utter_greet", "utter_goodbye", "utter_help", "utter_ok"],
    }
)
RULES = """
rules:
- rule: goodbye anytime
  steps:
  - intent: goodbye
  - action: utter_goodbye
- rule: greet at the start
  conversation_start: true
  steps:
  - intent: greet
  - action: utter_greet
- rule: help then ask
  condition:
  - slot_was_set:
    - name: Ann
  steps:
  - intent: affirm
  - action: utter_help
  wait_for_user_input: false
- rule: after help
  steps:
  - action: utter_help
  - action: utter_ok
"""


def states(*events):
    return Tracker("t", DOMAIN, events).states()


def predicted(*events):
    snippet = ruled(snippets(parse_rules(RULES, "rules.yml"), DOMAIN), states(*events))
    return None if snippet is None else (snippet.rule, snippet.action)


def said(intent):
    return [ActionExecuted(ACTION_LISTEN), UserUttered(f"/{intent}", intent)]


def test_a_rule_applies_anywhere_and_then_listens() -> None:
    greeted = [*said("greet"), ActionExecuted("utter_greet")]
    assert predicted(*greeted, *said("goodbye")) == ("goodbye anytime", "utter_goodbye")
    after = [*greeted, *said("goodbye"), ActionExecuted("utter_goodbye")]
    assert predicted(*after) == ("goodbye anytime", ACTION_LISTEN)


def test_conversation_start_holds_only_at_the_start() -> None:
    assert predicted(*said("greet")) == ("greet at the start", "utter_greet")
    later = [*said("goodbye"), ActionExecuted("utter_goodbye"), *said("greet")]
    assert predicted(*later) is None


def test_a_condition_on_a_slot_and_no_listen_after_wait_for_user_input_false() -> None:
    assert predicted(*said("affirm")) is None
    named = [SlotSet("name", "Ann"), *said("affirm")]
    assert predicted(*named) == ("help then ask", "utter_help")
    helped = [*named, ActionExecuted("utter_help")]
    assert predicted(*helped) == ("after help", "utter_ok")


def test_rules_survive_their_json_form() -> None:
    rules = snippets(parse_rules(RULES, "rules.yml"), DOMAIN)
    assert from_json(to_json(rules)) == rules


def test_a_rule_s_user_step_holds_just_after_the_user_spoke_not_after_the_bot_acted() -> None:
    goodbye = [*said("goodbye"), ActionExecuted("utter_goodbye")]
    acted = [*said("goodbye"), ActionExecuted("utter_ok")]  # a story went on differently
    assert predicted(*goodbye) == ("goodbye anytime", ACTION_LISTEN)
    assert predicted(*acted) is None


def test_of_two_rules_for_the_same_turn_the_one_with_a_condition_wins() -> None:
    rules = RULES + (
        "- rule: goodbye to Ann\n  condition:\n  - slot_was_set:\n    - name: Ann\n"
        "  steps:\n  - intent: goodbye\n  - action: utter_ok\n"
    )
    applied = snippets(parse_rules(rules, "rules.yml"), DOMAIN)
    to_ann = ruled(applied, states(SlotSet("name", "Ann"), *said("goodbye")))
    assert to_ann is not None and to_ann.rule == "goodbye to Ann"
    anyone = ruled(applied, states(*said("goodbye")))
    assert anyone is not None and anyone.rule == "goodbye anytime"


STARTED = [
    *said("request_restaurant"),
    ActionExecuted("restaurant_form"),
    ActiveLoop("restaurant_form"),
    SlotSet("requested_slot", "cuisine"),
]


def form_predicted(*events):
    applied = snippets(parse_rules(FORM_RULES, "rules.yml"), FORM_DOMAIN)
    snippet = ruled(applied, Tracker("t", FORM_DOMAIN, events).states())
    return None if snippet is None else (snippet.rule, snippet.action)


def test_a_rule_that_activates_a_form_listens_after_it() -> None:
    assert form_predicted(*said("request_restaurant")) == ("activate form", "restaurant_form")
    assert form_predicted(*STARTED) == ("activate form", ACTION_LISTEN)


def test_a_rule_on_the_end_of_a_form_applies_once_the_form_ended() -> None:
    filled = [*STARTED, *said("inform"), SlotSet("cuisine", "thai")]
    asked_again = [*filled, ActionExecuted("restaurant_form")]
    assert form_predicted(*asked_again) != ("submit form", "utter_submit")
    ended = [*asked_again, ActiveLoop(None), SlotSet("requested_slot", None)]
    assert form_predicted(*ended) == ("submit form", "utter_submit")


def test_active_loop_null_holds_only_when_no_form_runs() -> None:
    assert form_predicted(*said("greet")) == ("greet when no form runs", "utter_greet")
    assert form_predicted(*STARTED, *said("greet")) != ("greet when no form runs", "utter_greet")
    refused = [*STARTED, *said("greet"), ActionExecutionRejected("restaurant_form")]
    assert form_predicted(*refused) != ("greet when no form runs", "utter_greet")  # as Rasa


def test_the_active_loop_a_rule_says_survives_json_and_older_models_say_none() -> None:
    rules = snippets(parse_rules(FORM_RULES, "rules.yml"), FORM_DOMAIN)
    assert from_json(to_json(rules)) == rules
    assert {state.active_loop for rule in rules for state in rule.states} == {
        None,
        "restaurant_form",
        NO_LOOP,
    }
    before_forms = [["r", "utter_ok", False, [[None, "greet", [], [["name", True]]]]]]
    [old] = from_json(before_forms)
    assert old.states == (RuleState(None, "greet", frozenset(), (("name", True),)),)


def test_a_rule_s_own_form_step_at_its_start_is_the_form_s_rule_later_the_rule_s() -> None:
    rules = FORM_RULES + (
        "- rule: chitchat inside the form\n  condition:\n  - active_loop: restaurant_form\n"
        "  steps:\n  - intent: chitchat\n  - action: utter_chitchat\n"
        "  - action: restaurant_form\n  - active_loop: restaurant_form\n"
    )
    applied = snippets(parse_rules(rules, "rules.yml"), FORM_DOMAIN)
    assert not [s for s in applied if s.rule == "submit form" and s.action == "restaurant_form"]
    chitchat = [*STARTED, *said("chitchat"), ActionExecutionRejected("restaurant_form")]
    answered = ruled(applied, Tracker("t", FORM_DOMAIN, chitchat).states())
    assert answered is not None and answered.action == "utter_chitchat"
    back = Tracker("t", FORM_DOMAIN, [*chitchat, ActionExecuted("utter_chitchat")]).states()
    again = ruled(applied, back)
    assert again is not None and (again.rule, again.action) == (
        "chitchat inside the form",
        "restaurant_form",
    )
