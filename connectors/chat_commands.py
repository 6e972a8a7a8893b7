"""ozbot's own commands in a chat (help, restart, undo, export, status), alike on every platform:
what they are, who may use them, and what they answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot import texts
from bot.engine import Command, Engine, UserMessage
from bot.outputs import Notice, Output
from bot.policy import ModelStatus

Read = UserMessage | Command | Literal["help", "status", "retrain"]
"""What a chat input asks of ozbot: a message for the bot, or one of ozbot's commands."""
OWN: dict[str, Read] = {
    "help": "help",
    "restart": Command("restart"),
    "undo": Command("undo"),
    "export": Command("export"),
    "status": "status",
    "retrain": "retrain",
}
COMMANDS = tuple(OWN)
TRAINER_ONLY = ("undo", "export", "status", "retrain")
"""Commands about teaching: a user who is no trainer is told they are for trainers."""

StatusSource = Callable[[], ModelStatus]
Retrain = Callable[[], str]
"""Starts a retrain at once; returns what to tell the trainer."""


@dataclass(frozen=True)
class Wording:
    """How a platform words the answers: help for trainers and users, the trainers-only refusal.

    Each is a format string; help gets `{intent}` (an example intent), the refusal `{command}`.
    """

    help_trainer: str
    help_user: str
    trainers_only: str


def read_name(read: Read) -> str | None:
    """The command name of what was read (None for a user message)."""
    if isinstance(read, UserMessage):
        return None
    return read.name if isinstance(read, Command) else read


async def answer(
    engine: Engine,
    read: Read,
    conversation: str,
    *,
    trainer: bool,
    status: StatusSource,
    wording: Wording,
    retrain: Retrain | None = None,
) -> list[Output]:
    """The outputs for one input of a chat user; commands for trainers only refuse the rest."""
    name = read_name(read)
    if name in TRAINER_ONLY and not trainer:
        return [Notice(wording.trainers_only.format(command=name))]
    if isinstance(read, UserMessage | Command):
        return await engine.handle(conversation, read, trainer=trainer)
    if read == "help":
        hint = wording.help_trainer if trainer else wording.help_user
        example = engine.domain.intents[0] if engine.domain.intents else "greet"
        return [Notice(hint.format(intent=example))]
    if read == "retrain":
        return [Notice(texts.RETRAIN_UNAVAILABLE if retrain is None else retrain())]
    current = status()
    counts = (current.model, current.stories, current.conversations, current.corrections)
    return [Notice(texts.model_status(*counts, current.trained_at, current.corrections_since))]
