"""What a Telegram update means for ozbot, decided without I/O: whose conversation it is,
which command or message its text is, and in which order updates may run.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from bot.delivery import Delivery, delivering
from bot.engine import UserMessage
from bot.locks import ConversationLocks
from connectors.chat_commands import BY_NAME, Read

_COMMAND = re.compile(r"/(?P<name>[\w.-]+)(?:@(?P<bot>\w+))?")


def conversation_id(chat: Chat, user: User) -> str:
    """One conversation per private chat; in groups one per member, so stories don't mix."""
    if chat.type == ChatType.PRIVATE:
        return f"telegram:{chat.id}"
    return f"telegram:{chat.id}:{user.id}"


def read_text(
    text: str, bot_username: str, intents: tuple[str, ...], *, private: bool = True
) -> Read | None:
    """What a text message asks of ozbot; None when it is not for this bot.

    `/greet@MyBot` reads as `/greet`; in groups only commands are for the bot, the rest is
    talk among members. Telegram sends `/start` when a chat opens: it shows the help, unless
    the domain has a `start` intent.
    """
    text = text.strip()
    match = _COMMAND.match(text)
    if match is None:
        return UserMessage(text) if private else None
    addressee = match["bot"]
    if addressee and addressee.lower() != bot_username.lower():
        return None
    name = match["name"]
    if name in BY_NAME:
        return BY_NAME[name]
    if name == "start" and name not in intents:
        return BY_NAME["help"]
    return UserMessage(text[: match.end("name")] + text[match.end() :])


def malformed(update: Update) -> str | None:
    """What a webhook update lacks that every update ozbot handles has; None when complete."""
    message, query = update.message, update.callback_query
    if message is not None and not _complete(message):
        return "a message without its chat"
    if query is not None and not isinstance(query.from_user, User):
        return "a button press without its user"
    if query is not None and query.data is not None and not isinstance(query.data, str):
        return "a button press whose data is not text"
    if query is not None and isinstance(query.message, Message) and not _complete(query.message):
        return "a button press on a message without its chat"
    return None


def _complete(message: Message) -> bool:
    return isinstance(message.chat, Chat) and (
        message.text is None or isinstance(message.text, str)
    )


class PerChatOrder(BaseUpdateProcessor):
    """Updates of different chat members run concurrently; those of one member in order.

    A slow custom action then delays only its own conversation, and two quick taps of one
    trainer are still answered in the order they were made. Each update is processed with its
    `delivery` (bot/delivery.py); `finished` hears of each update processed.
    """

    def __init__(
        self,
        delivery: Callable[[object], Delivery | None],
        finished: Callable[[object], Awaitable[None]],
        max_concurrent_updates: int = 256,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._order = ConversationLocks()
        self._delivery = delivery
        self._finished = finished

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._order.hold(_order_key(update)):
            with delivering(self._delivery(update)):
                await coroutine
        await self._finished(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _order_key(update: object) -> str:
    if not isinstance(update, Update):
        return ""
    chat = update.effective_chat.id if update.effective_chat else ""
    user = update.effective_user.id if update.effective_user else ""
    return f"{chat}:{user}"
