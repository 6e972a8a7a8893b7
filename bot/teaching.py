"""The interactive-training flow as pure logic: a pending question, an answer, a decision.

The seed's loop: before each action the trainer sees "The bot wants to [action]" and answers
1 (yes), 2 (intent right, action wrong: pick the action), 3 (intent wrong: pick the intent) or
0 (export). The engine stores the pending `Question` with the conversation, so an answer can
come from any process; an answer to anything but the current question is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from bot import texts
from bot.domain import Domain, entity_slot_events
from bot.errors import AnswerError
from bot.events import ActionExecuted, Corrected, Event, UserUtteranceReverted, UserUttered
from bot.outputs import ActionProposal, BotDid, ConversationStart, HistoryLine, UserSaid
from bot.tracker import Tracker

Stage = Literal["confirm", "choose_action", "choose_intent"]
AnswerKind = Literal[
    "approve", "wrong_action", "wrong_intent", "choose_action", "choose_intent", "export"
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
    """Move the question to the next stage (pick an action / pick an intent)."""

    question: Question


@dataclass(frozen=True)
class Relabel:
    """Events that replace the last user turn with the corrected intent."""

    events: list[Event]


@dataclass(frozen=True)
class Export:
    pass


Decision = RunAction | AskAgain | Relabel | Export
_ALLOWED: dict[Stage, tuple[AnswerKind, ...]] = {
    "confirm": ("approve", "wrong_action", "wrong_intent", "export"),
    "choose_action": ("choose_action", "export"),
    "choose_intent": ("choose_intent", "export"),
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
        case "choose_action":
            chosen = _known(answer.value, domain.actions, "action")
            correction = None
            if chosen != question.action:
                correction = Corrected("action", question.action, chosen)
            return RunAction(chosen, correction)
        case _:
            return Relabel(relabel_events(tracker, _known(answer.value, domain.intents, "intent")))


def _known(value: str | None, names: tuple[str, ...], kind: str) -> str:
    if value not in names:
        raise AnswerError(f"Unknown {kind} {value!r}; nothing changed.")
    return value


def relabel_events(tracker: Tracker, intent: str) -> list[Event]:
    """Revert the last user message and say it again with the corrected intent."""
    message = tracker.latest_message
    if message is None:
        raise AnswerError(texts.NOTHING_TO_UNDO)
    return [
        UserUtteranceReverted(),
        Corrected("intent", message.intent, intent),
        UserUttered(message.text, intent, message.entities),
        *entity_slot_events(tracker.domain, message.entities),
    ]


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
            lines.append(UserSaid(event.text, event.intent, event.confidence))
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
