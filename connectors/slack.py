"""The Slack connector: a slack-bolt `AsyncApp` on ozbot's web server, in front of the engine.

Events, button presses and the `/ozbot` command all arrive at `/slack/events`, or, in Socket
Mode (`SLACK_APP_TOKEN`), over a websocket ozbot opens to Slack, so that a laptop with no
public URL can serve: then nothing is taken over HTTP. A request
without Slack's signature of its body, within five minutes, gets 401 before its body is read
(`connectors/slack_requests.py`); a signed body Bolt could not read gets 400. Every request is
stored in the inbox (connectors/intake.py), then acknowledged; its work runs afterwards in a
background task, in order per conversation, and marks it done. What a killed process left in
the inbox is dispatched again at the next start, as Bolt dispatches Socket Mode requests (no
signature to check: it was checked when the request came). An event Slack delivers again (a
retry, or the same `event_id`), a slash command or a press sent again (the same `trigger_id`)
are acknowledged and dropped. Trainers (`SLACK_TRAINER_IDS`) answer every proposed action with
buttons; the connector keeps no dialogue state, so presses that answer no open question of the
presser's conversation change nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot import texts
from bot.background import BackgroundTasks
from bot.delivery import Delivery, delivering
from bot.engine import Engine
from bot.errors import ConnectorError
from bot.locks import ConversationLocks
from bot.outputs import Output
from bot.stores.inbox import Entry, Inbox, MemoryInbox
from connectors.chat_commands import BY_NAME, NAMES, ChatCommands, Context, Read, Wording, answer
from connectors.intake import Intake
from connectors.presses import handle_press
from connectors.slack_events import (
    Place,
    place,
    press_place,
    pressed_value,
    read_command,
    read_event,
    read_text,
)
from connectors.slack_post import Pressed, SlackPoster
from connectors.slack_render import ACTION_ID, SAY_ACTION_ID, escaped
from connectors.slack_requests import read_body, signed_by_slack
from connectors.slack_settings import EVENTS_PATH, SlackSettings
from connectors.tasks import ConnectorTasks
from connectors.web import WebServer

log = logging.getLogger(__name__)
SOCKET_CONNECT_SECONDS = 30.0
INTENT_PREFIXES = ("!", "/")
"""Slack clients never send a message that starts with "/": typed intents start with "!"."""
WORDING = Wording(texts.SLACK_HELP_TRAINER, texts.SLACK_HELP_USER, texts.SLACK_TRAINERS_ONLY)
USAGE = texts.slack_usage(NAMES)
_REQUEST = "ozbot_request"
"""Where a request's `Request` is in Bolt's context."""


@dataclass
class Request:
    """A request's entry in the inbox (None until stored, and for a repeat), and whether its
    work was queued (which marks the entry done when it has run)."""

    entry: Entry | None = None
    queued: bool = False


class SlackConnector:
    """Lifecycle: `start` (checks the token), then `stop` (finishes the work acknowledged)."""

    def __init__(
        self,
        engine: Engine,
        settings: SlackSettings,
        commands: ChatCommands,
        web: WebServer,
        *,
        inbox: Inbox | None = None,
        tasks: BackgroundTasks | None = None,
    ) -> None:
        """`inbox` keeps the requests until their work is done (else this process remembers
        their ids only); `tasks` runs the work after each ack (the running bot's, so that
        failures are counted; else its own)."""
        self.engine = engine.with_intent_prefixes(INTENT_PREFIXES)
        self.settings = settings
        self._commands = commands
        self._intake = Intake(inbox or MemoryInbox(), "slack")
        self.client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url)
        self._post = SlackPoster(self.client)
        self.app = AsyncApp(
            signing_secret=settings.signing_secret,
            client=self.client,
            process_before_response=True,  # listeners only queue work: the ack stays quick
        )
        self.app.middleware(self._through_inbox)
        self.app.event("message")(self._on_event)
        self.app.event("app_mention")(self._on_event)
        self.app.action(ACTION_ID)(self._on_press)
        self.app.action(SAY_ACTION_ID)(self._on_said)
        self.app.command("/ozbot")(self._on_command)
        if not settings.socket_mode:  # Socket Mode has no signing secret: no HTTP door at all
            web.add_post(EVENTS_PATH, self._on_request)
        self._socket: _SocketThroughInbox | None = None
        self._order = ConversationLocks()
        self._tasks = ConnectorTasks(tasks)

    async def start(self) -> None:
        await auth_test(self.client, self.settings.api_url)
        await self._intake.start(self._replay)
        if self.settings.app_token is not None:
            await self._open_socket(self.settings.app_token)

    async def _open_socket(self, app_token: str) -> None:
        """Socket Mode: ask Slack for a websocket URL with the app-level token (so a wrong token
        is a clear error here, not endless retries in the SDK), then connect."""
        try:
            opened = await self.client.apps_connections_open(app_token=app_token)
        except SlackApiError as exc:
            raise ConnectorError(
                f"Slack refused SLACK_APP_TOKEN (apps.connections.open: "
                f"{exc.response.get('error')}); turn Socket Mode on and copy an app-level token "
                "(xapp-...) with the scope connections:write from Basic Information"
            ) from exc
        except (SlackClientError, OSError) as exc:
            raise ConnectorError(
                f"cannot reach Slack's Web API at {self.settings.api_url}: {exc}"
            ) from exc
        self._socket = _SocketThroughInbox(self.app, app_token, self._dispatch)
        self._socket.client.wss_uri = opened["url"]
        try:
            await asyncio.wait_for(self._socket.connect_async(), SOCKET_CONNECT_SECONDS)
        except TimeoutError:
            await self._socket.close_async()
            raise ConnectorError(
                f"cannot open Slack's Socket Mode websocket within {SOCKET_CONNECT_SECONDS:.0f} "
                "s; check the network (a proxy or firewall may block wss://)"
            ) from None
        log.info("Slack Socket Mode connected")

    async def stop(self) -> None:
        if self._socket is not None:  # no new events; the work acknowledged goes on to its end
            await self._socket.close_async()
        await self._intake.stop()
        await self.idle()

    async def idle(self) -> None:
        """Wait until the work of every request acknowledged so far is done."""
        await self._tasks.idle()

    def _is_trainer(self, user: str) -> bool:
        return user in self.settings.trainer_ids

    async def _on_request(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = request.headers
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        secret = self.settings.signing_secret
        if not signed_by_slack(raw, timestamp, signature, secret, time.time()):
            log.debug("a request to %s without Slack's signature; refused", request.path)
            return web.Response(status=401)
        body = read_body(raw, headers.get("Content-Type", ""))
        if body is None:
            log.warning("a signed Slack request whose body is not one Slack sends; refused")
            return web.Response(status=400)
        held = Request()
        bolt = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(headers), context={_REQUEST: held}
        )
        return await to_aiohttp_response(await self._dispatch(bolt, held))

    async def _dispatch(self, bolt: AsyncBoltRequest, held: Request) -> BoltResponse:
        """Every request goes to Bolt through here, with `held` as its context's `Request`:
        an entry whose listener queued no work is done once Bolt has answered (Bolt runs
        the listeners after the middleware has returned)."""
        response = await self.app.async_dispatch(bolt)
        if held.entry is not None and not held.queued:
            await self._intake.done(held.entry)
        return response

    async def _through_inbox(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """A request is stored before it is acknowledged; one delivered before (Slack retries
        unanswered events; a replay of a signed command or press) is acknowledged only."""
        request: Request = context[_REQUEST]
        if request.entry is None:  # not one dispatched from the inbox
            key = _delivery_key(body) or f"slack:unkeyed:{uuid.uuid4().hex}"
            request.entry = await self._intake.accept(key, json.dumps(body))
            if request.entry is None:
                return BoltResponse(status=200, body="")
        return await next()

    async def _replay(self, entry: Entry) -> None:
        """Dispatches a request from the inbox, as Bolt does a Socket Mode request."""
        held = Request(entry)
        bolt = AsyncBoltRequest(
            body=json.loads(entry.payload), context={_REQUEST: held}, mode="socket_mode"
        )
        await self._dispatch(bolt, held)

    def tell_trainers(self, text: str) -> None:
        """A note in every trainer's DMs ("model 7 live: ..."), sent in the background."""
        self._tasks.spawn(self._tell_trainers(text), "telling the Slack trainers")

    async def _tell_trainers(self, text: str) -> None:
        for trainer in sorted(self.settings.trainer_ids):
            try:  # a user id as channel: Slack posts into the app's DM with that user
                await self.client.chat_postMessage(
                    channel=trainer, text=escaped(texts.NOTICE.format(text=text))
                )
            except SlackClientError as exc:
                log.warning("cannot tell trainer %s %r: %s", trainer, text, exc)

    def _later(
        self,
        context: AsyncBoltContext,
        where: Place,
        user: str,
        work: Coroutine[Any, Any, None],
    ) -> None:
        """Run `work` after the ack, after earlier work of the same conversation; the
        request is done when it has run."""
        request: Request = context[_REQUEST]
        assert request.entry is not None  # the middleware stored it
        request.queued = True
        what = f"handling a Slack request in {where.conversation}"
        self._tasks.spawn(self._in_order(request.entry, where, user, work), what)

    async def _in_order(
        self, entry: Entry, where: Place, user: str, work: Coroutine[Any, Any, None]
    ) -> None:
        """Tell the user when the work fails; the failure itself goes on to the task's log."""
        try:
            async with self._order.hold(where.conversation):
                with delivering(Delivery(entry.key, entry.again)):
                    await work
        except Exception:
            try:
                await self._post.ephemeral(where, user, texts.FAILED)
            except SlackClientError:
                log.exception("could not tell the user about the failure")
            raise
        finally:
            await self._intake.done(entry)

    async def _on_event(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        read = read_event(event, self.settings.trainer_ids)
        if read is not None:
            where, user, what = read
            self._later(context, where, user, self._converse(where, user, what))

    async def _converse(self, where: Place, user: str, read: Read) -> None:
        outputs = await self._answer(where, user, read)
        await self._post.show(where, user, outputs)

    async def _answer(self, where: Place, user: str, read: Read) -> list[Output]:
        context = Context(
            self.engine, where.conversation, self._is_trainer(user), self._commands, WORDING
        )
        return await answer(read, context)

    async def _on_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        user, channel = command.get("user_id", ""), command.get("channel_id", "")
        where = place(channel, user, None, self.settings.trainer_ids)
        read = read_command(command.get("text", ""))

        async def notify(text: str) -> None:
            await respond(escaped(text))  # ephemeral, through the command's response_url

        async def run() -> None:
            if read is None:
                await notify(USAGE)
                return
            outputs = await self._answer(where, user, read)
            await self._post.show(where, user, outputs, tell_user=notify)

        self._later(context, where, user, run())

    async def _on_press(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        found = press_place(body, self.settings.trainer_ids)
        if found is None:
            log.warning("a Slack press without user, channel or message; ignored")
            return
        where, user = found
        message = body["message"]
        pressed = Pressed(message["ts"], list(message.get("blocks") or []))
        work = self._press(where, user, pressed_value(body), pressed)
        self._later(context, where, user, work)

    async def _on_said(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """A bot message's button pressed: the presser typing its payload where the pressed
        message is (its thread or channel, as `press_place` tells), like a message typed."""
        await ack()
        found, payload = press_place(body, self.settings.trainer_ids), pressed_value(body)
        if found is None or payload is None:
            log.warning("a Slack press without user, channel, message or value; ignored")
            return
        where, user = found
        self._later(context, where, user, self._converse(where, user, read_text(payload)))

    async def _press(self, where: Place, user: str, value: str | None, pressed: Pressed) -> None:
        trainer = self._is_trainer(user)

        async def command(name: str) -> list[Output]:
            return await self._answer(where, user, BY_NAME[name])

        outcome = await handle_press(
            self.engine, where.conversation, value, trainer=trainer, command=command
        )
        if isinstance(outcome, str):
            await self._post.ephemeral(where, user, outcome)
        else:
            await self._post.show(where, user, outcome, pressed=pressed)


async def auth_test(client: AsyncWebClient, api_url: str) -> AsyncSlackResponse:
    """Slack's auth.test of the bot token (its bot user and workspace); raises
    ConnectorError saying what to fix."""
    try:
        return await client.auth_test()
    except SlackApiError as exc:
        raise ConnectorError(
            f"Slack refused SLACK_BOT_TOKEN (auth.test: {exc.response.get('error')}); copy the "
            "Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page"
        ) from exc
    except (SlackClientError, OSError) as exc:
        raise ConnectorError(
            f"cannot reach Slack's Web API at {api_url}: {exc}; check the network and SLACK_API_URL"
        ) from exc


def _delivery_key(body: dict[str, Any]) -> str | None:
    """What tells a delivery of a request from another: an event's id, the trigger of a
    command or a press."""
    event_id, trigger_id = body.get("event_id"), body.get("trigger_id")
    if isinstance(event_id, str):
        return f"slack:{event_id}"
    if "command" in body and isinstance(trigger_id, str):
        return f"slack:command:{trigger_id}"
    if body.get("type") == "block_actions" and isinstance(trigger_id, str):
        return f"slack:press:{trigger_id}"
    return None


class _SocketThroughInbox(AsyncSocketModeHandler):
    """Socket Mode requests take the HTTP requests' way to Bolt (`dispatch`, with a `Request`
    in the context): stored in the inbox before the envelope is acknowledged, done after."""

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        dispatch: Callable[[AsyncBoltRequest, Request], Awaitable[BoltResponse]],
    ) -> None:
        super().__init__(app, app_token)
        self._through = dispatch

    async def handle(self, client: Any, req: Any) -> None:
        started, held = time.time(), Request()
        bolt = AsyncBoltRequest(
            body=req.payload,
            headers=build_headers(req),
            context={_REQUEST: held},
            mode="socket_mode",
        )
        await send_async_response(client, req, await self._through(bolt, held), started)
