"""What every chat platform shows of a training question, decided once for all of them.

Pure functions, no platform types: the compact lines of a proposal (recent turns, slots,
entities, the question), the ranking and paging of "wrong action" / "wrong intent" options, and
the short token a button carries. A token is the question id, the answer kind and an option
number (`3f9a1c2e:A:8`), never a name or JSON, so it stays short whatever the domain calls its
actions; the connector turns it back into an answer with the domain. Text lengths are counted in
UTF-16 code units (Telegram's measure; never more than Slack's characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from bot import texts
from bot.domain import Domain
from bot.outputs import (
    ActionProposal,
    BotDid,
    Choices,
    EntityFix,
    HistoryLine,
    Output,
    UserSaid,
    entity_text,
)
from bot.teaching import Answer, AnswerKind

PAGE_SIZE = 8
"""Options on one page of "wrong action" / "wrong intent"."""
_SHORT = 80

PressKind = AnswerKind | Literal["page", "skip_review", "not_useful"]
_CODES: dict[PressKind, str] = {
    "approve": "y",
    "wrong_action": "a",
    "wrong_intent": "i",
    "wrong_entities": "e",
    "export": "x",
    "choose_action": "A",
    "choose_intent": "I",
    "drop_entity": "E",
    "page": "p",
    "skip_review": "s",
    "not_useful": "n",
}
REVIEW_COMMANDS: dict[PressKind, str] = {"skip_review": "review", "not_useful": "dismiss"}
"""Presses that run a chat command: a turn under review skipped (/review) or dropped
(/dismiss)."""
_KINDS = {code: kind for kind, code in _CODES.items()}
_NUMBERED = ("choose_action", "choose_intent", "drop_entity", "page")
_DATA = re.compile(r"(?P<question>[0-9a-f]{1,32}):(?P<code>[A-Za-z])(?::(?P<number>\d{1,4}))?")


@dataclass(frozen=True)
class Press:
    """A button press: the question it answers, what it says, and which option or page."""

    question_id: str
    kind: PressKind
    number: int | None = None

    @property
    def data(self) -> str:
        code = _CODES[self.kind]
        return f"{self.question_id}:{code}" + ("" if self.number is None else f":{self.number}")


def read_press(data: str | None) -> Press | None:
    """The press a button's token stands for; None for a token ozbot never sends."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    kind = _KINDS.get(match["code"])
    number = None if match["number"] is None else int(match["number"])
    if kind is None or (kind in _NUMBERED) != (number is not None):
        return None
    return Press(match["question"], kind, number)


def review_presses(proposal: ActionProposal) -> tuple[tuple[Press, str], ...]:
    """ "Skip" and "Not useful" under a user's turn under review; none under any other."""
    if not proposal.review:
        return ()
    return (
        (Press(proposal.question_id, "skip_review"), texts.BUTTON_SKIP),
        (Press(proposal.question_id, "not_useful"), texts.BUTTON_NOT_USEFUL),
    )


def to_answer(press: Press, domain: Domain) -> Answer | None:
    """The engine's answer for a press (not a page turn nor a review command); None for an
    option that is not there."""
    if press.kind == "page" or press.kind in REVIEW_COMMANDS:
        return None
    kind = cast(AnswerKind, press.kind)  # neither a page nor a review command, seen above
    if press.number is None:
        return Answer(press.question_id, kind)
    names = {
        "choose_action": domain.actions,
        "choose_intent": domain.intents,
        "drop_entity": domain.entities,
    }[press.kind]
    if press.number >= len(names):
        return None
    return Answer(press.question_id, kind, names[press.number])


def proposal_lines(proposal: ActionProposal) -> list[str]:
    """The seed's "Chat history" and slots, compact: what the trainer judges the action by."""
    lines = list(_history_lines(proposal.history))
    set_slots = [(name, value) for name, value in proposal.slots if value is not None]
    if set_slots:
        slots = ", ".join(f"{name}: {short(value)}" for name, value in set_slots)
        lines.append(texts.SLOTS.format(slots=slots))
    else:
        lines.append(texts.NO_SLOTS)
    if proposal.active_form:
        lines.append(texts.active_form(proposal.active_form, proposal.asking_for))
    return lines


def question_line(proposal: ActionProposal) -> str:
    """ "The bot wants to [action] ... Is this correct? (confidence 0.86, lightgbm)"."""
    question = texts.QUESTION.format(action=proposal.action)
    return f"{question} (confidence {proposal.confidence:.2f}, {proposal.policy})"


def _history_lines(history: Sequence[HistoryLine]) -> Iterator[str]:
    """Consecutive actions on one line, a user message with its intent on one line."""
    actions: list[str] = []
    for line in history:
        if isinstance(line, BotDid):
            actions.append(line.action)
        elif isinstance(line, UserSaid):
            if actions:
                yield texts.bot_did(actions)
                actions = []
            yield texts.user_said(short(line.text), line.meaning)
    if actions:
        yield texts.bot_did(actions)


def page_count(choices: Choices) -> int:
    return max(1, -(-len(choices.options) // PAGE_SIZE))


@dataclass(frozen=True)
class Page:
    """One page of the options, most probable first: (press, label) per option and page turn."""

    options: tuple[tuple[Press, str], ...]
    turns: tuple[tuple[Press, str], ...]


def choices_page(choices: Choices, page: int = 0) -> Page:
    """The options of page `page` (clamped), each labelled with its probability."""
    options = choices.options
    ranked = sorted(range(len(options)), key=lambda index: -options[index][1])
    pages = page_count(choices)
    page = min(max(page, 0), pages - 1)
    kind: PressKind = "choose_action" if choices.kind == "action" else "choose_intent"
    shown = tuple(
        (
            Press(choices.question_id, kind, index),
            f"{short(options[index][0])}  {options[index][1]:.2f}",
        )
        for index in ranked[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    )
    labels = [(page - 1, texts.PAGE_PREVIOUS), (page + 1, texts.PAGE_NEXT)]
    turns = tuple(
        (Press(choices.question_id, "page", target), label.format(page=target + 1, pages=pages))
        for target, label in labels
        if 0 <= target < pages
    )
    return Page(shown, turns)


def page_turn(shown: Sequence[Output], press: Press) -> Choices | str:
    """The open option list a page press turns (from `Engine.pending_outputs`), or why not."""
    choices = next(
        (o for o in shown if isinstance(o, Choices) and o.question_id == press.question_id),
        None,
    )
    if choices is None:
        return texts.STALE_ANSWER
    if press.number is None or press.number >= page_count(choices):
        return texts.FORGED_PRESS
    return choices


def ask_title(choices: Choices) -> str:
    return texts.ASK_ACTION if choices.kind == "action" else texts.ASK_INTENT


def entities_title(fix: EntityFix) -> str:
    return texts.ASK_TYPED_ENTITIES if fix.typed else texts.ASK_ENTITIES


def drop_presses(fix: EntityFix) -> tuple[tuple[Press, str], ...]:
    """A button per entity read, which drops it: "✖ drop city=Berlin"."""
    return tuple(
        (
            Press(fix.question_id, "drop_entity", number),
            texts.BUTTON_DROP_ENTITY.format(entity=short(entity_text([(name, value)]))),
        )
        for number, name, value in fix.entities
    )


def short(value: Any) -> str:
    """A slot value, entity or name shown in at most 80 units."""
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return clip(shown, _SHORT)


def clip(text: str, limit: int) -> str:
    """The text, cut with "…" when longer than `limit` units."""
    if units(text) <= limit:
        return text
    return text[: fitting_prefix(text, limit - 1)] + "…"


def keep_end(text: str, limit: int) -> str:
    """Drop the oldest lines first: the question at the end is what must show."""
    if units(text) <= limit:
        return text
    lines = text.split("\n")
    while len(lines) > 1 and units("\n".join(["…", *lines])) > limit:
        lines.pop(0)
    return clip("\n".join(["…", *lines]), limit)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fitting_prefix(text: str, limit: int) -> int:
    """The length of the longest prefix of at most `limit` UTF-16 units."""
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > limit:
            return index
    return len(text)
