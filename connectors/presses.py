"""What a button press does, alike on Telegram and Slack: the connectors only read the platform's
payload and render the result.

A press answers the open question of the presser's conversation, or turns the page of its
option list; anything else is refused with a short sentence and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import texts
from bot.engine import Engine
from bot.outputs import Choices, Decided, EntityFix, Output, Refused
from connectors.training_view import REVIEW_COMMANDS, Press, page_turn, read_press, to_answer


@dataclass(frozen=True)
class PageTurn:
    """Another page of the options: only the pressed question changes."""

    choices: Choices
    page: int


Shown = Output | PageTurn
"""What a connector renders after a press or a message."""
Edit = Decided | Choices | EntityFix | PageTurn
"""What a press shows in place of the pressed question (an edit), not in a message of its own."""
RunCommand = Callable[[str], Awaitable[list[Output]]]


async def handle_press(
    engine: Engine,
    conversation: str | None,
    data: str | None,
    *,
    trainer: bool,
    command: RunCommand | None = None,
) -> str | list[Shown]:
    """What the press of a button carrying `data` does, or why it is refused (nothing changed).

    `conversation` is None when the platform could not tell where the button was shown: no
    button of ozbot's is pressed there. `command` runs a chat command by name in the presser's
    conversation (the review's "skip" and "not useful").
    """
    if not trainer:
        return texts.NOT_TRAINER
    press = read_press(data)
    if press is None or conversation is None:
        return texts.FORGED_PRESS
    if press.kind == "page":
        return await _turn_page(engine, conversation, press)
    if press.kind in REVIEW_COMMANDS:
        return (
            texts.FORGED_PRESS if command is None else [*await command(REVIEW_COMMANDS[press.kind])]
        )
    answer = to_answer(press, engine.domain)
    if answer is None:
        return texts.FORGED_PRESS
    outputs = await engine.handle(conversation, answer, trainer=True)
    refused = next((o for o in outputs if isinstance(o, Refused)), None)
    return refused.text if refused is not None else list(outputs)


async def _turn_page(engine: Engine, conversation: str, press: Press) -> str | list[Shown]:
    choices = page_turn(await engine.pending_outputs(conversation), press)
    if isinstance(choices, str):
        return choices
    assert press.number is not None  # page_turn refuses a page press without one
    return [PageTurn(choices, press.number)]
