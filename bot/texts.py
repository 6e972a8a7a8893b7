"""Every user-facing sentence of the chat UI, in one place to review and change."""

from __future__ import annotations

import time
from collections.abc import Sequence

EMPTY_MESSAGE = "Empty message: type what you want to say, or an intent, e.g. /greet."
NOT_TEXT = "That message holds characters that are not text (broken Unicode); nothing was stored."
FALLBACK_TEXT = "Sorry, I didn't get that. Could you say it another way?"
ANSWER_FIRST = "Please answer the question about the bot's next action first."
STALE_ANSWER = "That question was already answered or is no longer current; nothing changed."
NO_QUESTION = "There is no open question right now; nothing changed."
RESTARTED = "Started a new conversation. The old one is kept and will be exported too."
NOTHING_TO_UNDO = "There is nothing to take back."
TOO_MANY_ACTIONS = "The bot ran {count} actions in a row without listening; it stops here."
STORE_UNAVAILABLE = (
    "The conversation store is temporarily unavailable, so this message was not processed. "
    "Please send it again in a moment."
)
NLU_UNAVAILABLE = (
    "The service that reads messages did not answer, so this message was not processed. "
    "Please send it again in a moment."
)
CONVERSATION_BUSY = (
    "This conversation is still busy with an earlier message, so this one was not processed. "
    "Please send it again in a moment."
)

QUESTION = "The bot wants to [{action}] due to the intent. Is this correct?"
CHOICES = (
    ("1", "Yes"),
    ("2", "No, intent is right but the action is wrong"),
    ("3", "The intent is wrong"),
    ("4", "The entities are wrong"),
    ("0", "Export current conversations as stories and quit"),
)
ASK_ACTION = "what is the next action for the bot?"
ASK_INTENT = "which intent did the user mean?"
ASK_ENTITIES = (
    "which entities did the user mean? Send the message marked with them, "
    "as [Berlin](city) marks a city; no brackets: no entities. As read now:"
)
ASK_TYPED_ENTITIES = (
    'which entities did the user mean? Type the intent again with them, as {"city": "Berlin"}; '
    "no braces: no entities. As read now:"
)
ANSWER_CHOICES = "Please type 1, 2, 3, 4 or 0 (or a command: /help lists them)."
NO_ENTITIES = "no entities"


def _listing(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def no_nlu_hint(prefix: str, intents: Sequence[str]) -> str:
    example = intents[0] if intents else "greet"
    return (
        f"No NLU is connected, so type the intent itself, starting with {prefix}: "
        f'e.g. {prefix}{example} or {prefix}{example}{{"entity": "value"}}. '
        f"Intents: {_listing(intents)}."
    )


def bad_intent_syntax(prefix: str) -> str:
    return f'Could not read that: write {prefix}intent or {prefix}intent{{"entity": "value"}}.'


def unknown_intent(intent: str, prefix: str, intents: Sequence[str]) -> str:
    return f"Unknown intent {prefix}{intent}. The domain knows: {_listing(intents)}."


def bad_entity_json(raw: str, reason: str) -> str:
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    return (
        f"The entities {shown} are not valid JSON ({reason}). "
        'Write them as a JSON object: {"city": "Berlin"}.'
    )


def unknown_entities(names: Sequence[str], entities: Sequence[str]) -> str:
    known = _listing(entities) if entities else "none"
    return f"Unknown entity {', '.join(names)}. The domain's entities: {known}."


def message_too_long(length: int, limit: int) -> str:
    return f"That message has {length:,} characters; the limit is {limit:,}. Nothing was stored."


def exported(path: str, stories: int, nlu_examples: int = 0) -> str:
    noun = "story" if stories == 1 else "stories"
    nlu = f" and {_counted(nlu_examples, 'NLU example')} beside it" if nlu_examples else ""
    return f"Exported {stories} {noun} to {path}{nlu}. The next training uses them automatically."


def no_action_implementation(action: str) -> str:
    return (
        f"The action {action} has no implementation here: add a response named {action} to "
        f"domain.yml, or a class with name = {action!r} and an async run() to actions.py."
    )


def active_form(form: str, slot: str | None) -> str:
    asking = f", asking for {slot}" if slot else ""
    return f"form {form} is active{asking}"


def form_rejected(form: str, slot: str) -> str:
    return (
        f"The form {form} found no {slot} in this message and let go; "
        "choose what the bot does instead."
    )


def no_form_question(form: str, slot: str) -> str:
    return (
        f"the form {form} has no question for the slot {slot}: "
        f"add a response utter_ask_{slot} (or an action action_ask_{slot}) to the domain"
    )


def action_failed(action: str, error: str) -> str:
    return f"The action {action} failed: {error}. The conversation is unchanged."


def action_server_unreachable(url: str) -> str:
    return (
        f"cannot reach the action server at {url}: start it (`rasa run actions` or "
        "`python -m rasa_sdk --actions actions`), or fix endpoints.yml's action_endpoint"
    )


def action_server_timeout(url: str, seconds: float) -> str:
    return f"the action server at {url} did not answer within {seconds:g} seconds"


def action_rejected(error: str) -> str:
    return f"the action server rejected it ({error})"


def action_server_failed(status: int, error: str) -> str:
    return f"the action server answered HTTP {status}: {error}"


def action_ignored(action: str, what: list[str]) -> str:
    return f"ozbot did not apply what {action} asked for: {', '.join(what)}."


def corrected_action(predicted: str, chosen: str) -> str:
    return f"Corrected: {chosen} instead of {predicted}. The bot will remember."


def corrected_intent(predicted: str, chosen: str) -> str:
    return f"Corrected the intent: {chosen} instead of {predicted}."


def corrected_entities(predicted: str, chosen: str) -> str:
    return f"Corrected the entities: {chosen} instead of {predicted}."


def correction(kind: str, predicted: str, chosen: str) -> str:
    """One correction as `/undo` lists it."""
    what = {"action": "", "intent": "the intent ", "entities": "the entities "}.get(kind, "")
    return f"{what}{chosen} instead of {predicted}"


def undone(text: str, intent: str, actions: Sequence[str], corrections: Sequence[str]) -> str:
    """What `/undo` took back: the message, what the bot did after it, the corrections."""
    did = f"; the bot's {', '.join(actions)} after it" if actions else ""
    fixed = f"; your correction: {'; '.join(corrections)}" if corrections else ""
    return f"Took back {text!r} ({intent}){did}{fixed}."


def keep_the_intent(intent: str) -> str:
    return (
        f"Keep the intent {intent} when fixing the entities (the intent is option 3); "
        "nothing changed."
    )


def mark_the_same_text(text: str) -> str:
    return f"Mark the message itself, {text!r}, with its entities; nothing changed."


# Chat platforms (Telegram and Slack): buttons, alerts and the trainer's view of a question.
BUTTON_YES = "✅ Yes"
BUTTON_WRONG_ACTION = "✏️ Wrong action"
BUTTON_WRONG_INTENT = "🔁 Wrong intent"
BUTTON_WRONG_ENTITIES = "🏷️ Wrong entities"
BUTTON_DROP_ENTITY = "✖ drop {entity}"
BUTTON_EXPORT = "📤 Export"
BUTTON_SKIP = "⏭ Skip"
BUTTON_NOT_USEFUL = "🗑 Not useful"
PAGE_PREVIOUS = "◀ page {page}/{pages}"
PAGE_NEXT = "page {page}/{pages} ▶"
BUTTONS_WITHOUT_TEXT = "👇"
"""A bot message of buttons alone: Telegram shows an inline keyboard only under some text."""
NOT_TRAINER = "Only a trainer can answer training questions; nothing changed."
FORGED_PRESS = "That button is not one of ozbot's; nothing changed."
FAILED = "Something went wrong on ozbot's side; the conversation is unchanged. Try again."
NOTICE = "ozbot: {text}"
NOTHING_EXPORTED = "There is nothing to export yet."
SLOTS = "slots: {slots}"
NO_SLOTS = "slots: none set"


def user_said(text: str, intent: str) -> str:
    return f"user said: {text}  (intent {intent})"


def bot_did(actions: Sequence[str]) -> str:
    return f"bot did: {', '.join(actions)}"


# ozbot's chat commands, one line each (Telegram's command menu).
COMMAND_HELP = {
    "help": "how to talk to and teach the bot",
    "restart": "start a new conversation",
    "undo": "take back your last message (trainers)",
    "export": "send this conversation as Rasa stories (trainers)",
    "status": "the model and its training data (trainers)",
    "retrain": "retrain the model now (trainers)",
    "graph": "a picture of this conversation's path (trainers)",
    "review": "the next user's turn to review; skips the open one (trainers)",
    "dismiss": "drop the turn under review as not useful (trainers)",
}

# /graph and `ozbot visualize`: pictures drawn by Graphviz.
GRAPHVIZ_MISSING = (
    "Graphviz's `{program}` program is not installed, and it draws the graph: install the "
    "graphviz package (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install "
    "graphviz`)"
)


def drawing_title(bot: str, stories: int, rules: int, conversations: int) -> str:
    """The title of `ozbot visualize`'s picture: "concert: 7 stories, 0 rules, 2 taught"."""
    return (
        f"{bot}: {_counted(stories, 'story', 'stories')}, {_counted(rules, 'rule')}, "
        f"{_counted(conversations, 'taught conversation')}"
    )


GRAPH_CAPTION = "This conversation so far, as a story: {steps} steps."
GRAPH_NOTHING = "There is nothing to draw yet: the conversation has no turn since its start."
GRAPH_NO_PICTURES = (
    "/graph sends a picture in Telegram and Slack; here, `ozbot visualize` draws every story "
    "and taught conversation."
)

# The review inbox (/review, /dismiss).
NOTHING_TO_REVIEW = "Nothing to review: no user's turn is flagged."
REVIEW_UNAVAILABLE = "This bot keeps no review queue."
NO_REVIEW_OPEN = "No turn is open for review; /review opens the next."
_REASONS = {
    "nlu": "the NLU was unsure",
    "action": "the policy was unsure",
    "fallback": "it hit a fallback",
    "repeat": "the user said the same again",
}


def review_summary(total: int, intent: str | None, count: int) -> str:
    """ "14 turns to review, 9 of them about card_arrival"."""
    if total == 0:
        return NOTHING_TO_REVIEW
    turns = "1 turn" if total == 1 else f"{total} turns"
    return f"{turns} to review, {count} of them about {intent}."


def all_claimed(total: int) -> str:
    return f"{total} flagged turns are open with other trainers; try /review again later."


def reviewing(reasons: Sequence[str], conversation_id: str) -> str:
    why = ", ".join(_REASONS.get(reason, reason) for reason in reasons)
    return (
        f"A user's turn to review (conversation {conversation_id}): {why}. Answer as in "
        "teaching; the user sees nothing of it. /review skips it, /dismiss drops it as not useful."
    )


def reviewed(left: int) -> str:
    return f"Reviewed: it is training data now. {left} left; /review for the next."


# Telegram: its help, refusals and command menu.
TELEGRAM_TRAINERS_ONLY = "/{command} is for trainers."
TELEGRAM_TEXT_ONLY = "I can only read text: type an intent such as /{intent}. /help explains more."
TELEGRAM_INTENT_COMMAND = "the user says {intent}"
TELEGRAM_HELP_TRAINER = (
    'You are a trainer. Type what the user says as an intent: /{intent} or /{intent}{{"entity": '
    '"value"}}. Before each action the bot asks whether it is right: tap Yes, Wrong action or '
    "Wrong intent; corrections stick at once. /restart starts a new conversation, /undo takes "
    "back your last message, /export sends the conversation as Rasa stories, /status shows the "
    "model and its training data, /graph draws the conversation's path, /review opens users' "
    "turns to review."
)
TELEGRAM_HELP_USER = (
    'Type what you want as an intent: /{intent} or /{intent}{{"entity": "value"}}. '
    "/restart starts a new conversation."
)


def model_status(
    model: int,
    stories: int,
    conversations: int,
    corrections: int,
    trained_at: float | None = None,
    corrections_since: int = 0,
) -> str:
    when = (
        ""
        if trained_at is None
        else time.strftime(", trained %Y-%m-%d %H:%M UTC", time.gmtime(trained_at))
    )
    return (
        f"Model {model} serves{when}. It learned from "
        f"{_counted(stories, 'training story', 'training stories')} and "
        f"{_counted(conversations, 'taught conversation')} with "
        f"{_counted(corrections, 'correction')}; "
        f"{_counted(corrections_since, 'correction')} since."
    )


RETRAIN_STARTED = "Retraining now; you will hear when the new model is live."
RETRAIN_QUEUED = "A retrain is running; another one follows it with everything taught since."
RETRAIN_UNAVAILABLE = "This bot does not retrain here; run `ozbot train`."
RETRAIN_CLAIMED = "a replica of this bot is retraining now; try again when it is done"


def model_live(version: int, stories: int, seconds: float, corrections: int = 0) -> str:
    """A new model serves; `corrections`: those it learned that the one before had not."""
    learned = f" with {_counted(corrections, 'new correction')}" if corrections else ""
    return (
        f"model {version} live{learned}: {_counted(stories, 'story', 'stories')}, "
        f"trained in {seconds:.1f} s"
    )


def retrain_failed(error: str, live: int | None) -> str:
    serving = "the old model" if live is None else f"model {live}"
    return f"retraining failed: {error}; {serving} keeps serving"


def background_failed(what: str, error: str, live: int | None) -> str:
    serving = "the old model" if live is None else f"model {live}"
    return f"{what} failed: {error}; {serving} keeps serving here until ozbot restarts"


def _counted(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def store_failed(error: str) -> str:
    return f"This message was not processed, the conversation store refused it: {error}"


# Slack: the help and refusals of the chat UI (buttons and alerts are shared, above).
SLACK_HELP_TRAINER = (
    'You are a trainer. Type what the user says as an intent: !{intent} or !{intent}{{"entity": '
    '"value"}} (Slack keeps messages that start with / for itself; /{intent} works where it gets '
    "through). Before each action the bot asks whether it is right: press Yes, Wrong action or "
    "Wrong intent; corrections stick at once. /ozbot restart starts a new conversation, "
    "/ozbot undo takes back your last message, /ozbot export uploads the conversation as Rasa "
    "stories, /ozbot status shows the model and its training data, /ozbot retrain retrains now, "
    "/ozbot graph draws the conversation's path, /ozbot review opens users' turns to review."
)
SLACK_HELP_USER = (
    'Type what you want as an intent: !{intent} or !{intent}{{"entity": "value"}} (or '
    "/{intent}). /ozbot restart starts a new conversation."
)
SLACK_TRAINERS_ONLY = "/ozbot {command} is for trainers."


def slack_usage(commands: Sequence[str]) -> str:
    return f"Usage: /ozbot {' | '.join(commands)}"


# The terminal: its help (it gets the example `{intent}` as the others, and shows none; and
# `{intents}`, all of them), where the trainer is on start, its pick lists and its quitting.
TERMINAL_HELP = (
    'Type what the user says, or an intent as /intent or /intent{{"entity": "value"}}. '
    "Commands, at every prompt: /restart (new conversation), /export (write stories), /undo "
    "(take back your last message), /retrain (retrain the model now), /status (the model and "
    "what it learned), /review (users' turns to review; /dismiss: not useful), /quit, /help. "
    "0 exports and quits; Ctrl-D quits; Tab completes.\n"
    "Intents: {intents}."
)
BYE = "Bye. The conversation is kept; start again to continue it."
EXPORT_BEFORE_QUITTING = "\nExport the conversation as stories before quitting? [y/N] "
LIKELY_MARK = "  ◀ likely"
PICK_HOW = "Type a number or a name (its start will do); an empty line or `back` goes back."
ASKING_ENTITIES = "which entities the user meant"
ASKING_PICK = {"action": "which action comes next", "intent": "which intent the user meant"}
STALE_QUESTION = (
    "That does not answer the question left open by an earlier session, and nothing was "
    "taught: the lines typed now may be meant for something else. Type `answer` to see the "
    "question again, /undo to take back the message it is about, or /restart to start fresh."
)
STALE_QUESTION_AGAIN = "Type `answer`, /undo or /restart first (the open question waits)."


def where_the_trainer_is(conversation: str, turns: int, asking: str | None) -> str:
    """The first line of a terminal session: which conversation, how far, what is open."""
    fresh = (
        "/restart starts a fresh one (this one is kept); `ozbot run --conversation NAME` "
        "picks another."
    )
    if turns == 0 and asking is None:
        return f"New conversation {conversation!r}. Type what the user says."
    said = f"Continuing conversation {conversation!r} ({_counted(turns, 'turn')})"
    if asking is None:
        return f"{said}. {fresh}"
    return f"{said}; the bot was asking {asking}. Answer it below, or /undo that message. {fresh}"


def asking_action(action: str, after: str) -> str:
    return f"whether to [{action}]{after}"


def pick_how(count: int) -> str:
    return (
        f"Type a number from 0 to {count - 1}, or a name (its start will do); "
        "an empty line or `back` goes back."
    )


def ambiguous_pick(text: str, matches: Sequence[str]) -> str:
    return f"{text!r} starts {_listing(matches)}: type more of the name, or its number."


SHELL_HELP = (
    "You talk to the bot as its users do: type what the user says, or an intent as /{intent}. "
    "Nothing said here is kept or learned (`ozbot interactive` teaches). Commands: /restart "
    "(start again), /help. Ctrl-D quits."
)
SHELL_TEACHING_ONLY = "/{command} is for teaching: `ozbot interactive`. The shell keeps nothing."
SHELL_BYE = "Bye. Nothing said here was kept."
