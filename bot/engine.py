"""The dialogue engine: one input in, outputs out; one turn at a time per conversation.

Each input is one turn of the store (`TrackerStore.turn`, under the conversation's lock):
resume the tracker from the stored snapshot and the events after it, decide, run actions, commit
the new events, the pending training question and the new snapshot all together. What needs the
past (a revert, teaching, an export, the trainer's view of recent turns) loads the whole
conversation first.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot import texts
from bot.actions import ActionRegistry, Dispatcher, reads_events
from bot.delivery import current_delivery
from bot.domain import Domain
from bot.errors import (
    ActionError,
    ActionRejected,
    AnswerError,
    ConversationBusyError,
    InputError,
    NluUnavailableError,
    StoreError,
    StoreUnavailableError,
    StoryError,
)
from bot.events import (
    ACTION_LISTEN,
    ACTION_RESTART,
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    BotUttered,
    Event,
    UserUtteranceReverted,
    UserUttered,
)
from bot.interpreter import Nlu, ParsedMessage, is_typed, parse_message
from bot.logs import TOLD
from bot.outputs import BotMessage, Choices, Decided, Exported, Notice, Output, Refused
from bot.policy import TRAINER, Learner, Policy, Prediction
from bot.review import REVIEW_PREFIX, Flag, ReviewRules, flag_turn
from bot.slot_filling import filled_slots
from bot.stores.base import ConversationTail, Delivered, TrackerStore, load_matching
from bot.teaching import (
    Answer,
    AskAgain,
    Export,
    Question,
    Relabel,
    RunAction,
    decide,
    describe,
    domain_choices,
    entity_fix,
    taken_back,
)
from bot.tracker import Tracker, applied_parts
from bot.turns import ActionChoice, TurnObserver, TurnSummary, summarize

log = logging.getLogger(__name__)
MAX_ACTIONS_PER_TURN = 10


@dataclass(frozen=True)
class UserMessage:
    text: str


@dataclass(frozen=True)
class Command:
    name: Literal["restart", "export", "undo"]


Input = UserMessage | Answer | Command


class Reviews(Protocol):
    """Where a reviewing trainer's inputs go (bot/review_desk.ReviewDesk)."""

    async def reviewing(self, trainer: str) -> str | None: ...

    async def answered(
        self, trainer: str, review_id: str, outputs: list[Output]
    ) -> list[Output]: ...


class Exporter(Protocol):
    async def export(self, conversation_id: str, events: list[Event]) -> Exported: ...


@dataclass
class _Step:
    """The work of one input: the tracker as it grows, the new events, the outputs."""

    tracker: Tracker
    pending: Question | None
    load_past: Callable[[], Awaitable[Sequence[Event]]]
    """The stored events, for a tracker resumed from a snapshot that needs the whole past."""
    said_before: UserUttered | None = None
    """The user's message before this input, for the review's repeat rule."""
    new_events: list[Event] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    followup: str | None = None
    """The action the last action named to come next (Rasa's `FollowupAction`)."""
    taught: bool = False
    """A trainer confirmed or corrected something in this turn."""
    refused: set[str] = field(default_factory=set)
    """The forms that refused to run on this input."""

    async def whole(self) -> Tracker:
        """The tracker with every event of the conversation."""
        if not self.tracker.is_whole:
            tracker = self.tracker
            past = await self.load_past()
            self.tracker = Tracker(
                tracker.conversation_id, tracker.domain, (*past, *self.new_events)
            )
        return self.tracker

    async def add(self, events: Sequence[Event]) -> None:
        if any(isinstance(e, UserUtteranceReverted | ActionReverted) for e in events):
            await self.whole()  # a revert refolds the past
        for event in events:
            self.tracker.apply(event)
        self.new_events += events


class Engine:
    def __init__(
        self,
        domain: Domain,
        policy: Policy,
        store: TrackerStore,
        actions: ActionRegistry,
        exporter: Exporter,
        learner: Learner | None = None,
        intent_prefixes: tuple[str, ...] = ("/",),
        on_turn: TurnObserver | None = None,
        nlu: Nlu | None = None,
        review: ReviewRules | None = None,
        on_taught: Callable[[str], None] | None = None,
    ) -> None:
        """`on_turn` hears about every input handled (for logs and metrics); it must not block.
        `nlu` reads free text; without it only typed intents are understood. `review` flags
        users' turns for the review queue (bot/review.py), in the turn's own commit.
        `on_taught` hears the id of a conversation a trainer taught, once the turn is stored
        (so that other replicas can read it then); it must not block."""
        self.domain = domain
        self.policy = policy
        self.store = store
        self.actions = actions
        self.exporter = exporter
        self.learner = learner
        self.intent_prefixes = intent_prefixes
        self.on_turn = on_turn
        self.nlu = nlu
        self.review = review
        self.on_taught = on_taught
        self.reviews: Reviews | None = None
        """Set by app.py once the review desk (which holds this engine) exists."""

    def with_intent_prefixes(self, prefixes: tuple[str, ...]) -> Engine:
        """This engine (same store, policy and actions) reading typed intents with `prefixes`."""
        clone = copy.copy(self)
        clone.intent_prefixes = prefixes
        return clone

    async def handle(self, conversation_id: str, inp: Input, *, trainer: bool) -> list[Output]:
        """Process one input; `trainer` turns on the training questions for this conversation.

        When the store fails, the input changes nothing and its only output is a notice. While
        a trainer reviews a user's turn (bot/review_desk.py), their messages and answers go to
        the review's conversation.
        """
        if trainer and self.reviews is not None and not isinstance(inp, Command):
            review_id = await self.reviews.reviewing(conversation_id)
            if review_id is not None:
                outputs = await self._handle(review_id, inp, trainer=True)
                return await self.reviews.answered(conversation_id, review_id, outputs)
        return await self._handle(conversation_id, inp, trainer=trainer)

    async def _handle(self, conversation_id: str, inp: Input, *, trainer: bool) -> list[Output]:
        started = time.perf_counter()
        step: _Step | None = None
        try:
            step = await self._locked_step(conversation_id, inp, trainer)
            outputs, errors = step.outputs, step.errors
        except ConversationBusyError:
            outputs, errors = [Notice(texts.CONVERSATION_BUSY)], ["busy"]
        except StoreUnavailableError:  # the store logs the outage once
            outputs, errors = [Notice(texts.STORE_UNAVAILABLE)], ["store_unavailable"]
        except StoreError as exc:
            log.error("conversation %s: %s", conversation_id, exc)
            outputs, errors = [Notice(texts.store_failed(str(exc)))], ["store"]
        if self.on_turn is not None:
            seconds = time.perf_counter() - started
            self.on_turn(_turn(conversation_id, inp, step, errors, seconds))
        return outputs

    async def _locked_step(self, conversation_id: str, inp: Input, trainer: bool) -> _Step:
        delivery = current_delivery()
        async with self.store.turn(conversation_id) as turn:
            step = await self._begin(turn.tail, turn.load_all)
            stored = (
                None
                if delivery is None or not delivery.again
                else (await turn.delivered(delivery.key))
            )
            if stored is not None:
                await self._answer_again(step, stored)
                return step
            await self._dispatch(step, inp, trainer)
            if step.new_events or step.pending != turn.tail.pending:
                await turn.commit(
                    step.new_events,
                    pending=step.pending,
                    snapshot=step.tracker.snapshot(),
                    flag=self._flag(turn.tail.length, step, inp, trainer),
                    delivery=None if delivery is None else delivery.key,
                )
        if step.taught and self.on_taught is not None:
            self.on_taught(conversation_id)
        return step

    async def _answer_again(self, step: _Step, stored: Delivered) -> None:
        """An update stored before a crash that kept its answer from being marked done (maybe
        from being sent): nothing is stored again; what the bot said then is said again, and
        the question it asked, if it is still open."""
        events = (await step.whole()).events[stored.start : stored.end]
        step.outputs += [
            BotMessage(e.text, e.buttons, e.image) for e in events if isinstance(e, BotUttered)
        ]
        if step.pending is not None and step.tracker.length == stored.end:
            await self._show(step, step.pending)

    async def events(self, conversation_id: str) -> list[Event]:
        """Every event of a conversation as stored, read without its lock (/graph)."""
        return list((await self.store.load(conversation_id)).events)

    def _flag(self, start: int, step: _Step, inp: Input, trainer: bool) -> Flag | None:
        """The review flag of a user's message turn (never a trainer's, nor a review's)."""
        conversation_id = step.tracker.conversation_id
        if self.review is None or trainer or not isinstance(inp, UserMessage):
            return None
        if conversation_id.startswith(REVIEW_PREFIX):
            return None
        return flag_turn(
            conversation_id, start, step.new_events, step.said_before, self.review, time.time()
        )

    async def pending_outputs(self, conversation_id: str) -> list[Output]:
        """The open training question of a conversation, rendered again (e.g. after a restart)."""
        tail = await self.store.load_tail(conversation_id)
        step = await self._begin(tail, lambda: load_matching(self.store, tail))
        if step.pending is not None:
            await self._show(step, step.pending)
        return step.outputs

    async def user_turns(self, conversation_id: str) -> int:
        """How many messages the user said in the conversation since it last restarted."""
        stored = await self.store.load(conversation_id)
        return sum(isinstance(e, UserUttered) for e in applied_parts(stored.events)[-1])

    async def _begin(
        self, tail: ConversationTail, load_past: Callable[[], Awaitable[Sequence[Event]]]
    ) -> _Step:
        """A step on the stored conversation, resumed from its snapshot when that fits;
        `load_past` reads every event of it."""
        if tail.snapshot is None:
            tracker = Tracker(tail.id, self.domain, tail.events)
        elif tail.snapshot.fits(self.domain):
            tracker = Tracker.resume(tail.id, self.domain, tail.snapshot, tail.events)
        else:
            tracker = Tracker(tail.id, self.domain, await load_past())
        return _Step(tracker, tail.pending, load_past, tracker.latest_message)

    async def _dispatch(self, step: _Step, inp: Input, trainer: bool) -> None:
        if isinstance(inp, UserMessage):
            await self._user_message(step, inp.text, trainer)
        elif isinstance(inp, Answer):
            await self._answer(step, inp)
        elif inp.name == "restart":
            await self._run(step, ACTION_RESTART, TRAINER if trainer else "user", 1.0)
            step.pending = None
            step.outputs.append(Notice(texts.RESTARTED))
        elif inp.name == "undo":
            await self._undo(step)
        else:
            await self._export(step)

    async def _export(self, step: _Step) -> None:
        tracker = await step.whole()
        try:
            exported = await self.exporter.export(tracker.conversation_id, tracker.events)
        except StoryError as exc:  # the files could not be written: nothing else went wrong
            log.warning("conversation %s: %s", tracker.conversation_id, exc)
            step.outputs.append(Notice(str(exc)))
            return
        step.outputs.append(exported)

    async def _user_message(self, step: _Step, text: str, trainer: bool) -> None:
        if trainer and step.pending is not None and step.pending.stage == "fix_entities":
            await self._answer(step, Answer(step.pending.id, "mark_entities", text))
            return
        if trainer and step.pending is not None:
            step.outputs.append(Notice(texts.ANSWER_FIRST))
            await self._show(step, step.pending)
            return
        try:
            parsed = await self._read(text)
        except InputError as exc:
            step.outputs.append(Notice(str(exc)))
            return
        except NluUnavailableError as exc:
            log.warning("conversation %s: %s", step.tracker.conversation_id, exc)
            step.outputs.append(Notice(texts.NLU_UNAVAILABLE))
            step.errors.append("nlu")
            return
        if step.tracker.latest_action is None:
            await step.add([ActionExecuted(ACTION_LISTEN)])
        said = UserUttered(
            parsed.text, parsed.intent, parsed.entities, confidence=parsed.confidence
        )
        await step.add([said])
        await step.add(filled_slots(self.domain, step.tracker))
        if trainer:
            await self._propose(step)
        else:
            await self._act_until_listening(step)

    async def _read(self, text: str) -> ParsedMessage:
        """A typed intent, else free text read by the NLU (without one: how to type it)."""
        if self.nlu is None or is_typed(text, self.intent_prefixes):
            return parse_message(text, self.domain, self.intent_prefixes)
        return await self.nlu.read(text, self.domain)

    async def _act_until_listening(self, step: _Step) -> None:
        for _ in range(MAX_ACTIONS_PER_TURN):
            prediction = self._predict(step)
            if not await self._run(
                step, prediction.action, prediction.policy, prediction.confidence
            ):
                return
            if prediction.action in (ACTION_LISTEN, ACTION_RESTART):
                return
        step.outputs.append(Notice(texts.TOO_MANY_ACTIONS.format(count=MAX_ACTIONS_PER_TURN)))
        await self._run(step, ACTION_LISTEN, "engine", 1.0)

    def _predict(self, step: _Step) -> Prediction:
        """The follow-up the last action named, else what the policy predicts (but not a
        form that refused this input)."""
        followup, step.followup = step.followup, None
        if followup is not None:
            return Prediction(followup, 1.0, "followup", {})
        prediction = self.policy.predict(step.tracker)
        if prediction.action in step.refused and step.tracker.is_listening:
            # the form refused this message, and nothing happened since: the bot waits
            return Prediction(ACTION_LISTEN, prediction.confidence, prediction.policy, {})
        return prediction

    async def _propose(self, step: _Step) -> None:
        prediction = self._predict(step)
        step.pending = Question(
            _new_id(), "confirm", prediction.action, prediction.confidence, prediction.policy
        )
        step.outputs.append(describe(step.pending, await step.whole()))

    async def _answer(self, step: _Step, answer: Answer) -> None:
        try:
            decision = decide(step.pending, answer, step.tracker, _new_id())
        except AnswerError as exc:
            step.outputs.append(Refused(str(exc)))
            return
        if isinstance(decision, Export):
            await self._export(step)
        elif isinstance(decision, AskAgain):
            await self._ask_again(step, decision.question)
        elif isinstance(decision, Relabel):
            step.outputs.append(Decided(answer.question_id, decision.said))
            await step.add(decision.events)
            await step.add(filled_slots(self.domain, step.tracker))  # as the message reads now
            await self._learn(step)  # the corrected reading sticks from now on
            await self._propose(step)
        else:
            await self._approved(step, answer.question_id, decision)

    async def _ask_again(self, step: _Step, question: Question) -> None:
        step.pending = question
        await self._show(step, question)

    async def _show(self, step: _Step, question: Question) -> None:
        if question.stage == "confirm":
            step.outputs.append(describe(question, await step.whole()))
            return
        if question.stage == "choose_action":
            options = domain_choices(self.domain, self.policy.predict(step.tracker).probabilities)
            step.outputs.append(Choices(question.id, "action", options))
            return
        if question.stage == "fix_entities":
            step.outputs.append(entity_fix(question, step.tracker))
            return
        step.outputs.append(Choices(question.id, "intent", await self._intent_options(step)))

    async def _intent_options(self, step: _Step) -> tuple[tuple[str, float], ...]:
        """Every intent of the domain with the NLU's probability for the message the trainer
        says was misread; a typed message has 1 for its intent."""
        message = step.tracker.latest_message
        if message is None:
            return tuple((name, 0.0) for name in self.domain.intents)
        if self.nlu is None or message.confidence is None:
            return tuple((n, 1.0 if n == message.intent else 0.0) for n in self.domain.intents)
        ranking = dict((await self.nlu.interpreter.parse(message.text)).intents)
        return tuple((name, ranking.get(name, 0.0)) for name in self.domain.intents)

    async def _approved(self, step: _Step, question_id: str, decision: RunAction) -> None:
        assert step.pending is not None  # decide() refuses answers without a question
        confidence = step.pending.confidence
        if decision.correction is not None:
            step.outputs.append(
                Decided(
                    question_id,
                    texts.corrected_action(
                        decision.correction.predicted, decision.correction.chosen
                    ),
                )
            )
        else:
            step.outputs.append(Decided(question_id, f"✓ {decision.action}"))
        correction = [decision.correction] if decision.correction is not None else []
        if not await self._run(step, decision.action, TRAINER, confidence, correction):
            await self._show(step, step.pending)  # the next answer is to the question shown
            return
        step.pending = None
        await self._learn(step)
        if decision.action not in (ACTION_LISTEN, ACTION_RESTART):
            await self._propose(step)

    async def _learn(self, step: _Step) -> None:
        """The trainer confirmed the conversation so far: it sticks at once."""
        if self.learner is not None:
            self.learner.learn(await step.whole())
            step.taught = True

    async def _undo(self, step: _Step) -> None:
        if step.tracker.latest_message is None:
            step.outputs.append(Notice(texts.NOTHING_TO_UNDO))
            return
        taken = taken_back(await step.whole())
        await step.add([UserUtteranceReverted()])
        step.pending = None
        step.outputs.append(Notice(taken))
        await self._learn(step)

    async def _run(
        self,
        step: _Step,
        name: str,
        policy: str,
        confidence: float,
        before: Sequence[Event] = (),
    ) -> bool:
        """Run one action (`before` its events: the trainer's correction); on failure say why
        in one line, log the traceback, keep the conversation as it was, return False. An
        action that refuses to run here (a form) leaves `ActionExecutionRejected`."""
        dispatcher = Dispatcher(self.domain, step.tracker)
        try:
            action = self.actions.get(name)
            tracker = await step.whole() if reads_events(action) else step.tracker
            events = await action.run(dispatcher, tracker, self.domain)
        except ActionRejected as exc:  # another action is predicted instead
            await step.add([*before, ActionExecutionRejected(name)])
            step.refused.add(name)
            if policy == TRAINER:
                step.outputs.append(Notice(str(exc)))
            return True
        except ActionError as exc:
            step.outputs.append(Notice(texts.action_failed(name, str(exc))))
            step.errors.append("action")
            return False
        except Exception as exc:  # a custom action's bug must not end the conversation
            log.exception("action %s raised", name, extra={TOLD: True})
            step.outputs.append(Notice(texts.action_failed(name, _one_line(exc))))
            step.errors.append("action")
            return False
        executed = ActionExecuted(name, policy, confidence)
        await step.add([*before, executed, *dispatcher.messages, *events])
        step.outputs += [BotMessage(m.text, m.buttons, m.image) for m in dispatcher.messages]
        if dispatcher.ignored:
            log.warning("action %s: not applied: %s", name, ", ".join(dispatcher.ignored))
            if policy == TRAINER:
                step.outputs.append(Notice(texts.action_ignored(name, dispatcher.ignored)))
        step.followup = dispatcher.followup
        return True


def _turn(
    conversation_id: str, inp: Input, step: _Step | None, errors: list[str], seconds: float
) -> TurnSummary:
    kind: str = inp.name if isinstance(inp, Command) else "message"
    if isinstance(inp, Answer):
        kind = "answer"
    if step is None:
        return summarize(conversation_id, kind, [], None, seconds, errors)
    asked = None
    if step.pending is not None:
        asked = ActionChoice(step.pending.action, step.pending.policy, step.pending.confidence)
    return summarize(conversation_id, kind, step.new_events, asked, seconds, errors)


def _one_line(exc: Exception) -> str:
    """An exception as the one line a trainer reads (the traceback goes to the log)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _new_id() -> str:
    return uuid.uuid4().hex[:8]
