"""Rasa's Markdown story format (Rasa Core 0.x to Rasa 2), read and written.

    ## story name
    * greet
        - utter_greet
    * inform{"city": "Berlin"} OR affirm
        - slot{"city": "Berlin"}
        - restaurant_form
        - active_loop{"name": "restaurant_form"}
    > checkpoint_name

Any line starting with `#` starts a story, as in Rasa. `* intent: some text` (end-to-end form) is
read as `* intent`, and Rasa Core's first form, `* _inform[cuisine=italian]`, as
`* inform{"cuisine": "italian"}`, with a note in the log. Rasa 1's `- form{"name": ...}` reads
as `- active_loop{"name": ...}`, and the steps Rasa 1 wrote inside a form with a `form: `
prefix (`* form: inform`, `- form: restaurant_form`) read as the plain steps (Rasa 1 skipped
them, its FormPolicy ran the form; here they are what the form did).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.errors import StoryError
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    Checkpoint,
    SlotStep,
    Step,
    Story,
    UserStep,
    UserTurn,
)
from bot.stories.problems import read_on

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NLU_HEADER = re.compile(r"^\s*#+\s*(intent|synonym|regex|lookup)\s*:", re.MULTILINE)
_INTENT = re.compile(r"[^\s{}:]+")
_E2E_TEXT = re.compile(r"\s*:.*?(?=\s+OR\s+|$)")
_OR = re.compile(r"\s+OR\s+")
_ACTION = re.compile(r"[^\s{}]+")
_LOOP_EVENTS = ("active_loop", "form")
"""`- active_loop{"name": ...}`, Rasa 1's `- form{"name": ...}`: the form active from here on."""
_FORM_PREFIX = re.compile(r"form:\s+")
"""Rasa 1's mark of a step inside a form: `* form: inform`, `- form: restaurant_form`."""
_DECODER = json.JSONDecoder()
_ESCAPED = re.compile("[<\ud800-\udfff]")
_OLD_CORE = re.compile(r"\*\s*_(?P<intent>[^\s\[\]{}]+)(?:\[(?P<entities>[^\]]*)\])?\s*")
"""A user line of Rasa Core before 0.8: `* _greet`, `* _inform[cuisine=italian]`."""
log = logging.getLogger(__name__)

_USER_HOW = 'write `* intent`, `* intent{"entity": "value"}` or `* intent_a OR intent_b`'
_SLOT_HOW = 'write `    - slot{"slot_name": "value"}`'
_LOOP_HOW = 'write `    - active_loop{"name": "form_name"}` or `    - active_loop{"name": null}`'
_LINE_HOW = (
    'a story line is `* intent{"entity": "value"}`, `    - action_name`, '
    '`    - slot{"slot_name": "value"}` or `> checkpoint_name`'
)


@dataclass
class _Draft:
    name: str
    source: str
    steps: list[Step] = field(default_factory=list)


def is_nlu_markdown(text: str) -> bool:
    """True for Rasa NLU training data (`## intent:greet`), which Rasa 1 keeps next to stories."""
    return _NLU_HEADER.search(text) is not None


def parse_markdown(text: str, source: str, problems: list[str] | None = None) -> list[Story]:
    """Read Markdown stories; `source` names the file in errors and in each `Story.source`.

    With `problems`, a line that cannot be read is kept there and reading goes on."""
    drafts: list[_Draft] = []
    converted = 0
    for number, line in _lines(text, source):
        converted += bool(
            read_on(problems, partial(_read_line, line, f"{source}:{number}", drafts))
        )
    if converted:
        log.warning(
            "%s: %d story lines in the form of Rasa Core before 0.8 (`* _greet`, "
            '`* _inform[cuisine=italian]`) were read as `* greet` and `* inform{"cuisine": '
            '"italian"}`; write them that way to drop this note',
            source,
            converted,
        )
    return [Story(draft.name, tuple(draft.steps), draft.source) for draft in drafts]


def _read_line(line: str, where: str, drafts: list[_Draft]) -> bool:
    """A story's `## name` starts a draft; any other line adds steps to the last draft. True
    for a line of Rasa Core before 0.8, read as today's."""
    if line.startswith("#"):
        drafts.append(_Draft(_story_name(line, where), where))
        return False
    if not drafts:
        raise StoryError(f"{where}: {line!r} comes before any story; start one with `## name`")
    old = _OLD_CORE.fullmatch(line)
    drafts[-1].steps.extend(_steps(_from_old_core(old) if old else line, where))
    return old is not None


def _from_old_core(line: re.Match[str]) -> str:
    """`* _inform[cuisine=italian, people=2]` as today's `* inform{"cuisine": "italian", ...}`."""
    pairs = [pair.partition("=") for pair in (line["entities"] or "").split(",") if pair.strip()]
    entities = {key.strip(): value.strip() for key, _, value in pairs}
    return f"* {line['intent']}{_json(entities) if entities else ''}"


def _lines(text: str, source: str) -> Iterator[tuple[int, str]]:
    """The stripped non-blank lines outside comments, with their 1-based line numbers."""
    uncommented = _COMMENT.sub(lambda match: "\n" * match[0].count("\n"), text)
    for number, line in enumerate(uncommented.split("\n"), start=1):
        if "<!--" in line:
            raise StoryError(f"{source}:{number}: this `<!--` comment is never closed; add `-->`")
        if line.strip():
            yield number, line.strip()


def _story_name(line: str, where: str) -> str:
    name = line.lstrip("#").strip()
    if _NLU_HEADER.match(line):
        raise StoryError(
            f"{where}: {line!r} is NLU training data, not a story; keep it in another file"
        )
    if not name:
        raise StoryError(f"{where}: a story needs a name; write `## story name`")
    return name


def _steps(line: str, where: str) -> list[Step]:
    marker, rest = line[0], line[1:].strip()
    if marker in "*-" and (prefix := _FORM_PREFIX.match(rest)):
        rest = rest[prefix.end() :]
    if marker == "*":
        return [_user_step(rest, where)]
    if marker == "-":
        return _action_or_slots(rest, where)
    if marker == ">":
        return [_checkpoint(rest, where)]
    raise StoryError(f"{where}: cannot read {line!r}; {_LINE_HOW}")


def _user_step(rest: str, where: str) -> UserStep:
    turns = []
    position = 0
    while True:
        intent = _INTENT.match(rest, position)
        if intent is None:
            raise StoryError(f"{where}: expected an intent at {rest[position:]!r}; {_USER_HOW}")
        entities, position = _json_object(rest, intent.end(), where, _USER_HOW)
        turns.append(UserTurn(intent[0], entities))
        text = _E2E_TEXT.match(rest, position)
        position = text.end() if text else position
        if position == len(rest):
            return UserStep(tuple(turns))
        separator = _OR.match(rest, position)
        if separator is None:
            raise StoryError(f"{where}: unexpected {rest[position:]!r}; {_USER_HOW}")
        position = separator.end()


def _action_or_slots(rest: str, where: str) -> list[Step]:
    name = _ACTION.match(rest)
    if name is None:
        raise StoryError(f"{where}: expected an action name after `-`; {_LINE_HOW}")
    values, end = _json_object(rest, name.end(), where, _SLOT_HOW)
    if rest[end:].strip():
        raise StoryError(f"{where}: unexpected {rest[end:].strip()!r}; {_LINE_HOW}")
    if name[0] in _LOOP_EVENTS:
        return [_active_loop(values, where)]
    if name[0] == "slot":
        if not values:
            raise StoryError(f"{where}: `slot` needs a slot and its value; {_SLOT_HOW}")
        return [SlotStep(slot, value) for slot, value in values.items()]
    if end > name.end():
        raise StoryError(f"{where}: only `slot` takes a JSON object; write `    - {name[0]}`")
    return [ActionStep(name[0])]


def _active_loop(values: dict[str, Any], where: str) -> ActiveLoopStep:
    name = values.get("name")
    if set(values) != {"name"} or not (name is None or (isinstance(name, str) and name.strip())):
        raise StoryError(f"{where}: cannot read the active form {_json(values)}; {_LOOP_HOW}")
    return ActiveLoopStep(name)


def _checkpoint(rest: str, where: str) -> Checkpoint:
    if not rest or "{" in rest:
        raise StoryError(
            f"{where}: write a checkpoint as `> checkpoint_name` (conditions are not supported)"
        )
    return Checkpoint(rest)


def _json_object(text: str, position: int, where: str, how: str) -> tuple[dict[str, Any], int]:
    """The JSON object starting at `position` (or {} if there is none) and where it ends."""
    if not text.startswith("{", position):
        return {}, position
    try:
        value, end = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        raise StoryError(
            f"{where}: {text[position:]!r} is not valid JSON ({exc.msg}); {how}, "
            "with double quotes around names and text"
        ) from exc
    return value, end


def write_markdown(stories: Iterable[Story]) -> str:
    """Markdown stories, one blank line between them; `parse_markdown` reads them back."""
    return "\n".join(_story_text(story) for story in stories)


def _story_text(story: Story) -> str:
    _check(story.name, "story name", story.name == story.name.lstrip("#").strip())
    lines = [f"## {story.name}", *(_step_line(step) for step in story.steps)]
    return "".join(f"{line}\n" for line in lines)


def _step_line(step: Step) -> str:
    if isinstance(step, UserStep):
        return "* " + " OR ".join(_turn_text(turn) for turn in step.alternatives)
    if isinstance(step, ActionStep):
        readable = _ACTION.fullmatch(step.name) is not None
        _check(step.name, "action", readable and step.name not in ("slot", *_LOOP_EVENTS))
        return f"    - {step.name}"
    if isinstance(step, SlotStep):
        return f"    - slot{_json({step.name: step.value})}"
    if isinstance(step, ActiveLoopStep):
        return f"    - active_loop{_json({'name': step.name})}"
    _check(step.name, "checkpoint", step.name == step.name.strip() and "{" not in step.name)
    return f"> {step.name}"


def _turn_text(turn: UserTurn) -> str:
    _check(turn.intent, "intent", _INTENT.fullmatch(turn.intent) is not None)
    return turn.intent + (_json(turn.entities) if turn.entities else "")


def _json(value: dict[str, Any]) -> str:
    """JSON with `<` written as `\\u003c`, so no value can open a comment (`<!--`), and lone
    surrogates escaped, so any value can be written as UTF-8."""
    text = json.dumps(value, ensure_ascii=False)
    return _ESCAPED.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def _check(name: str, kind: str, reads_back: bool) -> None:
    """A name that would read back as something else cannot be written: fail now, not later."""
    if not reads_back or not name or "\n" in name:
        raise StoryError(
            f"cannot write the {kind} {name!r} as Markdown: it would not read back as written; "
            "rename it or write YAML stories"
        )
