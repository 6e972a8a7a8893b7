"""Rasa's forms as actions: a form asks for its required slots one by one until all are
filled, then lets go (Rasa 3's FormAction, run by the engine like any action).

    user asks for a table      -> restaurant_form: ActiveLoop, SlotSet(requested_slot, cuisine),
                                  utter_ask_cuisine
    user: "italian" (filled by the slot's mappings after the message)
                               -> restaurant_form: validate_restaurant_form (if the domain has
                                  it), then the next slot's question, or, all filled,
                                  SlotSet(requested_slot, None), ActiveLoop(None)
    user: "tell me a joke" (nothing filled) -> rejected (ActionRejected): another action runs

The policy predicts the active form after each user message, and a listen after the form
asked (policy/ensemble.py); stories and rules decide what comes when it is rejected or done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import texts
from bot.domain import Domain
from bot.domain_forms import ACTION_DEACTIVATE_LOOP, REQUESTED_SLOT, Form
from bot.errors import ActionError, ActionRejected
from bot.events import ACTION_LISTEN, ActiveLoop, Event, SlotSet, UserUttered
from bot.slot_filling import trigger_slots
from bot.tracker import Tracker

if TYPE_CHECKING:  # bot.actions makes forms: no import of it at run time
    from bot.actions import Action, Dispatcher


@dataclass(frozen=True)
class FormAction:
    """Implements `bot.actions.Action`; `actions` finds the ask and validate actions."""

    form: Form
    actions: Callable[[str], Action]
    reads_events = True
    """Its validation action may read every event (rasa-sdk's `slots_to_validate`)."""

    @property
    def name(self) -> str:
        return self.form.name

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        events: list[Event] = []
        candidates: Sequence[str] = ()
        if tracker.active_loop != self.name:
            triggered = trigger_slots(self.form, domain, tracker.latest_message)
            events += [ActiveLoop(self.name), *triggered]
        elif tracker.latest_action == ACTION_LISTEN and not tracker.interrupted:  # an answer
            candidates = _filled_since_message(tracker, self.form)
            requested = tracker.slots.get(REQUESTED_SLOT)
            if requested and not candidates:
                raise ActionRejected(texts.form_rejected(self.name, str(requested)))
        seen = Tracker(tracker.conversation_id, domain, [*tracker.events, *events])
        if tracker.active_loop != self.name:  # the slots filled before it started
            slots = self.form.required_slots
            candidates = [s for s in slots if seen.slots.get(s) is not None]
        if candidates:
            validated = await self._validated(dispatcher, seen, domain)
            for event in validated:
                seen.apply(event)
            events += validated
        if ActiveLoop(None) in events:  # the validation ended the form
            return events
        missing = [s for s in self.form.required_slots if seen.slots.get(s) is None]
        if not missing:
            return [*events, SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]
        asking = SlotSet(REQUESTED_SLOT, missing[0])
        seen.apply(asking)
        question = question_for(self.name, missing[0], domain)
        if question is None:
            raise ActionError(texts.no_form_question(self.name, missing[0]))
        return [*events, asking, *await self.actions(question).run(dispatcher, seen, domain)]

    async def _validated(
        self, dispatcher: Dispatcher, seen: Tracker, domain: Domain
    ) -> list[Event]:
        """What `validate_<form>` makes of the slots filled now (`seen`: the conversation with
        the form's events so far); without it they stand."""
        name = f"validate_{self.name}"
        if name not in domain.actions:
            return []
        return await self.actions(name).run(dispatcher, seen, domain)


@dataclass(frozen=True)
class DeactivateLoop:
    """Rasa's `action_deactivate_loop`: the active form lets go (a story leaves the form)."""

    name: str = ACTION_DEACTIVATE_LOOP

    async def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


def question_for(form: str, slot: str, domain: Domain) -> str | None:
    """The action that asks for a form's slot, in Rasa's order: action_ask_<form>_<slot>,
    action_ask_<slot>, utter_ask_<form>_<slot>, utter_ask_<slot>; None when there is none."""
    for prefix in ("action_ask", "utter_ask"):
        for name in (f"{prefix}_{form}_{slot}", f"{prefix}_{slot}"):
            if name in domain.actions or name in domain.responses:
                return name
    return None


def form_problems(domain: Domain, where: str) -> list[str]:
    """What keeps the domain's forms from running: a required slot nothing asks for."""
    return [
        f"{where}: {texts.no_form_question(form.name, slot)}"
        for form in domain.forms.values()
        for slot in form.required_slots
        if question_for(form.name, slot, domain) is None
    ]


def _filled_since_message(tracker: Tracker, form: Form) -> list[str]:
    """The form's slots set after the user's latest message (by its slot mappings)."""
    filled: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, SlotSet) and event.name in form.required_slots:
            filled.append(event.name)
    return filled
