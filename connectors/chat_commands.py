"""ozbot's own commands in a chat: one table for Telegram, Slack and the terminal.

Each command has a name, who may use it, a line of help and what it answers. Every platform
reserves all the names, so `check_domain` refuses a domain with an intent named like one, at
load, for `ozbot check` and `ozbot run` alike.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.conversation_picture import conversation_picture
from bot.domain import Domain
from bot.engine import Command, Engine, UserMessage
from bot.errors import ProjectError, StoreError
from bot.outputs import Notice, Output
from bot.policy import ModelStatus
from bot.review_desk import ReviewDesk

log = logging.getLogger(__name__)
StatusSource = Callable[[], ModelStatus]
RetrainNow = Callable[[], str]
"""Starts a retrain at once; returns what to tell the trainer."""


@dataclass(frozen=True)
class ChatCommands:
    """What the commands need of the running bot."""

    status: StatusSource
    retrain: RetrainNow | None = None
    """None where this bot does not retrain (`/retrain` says so)."""
    reviews: ReviewDesk | None = None
    """The review inbox (`/review`, `/dismiss`); None where there is none."""


@dataclass(frozen=True)
class Wording:
    """How a platform words the help (for trainers, for users) and the trainers-only refusal.

    Format strings: the help gets `{intent}` (an example intent) and `{intents}` (every one),
    the refusal `{command}`. A refusal of None refuses nobody: the terminal's user owns the
    project.
    """

    help_trainer: str
    help_user: str
    refusal: str | None


@dataclass(frozen=True)
class Context:
    """Who asks in which conversation, and what the platform and the bot offer."""

    engine: Engine
    conversation: str
    trainer: bool
    commands: ChatCommands
    wording: Wording


@dataclass(frozen=True)
class HelpText(Notice):
    """The help (chat platforms show it as any note; the terminal prints it bare)."""


RunCommand = Callable[[Context], Awaitable[list[Output]]]


@dataclass(frozen=True)
class ChatCommand:
    name: str
    trainers_only: bool
    help: str
    """One line: Telegram's command menu shows it."""
    handle: RunCommand


async def _help(context: Context) -> list[Output]:
    wording, intents = context.wording, context.engine.domain.intents
    hint = wording.help_trainer if context.trainer else wording.help_user
    example = intents[0] if intents else "greet"
    return [HelpText(hint.format(intent=example, intents=", ".join(intents) or "none"))]


async def _restart(context: Context) -> list[Output]:
    return await _engine_command(context, Command("restart"))


async def _undo(context: Context) -> list[Output]:
    return await _engine_command(context, Command("undo"))


async def _export(context: Context) -> list[Output]:
    return await _engine_command(context, Command("export"))


async def _engine_command(context: Context, command: Command) -> list[Output]:
    return await context.engine.handle(context.conversation, command, trainer=context.trainer)


async def _status(context: Context) -> list[Output]:
    now = context.commands.status()
    counts = (now.model, now.stories, now.conversations, now.corrections)
    return [Notice(texts.model_status(*counts, now.trained_at, now.corrections_since))]


async def _graph(context: Context) -> list[Output]:
    return [await conversation_picture(context.engine, context.conversation)]


async def _retrain(context: Context) -> list[Output]:
    retrain = context.commands.retrain
    return [Notice(texts.RETRAIN_UNAVAILABLE if retrain is None else retrain())]


async def _review(context: Context) -> list[Output]:
    return await _at_desk(context, ReviewDesk.next)


async def _dismiss(context: Context) -> list[Output]:
    return await _at_desk(context, ReviewDesk.dismiss)


async def _at_desk(
    context: Context, work: Callable[[ReviewDesk, str], Awaitable[list[Output]]]
) -> list[Output]:
    desk = context.commands.reviews
    if desk is None:
        return [Notice(texts.REVIEW_UNAVAILABLE)]
    try:
        return await work(desk, context.conversation)
    except StoreError as exc:  # an outage is logged once by the store
        log.warning("review: %s", exc)
        return [Notice(texts.STORE_UNAVAILABLE)]


COMMANDS = (
    ChatCommand("help", False, texts.COMMAND_HELP["help"], _help),
    ChatCommand("restart", False, texts.COMMAND_HELP["restart"], _restart),
    ChatCommand("undo", True, texts.COMMAND_HELP["undo"], _undo),
    ChatCommand("export", True, texts.COMMAND_HELP["export"], _export),
    ChatCommand("status", True, texts.COMMAND_HELP["status"], _status),
    ChatCommand("retrain", True, texts.COMMAND_HELP["retrain"], _retrain),
    ChatCommand("graph", True, texts.COMMAND_HELP["graph"], _graph),
    ChatCommand("review", True, texts.COMMAND_HELP["review"], _review),
    ChatCommand("dismiss", True, texts.COMMAND_HELP["dismiss"], _dismiss),
)
BY_NAME = {command.name: command for command in COMMANDS}
NAMES = tuple(BY_NAME)
"""Reserved on every platform: no intent may be named so."""

Read = UserMessage | ChatCommand
"""What a chat input asks of ozbot: a message for the bot, or one of ozbot's commands."""


def check_domain(domain: Domain, domain_file: Path) -> None:
    """Raises ProjectError when an intent is named like one of ozbot's commands."""
    clashes = [name for name in NAMES if name in domain.intents]
    if clashes:
        raise ProjectError(
            f"{domain_file}: intents: {', '.join(clashes)} collide with ozbot's commands "
            f"(/{', /'.join(NAMES)}); rename the intent"
        )


async def answer(read: Read, context: Context) -> list[Output]:
    """The outputs for one input of a chat user; commands for trainers only refuse the rest."""
    if isinstance(read, UserMessage):
        engine = context.engine
        return await engine.handle(context.conversation, read, trainer=context.trainer)
    refusal = context.wording.refusal
    if read.trainers_only and not context.trainer and refusal is not None:
        return [Notice(refusal.format(command=read.name))]
    return await read.handle(context)
