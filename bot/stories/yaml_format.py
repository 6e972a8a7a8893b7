"""Rasa 2/3 YAML stories, read and written.

    version: "3.1"
    stories:
    - story: story name
      steps:
      - intent: inform
        entities:
        - city: Berlin
      - action: utter_ok
      - slot_was_set:
        - city: Berlin
      - checkpoint: checkpoint_name
      - or:
        - intent: affirm
        - intent: thanks
      - action: restaurant_form
      - active_loop: restaurant_form
      - active_loop: null

`parse_yaml` reads `stories:`, `parse_rules` reads `rules:` (with `conversation_start`,
`condition` of slots and the active form, `wait_for_user_input` and `...`); `nlu:` and any
other top-level key are ignored, so NLU and domain files read as neither. Errors name the
line of the story or step that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import yaml

from bot.errors import StoryError
from bot.stories.model import (
    ActionStep,
    ActiveLoopStep,
    Checkpoint,
    Rule,
    SlotStep,
    Step,
    Story,
    UserStep,
    UserTurn,
)
from bot.stories.problems import read_on
from bot.yaml_errors import yaml_errors
from bot.yaml_reading import Yaml12Loader, reads_as_text

VERSION = "3.1"

_STEP_KEYS = ("intent", "or", "action", "slot_was_set", "active_loop", "checkpoint")
_INTENT_KEYS = {"intent", "entities", "user"}
_STORY_KEYS = {"story", "steps"}
_RULE_KEYS = {"rule", "steps", "conversation_start", "wait_for_user_input", "condition"}
SNIPPET = "..."
"""`- action: ...` at a rule's start or end: anything may come before or after."""
_ENTITY_HOW = "write entities as `- city: Berlin` or `- entity: city` with `value: Berlin`"
_SLOT_HOW = "write slots as `- slot_name: value` or `- slot_name` (meaning true)"
_CONDITION_HOW = "a rule's condition is `- slot_was_set: [...]` or `- active_loop: name`"


def parse_rules(text: str, source: str) -> list[Rule]:
    """Read the `rules:` of a Rasa YAML file; `source` names the file in errors."""
    with yaml_errors(source, StoryError):  # the loader refuses control characters at once
        loader = Yaml12Loader(text)
        try:
            return _StoryNodes(loader, source).rules(loader.get_single_node())
        finally:
            loader.dispose()


def parse_yaml(text: str, source: str, problems: list[str] | None = None) -> list[Story]:
    """Read the `stories:` of a Rasa YAML file; `source` names the file in errors.

    With `problems`, a story or step that cannot be read is kept there and reading goes on
    (YAML that does not parse still ends the file)."""
    with yaml_errors(source, StoryError):  # the loader refuses control characters at once
        loader = Yaml12Loader(text)
        try:
            return _StoryNodes(loader, source, problems).stories(loader.get_single_node())
        finally:
            loader.dispose()


class _StoryNodes:
    """Walks the YAML nodes down to each step, so errors can name the step's line."""

    def __init__(
        self, loader: Yaml12Loader, source: str, problems: list[str] | None = None
    ) -> None:
        self.loader = loader
        self.source = source
        self.problems = problems

    def where(self, node: yaml.Node) -> str:
        return f"{self.source}:{node.start_mark.line + 1}"

    def value(self, node: yaml.Node) -> Any:
        return self.loader.construct_object(node, deep=True)

    def stories(self, root: yaml.Node | None) -> list[Story]:
        if root is None:
            return []
        stories = self.mapping(root, "a YAML file of stories", {"stories"}).get("stories")
        nodes = self.sequence(stories, "`stories:`")
        read = [read_on(self.problems, partial(self.story, node)) for node in nodes]
        return [story for story in read if story is not None]

    def rules(self, root: yaml.Node | None) -> list[Rule]:
        if root is None:
            return []
        rules = self.mapping(root, "a YAML file of rules", {"rules"}).get("rules")
        return [self.rule(node) for node in self.sequence(rules, "`rules:`")]

    def rule(self, node: yaml.Node) -> Rule:
        where = self.where(node)
        fields = self.mapping(node, "a rule", _RULE_KEYS)
        if "rule" not in fields or "steps" not in fields:
            raise StoryError(f"{where}: a rule needs `rule: name` and `steps:`")
        name = _text(self.value(fields["rule"]), "rule", where)
        steps = [s for step in self.sequence(fields["steps"], "`steps:`") for s in self.steps(step)]
        wait = (
            self.value(fields["wait_for_user_input"]) if "wait_for_user_input" in fields else True
        )
        if steps and steps[-1] == ActionStep(SNIPPET):
            steps, wait = steps[:-1], False
        if steps and steps[0] == ActionStep(SNIPPET):
            steps = steps[1:]
        if ActionStep(SNIPPET) in steps:
            raise StoryError(f"{where}: `...` may only start or end a rule's steps")
        start = (
            self.value(fields["conversation_start"]) if "conversation_start" in fields else False
        )
        condition = self.condition(fields.get("condition"))
        if not isinstance(start, bool) or not isinstance(wait, bool):
            raise StoryError(
                f"{where}: conversation_start and wait_for_user_input are true or false"
            )
        return Rule(name, tuple(steps), start, wait, condition, where)

    def condition(self, node: yaml.Node | None) -> tuple[SlotStep | ActiveLoopStep, ...]:
        """The slots and the active form a rule requires (`active_loop: null`: no form)."""
        found: list[SlotStep | ActiveLoopStep] = []
        for item in self.sequence(node, "`condition:`"):
            step = self.value(item)
            if not isinstance(step, dict) or set(step) not in ({"slot_was_set"}, {"active_loop"}):
                raise StoryError(f"{self.where(item)}: {_CONDITION_HOW}")
            [(kind, value)] = step.items()
            read = _STEP_READERS[kind](value, step, self.where(item))
            found += [s for s in read if isinstance(s, SlotStep | ActiveLoopStep)]
        return tuple(found)

    def story(self, node: yaml.Node) -> Story:
        where = self.where(node)
        fields = self.mapping(node, "a story", _STORY_KEYS)
        if "story" not in fields or "steps" not in fields:
            raise StoryError(f"{where}: a story needs `story: name` and `steps:`")
        name = _text(self.value(fields["story"]), "story", where)
        nodes = self.sequence(fields["steps"], "`steps:`")
        steps = [read_on(self.problems, partial(self.steps, node)) or [] for node in nodes]
        return Story(name, tuple(step for read in steps for step in read), where)

    def steps(self, node: yaml.Node) -> list[Step]:
        step = self.value(node)
        where = self.where(node)
        if not isinstance(step, dict):
            raise StoryError(f"{where}: a step is a mapping such as `- action: utter_greet`")
        return _steps(step, where)

    def mapping(self, node: yaml.Node, what: str, keys: set[str]) -> dict[str, yaml.Node]:
        """The value nodes of a mapping by key; `keys` are the ones read, others are ignored."""
        if not isinstance(node, yaml.MappingNode):
            raise StoryError(f"{self.where(node)}: {what} must be a mapping")
        self.loader.flatten_mapping(node)
        return {
            key.value: value
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.value in keys
        }

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        """The item nodes of a list; a missing or empty (null) list has none."""
        if node is None or (isinstance(node, yaml.ScalarNode) and self.value(node) is None):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise StoryError(f"{self.where(node)}: {what} must be a list (`- ...` items)")
        return list(node.value)


def _steps(step: dict[str, Any], where: str) -> list[Step]:
    if ("user" in step and "intent" not in step) or "bot" in step:
        raise StoryError(
            f"{where}: end-to-end stories need NLU, not supported; use `intent:` and `action:`"
        )
    kinds = [key for key in _STEP_KEYS if key in step]
    if len(kinds) != 1:
        raise StoryError(
            f"{where}: a step has exactly one of {', '.join(_STEP_KEYS)}; "
            f"got {', '.join(map(str, step))}"
        )
    kind = kinds[0]
    allowed = _INTENT_KEYS if kind == "intent" else {kind}
    if unknown := set(step) - allowed:
        raise StoryError(
            f"{where}: unknown key {', '.join(sorted(map(str, unknown)))} in a `{kind}` step"
        )
    return _STEP_READERS[kind](step[kind], step, where)


def _intent_step(intent: Any, step: dict[str, Any], where: str) -> list[Step]:
    return [UserStep((_turn(intent, step, where),))]


def _alternatives(items: Any, _: dict[str, Any], where: str) -> list[Step]:
    if not isinstance(items, list) or not items:
        raise StoryError(f"{where}: `or:` takes a list of `- intent: name` items")
    turns = []
    for item in items:
        if not isinstance(item, dict) or "intent" not in item or set(item) - _INTENT_KEYS:
            raise StoryError(f"{where}: only intents can be alternatives; write `- intent: name`")
        turns.append(_turn(item["intent"], item, where))
    return [UserStep(tuple(turns))]


def _action_step(action: Any, _: dict[str, Any], where: str) -> list[Step]:
    return [ActionStep(_text(action, "action", where))]


def _active_loop_step(name: Any, _: dict[str, Any], where: str) -> list[Step]:
    """`active_loop: name` (the form is active from here on) or `active_loop: null` (none is)."""
    return [ActiveLoopStep(None if name is None else _text(name, "form", where))]


def _checkpoint_step(name: Any, _: dict[str, Any], where: str) -> list[Step]:
    return [Checkpoint(_text(name, "checkpoint", where))]


def _slot_steps(items: Any, _: dict[str, Any], where: str) -> list[Step]:
    if not isinstance(items, list):
        raise StoryError(f"{where}: `slot_was_set:` takes a list; {_SLOT_HOW}")
    return [SlotStep(name, value) for item in items for name, value in _slots(item, where)]


def _slots(item: Any, where: str) -> list[tuple[str, Any]]:
    if isinstance(item, str):
        return [(item, True)]
    if isinstance(item, dict) and item:
        return [(_text(name, "slot", where), value) for name, value in item.items()]
    raise StoryError(f"{where}: cannot read the slot {item!r}; {_SLOT_HOW}")


_STEP_READERS: dict[str, Callable[[Any, dict[str, Any], str], list[Step]]] = {
    "intent": _intent_step,
    "or": _alternatives,
    "action": _action_step,
    "slot_was_set": _slot_steps,
    "active_loop": _active_loop_step,
    "checkpoint": _checkpoint_step,
}


def _turn(intent: Any, step: dict[str, Any], where: str) -> UserTurn:
    entities = step.get("entities") or []
    if not isinstance(entities, list):
        raise StoryError(f"{where}: `entities:` takes a list; {_ENTITY_HOW}")
    pairs = [pair for entity in entities for pair in _entity(entity, where)]
    return UserTurn(_text(intent, "intent", where), dict(pairs))


def _entity(entity: Any, where: str) -> list[tuple[str, Any]]:
    """Rasa's forms: `{city: Berlin}`, `{entity: city, value: Berlin}`, or a bare name."""
    if isinstance(entity, str):
        return [(entity, "")]
    if isinstance(entity, dict) and "entity" in entity:
        if set(entity) - {"entity", "value"}:
            raise StoryError(f"{where}: entity roles and groups are not supported; {_ENTITY_HOW}")
        return [(_text(entity["entity"], "entity", where), entity.get("value", ""))]
    if isinstance(entity, dict) and entity:
        return [(_text(name, "entity", where), value) for name, value in entity.items()]
    raise StoryError(f"{where}: cannot read the entity {entity!r}; {_ENTITY_HOW}")


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StoryError(f"{where}: the {what} name must be text, got {value!r}")
    return value


class _Dumper(yaml.SafeDumper):
    """Writes text with a Unicode line break (NEL, U+2028, U+2029) in double quotes, where it is
    escaped: in any other style a YAML reader takes it for a line break and reads `\\n`. Text
    that YAML 1.2 would read as a number (`1e5`) is quoted."""


def _text_data(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = '"' if any(ch in text for ch in "\x85\u2028\u2029") else None
    if style is None and not reads_as_text(text):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text_data)


def write_yaml(stories: Iterable[Story]) -> str:
    """Rasa 3 YAML stories; consecutive slots share one `slot_was_set:`."""
    body = [{"story": story.name, "steps": _step_data(story.steps)} for story in stories]
    dumped = yaml.dump({"stories": body}, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return f'version: "{VERSION}"\n{dumped}'


def _step_data(steps: Iterable[Step]) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = []
    for step in steps:
        item = _one_step(step)
        if "slot_was_set" in item and data and "slot_was_set" in data[-1]:
            data[-1]["slot_was_set"].extend(item["slot_was_set"])
        else:
            data.append(item)
    return data


def _one_step(step: Step) -> dict[str, Any]:
    if isinstance(step, UserStep):
        turns = [_turn_data(turn) for turn in step.alternatives]
        return turns[0] if len(turns) == 1 else {"or": turns}
    if isinstance(step, ActionStep):
        return {"action": step.name}
    if isinstance(step, SlotStep):
        return {"slot_was_set": [{step.name: step.value}]}
    if isinstance(step, ActiveLoopStep):
        return {"active_loop": step.name}
    return {"checkpoint": step.name}


def _turn_data(turn: UserTurn) -> dict[str, Any]:
    data: dict[str, Any] = {"intent": turn.intent}
    if turn.entities:
        data["entities"] = [{name: value} for name, value in turn.entities.items()]
    return data
