"""What the terminal shows of each output: the seed's layout, a user's text made harmless."""

from __future__ import annotations

import json
import re
from typing import Any

from bot import texts
from bot.outputs import (
    ActionProposal,
    BotDid,
    BotMessage,
    Choices,
    ConversationStart,
    Decided,
    EntityFix,
    Exported,
    HistoryLine,
    Notice,
    Output,
    UserSaid,
)
from connectors.chat_commands import HelpText
from connectors.training_view import ask_title, entities_title

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Every control character but the line break and the tab, and the bidirectional overrides."""
LIKELY = 3
"""How many of the most probable choices a pick list marks..."""
LIKELY_FLOOR = 0.01
"""...when the model gives them at least this (what shows as 0.00 is no favourite)."""


def render(output: Output) -> str:
    """The terminal text of one output, control characters shown escaped (`\\x1b`): a user's
    text or value must not move the cursor, recolour or retitle the trainer's terminal."""
    return _CONTROL.sub(lambda match: repr(match[0])[1:-1], _text(output))


def _text(output: Output) -> str:
    match output:
        case HelpText(text=text):
            return text
        case BotMessage(text=text, buttons=buttons):
            said = "\n".join(filter(None, (text, output.image_line)))
            extra = "".join(f"\n    [{title}] {payload}" for title, payload in buttons)
            return f"Bot: {said}{extra}"
        case Notice(text=text):
            return f"ozbot: {text}"
        case Decided(text=text):
            return f"  → {text}"
        case Exported():
            return output.summary
        case ActionProposal():
            return _render_proposal(output)
        case Choices():
            return _render_choices(output)
        case EntityFix():
            return f"\n{entities_title(output)}\n\n    {output.marked}\n"
    raise TypeError(f"cannot render {output!r}")


def _render_proposal(proposal: ActionProposal) -> str:
    history = "\n".join(
        f"     {who + ':':<18}{what}" for line in proposal.history for who, what in _seed(line)
    )
    slots = ", ".join(f"{name}: {_short(value)}" for name, value in proposal.slots)
    question = texts.QUESTION.format(action=proposal.action)
    confidence = f"(confidence {proposal.confidence:.2f}, {proposal.policy})"
    choices = "\n".join(f"    {key}.       {label}" for key, label in texts.CHOICES)
    form = ""
    if proposal.active_form:
        form = texts.active_form(proposal.active_form, proposal.asking_for) + "\n"
    return (
        f"\nChat history:\n\n{history}\n\n"
        f"we currently have slots: {slots or 'none'}\n{form}{question} {confidence}\n\n"
        f"{choices}\n"
    )


def _seed(line: HistoryLine) -> list[tuple[str, str]]:
    """The seed's (who, what) lines of one history step."""
    match line:
        case ConversationStart():
            return [("bot did", "None")]
        case BotDid(action=action):
            return [("bot did", action)]
        case UserSaid(text=text):
            return [("user said", text), ("whose intent is", line.meaning)]
    raise TypeError(f"cannot render {line!r}")


def _render_choices(choices: Choices) -> str:
    width = max((len(name) for name, _ in choices.options), default=10)
    likely = likeliest(choices)
    lines = [
        f"{i:>6}  {name:>{width + 4}}    {p:.2f}{texts.LIKELY_MARK if name in likely else ''}"
        for i, (name, p) in enumerate(choices.options)
    ]
    return f"\n{ask_title(choices)}\n\n" + "\n".join(lines) + f"\n\n{texts.PICK_HOW}\n"


def likeliest(choices: Choices) -> list[str]:
    """The names of the few most probable choices."""
    ranked = sorted((o for o in choices.options if o[1] >= LIKELY_FLOOR), key=lambda o: -o[1])
    return [name for name, _ in ranked[:LIKELY]]


def _short(value: Any, limit: int = 120) -> str:
    if value is None:
        return "None"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."
