"""Chat scenario fixtures: the fake Bot API and Slack Web API, Telegram connectors started
against them, and what the chat tests share (a review desk, held turns, Redis)."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.actions import ActionRegistry
from bot.app import load_project
from bot.domain import domain_from_dict
from bot.engine import Engine
from bot.events import UserUttered
from bot.exporter import StoryExporter
from bot.policy import ModelStatus, Prediction
from bot.review import ReviewRules
from bot.review_desk import ReviewDesk
from bot.settings import read_settings
from bot.stores.inbox import Inbox
from bot.stores.memory import MemoryTrackerStore
from bot.stores.redis import RedisTrackerStore
from bot.stores.redis_inbox import RedisInbox
from bot.stores.review_queue import MemoryReviewQueue
from bot.stores.settings import RedisSettings
from bot.stores.sqlite import SqliteTrackerStore
from bot.stories.reader import read_stories
from bot.tracker import Tracker
from connectors.chat_commands import ChatCommands, RetrainNow, StatusSource
from connectors.telegram import SECRET_HEADER, TelegramConnector
from connectors.telegram_settings import TelegramSettings
from connectors.web import WebServer, WebSettings
from policy.config import RetrainPace
from policy.deployer import TrainingSetup
from policy.model_store import ModelStore, Version, VersionRecord
from policy.retraining import Retraining, retraining
from policy.training import TrainingData, train_policy
from policy.training_process import TrainingProcess
from tests.bot.stores.test_redis_outage import RedisServer
from tests.conftest import REPO
from tests.connectors.fake_slack import FakeSlackApi
from tests.connectors.fake_telegram import TOKEN, WAIT, Call, FakeBotApi, Sent

TRAINER, TRAINER_2, USER = 111, 333, 222
SECRET = "s3cret-Token_1"
PUBLIC_URL = "https://bot.example.test/telegram"
STATUS = ModelStatus(model=3, stories=7, conversations=2, corrections=1)


class TellPolicy:
    """After a user's message the bot says its one response (`utter_tell`); then it listens."""

    def predict(self, tracker: Tracker) -> Prediction:
        state = tracker.current_state()
        action = "utter_tell" if state.prev_action == "action_listen" else "action_listen"
        return Prediction(action, 1.0, "rules", {action: 1.0})


def telling_engine(
    exports: Path, *variations: dict[str, Any], entities: tuple[str, ...] = ()
) -> Engine:
    """A bot that answers every message with its one response, of these variations."""
    domain = domain_from_dict(
        {"intents": ["tell"], "entities": [*entities], "responses": {"utter_tell": [*variations]}}
    )
    actions = ActionRegistry(domain, {})
    return Engine(domain, TellPolicy(), MemoryTrackerStore(), actions, StoryExporter(exports))


THAI = '/tell{"cuisine": "thai"}'


def picking_engine(exports: Path, too_long: str) -> Engine:
    """A bot that answers every message with "Pick" and two buttons: "Thai", which says
    `THAI`, and "All", whose payload `too_long` is too long for the platform's buttons."""
    buttons = [{"title": "Thai", "payload": THAI}, {"title": "All", "payload": too_long}]
    return telling_engine(exports, {"text": "Pick", "buttons": buttons}, entities=("cuisine",))


def said(tracker: Tracker) -> list[tuple[str, str, dict[str, Any]]]:
    """What the user said in a conversation: (text, intent, entities) a message."""
    return [(e.text, e.intent, e.entities) for e in tracker.events if isinstance(e, UserUttered)]


@dataclass
class Telegram:
    """A running connector seen from the chats: say things, press buttons, read what shows."""

    api: FakeBotApi
    connector: TelegramConnector
    web: WebServer | None

    async def deliver(self, *updates: dict[str, Any]) -> list[Call]:
        """Send updates the way the connector receives them; the calls the bot made for them."""
        before = len(self.api.calls)
        for update in updates:
            if self.web is None:
                await self.api.queue(update)
            else:
                assert await self.post(update) == 200
        if self.web is None:
            await self.api.fetched(updates[-1]["update_id"])
        await asyncio.wait_for(self.connector.application.update_queue.join(), WAIT)
        return [call for call in self.api.calls[before:] if call.method != "getUpdates"]

    async def post(self, body: Any, secret: str | None = SECRET) -> int:
        """POST to the webhook as Telegram does (bytes as they are); the HTTP status."""
        assert self.web is not None
        headers = {} if secret is None else {SECRET_HEADER: secret}
        url = f"http://127.0.0.1:{self.web.port}/telegram"
        sent = {"data": body} if isinstance(body, bytes) else {"json": body}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, headers=headers, **sent) as response,
        ):
            return response.status

    async def say(self, user: int, text: str, chat: dict[str, Any] | None = None) -> list[Call]:
        return await self.deliver(self.api.message(user, text, chat=chat))

    async def press(self, user: int, sent: Sent, label: str) -> list[Call]:
        return await self.deliver(self.api.press(user, sent, label))

    def question(self, chat_id: int) -> Sent:
        """A copy of the newest message with a keyboard in the chat (as it shows now)."""
        return copy.deepcopy([sent for sent in self.api.chat(chat_id) if sent.keyboard][-1])

    def texts(self, chat_id: int) -> list[str]:
        return [sent.text or "" for sent in self.api.chat(chat_id)]

    async def approve(self, chat_id: int, action: str, user: int | None = None) -> list[Call]:
        """Check the open question proposes `action` and press Yes."""
        question = self.question(chat_id)
        assert f"The bot wants to [{action}]" in (question.text or ""), question.text
        return await self.press(user or chat_id, question, "Yes")


Start = Callable[..., Awaitable[Telegram]]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram(fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Start]:
    """Starts connectors on an engine (polling, or webhook with `webhook=True`); at the end
    stops them, checks every callback query got its answer and that nothing logged an error."""
    running: list[Telegram] = []

    async def start(
        engine: Engine,
        *,
        webhook: bool = False,
        status: StatusSource = lambda: STATUS,
        retrain: RetrainNow | None = None,
        inbox: Inbox | None = None,
        reviews: ReviewDesk | None = None,
    ) -> Telegram:
        settings = TelegramSettings(
            token=TOKEN,
            base_url=fake_api.base_url,
            trainer_ids=frozenset({TRAINER, TRAINER_2}),
            webhook_url=PUBLIC_URL if webhook else None,
            webhook_secret=SECRET,
            poll_timeout=1,
        )
        web = WebServer(WebSettings("127.0.0.1", 0)) if webhook else None
        commands = ChatCommands(status, retrain, reviews)
        connector = TelegramConnector(engine, settings, commands, web=web, inbox=inbox)
        if web is not None:
            await web.start()
        await connector.start()
        running.append(Telegram(fake_api, connector, web))
        return running[-1]

    yield start
    for tg in running:
        await tg.connector.stop()
        if tg.web is not None:
            await tg.web.stop()
    assert fake_api.unanswered == set()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


@pytest.fixture
def review_desk(engine: Engine) -> ReviewDesk:
    """A review desk in memory on the engine: a user's turn whose action is below 0.9 waits
    there for a trainer's /review."""
    engine.review = ReviewRules(action_threshold=0.9)
    engine.reviews = desk = ReviewDesk(engine, MemoryReviewQueue(engine.store), engine.review)
    return desk


@pytest.fixture
def hold_turns(monkeypatch: pytest.MonkeyPatch) -> Callable[[Engine], asyncio.Event]:
    """Makes an engine's turns wait for the event it returns: a request then stays in flight
    as long as the test needs."""

    def hold(engine: Engine) -> asyncio.Event:
        go, handle = asyncio.Event(), engine.handle

        async def held_handle(*args: Any, **kwargs: Any) -> Any:
            await go.wait()
            return await handle(*args, **kwargs)

        monkeypatch.setattr(engine, "handle", held_handle)
        return go

    return hold


@dataclass
class OnRedis:
    """An engine and an inbox on a redis-server of the test's own, which `stop()` stops."""

    engine: Engine
    inbox: Inbox
    server: RedisServer

    async def stop(self) -> None:
        await asyncio.to_thread(self.server.stop)


@pytest.fixture
async def on_redis(tmp_path: Any, engine: Engine) -> AsyncIterator[OnRedis]:
    server = RedisServer(tmp_path)
    server.start()
    settings = RedisSettings(f"redis://127.0.0.1:{server.port}/0", "ozbot-test:down")
    store = await RedisTrackerStore.connect(settings)
    inbox = await RedisInbox.connect(settings, "chat")
    on_redis = copy.copy(engine)
    on_redis.store = store
    yield OnRedis(on_redis, inbox, server)
    await inbox.close()
    await store.close()
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
async def taught_retraining(tmp_path: Any) -> AsyncIterator[Retraining]:
    """Retraining of the concert bot on its trained policy, in the training process.

    Retraining is pushed out of the test's time, so memoization alone makes corrections stick.
    """
    loaded = load_project(read_settings(REPO, {}))
    data = TrainingData(read_stories(REPO / "stories" / "stories.md"), {})
    policy = train_policy(loaded.domain, data, loaded.config)
    models = ModelStore(tmp_path / "models")
    live = VersionRecord.of(1, policy, data)
    models.commit(models.add(policy, live), 1)
    training = TrainingSetup(loaded.domain, loaded.config, models, TrainingProcess())
    later = RetrainPace(wait_seconds=3600)
    async with retraining(training, Version(policy, live), data, tell=print, pace=later) as parts:
        yield parts


@pytest.fixture
async def taught_engine(tmp_path: Any, taught_retraining: Retraining) -> AsyncIterator[Engine]:
    """The concert bot on its trained policy, a SQLite store and a learner: corrections stick."""
    loaded = load_project(read_settings(REPO, {}))
    store = await SqliteTrackerStore.open(tmp_path / "ozbot.db")
    exporter = StoryExporter(tmp_path / "exported")
    live, learner = taught_retraining.live, taught_retraining.learner
    yield Engine(live.domain, live, store, loaded.actions, exporter, learner)
    await store.close()
