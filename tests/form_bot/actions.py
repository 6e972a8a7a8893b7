"""The form's validation: rasa-sdk's FormValidationAction, as a Rasa project writes it."""

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

CUISINES = {"italian", "thai", "indian", "mexican", "greek", "french"}


class ValidateTableForm(FormValidationAction):
    def name(self) -> str:
        return "validate_table_form"

    def validate_cuisine(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if str(value).lower() in CUISINES:
            return {"cuisine": str(value).lower()}
        dispatcher.utter_message(text=f"Sorry, no {value} restaurant here.")
        return {"cuisine": None}

    def validate_people(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        try:
            people = int(float(value))
        except (TypeError, ValueError):
            people = 0
        if 1 <= people <= 20:
            return {"people": people}
        dispatcher.utter_message(text="We seat 1 to 20 people.")
        return {"people": None}
