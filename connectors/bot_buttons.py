"""A bot message's buttons (Rasa's `buttons: [{title, payload}]`) as a chat's own buttons.

A press is the presser typing the button's payload, nothing more: it runs in the presser's
conversation like a message they typed (a trainer gets the teaching questions, a user the
answers). A Telegram button carries `>` and the payload; a teaching button's token
(`training_view.Press`) starts with a hex digit, so neither reads as the other, and a forged
`>` token says only what the presser could have typed. A button whose payload the platform's
button cannot carry (or an empty payload) stays a text line `[title] payload`, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.outputs import BotMessage

Button = tuple[str, str]
"""(title, payload), as `BotMessage.buttons` has them."""
SAY_MARK = ">"


def said_data(payload: str) -> str:
    """The token of a button that says `payload`."""
    return SAY_MARK + payload


def read_said(data: str | None) -> str | None:
    """The payload a bot message's button says; None for any other token (a teaching one)."""
    if data is None or not data.startswith(SAY_MARK):
        return None
    return data[len(SAY_MARK) :] or None


def split_buttons(
    message: BotMessage, fits: Callable[[str], bool], most: int
) -> tuple[BotMessage, tuple[Button, ...]]:
    """The message with the buttons left as text lines, and the buttons shown as buttons: the
    first `most` whose payload `fits` the platform's button."""
    shown: list[Button] = []
    lines: list[Button] = []
    for title, payload in message.buttons:
        fitting = len(shown) < most and bool(payload.strip()) and fits(payload)
        (shown if fitting else lines).append((title, payload))
    return replace(message, buttons=tuple(lines)), tuple(shown)


def button_label(button: Button) -> str:
    """What a button shows: its title, or its payload for a button without one."""
    title, payload = button
    return title.strip() or payload
