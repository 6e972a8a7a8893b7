"""A local fake of the Telegram Bot API on 127.0.0.1, as strict as Telegram where it matters.

It serves `/bot<token>/<method>` for the methods ozbot uses, records every call, keeps the
messages the bot sent (so a test can press their buttons) and builds raw update JSON. Like
Telegram it refuses over-long texts, callback data over 64 bytes, edits that change nothing
and a second answer to one callback query.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

TOKEN = "4242:TEST-token"
BOT = {"id": 4242, "is_bot": True, "first_name": "Oz", "username": "OzTestBot"}
WAIT = 5.0
"""Seconds any wait of the fake may take before the test fails."""
_STRINGS = {"text", "caption", "url", "secret_token", "callback_query_id", "filename", "photo"}


class ApiError(Exception):
    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class Sent:
    """A message of the bot as the chat shows it now (edits applied)."""

    chat_id: int
    message_id: int
    text: str | None
    keyboard: list[list[dict[str, Any]]] | None = None
    document: tuple[str, bytes] | None = None
    photo: str | None = None
    """The URL of a photo sent by URL (Telegram fetches it)."""

    @property
    def labels(self) -> list[str]:
        return [button["text"] for row in self.keyboard or [] for button in row]

    def button(self, part: str) -> dict[str, Any]:
        matches = [b for row in self.keyboard or [] for b in row if part in b["text"]]
        assert len(matches) == 1, f"{part!r} in {self.labels}"
        return matches[0]


def units(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.sent: dict[tuple[int, int], Sent] = {}
        self.sent_count: Counter[int] = Counter()
        """Messages sent to each chat (fast to poll, for the benchmark)."""
        self._updates: list[dict[str, Any]] = []
        self._offset = 0
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._chats: dict[int, dict[str, Any]] = {}
        self._open_queries: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True  # ends open long polls at once
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def unanswered(self) -> set[str]:
        """Callback queries nobody answered yet."""
        return set(self._open_queries)

    def methods(self, *names: str) -> list[Call]:
        return [call for call in self.calls if call.method in names]

    def chat(self, chat_id: int) -> list[Sent]:
        return [sent for key, sent in sorted(self.sent.items()) if key[0] == chat_id]

    # Updates, as Telegram would send them.

    def message(
        self, user: int, text: str | None, *, chat: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        chat = chat or private_chat(user)
        self._chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._ids) + 100_000,
            "date": int(time.time()),
            "chat": chat,
            "from": person(user),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0].split("{")[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._ids), "message": message}

    def press(self, user: int, sent: Sent, label: str) -> dict[str, Any]:
        """A tap on the button of `sent` whose label contains `label`."""
        return self.callback(user, sent, sent.button(label)["callback_data"])

    def callback(self, user: int, sent: Sent, data: str) -> dict[str, Any]:
        query_id = str(next(self._ids))
        self._open_queries.add(query_id)
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": query_id,
                "from": person(user),
                "chat_instance": f"ci{sent.chat_id}",
                "data": data,
                "message": self._message_json(sent),
            },
        }

    async def queue(self, update: dict[str, Any]) -> None:
        """Hand `update` to the next getUpdates."""
        self._updates.append(update)
        await self._notify()

    async def fetched(self, update_id: int) -> None:
        """Until the bot confirmed `update_id` (its next getUpdates has a higher offset)."""
        await self.until(lambda: self._offset > update_id)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, condition: Callable[[], bool], timeout: float = WAIT) -> None:
        """Until `condition` holds after some call; fails the test after `timeout` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    # The API.

    async def _serve(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(ApiError("Unauthorized", 401))
        call = await _read_call(request)
        self.calls.append(call)
        handler = getattr(self, f"_{call.method}", None)
        if handler is None:
            return _error(ApiError("Not Found: method not found", 404))
        try:
            result = await handler(call.params, call.files)
        except ApiError as exc:
            return _error(exc)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any], files: Any) -> Any:
        return BOT

    async def _getUpdates(self, params: dict[str, Any], files: Any) -> Any:
        self._offset = max(self._offset, int(params.get("offset") or 0))
        self._updates = [u for u in self._updates if u["update_id"] >= self._offset]
        await self._notify()
        timeout = min(float(params.get("timeout") or 0), WAIT)
        if not self._updates and timeout:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_updates(), timeout)
        return self._updates[: int(params.get("limit") or 100)]

    async def _wait_updates(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._updates) or self._closing)

    async def _setMyCommands(self, params: dict[str, Any], files: Any) -> Any:
        commands = params["commands"]
        for command in commands:
            name, about = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and name == name.lower() and 1 <= len(about) <= 256):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
        if len(commands) > 100:
            raise ApiError("Bad Request: too many commands")
        return True

    async def _deleteWebhook(self, params: dict[str, Any], files: Any) -> Any:
        return True

    async def _setWebhook(self, params: dict[str, Any], files: Any) -> Any:
        return True

    async def _sendMessage(self, params: dict[str, Any], files: Any) -> Any:
        text = params.get("text", "")
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        if units(text) > 4096:
            raise ApiError("Bad Request: message is too long")
        return self._new(params, text=text, keyboard=_keyboard(params))

    async def _sendDocument(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> Any:
        document = files.get("document")
        if document is None or not document[1]:
            raise ApiError("Bad Request: file must be non-empty")
        if units(params.get("caption", "")) > 1024:
            raise ApiError("Bad Request: message caption is too long")
        return self._new(params, text=params.get("caption"), document=document)

    async def _sendPhoto(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        """A PNG uploaded, or a URL Telegram fetches: one that is no http(s) URL is refused,
        and so is one on an `.invalid` host, as Telegram refuses what it cannot fetch."""
        if units(params.get("caption", "")) > 1024:
            raise ApiError("Bad Request: message caption is too long")
        url = params.get("photo")
        if isinstance(url, str):
            if not url.startswith(("http://", "https://")):
                raise ApiError("Bad Request: wrong HTTP URL specified")
            host = urlsplit(url).hostname or ""
            if not host or host.endswith(".invalid"):
                raise ApiError("Bad Request: failed to get HTTP URL content")
            return self._new(
                params, text=params.get("caption"), keyboard=_keyboard(params), photo=url
            )
        photo = files.get("photo")
        if photo is None or not photo[1].startswith(b"\x89PNG"):
            raise ApiError("Bad Request: IMAGE_PROCESS_FAILED")
        return self._new(params, text=params.get("caption"), document=photo)

    async def _editMessageText(self, params: dict[str, Any], files: Any) -> Any:
        sent = self._find(params)
        text, keyboard = params["text"], _keyboard(params)
        if units(text) > 4096:
            raise ApiError("Bad Request: message is too long")
        if (text, keyboard) == (sent.text, sent.keyboard):
            raise ApiError("Bad Request: message is not modified")
        sent.text, sent.keyboard = text, keyboard  # no reply_markup: the keyboard goes
        return self._message_json(sent)

    async def _editMessageReplyMarkup(self, params: dict[str, Any], files: Any) -> Any:
        sent = self._find(params)
        keyboard = _keyboard(params)
        if keyboard == sent.keyboard:
            raise ApiError("Bad Request: message is not modified")
        sent.keyboard = keyboard
        return self._message_json(sent)

    async def _answerCallbackQuery(self, params: dict[str, Any], files: Any) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self._open_queries:
            raise ApiError("Bad Request: query is too old and response timeout expired")
        if units(params.get("text", "")) > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        return True

    def _new(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        sent = Sent(chat_id, next(self._ids), **content)
        self.sent[(chat_id, sent.message_id)] = sent
        self.sent_count[chat_id] += 1
        return self._message_json(sent)

    def _find(self, params: dict[str, Any]) -> Sent:
        sent = self.sent.get((int(params["chat_id"]), int(params["message_id"])))
        if sent is None:
            raise ApiError("Bad Request: message to edit not found")
        return sent

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chats.get(sent.chat_id, {"id": sent.chat_id, "type": "private"}),
            "from": BOT,
        }
        if sent.photo is not None:
            message["photo"] = [{"file_id": "p1", "file_unique_id": "pu1", "width": 1, "height": 1}]
            if sent.text:
                message["caption"] = sent.text
        elif sent.document is not None:
            message["document"] = {
                "file_id": "f1",
                "file_unique_id": "u1",
                "file_name": sent.document[0],
            }
            if sent.text:
                message["caption"] = sent.text
        elif sent.text is not None:
            message["text"] = sent.text
        if sent.keyboard is not None:
            message["reply_markup"] = {"inline_keyboard": sent.keyboard}
        return message


def private_chat(user: int) -> dict[str, Any]:
    return {"id": user, "type": "private", "first_name": f"user{user}"}


def group_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": "concert fans"}


def person(user: int) -> dict[str, Any]:
    return {"id": user, "is_bot": False, "first_name": f"user{user}"}


async def _read_call(request: web.Request) -> Call:
    form = await request.post()
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = (value.filename, value.file.read())
        elif name in _STRINGS:
            params[name] = value
        else:
            try:
                params[name] = json.loads(value)
            except ValueError:
                params[name] = value
    return Call(request.match_info["method"], params, files)


def _keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]] | None:
    markup = params.get("reply_markup")
    if markup is None:
        return None
    rows = markup["inline_keyboard"]
    buttons = [button for row in rows for button in row]
    if any(len(button["callback_data"].encode()) > 64 for button in buttons):
        raise ApiError("Bad Request: BUTTON_DATA_INVALID")
    if len(buttons) > 100 or any(len(row) > 8 for row in rows):
        raise ApiError("Bad Request: reply markup is too long")
    return rows


def _error(exc: ApiError) -> web.Response:
    body = {"ok": False, "error_code": exc.code, "description": exc.description}
    return web.json_response(body, status=exc.code)
