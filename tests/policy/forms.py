"""A restaurant domain with a form, a story and Rasa's usual rules around it (tests of
stories and the policy)."""

from bot.domain import domain_from_dict

FORM_DOMAIN = domain_from_dict(
    {
        "intents": ["request_restaurant", "greet", "chitchat", "inform"],
        "slots": {"cuisine": {"type": "text"}},
        "forms": {"restaurant_form": {"required_slots": ["cuisine"]}},
        "responses": {"utter_ask_cuisine": ["What cuisine?"]},
        "actions": ["utter_submit", "utter_greet", "utter_chitchat", "utter_ok"],
    }
)
FORM_STORIES = """\
stories:
- story: chitchat inside the form
  steps:
  - intent: request_restaurant
  - action: restaurant_form
  - active_loop: restaurant_form
  - intent: chitchat
  - action: utter_chitchat
  - action: restaurant_form
  - active_loop: null
  - slot_was_set:
    - requested_slot: null
  - action: utter_submit
"""
FORM_RULES = """\
rules:
- rule: activate form
  steps:
  - intent: request_restaurant
  - action: restaurant_form
  - active_loop: restaurant_form
- rule: submit form
  condition:
  - active_loop: restaurant_form
  steps:
  - action: restaurant_form
  - active_loop: null
  - slot_was_set:
    - requested_slot: null
  - action: utter_submit
- rule: greet when no form runs
  condition:
  - active_loop: null
  steps:
  - intent: greet
  - action: utter_greet
"""
