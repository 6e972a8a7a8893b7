"""Posting the engine's outputs to Slack: messages, Block Kit questions, their edits, files.

A decision or an option list edits the pressed question (chat.update); ozbot's notes go only
to the one who asked (chat.postEphemeral, or a slash command's response_url); an export is
uploaded as a Markdown file and /graph's picture as a PNG (files_upload_v2). Every `text` is
escaped for Slack's markup here, where it is sent: a `TellUser` takes plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts
from bot.outputs import (
    ActionProposal,
    BotMessage,
    Choices,
    Decided,
    EntityFix,
    Exported,
    Notice,
    Picture,
)
from connectors.open_questions import OpenQuestions
from connectors.presses import Edit, Shown
from connectors.slack_events import Place
from connectors.slack_render import (
    Block,
    choices_blocks,
    decided_blocks,
    entity_fix_blocks,
    escaped,
    fallback_text,
    message_text,
    proposal_blocks,
    said_blocks,
)

log = logging.getLogger(__name__)
TellUser = Callable[[str], Awaitable[None]]
"""Sends a note to the one user who asked (ephemeral, or through a command's response_url)."""


@dataclass(frozen=True)
class Pressed:
    """The question message a press came from, as Slack showed it."""

    ts: str
    blocks: list[Block]


class SlackPoster:
    """Posts through `client`; a decision typed shows on its question's message when this
    process posted it (connectors/open_questions.py)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._questions: OpenQuestions[tuple[str, Pressed]] = OpenQuestions()

    async def show(
        self,
        where: Place,
        user: str,
        outputs: Sequence[Shown],
        *,
        pressed: Pressed | None = None,
        tell_user: TellUser | None = None,
    ) -> None:
        """Post outputs in order; a decision or an option list edits the pressed question.

        Notes from ozbot go to `user` alone: ephemeral, or through `tell_user`.
        """
        tell = tell_user or (lambda text: self.ephemeral(where, user, text))
        for output in outputs:
            if isinstance(output, Picture):
                await self._upload_picture(where, output)
            elif isinstance(output, Notice):
                await tell(message_text(output))
            elif isinstance(output, Exported):
                await self._upload(where, output, tell)
            elif isinstance(output, BotMessage):
                await self._say(where, output)
            elif pressed is not None and isinstance(output, Edit):
                await self._update(where.channel, pressed, output)
            elif isinstance(output, Decided) and (
                asked := self._questions.answered(output.question_id)
            ):
                await self._update(asked[0], asked[1], output)
            else:
                blocks = _blocks(output, [])
                posted = await self.client.chat_postMessage(
                    channel=where.channel,
                    thread_ts=where.thread_ts,
                    text=fallback_text(blocks),
                    blocks=blocks,
                )
                self._remember(output, where.channel, Pressed(str(posted.get("ts")), blocks))

    async def _update(self, channel: str, question: Pressed, output: Edit) -> None:
        """The question message `question` shows `output` (a decision, the next options)."""
        blocks = _blocks(output, question.blocks)
        await self.client.chat_update(
            channel=channel, ts=question.ts, text=fallback_text(blocks), blocks=blocks
        )
        self._remember(output, channel, Pressed(question.ts, blocks))

    def _remember(self, output: Shown, channel: str, question: Pressed) -> None:
        if isinstance(output, ActionProposal | Choices | EntityFix):
            self._questions.remember(output.question_id, (channel, question))

    async def _say(self, where: Place, message: BotMessage) -> None:
        """A bot message; one with an image or buttons in blocks (`said_blocks`). An image
        Slack cannot fetch leaves the text to say it, as a line `[image: URL]`, rather than
        the message lost."""
        text = escaped(message_text(message))
        post = partial(
            self.client.chat_postMessage, channel=where.channel, thread_ts=where.thread_ts
        )
        if message.image:
            try:
                await post(text=text, blocks=said_blocks(message))
                return
            except SlackApiError as exc:
                if exc.response.get("error") != "invalid_blocks":
                    raise
                log.warning("Slack could not show the image %s: %s", message.image, exc)
        if message.buttons:
            await post(text=text, blocks=said_blocks(message, image=False))
        else:
            await post(text=text)

    async def ephemeral(self, where: Place, user: str, text: str) -> None:
        await self.client.chat_postEphemeral(
            channel=where.channel, user=user, thread_ts=where.thread_ts, text=escaped(text)
        )

    async def _upload_picture(self, where: Place, picture: Picture) -> None:
        await self.client.files_upload_v2(
            channel=where.channel,
            thread_ts=where.thread_ts,
            content=picture.png,
            filename=picture.filename,
            title=picture.filename,
            initial_comment=escaped(picture.caption),
        )

    async def _upload(self, where: Place, exported: Exported, tell: TellUser) -> None:
        """The conversation's stories as a Markdown file in the conversation."""
        if not exported.markdown.strip():
            await tell(texts.NOTHING_EXPORTED)
            return
        name = Path(exported.path).name
        await self.client.files_upload_v2(
            channel=where.channel,
            thread_ts=where.thread_ts,
            content=exported.markdown,
            filename=name,
            title=name,
            initial_comment=escaped(exported.summary),
        )


def _blocks(output: ActionProposal | Edit, question: list[Block]) -> list[Block]:
    """The blocks of a training message; `question` is the pressed one it replaces, if any."""
    if isinstance(output, ActionProposal):
        return proposal_blocks(output)
    if isinstance(output, Decided):
        return decided_blocks(question, output.text)
    if isinstance(output, Choices):
        return choices_blocks(question, output)
    if isinstance(output, EntityFix):
        return entity_fix_blocks(question, output)
    return choices_blocks(question, output.choices, output.page)
