"""What the Telegram connector shows: outputs sent in order, a pressed question edited.

A bot message's image is a photo (its text the caption, or after it when longer), its buttons
an inline keyboard under it (connectors/bot_buttons.py); the training questions are messages
with keyboards (connectors/telegram_render.py); an export is a document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest

from bot import texts
from bot.outputs import ActionProposal, BotMessage, Choices, Decided, EntityFix, Exported, Picture
from connectors.open_questions import OpenQuestions
from connectors.presses import Edit, PageTurn, Shown
from connectors.telegram_render import (
    MAX_CAPTION,
    choices_keyboard,
    choices_text,
    decided_text,
    entity_fix_keyboard,
    entity_fix_text,
    message_text,
    photo_texts,
    proposal_keyboard,
    proposal_text,
    said_keyboard,
    split_text,
)
from connectors.training_view import clip

log = logging.getLogger(__name__)


class TelegramSender:
    """Sends through `bot` (the application's); a decision typed shows on its question's
    message when this process sent it (connectors/open_questions.py)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._questions: OpenQuestions[Message] = OpenQuestions()

    async def show(
        self,
        chat_id: int,
        outputs: Sequence[Shown],
        *,
        pressed: Message | None = None,
        reply_to: int | None = None,
    ) -> None:
        """Render outputs in order; a decision or a choice list edits the pressed question."""
        for output in outputs:
            if pressed is not None and isinstance(output, Edit):
                await self._edit(pressed, output)
            else:
                await self._send(chat_id, output, reply_to)

    async def _edit(self, pressed: Message, output: Edit) -> None:
        if isinstance(output, Decided):
            await pressed.edit_text(decided_text(pressed.text, output.text))
        elif isinstance(output, Choices):
            text = choices_text(pressed.text, output)
            edited = await pressed.edit_text(text, reply_markup=choices_keyboard(output))
            self._remember(output.question_id, edited)
        elif isinstance(output, EntityFix):
            text = entity_fix_text(pressed.text, output)
            edited = await pressed.edit_text(text, reply_markup=entity_fix_keyboard(output))
            self._remember(output.question_id, edited)
        else:
            await pressed.edit_reply_markup(choices_keyboard(output.choices, output.page))

    def _remember(self, question_id: str, message: Message | bool) -> None:
        if isinstance(message, Message):  # edit_text answers True for inline messages
            self._questions.remember(question_id, message)

    async def _send(self, chat_id: int, output: Shown, reply_to: int | None) -> None:
        bot = self._bot
        reply = (
            None
            if reply_to is None
            else ReplyParameters(reply_to, allow_sending_without_reply=True)
        )
        if isinstance(output, ActionProposal | Choices | EntityFix):
            text, markup = _question(output)
            sent = await bot.send_message(
                chat_id, text, reply_markup=markup, reply_parameters=reply
            )
            self._remember(output.question_id, sent)
        elif isinstance(output, Exported):
            await self._send_export(chat_id, output, reply)
        elif isinstance(output, Decided):
            asked = self._questions.answered(output.question_id)
            if asked is None:
                await bot.send_message(chat_id, decided_text(None, output.text))
            else:
                await asked.edit_text(decided_text(asked.text, output.text))
        elif isinstance(output, Picture):
            caption = clip(output.caption, MAX_CAPTION)
            await bot.send_photo(chat_id, output.png, caption=caption, reply_parameters=reply)
        elif isinstance(output, BotMessage):
            await self._say(chat_id, output, reply)
        elif not isinstance(output, PageTurn):
            await self._send_parts(chat_id, split_text(message_text(output)), None, reply)

    async def _say(self, chat_id: int, said: BotMessage, reply: ReplyParameters | None) -> None:
        """A bot message, its buttons an inline keyboard under it (`said_keyboard`)."""
        message, keyboard = said_keyboard(said)
        if message.image:
            await self._send_photo(chat_id, message, keyboard, reply)
        else:
            await self._send_parts(chat_id, split_text(message_text(message)), keyboard, reply)

    async def _send_parts(
        self,
        chat_id: int,
        parts: list[str],
        keyboard: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> None:
        """Text messages; the keyboard under the last (under a 👇 when there is no text)."""
        if keyboard is not None and not parts:
            parts = [texts.BUTTONS_WITHOUT_TEXT]
        for number, part in enumerate(parts, 1):
            markup = keyboard if number == len(parts) else None
            await self._bot.send_message(chat_id, part, reply_markup=markup, reply_parameters=reply)

    async def _send_photo(
        self,
        chat_id: int,
        message: BotMessage,
        keyboard: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> None:
        """A bot message with an image: the photo (Telegram fetches its URL), the text as its
        caption or after it, the keyboard under the last. An image Telegram cannot fetch
        leaves the text to say it, as a line `[image: URL]`, rather than the message lost."""
        caption, after = photo_texts(message)
        markup = None if after else keyboard
        try:
            await self._bot.send_photo(
                chat_id, message.image, caption=caption, reply_markup=markup, reply_parameters=reply
            )
        except BadRequest as exc:
            log.warning("Telegram could not show the image %s: %s", message.image, exc.message)
            after, markup = split_text(message_text(message)), None
        if markup is None:  # the keyboard (if any) goes under the text after the photo
            await self._send_parts(chat_id, after, keyboard, reply)

    async def _send_export(
        self, chat_id: int, exported: Exported, reply: ReplyParameters | None
    ) -> None:
        bot = self._bot
        if not exported.markdown.strip():
            await bot.send_message(chat_id, texts.NOTHING_EXPORTED, reply_parameters=reply)
            return
        await bot.send_document(
            chat_id,
            exported.markdown.encode(),
            filename=Path(exported.path).name,
            caption=clip(exported.summary, MAX_CAPTION),
            reply_parameters=reply,
        )


def _question(
    output: ActionProposal | Choices | EntityFix,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A question's text and buttons."""
    if isinstance(output, ActionProposal):
        return proposal_text(output), proposal_keyboard(output)
    if isinstance(output, Choices):
        return choices_text(None, output), choices_keyboard(output)
    return entity_fix_text(None, output), entity_fix_keyboard(output)
