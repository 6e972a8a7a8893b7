"""What a Telegram chat shows of the engine's outputs: texts and inline keyboards.

Pure functions, no network and no state; what every platform shows alike (proposal lines,
ranked and paged options, button tokens) is in connectors/training_view.py. A button's
callback data is a `Press` token, far below Telegram's 64 bytes whatever the domain calls its
actions; a bot message's button carries its payload (connectors/bot_buttons.py). Lengths are
counted as Telegram counts them, in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import (
    CallbackQueryLimit,
    InlineKeyboardButtonLimit,
    InlineKeyboardMarkupLimit,
    MessageLimit,
)

from bot import texts
from bot.outputs import ActionProposal, BotMessage, Choices, EntityFix, Notice
from connectors.bot_buttons import button_label, said_data, split_buttons
from connectors.training_view import (
    Press,
    PressKind,
    ask_title,
    choices_page,
    drop_presses,
    entities_title,
    fitting_prefix,
    keep_end,
    proposal_lines,
    question_line,
    review_presses,
    units,
)

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = int(MessageLimit.CAPTION_LENGTH)
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
MAX_KEYBOARD = int(InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER)
MAX_ALERT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
PROPOSAL_LIMIT = 3500
"""Leaves room for the question line and the decision added when the message is edited."""


def proposal_text(proposal: ActionProposal) -> str:
    """The seed's "Chat history ... The bot wants to [action]", compact."""
    lines = [*proposal_lines(proposal), question_line(proposal)]
    return keep_end("\n".join(lines), PROPOSAL_LIMIT)


def proposal_keyboard(proposal: ActionProposal) -> InlineKeyboardMarkup:
    question_id = proposal.question_id

    def button(label: str, kind: PressKind) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(question_id, kind).data)

    review = [_button(press, label) for press, label in review_presses(proposal)]
    return InlineKeyboardMarkup(
        [
            [button(texts.BUTTON_YES, "approve")],
            [
                button(texts.BUTTON_WRONG_ACTION, "wrong_action"),
                button(texts.BUTTON_WRONG_INTENT, "wrong_intent"),
            ],
            [
                button(texts.BUTTON_WRONG_ENTITIES, "wrong_entities"),
                button(texts.BUTTON_EXPORT, "export"),
            ],
            *([review] if review else []),
        ]
    )


def choices_keyboard(choices: Choices, page: int = 0) -> InlineKeyboardMarkup:
    """One page of the options, most probable first, each with its probability."""
    shown = choices_page(choices, page)
    rows = [[_button(press, label)] for press, label in shown.options]
    navigation = [_button(press, label) for press, label in shown.turns]
    return InlineKeyboardMarkup([*rows, navigation] if navigation else rows)


def _button(press: Press, label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.data)


def choices_text(current: str | None, choices: Choices) -> str:
    """The question message with "what is the next action/intent?" under the proposal."""
    title = ask_title(choices)
    base = _without_ask(current or "")
    return f"{base}\n\n{title}" if base else title


def entity_fix_text(current: str | None, fix: EntityFix) -> str:
    """The question message with "which entities ...?" and the message as read now under it;
    the trainer answers by sending the message marked, or with a drop button."""
    base = _without_ask(current or "")
    ask = f"{entities_title(fix)}\n{fix.marked}"
    return f"{base}\n\n{ask}" if base else ask


def entity_fix_keyboard(fix: EntityFix) -> InlineKeyboardMarkup | None:
    rows = [[_button(press, label)] for press, label in drop_presses(fix)]
    return InlineKeyboardMarkup(rows) if rows else None


def decided_text(current: str | None, decision: str) -> str:
    """The question message as it stays in the chat: the proposal and what was decided."""
    base = _without_ask(current or "")
    return f"{base}\n\n→ {decision}" if base else f"→ {decision}"


def _without_ask(text: str) -> str:
    """The question message without the ask an earlier press put under it."""
    asks = (texts.ASK_ACTION, texts.ASK_INTENT, texts.ASK_ENTITIES, texts.ASK_TYPED_ENTITIES)
    for title in asks:
        if text.startswith(title):
            return ""
        if (found := text.rfind(f"\n\n{title}")) != -1:
            return text[:found]
    return text


def said_keyboard(message: BotMessage) -> tuple[BotMessage, InlineKeyboardMarkup | None]:
    """A bot message's buttons as an inline keyboard, one a row, each saying its payload; the
    message keeps as text lines `[title] payload` the buttons whose payload (with the `>` in
    front) is over Telegram's 64 bytes of callback data, and any beyond its 100 buttons."""
    rest, shown = split_buttons(message, _fits_callback, MAX_KEYBOARD)
    if not shown:
        return message, None
    rows = [[InlineKeyboardButton(button_label(b), callback_data=said_data(b[1]))] for b in shown]
    return rest, InlineKeyboardMarkup(rows)


def _fits_callback(payload: str) -> bool:
    return len(said_data(payload).encode()) <= MAX_CALLBACK_DATA


def message_text(output: BotMessage | Notice) -> str:
    """The text of a message sent as text: a bot's image as a line `[image: URL]`, its buttons
    as lines `[title] payload`."""
    if isinstance(output, Notice):
        return texts.NOTICE.format(text=output.text)
    buttons = "".join(f"\n[{title}] {payload}" for title, payload in output.buttons)
    return "\n".join(filter(None, (output.text, output.image_line))) + buttons


def photo_texts(message: BotMessage) -> tuple[str | None, list[str]]:
    """A bot message with an image, sent as the photo: its caption (None for none), and the
    messages that follow the photo, for a text longer than a caption may be."""
    text = message_text(replace(message, image=""))
    if not text.strip():
        return None, []
    if units(text) <= MAX_CAPTION:
        return text, []
    return None, split_text(text)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most `limit` units, cut at the last line break that fits (else mid-line)."""
    parts = []
    while units(text) > limit:
        end = fitting_prefix(text, limit)
        cut = text.rfind("\n", 0, end + 1)
        if cut > 0:
            parts.append(text[:cut])
            text = text[cut + 1 :]
        else:
            parts.append(text[:end])
            text = text[end:]
    parts.append(text)
    return [part for part in parts if part.strip()]
