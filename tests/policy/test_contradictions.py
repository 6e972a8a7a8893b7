"""Stories and rules that go on differently after the same history, found before training."""

from __future__ import annotations

from bot.domain import Domain, domain_from_dict
from bot.stories.yaml_format import parse_rules, parse_yaml
from policy.contradictions import contradictions
from tests.policy.forms import FORM_DOMAIN, FORM_RULES, FORM_STORIES

DOMAIN = domain_from_dict(
    {
        "intents": ["greet", "goodbye", "affirm", "mood_great"],
        "slots": {"name": {"type": "text"}},
        "actions": ["utter_greet", "utter_hello", "utter_goodbye", "utter_happy", "utter_ok"],
    }
)
AGREEING = """
stories:
- story: greet then goodbye
  steps:
  - intent: greet
  - action: utter_greet
  - intent: goodbye
  - action: utter_goodbye
- story: greet then mood
  steps:
  - intent: greet
  - action: utter_greet
  - intent: mood_great
  - action: utter_happy
"""
AGREEING_WITH_RULES = AGREEING.replace("utter_happy\n", "utter_happy\n  - action: utter_ok\n")
RULES = """
rules:
- rule: goodbye anytime
  steps:
  - intent: goodbye
  - action: utter_goodbye
- rule: ok after happy
  steps:
  - action: utter_happy
  - action: utter_ok
  wait_for_user_input: false
"""


def found(
    stories: str, rules: str = "", max_history: int = 5, domain: Domain = DOMAIN
) -> list[str]:
    read = parse_yaml(stories, "stories.yml")
    return [
        str(c) for c in contradictions(read, parse_rules(rules, "rules.yml"), domain, max_history)
    ]


def test_stories_and_rules_that_agree_have_no_contradiction():
    assert found(AGREEING) == []
    assert (
        found(AGREEING.replace("utter_happy\n", "utter_happy\n  - action: utter_ok\n"), RULES) == []
    )


def test_two_stories_with_the_same_history_and_another_next_action_are_named_with_both_actions():
    stories = (
        AGREEING + "- story: greet hello\n  steps:\n  - intent: greet\n  - action: utter_hello\n"
    )
    assert found(stories) == [
        "story 'greet then goodbye' and story 'greet hello' go on differently after intent "
        "greet: the first with utter_greet, the second with utter_hello; make them agree, or "
        "raise max_history in config.yml if earlier turns tell them apart"
    ]


def test_history_beyond_max_history_does_not_tell_stories_apart():
    stories = """
stories:
- story: a
  steps:
  - intent: greet
  - action: utter_greet
  - intent: affirm
  - action: utter_ok
- story: b
  steps:
  - intent: mood_great
  - action: utter_happy
  - intent: affirm
  - action: utter_greet
"""
    assert found(stories, max_history=2) == []
    [contradiction] = found(stories, max_history=1)
    assert "story 'a' and story 'b' go on differently after intent affirm" in contradiction
    assert "the first with utter_ok, the second with utter_greet" in contradiction


def test_a_rule_that_predicts_another_action_than_a_story_names_both():
    stories = AGREEING_WITH_RULES.replace("  - action: utter_goodbye", "  - action: utter_ok")
    assert found(stories, RULES) == [
        "rule 'goodbye anytime' (rules.yml:3) predicts utter_goodbye after intent goodbye, "
        "where story 'greet then goodbye' goes on with utter_ok; the rule wins there, so make "
        "them agree or add a condition to the rule"
    ]


def test_a_story_that_goes_on_where_a_rule_waits_for_the_user():
    stories = AGREEING_WITH_RULES.replace(
        "utter_goodbye\n", "utter_goodbye\n  - action: utter_ok\n"
    )
    [contradiction] = found(stories, RULES)
    assert contradiction.startswith(
        "rule 'goodbye anytime' (rules.yml:3) predicts action_listen after utter_goodbye"
    )
    assert "story 'greet then goodbye' goes on with utter_ok" in contradiction


def test_two_rules_for_the_same_situation_with_other_actions():
    rules = (
        RULES + "- rule: goodbye politely\n  steps:\n  - intent: goodbye\n  - action: utter_ok\n"
    )
    assert found("", rules) == [
        "rule 'goodbye anytime' (rules.yml:3) predicts utter_goodbye after intent goodbye, "
        "where rule 'goodbye politely' (rules.yml:12) goes on with utter_ok; the rule wins "
        "there, so make them agree or add a condition to the rule"
    ]


def test_a_condition_on_a_slot_keeps_rules_apart():
    rules = RULES + (
        "- rule: goodbye to Ann\n  condition:\n  - slot_was_set:\n    - name: Ann\n"
        "  steps:\n  - intent: goodbye\n  - action: utter_ok\n"
    )
    assert found("", rules) == []


def test_a_form_s_rules_agree_with_a_story_that_chats_inside_the_form():
    assert found(FORM_STORIES, FORM_RULES, domain=FORM_DOMAIN) == []


def test_a_story_that_ends_a_form_differently_contradicts_the_form_s_rule():
    other_end = FORM_STORIES.replace("action: utter_submit", "action: utter_ok")
    [contradiction] = found(other_end, FORM_RULES, domain=FORM_DOMAIN)
    assert contradiction.startswith("rule 'submit form' (rules.yml:7) predicts utter_submit after ")
    assert "where story 'chitchat inside the form' goes on with utter_ok" in contradiction
