"""What a Telegram chat shows of the engine's outputs: texts, inline keyboards, callback data.

Pure functions, no network and no state. A button's callback data is a short token made of
the question id, the answer kind and an option number (`3f9a1c2e:A:8`), never a name or JSON,
so it stays far below Telegram's 64 bytes whatever the domain calls its actions; the connector
turns it back into an answer with the domain. Lengths are counted as Telegram counts them, in
UTF-16 code units.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import CallbackQueryLimit, InlineKeyboardButtonLimit, MessageLimit

from bot import texts
from bot.domain import Domain
from bot.outputs import ActionProposal, BotMessage, Choices, Notice
from bot.training import Answer, AnswerKind

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = int(MessageLimit.CAPTION_LENGTH)
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
MAX_ALERT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
PAGE_SIZE = 8
"""Options on one page of "wrong action" / "wrong intent", one button a row."""
PROPOSAL_LIMIT = 3500
"""Leaves room for the question line and the decision added when the message is edited."""
_SHORT = 80

PressKind = AnswerKind | Literal["page"]
_CODES: dict[PressKind, str] = {
    "approve": "y",
    "wrong_action": "a",
    "wrong_intent": "i",
    "export": "x",
    "choose_action": "A",
    "choose_intent": "I",
    "page": "p",
}
_KINDS = {code: kind for kind, code in _CODES.items()}
_NUMBERED = ("choose_action", "choose_intent", "page")
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
    """The press a button's callback data stands for; None for data ozbot never sends."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    kind = _KINDS.get(match["code"])
    number = None if match["number"] is None else int(match["number"])
    if kind is None or (kind in _NUMBERED) != (number is not None):
        return None
    return Press(match["question"], kind, number)


def to_answer(press: Press, domain: Domain) -> Answer | None:
    """The engine's answer for a press (not a page turn); None for an option that is not there."""
    if press.kind == "page":
        return None
    if press.number is None:
        return Answer(press.question_id, press.kind)
    names = domain.actions if press.kind == "choose_action" else domain.intents
    if press.number >= len(names):
        return None
    return Answer(press.question_id, press.kind, names[press.number])


def proposal_text(proposal: ActionProposal) -> str:
    """The seed's "Chat history ... The bot wants to [action]", compact."""
    lines = list(_history_lines(proposal.history))
    set_slots = [(name, value) for name, value in proposal.slots if value is not None]
    if set_slots:
        slots = ", ".join(f"{name}: {_short(value)}" for name, value in set_slots)
        lines.append(texts.TELEGRAM_SLOTS.format(slots=slots))
    else:
        lines.append(texts.TELEGRAM_NO_SLOTS)
    if proposal.entities:
        lines.append(texts.TELEGRAM_ENTITIES.format(entities=_short(proposal.entities)))
    question = texts.QUESTION.format(action=proposal.action)
    lines.append(f"{question} (confidence {proposal.confidence:.2f}, {proposal.policy})")
    return _keep_end("\n".join(lines), PROPOSAL_LIMIT)


def _history_lines(history: tuple[tuple[str, str], ...]) -> Iterator[str]:
    """Consecutive actions on one line, a user message with its intent on one line."""
    actions: list[str] = []
    said = ""
    for who, what in history:
        if who == "bot did":
            actions += [what] if what != "None" else []
            continue
        if actions:
            yield texts.telegram_bot_did(actions)
            actions = []
        if who == "user said":
            said = what
        else:
            yield texts.telegram_user_said(_short(said), what)
    if actions:
        yield texts.telegram_bot_did(actions)


def proposal_keyboard(question_id: str) -> InlineKeyboardMarkup:
    def button(label: str, kind: PressKind) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(question_id, kind).data)

    return InlineKeyboardMarkup(
        [
            [button(texts.TELEGRAM_YES, "approve")],
            [
                button(texts.TELEGRAM_WRONG_ACTION, "wrong_action"),
                button(texts.TELEGRAM_WRONG_INTENT, "wrong_intent"),
            ],
            [button(texts.TELEGRAM_EXPORT, "export")],
        ]
    )


def page_count(choices: Choices) -> int:
    return max(1, -(-len(choices.options) // PAGE_SIZE))


def choices_keyboard(choices: Choices, page: int = 0) -> InlineKeyboardMarkup:
    """One page of the options, most probable first, each with its probability."""
    options = choices.options
    ranked = sorted(range(len(options)), key=lambda index: -options[index][1])
    pages = page_count(choices)
    page = min(max(page, 0), pages - 1)
    kind: PressKind = "choose_action" if choices.kind == "action" else "choose_intent"
    rows = [
        [
            InlineKeyboardButton(
                f"{options[index][0]}  {options[index][1]:.2f}",
                callback_data=Press(choices.question_id, kind, index).data,
            )
        ]
        for index in ranked[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    turns = [(page - 1, texts.TELEGRAM_PREVIOUS), (page + 1, texts.TELEGRAM_NEXT)]
    navigation = [
        InlineKeyboardButton(
            label.format(page=target + 1, pages=pages),
            callback_data=Press(choices.question_id, "page", target).data,
        )
        for target, label in turns
        if 0 <= target < pages
    ]
    return InlineKeyboardMarkup([*rows, navigation] if navigation else rows)


def choices_text(current: str | None, choices: Choices) -> str:
    """The question message with "what is the next action/intent?" under the proposal."""
    title = texts.ASK_ACTION if choices.kind == "action" else texts.ASK_INTENT
    base = _without_ask(current or "")
    return f"{base}\n\n{title}" if base else title


def decided_text(current: str | None, decision: str) -> str:
    """The question message as it stays in the chat: the proposal and what was decided."""
    base = _without_ask(current or "")
    return f"{base}\n\n→ {decision}" if base else f"→ {decision}"


def _without_ask(text: str) -> str:
    for title in (texts.ASK_ACTION, texts.ASK_INTENT):
        if text == title:
            return ""
        text = text.removesuffix(f"\n\n{title}")
    return text


def message_text(output: BotMessage | Notice) -> str:
    if isinstance(output, Notice):
        return texts.TELEGRAM_NOTICE.format(text=output.text)
    buttons = "".join(f"\n[{title}] {payload}" for title, payload in output.buttons)
    return output.text + buttons


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` units, cut at the last line break that fits (else mid-line)."""
    parts = []
    while _units(text) > limit:
        end = _fitting_prefix(text, limit)
        cut = text.rfind("\n", 0, end + 1)
        if cut > 0:
            parts.append(text[:cut])
            text = text[cut + 1 :]
        else:
            parts.append(text[:end])
            text = text[end:]
    parts.append(text)
    return [part for part in parts if part.strip()]


def clip(text: str, limit: int) -> str:
    """The text, cut with "…" when longer than `limit` units."""
    if _units(text) <= limit:
        return text
    return text[: _fitting_prefix(text, limit - 1)] + "…"


def _keep_end(text: str, limit: int) -> str:
    """Drop the oldest lines first: the question at the end is what must show."""
    if _units(text) <= limit:
        return text
    lines = text.split("\n")
    while len(lines) > 1 and _units("\n".join(["…", *lines])) > limit:
        lines.pop(0)
    return clip("\n".join(["…", *lines]), limit)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The length of the longest prefix of at most `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _short(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return clip(shown, _SHORT)
