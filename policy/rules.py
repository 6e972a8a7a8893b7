"""Rasa 2/3 rules applied as Rasa's RulePolicy applies them, before the learned policy.

A rule becomes one snippet per action it predicts (each action step, and the listen after the
last one unless `wait_for_user_input: false`): the states before that action, each saying only
what the rule says (the intent and entities of its user steps, the action before, the slots of
its condition and `slot_was_set` steps, the form of its condition and `active_loop` steps). A
snippet applies when the conversation's last states match it, or, for `conversation_start`, all
of them. The longest snippet that applies wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Domain, entity_slot_events
from bot.events import ACTION_LISTEN
from bot.stories.model import ActionStep, ActiveLoopStep, Rule, SlotStep, UserStep
from bot.tracker import State, slot_feature

RULE = "rule: "
"""How a prediction by a rule names its policy: `rule: <rule name>`."""
NO_LOOP = ""
"""What a rule's `active_loop: null` says: no form may be active (no form is called "")."""


@dataclass(frozen=True)
class RuleState:
    """What a rule says of one state; None says nothing."""

    prev_action: str | None
    intent: str | None
    entities: frozenset[str]
    slots: tuple[tuple[str, Any], ...]
    """(slot, feature) pairs the state must have; a feature None: the slot must not be set."""
    active_loop: str | None = None
    """The form that must be active, NO_LOOP: none may be (or it just refused to run)."""

    def matches(self, state: State) -> bool:
        if self.prev_action is not None and state.prev_action != self.prev_action:
            return False
        if self.prev_action is None and self.intent is not None and not _heard(state):
            return False  # a user step: just after the user spoke, not after the bot acted
        if self.intent is not None and state.intent != self.intent:
            return False
        if not self.entities <= state.entities:
            return False
        if self.active_loop is not None and (state.active_loop or NO_LOOP) != self.active_loop:
            return False
        features = dict(state.slots)
        return all(features.get(name) == feature for name, feature in self.slots)

    @property
    def said(self) -> int:
        """How much the state says: a rule that says more wins over one that says less."""
        return (
            (self.prev_action is not None)
            + (self.intent is not None)
            + len(self.entities)
            + len(self.slots)
            + (self.active_loop is not None)
        )


@dataclass(frozen=True)
class Snippet:
    rule: str
    states: tuple[RuleState, ...]
    action: str
    conversation_start: bool

    def applies(self, states: Sequence[State]) -> bool:
        size = len(self.states)
        if len(states) < size or (self.conversation_start and len(states) != size):
            return False
        tail = states[len(states) - size :]
        return all(rule.matches(state) for rule, state in zip(self.states, tail, strict=True))


def snippets(rules: Iterable[Rule], domain: Domain) -> tuple[Snippet, ...]:
    """Every rule's snippets, in rule order."""
    return tuple(snippet for rule in rules for snippet in _snippets(rule, domain))


def _snippets(rule: Rule, domain: Domain) -> list[Snippet]:
    slots = {s.name: _feature(s, domain) for s in rule.condition if isinstance(s, SlotStep)}
    loop = next((_loop(s) for s in rule.condition if isinstance(s, ActiveLoopStep)), None)
    prev: str | None = ACTION_LISTEN if rule.conversation_start else None
    intent: str | None = None
    entities: frozenset[str] = frozenset()
    states: list[RuleState] = []
    found: list[Snippet] = []

    def predict(action: str) -> None:
        states.append(RuleState(prev, intent, entities, tuple(slots.items()), loop))
        if action == loop and len(states) == 1 and intent is None:
            return  # a rule that starts with the active form's own step: the form's rule
            # (policy/ensemble.active_form_rule) runs it; the rule says what comes after
        if any(s.said for s in states):  # else it says nothing
            found.append(Snippet(rule.name, tuple(states), action, rule.conversation_start))

    for step in rule.steps:
        if isinstance(step, UserStep):
            turn = step.alternatives[0]
            prev = ACTION_LISTEN if states or rule.conversation_start else None
            intent, entities = turn.intent, frozenset(turn.entities)
            filled = entity_slot_events(domain, dict.fromkeys(turn.entities, True))
            slots.update((event.name, True) for event in filled if _set_by_rule(event.name, domain))
        elif isinstance(step, ActionStep):
            predict(step.name)
            prev = step.name
        elif isinstance(step, SlotStep):
            slots[step.name] = _feature(step, domain)
        elif isinstance(step, ActiveLoopStep):
            loop = _loop(step)
    turns = [step for step in rule.steps if isinstance(step, UserStep | ActionStep)]
    if rule.wait_for_user_input and turns and isinstance(turns[-1], ActionStep):
        predict(ACTION_LISTEN)
    return found


def _loop(step: ActiveLoopStep) -> str:
    return NO_LOOP if step.name is None else step.name


def _set_by_rule(name: str, domain: Domain) -> bool:
    """A slot an entity of a rule fills counts as set; a float's value the rule cannot say."""
    slot = domain.slot(name)
    return slot is not None and slot.featurized and slot.type != "float"


def _feature(step: SlotStep, domain: Domain) -> Any:
    slot = domain.slot(step.name)
    return None if slot is None else slot_feature(slot, step.value)


def ruled(rules: Sequence[Snippet], states: Sequence[State]) -> Snippet | None:
    """The longest snippet that applies to the conversation's states, of those the one that
    says most (a condition on a slot wins over none, as in Rasa), or None."""
    return max((s for s in rules if s.applies(states)), key=_weight, default=None)


def _weight(snippet: Snippet) -> tuple[int, int]:
    return len(snippet.states), sum(state.said for state in snippet.states)


def _heard(state: State) -> bool:
    return state.prev_action in (None, ACTION_LISTEN)


def to_json(rules: Sequence[Snippet]) -> list[Any]:
    return [
        [s.rule, s.action, s.conversation_start, [_state_json(state) for state in s.states]]
        for s in rules
    ]


def from_json(data: list[Any]) -> tuple[Snippet, ...]:
    return tuple(
        Snippet(str(name), tuple(_state(item) for item in states), str(action), bool(start))
        for name, action, start, states in data
    )


def _state_json(state: RuleState) -> list[Any]:
    slots = [[name, feature] for name, feature in state.slots]
    return [state.prev_action, state.intent, sorted(state.entities), slots, state.active_loop]


def _state(item: list[Any]) -> RuleState:
    """A state from its JSON form; a model from before forms has no fifth item."""
    prev, intent, entities, slots, *loop = item
    features = tuple((n, f) for n, f in slots)
    return RuleState(prev, intent, frozenset(entities), features, loop[0] if loop else None)
