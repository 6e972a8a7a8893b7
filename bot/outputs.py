"""What the engine hands back to a connector: plain values that the connector renders."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bot import texts


@dataclass(frozen=True)
class BotMessage:
    """What the bot says: text, buttons (title, payload) and an image's URL."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    image: str = ""

    @property
    def image_line(self) -> str:
        """The image as a line of text, `[image: URL]`, for a chat that shows it as text; ""
        without one."""
        return f"[image: {self.image}]" if self.image else ""


@dataclass(frozen=True)
class Notice:
    """A note from ozbot itself (not the bot): an error, a confirmation, a hint."""

    text: str


@dataclass(frozen=True)
class Picture(Notice):
    """A PNG picture with its caption; a chat that shows no pictures shows `text` instead."""

    png: bytes = b""
    caption: str = ""
    filename: str = "conversation.png"


@dataclass(frozen=True)
class Refused(Notice):
    """An answer that does not fit the open question (stale, duplicate, unknown): nothing changed.

    Chat connectors show it as a short alert on the pressed button instead of a message.
    """


@dataclass(frozen=True)
class ConversationStart:
    """The trainer's history reaches back to the start of the conversation."""


@dataclass(frozen=True)
class BotDid:
    """The bot ran an action."""

    action: str


@dataclass(frozen=True)
class UserSaid:
    """The user said `text`, read as `intent` (by the NLU with `confidence`, else typed)."""

    text: str
    intent: str
    confidence: float | None = None
    entities: tuple[tuple[str, Any], ...] = ()

    @property
    def meaning(self) -> str:
        """The intent, with the NLU's confidence when it read the text, and the entities:
        "search_concerts 0.91, city=Berlin"."""
        meaning = self.intent if self.confidence is None else f"{self.intent} {self.confidence:.2f}"
        return ", ".join(filter(None, (meaning, entity_text(self.entities))))


def entity_text(entities: Iterable[tuple[str, Any]]) -> str:
    """ "city=Berlin, date=today" (JSON for a value that is not text); "" for none."""
    return ", ".join(
        f"{name}={value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for name, value in entities
    )


HistoryLine = ConversationStart | BotDid | UserSaid
"""One step of the recent turns a trainer judges a proposal by."""


@dataclass(frozen=True)
class ActionProposal:
    """Training mode: the bot wants to run `action`; the trainer approves or corrects it."""

    question_id: str
    action: str
    confidence: float
    policy: str
    history: tuple[HistoryLine, ...]
    """Recent turns, oldest first."""
    slots: tuple[tuple[str, Any], ...]
    intent: str | None
    entities: dict[str, Any]
    review: bool = False
    """A user's turn under review: chats add "skip" and "not useful" buttons."""
    active_form: str | None = None
    asking_for: str | None = None
    """The slot the active form asks for."""


@dataclass(frozen=True)
class Choices:
    """Training mode: every action (or intent) with its probability, in domain order."""

    question_id: str
    kind: Literal["action", "intent"]
    options: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class EntityFix:
    """Training mode: the entities are wrong; the trainer sends the message marked again
    (`marked` is it as read now, to copy and edit) or drops a wrong entity."""

    question_id: str
    marked: str
    typed: bool
    """The message was a typed intent: it is typed again with its entities, not marked."""
    entities: tuple[tuple[int, str, Any], ...]
    """(number, name, value) of each entity read; `number` is the entity's place in the
    domain, which a drop answer names."""


ShownQuestion = ActionProposal | Choices | EntityFix
"""A training question as the trainer sees it."""


@dataclass(frozen=True)
class Decided:
    """Training mode: how a question was answered (connectors edit the question to show it)."""

    question_id: str
    text: str


@dataclass(frozen=True)
class Exported:
    path: str
    stories: int
    markdown: str
    nlu_examples: int = 0
    """Free-text messages written as Rasa NLU examples beside the stories (`*.nlu.yml`)."""

    @property
    def summary(self) -> str:
        """What was written where, for the one who exported."""
        if not self.stories:
            return texts.NOTHING_EXPORTED
        return texts.exported(self.path, self.stories, self.nlu_examples)


Output = BotMessage | Notice | ActionProposal | Choices | EntityFix | Decided | Exported
