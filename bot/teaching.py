"""The interactive-training flow as pure logic: a pending question, an answer, a decision.

The seed's loop: before each action the trainer sees "The bot wants to [action]" and answers
1 (yes), 2 (intent right, action wrong: pick the action), 3 (intent wrong: pick the intent) or
0 (export); ozbot adds 4 (entities wrong: mark the message again with Rasa's markup, or drop
a wrong entity). The engine stores the pending `Question` with the conversation, so an answer can
come from any process; an answer to anything but the current question is refused.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from bot import texts
from bot.domain import Domain
from bot.domain_forms import REQUESTED_SLOT
from bot.errors import AnswerError, InputError, NluDataError
from bot.events import (
    ACTION_LISTEN,
    ActionExecuted,
    Corrected,
    Event,
    UserUtteranceReverted,
    UserUttered,
)
from bot.interpreter import TYPED_ANYWHERE, is_typed, parse_message
from bot.nlu.markup import parse_markup, write_markup
from bot.nlu.model import Example
from bot.nlu.normalised import normalised
from bot.nlu.spans import located
from bot.outputs import (
    ActionProposal,
    BotDid,
    ConversationStart,
    EntityFix,
    HistoryLine,
    UserSaid,
    entity_text,
)
from bot.review import REVIEW_PREFIX
from bot.tracker import Tracker

Stage = Literal["confirm", "choose_action", "choose_intent", "fix_entities"]
AnswerKind = Literal[
    "approve",
    "wrong_action",
    "wrong_intent",
    "wrong_entities",
    "choose_action",
    "choose_intent",
    "mark_entities",
    "drop_entity",
    "back",
    "export",
]
HISTORY_TURNS = 3


@dataclass(frozen=True)
class Question:
    id: str
    stage: Stage
    action: str
    confidence: float
    policy: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(**data)


@dataclass(frozen=True)
class Answer:
    question_id: str
    kind: AnswerKind
    value: str | None = None


@dataclass(frozen=True)
class RunAction:
    action: str
    correction: Corrected | None


@dataclass(frozen=True)
class AskAgain:
    """Move the question to the next stage (pick an action / an intent / fix the entities)."""

    question: Question


@dataclass(frozen=True)
class Relabel:
    """Events that replace the last user turn with its corrected reading; `said` tells it."""

    events: list[Event]
    said: str


@dataclass(frozen=True)
class Export:
    pass


Decision = RunAction | AskAgain | Relabel | Export
_ALLOWED: dict[Stage, tuple[AnswerKind, ...]] = {
    "confirm": ("approve", "wrong_action", "wrong_intent", "wrong_entities", "export"),
    "choose_action": ("choose_action", "back", "export"),
    "choose_intent": ("choose_intent", "back", "export"),
    "fix_entities": ("mark_entities", "drop_entity", "back", "export"),
}


def decide(question: Question | None, answer: Answer, tracker: Tracker, next_id: str) -> Decision:
    """What an answer means; raises AnswerError when it does not fit the pending question."""
    if question is None:
        raise AnswerError(texts.NO_QUESTION)
    if answer.question_id != question.id or answer.kind not in _ALLOWED[question.stage]:
        raise AnswerError(texts.STALE_ANSWER)
    domain = tracker.domain
    match answer.kind:
        case "export":
            return Export()
        case "approve":
            return RunAction(question.action, None)
        case "wrong_action":
            return AskAgain(replace(question, id=next_id, stage="choose_action"))
        case "wrong_intent":
            return AskAgain(replace(question, id=next_id, stage="choose_intent"))
        case "wrong_entities":
            return AskAgain(replace(question, id=next_id, stage="fix_entities"))
        case "back":  # from a pick list or the entity fix to "Is this correct?"
            return AskAgain(replace(question, id=next_id, stage="confirm"))
        case "choose_action":
            chosen = _known(answer.value, domain.actions, "action")
            correction = None
            if chosen != question.action:
                correction = Corrected("action", question.action, chosen)
            return RunAction(chosen, correction)
        case "choose_intent":
            return _relabelled(tracker, intent=_known(answer.value, domain.intents, "intent"))
        case "mark_entities":
            return _relabelled(tracker, entities=marked_entities(tracker, answer.value or ""))
        case _:
            return _relabelled(tracker, entities=_dropped(tracker, answer.value))


def _known(value: str | None, names: tuple[str, ...], kind: str) -> str:
    if value not in names:
        raise AnswerError(f"Unknown {kind} {value!r}; nothing changed.")
    return value


def _relabelled(
    tracker: Tracker, *, intent: str | None = None, entities: dict[str, Any] | None = None
) -> Relabel:
    """Revert the last user message and say it again with the corrected intent or entities."""
    message = _latest(tracker)
    if intent is not None:
        correction = Corrected("intent", message.intent, intent)
        said = texts.corrected_intent(message.intent, intent)
    else:
        assert entities is not None
        old, new = (_listed(e) for e in (message.entities, entities))
        correction = Corrected("entities", old, new)
        said = texts.corrected_entities(old, new)
    intent = intent or message.intent
    entities = message.entities if entities is None else entities
    events: list[Event] = [
        UserUtteranceReverted(),
        correction,
        UserUttered(message.text, intent, entities),
    ]  # the engine adds the slots the message fills now
    return Relabel(events, said)


def _listed(entities: dict[str, Any]) -> str:
    return entity_text(entities.items()) or texts.NO_ENTITIES


def _latest(tracker: Tracker) -> UserUttered:
    message = tracker.latest_message
    if message is None:
        raise AnswerError(texts.NOTHING_TO_UNDO)
    return message


def marked_entities(tracker: Tracker, marked: str) -> dict[str, Any]:
    """The entities of the last message as the trainer marked them in its text.

    Free text is marked with Rasa's markup (`any concerts in [Berlin](city)?`, no brackets for
    none); a typed intent is typed again with its entities (`/search_concerts{"city": "Berlin"}`).
    The text must stay the message's own (case and spaces aside).
    """
    message = _latest(tracker)
    domain = tracker.domain
    if is_typed(message.text, TYPED_ANYWHERE):
        try:
            typed = parse_message(marked, domain, TYPED_ANYWHERE)
        except InputError as exc:
            raise AnswerError(str(exc)) from exc
        if typed.intent != message.intent:
            raise AnswerError(texts.keep_the_intent(message.intent))
        return typed.entities
    try:
        text, spans = parse_markup(marked.strip(), "your marked message")
    except NluDataError as exc:
        raise AnswerError(str(exc)) from exc
    if normalised(text) != normalised(message.text):
        raise AnswerError(texts.mark_the_same_text(message.text))
    unknown = [span.entity for span in spans if span.entity not in domain.entities]
    if unknown:
        raise AnswerError(texts.unknown_entities(unknown, domain.entities))
    return {span.entity: span.value for span in spans}


def _dropped(tracker: Tracker, entity: str | None) -> dict[str, Any]:
    entities = dict(_latest(tracker).entities)
    if entity not in entities:
        raise AnswerError(f"The message has no entity {entity!r}; nothing changed.")
    del entities[entity]
    return entities


def taken_back(tracker: Tracker) -> str:
    """What `/undo` takes back, said plainly: the last message, the bot's actions after it and
    the trainer's corrections of them (the tracker must hold the whole conversation)."""
    applied = tracker.applied
    start = max(i for i, event in enumerate(applied) if isinstance(event, UserUttered))
    message = applied[start]
    assert isinstance(message, UserUttered)
    while start > 0 and isinstance(applied[start - 1], Corrected):  # fixes of its reading
        start -= 1
    taken = applied[start:]
    actions = [e.name for e in taken if isinstance(e, ActionExecuted) and e.name != ACTION_LISTEN]
    corrections = [
        texts.correction(e.kind, e.predicted, e.chosen) for e in taken if isinstance(e, Corrected)
    ]
    return texts.undone(message.text, message.intent, actions, corrections)


def entity_fix(question: Question, tracker: Tracker) -> EntityFix:
    """The entities question: the message as read now, marked for the trainer to edit."""
    message = _latest(tracker)
    domain = tracker.domain
    typed = is_typed(message.text, TYPED_ANYWHERE)
    entities = tuple(
        (domain.entities.index(name), name, value)
        for name, value in message.entities.items()
        if name in domain.entities
    )
    return EntityFix(question.id, _marked(message, typed), typed, entities)


def _marked(message: UserUttered, typed: bool) -> str:
    """Rasa's markup of a free-text message (its entities that stand in its text), or the
    typed intent written again with its entities."""
    if typed:
        entities = json.dumps(message.entities, ensure_ascii=False) if message.entities else ""
        return f"{message.text[0]}{message.intent}{entities}"
    spans = located(message.text, message.entities)
    try:
        return write_markup(Example(message.text, message.intent, spans))
    except NluDataError:  # overlapping values: the trainer marks them from the plain text
        return message.text


def describe(question: Question, tracker: Tracker) -> ActionProposal:
    """What the trainer needs to judge the proposal: recent turns, slots, intent, action."""
    message = tracker.latest_message
    return ActionProposal(
        question_id=question.id,
        action=question.action,
        confidence=question.confidence,
        policy=question.policy,
        history=recent_history(tracker),
        slots=tuple((slot.name, tracker.slots.get(slot.name)) for slot in tracker.domain.slots),
        intent=message.intent if message else None,
        entities=dict(message.entities) if message else {},
        review=tracker.conversation_id.startswith(REVIEW_PREFIX),
        active_form=tracker.active_loop,
        asking_for=tracker.slots.get(REQUESTED_SLOT) if tracker.active_loop else None,
    )


def recent_history(tracker: Tracker, turns: int = HISTORY_TURNS) -> tuple[HistoryLine, ...]:
    """The last few user turns, with the (at most two) actions the bot ran before them.

    Shorter histories start with `ConversationStart`, as the seed shows the start.
    """
    lines: list[HistoryLine] = []
    for event in tracker.applied:
        if isinstance(event, ActionExecuted):
            lines.append(BotDid(event.name))
        elif isinstance(event, UserUttered):
            lines.append(
                UserSaid(event.text, event.intent, event.confidence, tuple(event.entities.items()))
            )
    said = [i for i, line in enumerate(lines) if isinstance(line, UserSaid)]
    if len(said) <= turns:
        return (ConversationStart(), *lines)
    start = said[-turns]
    for _ in range(2):
        if start > 0 and isinstance(lines[start - 1], BotDid):
            start -= 1
    return tuple(lines[start:])


def domain_choices(
    domain: Domain, probabilities: dict[str, float]
) -> tuple[tuple[str, float], ...]:
    return tuple((name, probabilities.get(name, 0.0)) for name in domain.actions)
