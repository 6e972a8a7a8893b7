"""What a Slack conversation shows of the engine's outputs: Block Kit messages.

Pure functions, no network and no state. A training question is one message: a context block
(recent turns, slots, intent and entities), a section with "The bot wants to [action]" and an
actions block of buttons. "Wrong action" / "wrong intent" replace the buttons with a page of
the options (chat.update), a decision replaces them with what was decided. Every button's
`value` is a `Press` token; its `action_id` is that token behind `ozbot.`, unique in the
message as Slack requires. Texts in blocks are plain_text, so nothing a user typed is read as
markup; a message's `text` is Slack's markup (mrkdwn), where a user's `<!channel>`, `<@U123>`
or `<https://evil|slack.com>` would be a mention or a disguised link, so every `text` ozbot
sends goes through `escaped` (`SlackPoster` and the connector do it where they send).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot import texts
from bot.outputs import ActionProposal, BotMessage, Choices, EntityFix, Notice
from connectors.bot_buttons import Button, button_label, split_buttons
from connectors.training_view import (
    Press,
    ask_title,
    choices_page,
    clip,
    drop_presses,
    entities_title,
    keep_end,
    proposal_lines,
    question_line,
    review_presses,
)

Block = dict[str, Any]
ACTION_PREFIX = "ozbot."
ACTION_ID = re.compile(rf"^{re.escape(ACTION_PREFIX)}")
"""Matches the action_id of every teaching button ozbot sends."""
SAY_PREFIX = "ozbot_say."
SAY_ACTION_ID = re.compile(rf"^{re.escape(SAY_PREFIX)}\d+$")
"""Matches the action_id of a bot message's buttons (connectors/bot_buttons.py)."""
MAX_SECTION = 3000
MAX_BUTTON = 75
MAX_TEXT = 40_000
MAX_ALT = 2000
MAX_VALUE = 2000
MAX_ACTIONS = 25
_KEPT = ("ozbot_context", "ozbot_question")
"""The blocks of a question that stay when its buttons are replaced."""


def proposal_blocks(proposal: ActionProposal) -> list[Block]:
    context = "\n".join(proposal_lines(proposal))
    return [
        {
            "type": "context",
            "block_id": "ozbot_context",
            "elements": [_plain(keep_end(context, MAX_SECTION))],
        },
        _section("ozbot_question", question_line(proposal)),
        _actions(
            "ozbot_answer",
            [
                (Press(proposal.question_id, "approve"), texts.BUTTON_YES, "primary"),
                (Press(proposal.question_id, "wrong_action"), texts.BUTTON_WRONG_ACTION, None),
                (Press(proposal.question_id, "wrong_intent"), texts.BUTTON_WRONG_INTENT, None),
                (
                    Press(proposal.question_id, "wrong_entities"),
                    texts.BUTTON_WRONG_ENTITIES,
                    None,
                ),
                (Press(proposal.question_id, "export"), texts.BUTTON_EXPORT, None),
                *((press, label, None) for press, label in review_presses(proposal)),
            ],
        ),
    ]


def choices_blocks(question: Sequence[Block], choices: Choices, page: int = 0) -> list[Block]:
    """The question (as shown, without its buttons) with one page of the options under it."""
    shown = choices_page(choices, page)
    blocks = [*_kept(question), _section("ozbot_ask", ask_title(choices))]
    blocks.append(_actions("ozbot_options", [(p, label, None) for p, label in shown.options]))
    if shown.turns:
        blocks.append(_actions("ozbot_pages", [(p, label, None) for p, label in shown.turns]))
    return blocks


def entity_fix_blocks(question: Sequence[Block], fix: EntityFix) -> list[Block]:
    """The question with "which entities ...?", the message as read now (to copy, mark and
    send) and a button per entity that drops it."""
    blocks = [*_kept(question), _section("ozbot_ask", f"{entities_title(fix)}\n{fix.marked}")]
    drops = [(press, label, None) for press, label in drop_presses(fix)]
    return [*blocks, _actions("ozbot_options", drops)] if drops else blocks


def decided_blocks(question: Sequence[Block], decision: str) -> list[Block]:
    """The question as it stays in the conversation: the proposal and what was decided."""
    return [*_kept(question), _section("ozbot_decided", f"→ {decision}")]


def _kept(question: Sequence[Block]) -> list[Block]:
    return [block for block in question if block.get("block_id") in _KEPT]


def fallback_text(blocks: Sequence[Block]) -> str:
    """The message's `text` (escaped): what notifications and screen readers show of the
    blocks."""
    sections = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
    return escaped(clip("\n".join(sections), MAX_TEXT))


def escaped(text: str) -> str:
    """`text` shown as it is in Slack's markup: `&`, `<` and `>` escaped, as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message_text(output: BotMessage | Notice) -> str:
    """The text of a message (not yet escaped): a bot's image as a line `[image: URL]`, its
    buttons as lines `[title] payload`."""
    if isinstance(output, Notice):
        return clip(texts.NOTICE.format(text=output.text), MAX_TEXT)
    buttons = "".join(f"\n[{title}] {payload}" for title, payload in output.buttons)
    return clip("\n".join(filter(None, (output.text, output.image_line))) + buttons, MAX_TEXT)


def said_blocks(message: BotMessage, *, image: bool = True) -> list[Block]:
    """A bot message in blocks: its text in sections (escaped markup, as a message's text is),
    its image, then its buttons in an actions block, each saying its payload (the `value`).

    With `image=False` the image is a line `[image: URL]` of the text. A button whose payload
    is over Slack's 2000 characters of a value (or empty), and any beyond the 25 of an actions
    block, stays a text line `[title] payload`. Titles are plain_text, shown as they are.
    Slack fetches the image; `alt_text` is its URL, as Rasa's Slack channel has it, for want of
    a description.
    """
    rest, shown = split_buttons(message, lambda payload: len(payload) <= MAX_VALUE, MAX_ACTIONS)
    text = message_text(replace(rest, image="") if image else rest)
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in escaped_parts(text, MAX_SECTION)
    ]
    if image and message.image:
        alt = clip(message.image, MAX_ALT)
        blocks.append({"type": "image", "image_url": message.image, "alt_text": alt})
    if shown:
        blocks.append({"type": "actions", "block_id": "ozbot_said", "elements": _said(shown)})
    return blocks


def _said(buttons: Sequence[Button]) -> list[Block]:
    return [
        {
            "type": "button",
            "action_id": f"{SAY_PREFIX}{number}",
            "text": _plain(clip(button_label(button), MAX_BUTTON)),
            "value": button[1],
        }
        for number, button in enumerate(buttons)
    ]


def escaped_parts(text: str, limit: int) -> list[str]:
    """`text` escaped, in parts of at most `limit` characters; no escape is cut in two."""
    parts, part = [], ""
    for char in text:
        shown = escaped(char)
        if len(part) + len(shown) > limit:
            parts.append(part)
            part = ""
        part += shown
    return [*parts, part] if part else parts


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(block_id: str, text: str) -> Block:
    return {"type": "section", "block_id": block_id, "text": _plain(clip(text, MAX_SECTION))}


def _actions(block_id: str, buttons: Sequence[tuple[Press, str, str | None]]) -> Block:
    elements = []
    for press, label, style in buttons:
        button: Block = {
            "type": "button",
            "action_id": ACTION_PREFIX + press.data,
            "text": _plain(clip(label, MAX_BUTTON)),
            "value": press.data,
        }
        if style is not None:
            button["style"] = style
        elements.append(button)
    return {"type": "actions", "block_id": block_id, "elements": elements}
