"""The Telegram connector: python-telegram-bot in front of the engine.

Trainers (`TELEGRAM_TRAINER_IDS`) answer every proposed action with inline buttons; everybody
else simply chats with the bot. The connector keeps no dialogue state: a button carries the
question id, and the engine refuses a press unless it answers the open question of the
presser's conversation, so old, repeated, foreign and forged presses change nothing.
"""

from __future__ import annotations

import hmac
import logging
import re
from datetime import timedelta
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand, Message, Update, User
from telegram.constants import ChatType
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.background import BackgroundTasks
from bot.engine import Engine
from bot.errors import ConnectorError
from bot.outputs import (
    Output,
)
from bot.stores.inbox import Entry, Inbox, MemoryInbox
from connectors.bot_buttons import read_said
from connectors.chat_commands import (
    BY_NAME,
    COMMANDS,
    ChatCommands,
    Context,
    Read,
    Wording,
    answer,
)
from connectors.intake import Intake
from connectors.presses import Shown, handle_press
from connectors.tasks import ConnectorTasks
from connectors.telegram_inbox import InboxQueue
from connectors.telegram_render import (
    MAX_ALERT,
)
from connectors.telegram_send import TelegramSender
from connectors.telegram_settings import TelegramSettings
from connectors.telegram_updates import PerChatOrder, conversation_id, malformed, read_text
from connectors.training_view import clip
from connectors.web import WebServer

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
_MENU_NAME = re.compile(r"[a-z0-9_]{1,32}")
_MENU_SIZE = 100
WORDING = Wording(
    texts.TELEGRAM_HELP_TRAINER, texts.TELEGRAM_HELP_USER, texts.TELEGRAM_TRAINERS_ONLY
)


class TelegramConnector:
    """Lifecycle: `start` (checks the token, polls or sets the webhook), then `stop`."""

    def __init__(
        self,
        engine: Engine,
        settings: TelegramSettings,
        commands: ChatCommands,
        *,
        web: WebServer | None = None,
        inbox: Inbox | None = None,
        tasks: BackgroundTasks | None = None,
    ) -> None:
        """`web` serves the webhook (required when `settings.webhook_url` is set); `inbox`
        keeps the updates until they are processed (else this process remembers their ids
        only); `tasks` runs the background work (the running bot's, so that failures are
        counted; else its own)."""
        self.engine = engine
        self.settings = settings
        self._commands = commands
        self._intake = Intake(inbox or MemoryInbox(), "telegram")
        self._updates = InboxQueue(self._intake)
        self._tasks = ConnectorTasks(tasks)
        builder = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(settings.base_url)
            .update_queue(self._updates)
            .concurrent_updates(PerChatOrder(self._updates.delivery, self._updates.finished))
        )
        if settings.webhook_url is not None:
            if web is None:
                raise ValueError("webhook mode needs a WebServer")
            if not settings.webhook_secret:
                raise ConnectorError("webhook mode needs TELEGRAM_WEBHOOK_SECRET")
            web.add_post(urlparse(settings.webhook_url).path or "/", self._on_webhook)
            builder = builder.updater(None)
        self.application = builder.build()
        self._sender = TelegramSender(self.application.bot)
        self._add_handlers()

    def _add_handlers(self) -> None:
        app = self.application
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self._on_text))
        other = filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & other, self._on_other))
        app.add_handler(CallbackQueryHandler(self._on_press))
        app.add_error_handler(self._on_error)

    async def start(self) -> None:
        app = self.application
        try:
            await app.initialize()
            await self._intake.start(self._replay)  # queued before any new update
            await app.bot.set_my_commands(self._menu())
            if self.settings.webhook_url is not None:
                await app.bot.set_webhook(
                    self.settings.webhook_url,
                    secret_token=self.settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                assert app.updater is not None  # built with one in polling mode
                await app.updater.start_polling(
                    timeout=timedelta(seconds=self.settings.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                )
        except InvalidToken as exc:
            await self.stop()
            raise ConnectorError(
                "Telegram rejected TELEGRAM_TOKEN; check it with @BotFather"
            ) from exc
        except TelegramError as exc:
            await self.stop()
            raise ConnectorError(
                f"cannot start the Telegram bot at {self.settings.base_url}: {exc}; "
                "check TELEGRAM_API_BASE_URL and TELEGRAM_WEBHOOK_URL"
            ) from exc
        await app.start()

    async def stop(self) -> None:
        await self._intake.stop()
        await self.idle()
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.bot.shutdown()  # its connections, when initialize() failed half-way

    async def idle(self) -> None:
        """Wait until the notes to trainers sent so far are out."""
        await self._tasks.idle()

    def tell_trainers(self, text: str) -> None:
        """A note in every trainer's private chat ("model 7 live: ..."), sent in the background."""
        if not self.application.running:  # starting or stopping: the log has the note
            return
        self._tasks.spawn(self._tell_trainers(text), "telling the Telegram trainers")

    async def _tell_trainers(self, text: str) -> None:
        for trainer in sorted(self.settings.trainer_ids):
            try:
                await self.application.bot.send_message(trainer, texts.NOTICE.format(text=text))
            except TelegramError as exc:  # e.g. the trainer never opened a chat with the bot
                log.warning("cannot tell trainer %s %r: %s", trainer, text, exc)

    def _menu(self) -> list[BotCommand]:
        """Our commands, then the intents, so that trainers can pick an intent from the menu."""
        ours = [BotCommand(command.name, command.help) for command in COMMANDS]
        intents = [
            BotCommand(intent, texts.TELEGRAM_INTENT_COMMAND.format(intent=intent))
            for intent in self.engine.domain.intents
            if _MENU_NAME.fullmatch(intent)
        ]
        return (ours + intents)[:_MENU_SIZE]

    def _is_trainer(self, user: User) -> bool:
        return user.id in self.settings.trainer_ids

    async def _on_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.settings.webhook_secret.encode()):
            return web.Response(status=403)
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise TypeError("no update_id")
            update = Update.de_json(data, self.application.bot)
            problem = malformed(update)
            if problem is not None:
                raise ValueError(problem)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            log.warning("webhook request is not a Telegram update: %s", exc)
            return web.Response(status=400)
        await self._updates.put(update)  # in the inbox before the 200
        return web.Response()

    async def _replay(self, entry: Entry) -> None:
        await self._updates.replay(entry, self.application.bot)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.text is None or message.from_user is None:
            return
        user = message.from_user
        private = message.chat.type == ChatType.PRIVATE
        username, intents = self.application.bot.username, self.engine.domain.intents
        read = read_text(message.text, username, intents, private=private)
        if read is None:
            return
        outputs = await self._outputs(read, conversation_id(message.chat, user), user)
        await self._sender.show(message.chat_id, outputs, reply_to=None if private else message.id)

    async def _outputs(self, read: Read, conversation: str, user: User) -> list[Output]:
        trainer = self._is_trainer(user)
        return await answer(
            read, Context(self.engine, conversation, trainer, self._commands, WORDING)
        )

    def _example_intent(self) -> str:
        return self.engine.domain.intents[0] if self.engine.domain.intents else "greet"

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            await update.message.reply_text(
                texts.TELEGRAM_TEXT_ONLY.format(intent=self._example_intent())
            )

    async def _on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        said = read_said(query.data)
        try:
            if said is None:
                outcome = await self._press(query.from_user, query.data, query.message)
            else:
                outcome = await self._said(query.from_user, said, query.message)
        except Exception:
            await query.answer(texts.FAILED, show_alert=True)
            raise
        if isinstance(outcome, str):
            await query.answer(clip(outcome, MAX_ALERT), show_alert=True)
            return
        await query.answer()
        message = query.message
        assert isinstance(message, Message)  # _press and _said refuse presses without one
        if said is None:
            await self._sender.show(message.chat_id, outcome, pressed=message)
        else:  # a group's answer replies to the pressed message, as to a message typed
            private = message.chat.type == ChatType.PRIVATE
            await self._sender.show(
                message.chat_id, outcome, reply_to=None if private else message.id
            )

    async def _said(self, user: User, payload: str, message: object) -> str | list[Shown]:
        """A bot message's button pressed: the presser typing its payload, in their
        conversation of the pressed message's chat. The press is for this bot even in a group,
        where typed text is not; what it reads as is read as typed text is."""
        if not isinstance(message, Message):  # an inline-mode message: ozbot sends none
            return texts.FORGED_PRESS
        username, intents = self.application.bot.username, self.engine.domain.intents
        read = read_text(payload, username, intents)
        if read is None:  # a command for another bot
            return []
        return [*await self._outputs(read, conversation_id(message.chat, user), user)]

    async def _press(self, user: User, data: str | None, message: object) -> str | list[Shown]:
        """What a press does, or why it is refused (a short alert; nothing changed)."""
        conversation = None  # a press on an inline-mode message: ozbot sends none
        if isinstance(message, Message):
            conversation = conversation_id(message.chat, user)

        async def command(name: str) -> list[Output]:
            assert conversation is not None  # handle_press runs none without a conversation
            return await self._outputs(BY_NAME[name], conversation, user)

        trainer = self._is_trainer(user)
        return await handle_press(self.engine, conversation, data, trainer=trainer, command=command)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log; tell the chat, so the user is not left waiting (presses got their alert)."""
        log.error("handling a Telegram update failed", exc_info=context.error)
        if not isinstance(update, Update) or update.callback_query is not None:
            return
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.FAILED)
