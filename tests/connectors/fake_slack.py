"""A local fake of the Slack Web API on 127.0.0.1, and requests signed as Slack signs them.

It serves `/api/<method>` for the methods ozbot uses, records every call, keeps the messages
the bot posted (edits applied, so a test can press their buttons), takes file uploads at the
URL it hands out, and is the sink of every `response_url`. Like Slack it refuses a wrong token
and blocks beyond Block Kit's limits. For Socket Mode it hands out a websocket URL
(`apps.connections.open`, with the app-level token only), says hello on it, `deliver`s
envelopes over it and records the app's acks. `SlackRequests` builds the raw events, slash
commands and block_actions payloads Slack would send, signed with the app's signing secret.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0APP001-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER = "UBOT0001"
TEAM = "T0TEAM01"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Posted:
    """A message of the bot as the conversation shows it now (edits applied)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [
            element
            for block in self.blocks
            if block["type"] == "actions"
            for element in block["elements"]
        ]

    @property
    def labels(self) -> list[str]:
        return [button["text"]["text"] for button in self.buttons]

    @property
    def shown(self) -> str:
        """Every text of the message's blocks, one a line."""
        lines = []
        for block in self.blocks:
            if block["type"] == "section":
                lines.append(block["text"]["text"])
            elif block["type"] == "context":
                lines += [element["text"] for element in block["elements"]]
        return "\n".join(lines)

    def button(self, part: str) -> dict[str, Any]:
        matches = [b for b in self.buttons if part in b["text"]["text"]]
        assert len(matches) == 1, f"{part!r} in {self.labels}"
        return matches[0]


class BlockKitError(Exception):
    pass


def check_blocks(blocks: list[dict[str, Any]]) -> None:
    """Block Kit's limits that ozbot's messages come near."""
    if len(blocks) > 50:
        raise BlockKitError("more than 50 blocks")
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    if len(action_ids) != len(set(action_ids)):
        raise BlockKitError("duplicate action_id")
    for block in blocks:
        if block["type"] == "actions":
            if not 1 <= len(block["elements"]) <= 25:
                raise BlockKitError("actions block with 0 or more than 25 elements")
            for element in block["elements"]:
                if len(element["text"]["text"]) > 75 or len(element["value"]) > 2000:
                    raise BlockKitError("button text over 75 or value over 2000 characters")
                if len(element["action_id"]) > 255:
                    raise BlockKitError("action_id over 255 characters")
        elif block["type"] == "section" and len(block["text"]["text"]) > 3000:
            raise BlockKitError("section text over 3000 characters")
        elif block["type"] == "context" and len(block["elements"]) > 10:
            raise BlockKitError("context with more than 10 elements")
        elif block["type"] == "image":
            _check_image(block)


def _check_image(block: dict[str, Any]) -> None:
    """An image block as Slack takes it: Slack downloads the image, so a URL on an `.invalid`
    host fails as an image Slack cannot fetch does."""
    url, alt = block["image_url"], block["alt_text"]
    if not url.startswith(("http://", "https://")) or len(url) > 3000:
        raise BlockKitError("image_url must be an http(s) URL of at most 3000 characters")
    if not 1 <= len(alt) <= 2000:
        raise BlockKitError("alt_text must be 1 to 2000 characters")
    if (urlsplit(url).hostname or "").endswith(".invalid"):
        raise BlockKitError(f"downloading image failed [json-pointer:/blocks/0/image_url] {url}")


class FakeSlackApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.posted: dict[str, Posted] = {}
        """The bot's messages by ts."""
        self.ephemeral: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        """What was POSTed to response_urls."""
        self.uploads: dict[str, bytes] = {}
        self.posted_count: Counter[str] = Counter()
        """Messages posted to each channel (fast to poll, for the benchmark)."""
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._app = web.Application()
        self._app.router.add_post("/api/{method}", self._api)
        self._app.router.add_post("/upload/{file_id}", self._upload)
        self._app.router.add_post("/respond/{id}", self._respond)
        self._app.router.add_get("/link", self._socket_link)
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, dict[str, Any]] = {}
        """Socket Mode: each envelope's ack as the app sent it, by envelope id."""
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    async def until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Wait until `ready()` holds after some call, at most `timeout` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), timeout)

    def methods(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def channel(self, channel: str, thread_ts: str | None = None) -> list[Posted]:
        return [
            posted
            for posted in self.posted.values()
            if posted.channel == channel and posted.thread_ts == thread_ts
        ]

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(Call(method, params))
        given = request.headers.get("Authorization")
        expected = APP_TOKEN if method == "apps.connections.open" else TOKEN
        if given != f"Bearer {expected}":
            known = given in (f"Bearer {TOKEN}", f"Bearer {APP_TOKEN}")
            error = "not_allowed_token_type" if known else "invalid_auth"
            return web.json_response({"ok": False, "error": error})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        try:
            result = handler(params)
        except BlockKitError as exc:
            return web.json_response({"ok": False, "error": "invalid_blocks", "detail": str(exc)})
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, **result})

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": BOT_USER, "bot_id": "B0BOT001", "team_id": TEAM, "team": "Test"}

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws{self.base.removeprefix('http')}/link?ticket={uuid.uuid4()}"}

    async def _socket_link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP001"}}
        )
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.acks[ack["envelope_id"]] = ack
                async with self._changed:
                    self._changed.notify_all()
        return socket

    def open_sockets(self) -> list[web.WebSocketResponse]:
        return [socket for socket in self.sockets if not socket.closed]

    async def deliver(self, kind: str, payload: dict[str, Any]) -> str:
        """Sends an envelope (`events_api`, `slash_commands`, `interactive`) over the one open
        socket; returns its id, which the app's ack names."""
        [socket] = self.open_sockets()
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        await socket.send_json(envelope)
        return envelope_id

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        blocks = params.get("blocks") or []
        check_blocks(blocks)
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        thread = params.get("thread_ts")
        self.posted[ts] = Posted(params["channel"], ts, params.get("text", ""), blocks, thread)
        self.posted_count[params["channel"]] += 1
        return {"channel": params["channel"], "ts": ts}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        check_blocks(params.get("blocks") or [])
        posted = self.posted[params["ts"]]
        assert posted.channel == params["channel"]
        posted.text, posted.blocks = params.get("text", ""), params.get("blocks") or []
        return {"channel": posted.channel, "ts": posted.ts}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append(Call("chat.postEphemeral", params))
        return {"message_ts": f"{time.time():.6f}"}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts):07d}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params["files"]
        missing = [f["id"] for f in files if f["id"] not in self.uploads]
        assert missing == [], f"completed before uploading {missing}"
        return {"files": [{"id": f["id"], "title": f["title"]} for f in files]}

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}))
        return web.Response(text="OK")

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        self.calls.append(Call("response_url", self.responses[-1]))
        return web.Response(text="ok")

    def uploaded(self, call: Call) -> bytes:
        """The content of a files.completeUploadExternal call's one file."""
        [file] = call.params["files"]
        return self.uploads[file["id"]]


async def _params(request: web.Request) -> dict[str, Any]:
    """Query, form and JSON parameters; JSON-valued form fields decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params |= await request.json()
    else:
        params |= dict(await request.post())
    for name in ("blocks", "files", "attachments"):
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params


@dataclass
class Signed:
    body: bytes
    headers: dict[str, str]


class SlackRequests:
    """Raw requests as Slack sends them to the app, signed with `secret`."""

    def __init__(self, api: FakeSlackApi, secret: str = SIGNING_SECRET) -> None:
        self.api = api
        self.secret = secret
        self._ids = itertools.count(1)

    def sign(
        self, body: str, content_type: str, *, secret: str | None = None, age: int = 0
    ) -> Signed:
        timestamp = str(int(time.time()) - age)
        signature = SignatureVerifier(secret or self.secret).generate_signature(
            timestamp=timestamp, body=body
        )
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        }
        return Signed(body.encode(), headers)

    def event(
        self,
        user: str,
        text: str,
        channel: str,
        *,
        kind: str = "message",
        thread_ts: str | None = None,
        event_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        number = next(self._ids)
        event: dict[str, Any] = {
            "type": kind,
            "user": user,
            "text": text,
            "channel": channel,
            "ts": f"{1_600_000_000 + number}.000200",
            "event_ts": f"{1_600_000_000 + number}.000200",
            **extra,
        }
        if kind == "message":
            event.setdefault("channel_type", "im" if channel.startswith("D") else "channel")
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0APP001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": 1_600_000_000 + number,
            "event": event,
        }

    def signed_event(self, body: dict[str, Any], **how: Any) -> Signed:
        return self.sign(json.dumps(body), "application/json", **how)

    def command(self, user: str, text: str, channel: str) -> Signed:
        number = next(self._ids)
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/ozbot",
            "text": text,
            "api_app_id": "A0APP001",
            "response_url": f"{self.api.base}/respond/{number}",
            "trigger_id": f"trigger.{number}",
        }
        return self.sign(urlencode(form), "application/x-www-form-urlencoded")

    def press(self, user: str, posted: Posted, label: str, *, value: str | None = None) -> Signed:
        """A block_actions payload for the button whose label contains `label`."""
        button = posted.button(label)
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "block_id": "ozbot",
            "text": button["text"],
            "value": button["value"] if value is None else value,
            "action_ts": f"{time.time():.6f}",
        }
        return self.actions(user, posted, action)

    def actions(self, user: str, posted: Posted, action: dict[str, Any]) -> Signed:
        number = next(self._ids)
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "ts": posted.ts,
            "text": posted.text,
            "blocks": posted.blocks,
        }
        if posted.thread_ts is not None:
            message["thread_ts"] = posted.thread_ts
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0APP001",
            "team": {"id": TEAM},
            "container": {"type": "message", "message_ts": posted.ts, "channel_id": posted.channel},
            "channel": {"id": posted.channel, "name": "general"},
            "message": message,
            "response_url": f"{self.api.base}/respond/{number}",
            "trigger_id": f"trigger.{number}",
            "actions": [action],
        }
        return self.sign(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )
