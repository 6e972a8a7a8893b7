"""The one place that builds the running bot, from its settings to the connectors that serve it.

Every concrete part is chosen and wired here and nowhere else: the store (SQLite or Redis), the
model that serves and its retraining (training process, rollout to the replicas), the engine,
the connectors (terminal, Telegram, Slack) and the web server with /healthz and /metrics. The
subcommands (bot/commands/) read the settings (bot/settings.py) and ask this module for what
they need. A start builds, in this order:

    settings -> project -> store -> model version -> rollout (Redis) -> retraining -> engine
             -> connectors, each joining the trainer notes -> web server -> start

Notes for the trainers ("model 7 live", a failed retrain) flow the other way: retraining tells
`TrainerNotes`, which passes them to the terminal and to every chat connector that serves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from bot import texts
from bot.action_loader import load_custom_actions, needs_rasa_library
from bot.actions import ActionRegistry
from bot.background import BackgroundTasks
from bot.domain import Domain, load_domain
from bot.engine import Engine
from bot.errors import ActionLoadError, ProjectError, StoreError
from bot.exporter import StoryExporter, project_story_format
from bot.health import Health, check_health
from bot.interpreter import Interpreter, Nlu
from bot.nlu.model import NluData
from bot.nlu.taught_readings import TaughtReadings
from bot.policy import Learners
from bot.project import Project, has_stories_folder, nothing_to_train
from bot.redaction import shown_url
from bot.review_desk import ReviewDesk
from bot.settings import Serving, Settings
from bot.stores.base import TrackerStore
from bot.stores.inbox import Inbox
from bot.stores.memory import MemoryTrackerStore
from bot.stores.redis import RedisTrackerStore
from bot.stores.redis_inbox import RedisInbox
from bot.stores.redis_rollout import RedisRollout
from bot.stores.review_queue import MemoryReviewQueue, ReviewQueue, SqliteReviewQueue
from bot.stores.review_redis import RedisReviewQueue
from bot.stores.sqlite import SqliteTrackerStore
from bot.stores.sqlite_inbox import SqliteInbox
from bot.stories.drawing import dialogue_dot
from bot.stories.export import stories_from_events
from bot.stories.model import Rule, Story
from bot.telemetry import Telemetry
from bot.training_files import readable_training_files
from connectors import observability
from connectors.chat_commands import ChatCommands, check_domain
from connectors.console import Console, ReadLine, Write
from connectors.slack import SlackConnector
from connectors.telegram import TelegramConnector
from connectors.web import WebServer
from nlu.interpreter import BuiltinInterpreter
from nlu.part import NAME as NLU
from nlu.part import NluPart
from nlu.python_class import PythonInterpreter, interpreter_class
from nlu.rasa_http import RasaHttpInterpreter
from policy.config import PolicyConfig, check_fallback_action
from policy.deployer import Notify, Rollout, TrainingSetup
from policy.lightgbm_policy import Progress
from policy.live_model import LiveModel
from policy.model_store import ModelStore, Version
from policy.retrain_schedule import RetrainSchedule
from policy.retraining import retraining
from policy.taught import read_taught
from policy.training import TrainingData
from policy.training_process import TrainingProcess
from policy.versions import starting_version, train_now
from rasa_actions.sdk import in_process_action
from rasa_actions.server import ActionServer

log = logging.getLogger(__name__)
ChatConnector = TelegramConnector | SlackConnector
SHUTDOWN_SECONDS = 10.0
"""How long the connectors' background work (notes, Slack replies) may take at a stop."""


@dataclass(frozen=True)
class LoadedProject:
    """A project's files, read and checked: what the bot knows before it talks."""

    settings: Settings
    domain: Domain
    stories: list[Story]
    actions: ActionRegistry
    nlu: NluData
    """The NLU training data beside the stories; none means typed intents only."""
    rules: list[Rule] = field(default_factory=list)
    action_server: ActionServer | None = None
    """endpoints.yml's action server, for the domain's actions not implemented here; started
    by `running_bot`."""
    nlu_class: type | None = None
    """config.yml's `nlu: {class: ...}`, imported and checked once, here."""

    @property
    def project(self) -> Project:
        return self.settings.project

    @property
    def config(self) -> PolicyConfig:
        return self.settings.policy


def load_project(settings: Settings) -> LoadedProject:
    """Read the domain, stories and custom actions; raises ProjectError with what to fix.

    A domain with an intent named like one of ozbot's chat commands is refused here, so that
    every command refuses the same domains before anything trains. A story file that cannot be
    read is logged and skipped (`ozbot check` lists it as a problem).
    """
    project = settings.project
    domain = load_domain(project.domain_file)
    check_domain(domain, project.domain_file)
    has_stories_folder(project)  # a stories/ that is a file is refused
    files = readable_training_files(project)
    for error in dict.fromkeys(map(str, files.skipped)):
        log.warning("skipped a story file: %s", error)
    check_fallback_action(settings.policy, domain, project.config_file)
    nlu_class = _nlu_class(settings)  # a wrong one is refused now, before anything trains
    endpoint = settings.action_endpoint
    server = None
    if endpoint is not None:
        server = ActionServer(
            endpoint.url,
            headers=endpoint.headers,
            params=endpoint.params,
            basic_auth=endpoint.basic_auth,
        )
    custom = _custom_actions(project, domain, server)
    remote = None if server is None else server.action
    actions = ActionRegistry(domain, custom, in_process_action, remote)
    return LoadedProject(
        settings, domain, files.stories, actions, files.nlu, files.rules, server, nlu_class
    )


def _custom_actions(
    project: Project, domain: Domain, server: ActionServer | None
) -> dict[str, Any]:
    """The project's actions that run in process. Actions written for a Rasa library that is
    not here (rasa-sdk not installed, a part of Rasa Core 0.x ozbot does not stand in for) run
    on the action server instead, when there is one (with a warning)."""
    try:
        return load_custom_actions(project.root, domain)
    except ActionLoadError as exc:
        if server is None or not needs_rasa_library(exc):
            raise
        log.warning("%s; until then the action server at %s runs them", exc, shown_url(server.url))
        return {}


def model_training(loaded: LoadedProject) -> TrainingSetup:
    """How the project's model versions are built (in the training process) and kept: the
    policy, and the built-in NLU when the project has NLU data and no NLU server."""
    models = ModelStore(loaded.project.models_dir, _model_parts(loaded))
    return TrainingSetup(loaded.domain, loaded.config, models, TrainingProcess())


def _model_parts(loaded: LoadedProject) -> tuple[NluPart, ...]:
    return (NluPart(loaded.nlu),) if _builtin_nlu(loaded) else ()


def _builtin_nlu(loaded: LoadedProject) -> bool:
    """The project has NLU data and names no other interpreter."""
    settings = loaded.settings.nlu
    return bool(loaded.nlu.examples) and settings.url is None and settings.class_path is None


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[TrackerStore]:
    """Redis when the settings name one, else the project's SQLite file; closed at the end.

    A Redis that is misconfigured or unreachable fails here; there is no fallback to SQLite.
    """
    if settings.store is None:
        store: TrackerStore = await SqliteTrackerStore.open(settings.project.store_file)
    else:
        store = await RedisTrackerStore.connect(settings.store)
    try:
        yield store
    finally:
        await store.close()


def review_queue(store: TrackerStore) -> ReviewQueue:
    """The review queue kept by `store` (its flags are written by the store's appends)."""
    if isinstance(store, SqliteTrackerStore):
        return SqliteReviewQueue(store)
    if isinstance(store, RedisTrackerStore):
        return RedisReviewQueue(store)
    if isinstance(store, MemoryTrackerStore):
        return MemoryReviewQueue(store)
    raise TypeError(f"no review queue for {type(store).__name__}")


@asynccontextmanager
async def opened_rollout(settings: Settings) -> AsyncIterator[Rollout | None]:
    """With Redis, how model versions reach every replica; None for one process."""
    if settings.store is None:
        yield None
        return
    rollout = await RedisRollout.connect(settings.store)
    try:
        yield rollout
    finally:
        await rollout.stop()


async def train(settings: Settings, progress: Progress) -> Version:
    """`ozbot train`: a new live version from the stories and every taught conversation; with
    Redis, claimed like a retrain and published to the running replicas."""
    loaded = load_project(settings)
    async with opened_store(settings) as store:
        data = replace(await read_taught(loaded.stories, store), rules=loaded.rules)
    if not data.stories and not data.conversations:
        raise ProjectError(nothing_to_train(loaded.project))
    async with opened_rollout(settings) as rollout:
        return await train_now(model_training(loaded), data, rollout, progress)


@dataclass(frozen=True)
class Drawing:
    """What `ozbot visualize` draws: the DOT text, and its title (what went into it)."""

    dot: str
    title: str


async def story_drawing(settings: Settings) -> Drawing:
    """`ozbot visualize`: the stories, rules and taught conversations as one graph's DOT text."""
    loaded = load_project(settings)
    data = TrainingData(loaded.stories, {})
    if settings.store is not None or loaded.project.store_file.exists():  # else nothing taught
        async with opened_store(settings) as store:
            data = await read_taught(loaded.stories, store)
    taught = [
        story
        for conversation_id, events in data.conversations.items()
        for story in stories_from_events(events, conversation_id)
    ]
    title = texts.drawing_title(
        settings.project.root.resolve().name,
        len(loaded.stories),
        len(loaded.rules),
        len(data.conversations),
    )
    return Drawing(dialogue_dot([*loaded.stories, *taught], loaded.rules, title=title), title)


class TrainerNotes:
    """Where notes for the trainers go: the terminal, and each chat connector that joins.

    Retraining is built before the connectors (they serve the engine it teaches), so they join
    here afterwards, before anything starts.
    """

    def __init__(self, *readers: Notify) -> None:
        self._readers = list(readers)

    def join(self, reader: Notify) -> None:
        self._readers.append(reader)

    def __call__(self, text: str) -> None:
        for reader in self._readers:
            reader(text)


@dataclass(frozen=True)
class Bot:
    """The running bot: what the connectors, the terminal and the web server are given."""

    engine: Engine
    live: LiveModel
    """The model that serves: its version for /metrics and health, its status for /status."""
    schedule: RetrainSchedule
    """When to retrain: `/retrain` and, for tests and benchmarks, `wait_idle`."""
    telemetry: Telemetry
    notes: TrainerNotes
    tasks: BackgroundTasks
    """The connectors' background work; a failure is logged and counted."""
    reviews: ReviewDesk
    """The review inbox: users' flagged turns, reviewed by trainers with `/review`."""

    def commands(self, *, learn: bool = True) -> ChatCommands:
        """What ozbot's chat commands (/status, /retrain, /review, ...) need of this bot."""
        retrain = self.schedule.retrain_now if learn else None
        return ChatCommands(self.live.status, retrain, self.reviews)

    async def health(self) -> Health:
        """The store answers and a model serves."""
        return await check_health(self.engine.store, lambda: self.live.version)

    async def metrics(self) -> str:
        try:
            waiting = len(await self.reviews.waiting())
        except StoreError:  # /metrics answers anyway; the outage shows in the errors
            waiting = None
        return self.telemetry.render(self.live.version, waiting)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    learn: bool,
    progress: Progress,
    notes: TrainerNotes,
    remember: bool = True,
) -> AsyncIterator[Bot]:
    """The project's bot, ready to talk: store open, a model serving, retraining on.

    `learn` lets the trainers' answers teach the model at once; `progress` shows a training
    that has to happen before the bot can answer. Without `remember` (`ozbot shell`) the bot's
    conversations live in memory only: nothing said is stored, exported or trained on.
    """
    loaded = load_project(settings)
    training = model_training(loaded)
    telemetry = Telemetry()
    tasks = BackgroundTasks(lambda what, exc: telemetry.background_failed())
    async with AsyncExitStack() as stack:
        store = await stack.enter_async_context(opened_store(settings))
        data = replace(await read_taught(loaded.stories, store), rules=loaded.rules)
        version = await asyncio.to_thread(starting_version, training, data, progress)
        rollout = await stack.enter_async_context(opened_rollout(settings))
        parts = await stack.enter_async_context(
            retraining(
                training,
                version,
                data,
                tell=notes,
                telemetry=telemetry,
                rollout=rollout,
                store=store,
                pace=settings.retraining,
            )
        )
        stack.push_async_callback(tasks.close, SHUTDOWN_SECONDS)
        if loaded.action_server is not None:
            await loaded.action_server.start()
            stack.push_async_callback(loaded.action_server.close)
        interpreter = await stack.enter_async_context(_interpreter(loaded, parts.live))
        readings = None if interpreter is None else TaughtReadings(interpreter, data.conversations)
        if readings is not None and parts.shared is not None:
            parts.shared.join(readings)  # what other replicas' trainers teach reads so here too
        learners = parts.learner if readings is None else Learners(parts.learner, readings)
        engine = Engine(
            loaded.domain,
            parts.live,
            store if remember else MemoryTrackerStore(),
            loaded.actions,
            StoryExporter(
                loaded.project.exported_dir, project_story_format(loaded.project.data_dirs)
            ),
            learners if learn else None,
            on_turn=telemetry.turn,
            nlu=None if readings is None else Nlu(readings, settings.nlu.threshold),
            review=settings.review,
            on_taught=None if parts.shared is None or not learn else parts.shared.taught,
        )
        reviews = ReviewDesk(
            engine, review_queue(store), settings.review, on_reviewed=telemetry.reviewed
        )
        engine.reviews = reviews
        yield Bot(engine, parts.live, parts.schedule, telemetry, notes, tasks, reviews)


@asynccontextmanager
async def _interpreter(loaded: LoadedProject, live: LiveModel) -> AsyncIterator[Interpreter | None]:
    """Who reads free text: the built-in NLU of the live model version, else the Rasa server or
    the Python class config.yml's `nlu:` names, else nobody (no NLU data: typed intents only)."""
    outside = None if _builtin_nlu(loaded) else _outside_interpreter(loaded)
    if outside is None:
        yield BuiltinInterpreter(lambda: live.part(NLU)) if _builtin_nlu(loaded) else None
    else:
        await outside.start()
        try:
            yield outside
        finally:
            await outside.close()


def _outside_interpreter(loaded: LoadedProject) -> RasaHttpInterpreter | PythonInterpreter | None:
    settings = loaded.settings.nlu
    if settings.url is not None:
        return RasaHttpInterpreter(settings.url, settings.timeout_seconds)
    found = loaded.nlu_class
    if found is not None and settings.class_path is not None:
        return PythonInterpreter.made(found, settings.class_path, settings.timeout_seconds)
    return None


def _nlu_class(settings: Settings) -> type | None:
    """config.yml's `nlu: {class: ...}`, imported and checked; None when it names none."""
    if settings.nlu.class_path is None:
        return None
    where = f"{settings.project.config_file}: nlu.class"
    return interpreter_class(settings.nlu.class_path, settings.project.root, where)


@asynccontextmanager
async def serving_platforms(
    settings: Settings, serving: Serving, bot: Bot
) -> AsyncIterator[WebServer | None]:
    """The chat connectors of `serving` and the web server, started; stopped at the end. Yields
    the web server (None for the terminal alone), to tell its port.

    On the way out the port closes first (no new updates), then the connectors finish the
    turns in flight; the caller then stops retraining and closes the store.
    """
    if not serving.platforms:
        yield None
        return
    assert serving.web is not None  # read_serving sets it whenever a platform serves
    web = WebServer(serving.web)
    async with AsyncExitStack() as stack:
        inboxes = {
            source: await stack.enter_async_context(opened_inbox(settings, source))
            for source in ("telegram", "slack")
            if getattr(serving, source) is not None
        }
        connectors = _chat_connectors(serving, bot, web, inboxes)
        observability.mount(web, bot.health, bot.metrics)
        await web.start()
        stack.push_async_callback(web.stop)
        for connector in connectors:
            await connector.start()
            stack.push_async_callback(connector.stop)
        stack.push_async_callback(web.stop)  # again, first on the way out: stopping is idempotent
        yield web


def _chat_connectors(
    serving: Serving, bot: Bot, web: WebServer, inboxes: dict[str, Inbox]
) -> list[ChatConnector]:
    commands = bot.commands()
    connectors: list[ChatConnector] = []
    if serving.telegram is not None:
        connectors.append(
            TelegramConnector(
                bot.engine,
                serving.telegram,
                commands,
                web=web,
                inbox=inboxes["telegram"],
                tasks=bot.tasks,
            )
        )
    if serving.slack is not None:
        connectors.append(
            SlackConnector(
                bot.engine, serving.slack, commands, web, inbox=inboxes["slack"], tasks=bot.tasks
            )
        )
    for connector in connectors:
        bot.notes.join(connector.tell_trainers)
    return connectors


@asynccontextmanager
async def opened_inbox(settings: Settings, source: str) -> AsyncIterator[Inbox]:
    """Where the updates of platform `source` wait until they are processed: a stream on the
    Redis store (shared by the replicas), else a table in the SQLite store's file."""
    if settings.store is None:
        inbox: Inbox = await SqliteInbox.open(settings.project.store_file, source)
    else:
        inbox = await RedisInbox.connect(settings.store, source)
    try:
        yield inbox
    finally:
        await inbox.close()


def terminal(
    bot: Bot, conversation: str, *, trainer: bool, read: ReadLine, write: Write
) -> Console:
    """The terminal's training loop (or, without `trainer`, a plain chat) on `conversation`."""
    commands = bot.commands(learn=trainer)
    return Console(
        bot.engine, conversation, trainer=trainer, read=read, write=write, commands=commands
    )
