"""Stories, rules and taught conversations drawn as one graph, in Graphviz's DOT language.

As `rasa visualize` does, the dialogues are merged: a step is one node with every step of the
same name that follows the same `MERGE_CONTEXT` steps, so the openings and pieces that stories
share are drawn once. A checkpoint is a node of its own, joining the stories that end with it
to those that start with it; OR alternatives stand side by side. A form's start and end
(`active_loop`) are small notes. Slot events and `action_listen` are left out: they are no turn
a person sees. Pure: `bot/graphviz.py` turns
the text into a picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.stories.model import ActionStep, ActiveLoopStep, Checkpoint, Rule, Story, UserStep

MERGE_CONTEXT = 2
"""How many steps before a step must match for two steps of the same name to be one node."""

Kind = Literal["start", "end", "anytime", "checkpoint", "intent", "action", "loop"]
Label = tuple[Kind, str]
Position = tuple[Label, ...]
"""The nodes at one point of a dialogue: one, or the alternatives of an OR."""
START: Label = ("start", "START")
END: Label = ("end", "END")
ANYTIME: Label = ("anytime", "any time (rules)")
"""Where a rule that may apply at any point of a conversation starts."""
_STYLE: dict[str, str] = {
    "start": 'shape=box, style="rounded,filled", fillcolor="#c8e6c9", fontcolor="#1b5e20"',
    "end": 'shape=box, style="rounded,filled", fillcolor="#eeeeee", fontcolor="#424242"',
    "anytime": 'shape=box, style="rounded,dashed", color="#757575"',
    "checkpoint": 'shape=cds, style=filled, fillcolor="#ede7f6", color="#5e35b1"',
    "intent": 'shape=box, style="rounded,filled", fillcolor="#bbdefb", color="#1565c0"',
    "action": 'shape=box, style=filled, fillcolor="#fff3c4", color="#b28704"',
    "loop": 'shape=note, fontsize=9, color="#757575", fontcolor="#424242"',
}
_IN_DIALOGUE = ("intent", "action", "loop")
"""Kinds whose nodes depend on the steps before them (the others are one node wherever)."""
_LEGEND = "blue: what the user says (intent) · yellow: what the bot does (action)"


@dataclass
class _Graph:
    ids: dict[tuple[Label, tuple[Position, ...]], str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    edges: dict[tuple[str, str], None] = field(default_factory=dict)
    """Insertion-ordered, without repeats."""

    def node(self, label: Label, context: tuple[Position, ...]) -> str:
        """The node of `label` after `context`; fixed points (start, end, checkpoints) are one
        node wherever they stand."""
        key = (label, context if label[0] in _IN_DIALOGUE else ())
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
            self.labels[self.ids[key]] = label
        return self.ids[key]

    def add(self, steps: Sequence[object], start: Label, end: Label | None) -> None:
        """One dialogue from `start` (or the checkpoints it starts at) to `end`, unless it ends
        at checkpoints or `end` is None."""
        positions = _positions(steps)
        context: tuple[Position, ...]
        if positions and positions[0][0][0] == "checkpoint":
            current, context = [self.node(label, ()) for label in positions[0]], (positions[0],)
            positions = positions[1:]
        else:
            current, context = [self.node(start, ())], ((start,),)
        for position in positions:
            checkpoints = position[0][0] == "checkpoint"
            nodes = [self.node(label, () if checkpoints else context) for label in position]
            self.edges.update(dict.fromkeys((s, t) for s in current for t in nodes))
            current = nodes
            context = (position,) if checkpoints else (*context, position)[-MERGE_CONTEXT:]
        ends_at_checkpoint = bool(positions) and positions[-1][0][0] == "checkpoint"
        if end is not None and not ends_at_checkpoint:
            self.edges.update(dict.fromkeys((s, self.node(end, ())) for s in current))

    def dot(self, title: str) -> str:
        lines = [
            "digraph stories {",
            f'  graph [label="{_quoted(title)}\\n{_LEGEND}", labelloc=t, fontsize=13, '
            'fontname="Helvetica", rankdir=TB, nodesep=0.3, ranksep=0.35, pad=0.3];',
            '  node [fontname="Helvetica", fontsize=11, height=0.3, margin="0.15,0.05"];',
            '  edge [color="#616161", arrowsize=0.6];',
        ]
        for node_id, (kind, text) in self.labels.items():
            shown = f"> {text}" if kind == "checkpoint" else text
            lines.append(f'  {node_id} [label="{_quoted(shown)}", {_STYLE[kind]}];')
        lines += [f"  {source} -> {target};" for source, target in self.edges]
        return "\n".join([*lines, "}", ""])


def dialogue_dot(stories: Sequence[Story], rules: Sequence[Rule] = (), *, title: str) -> str:
    """The DOT text of the stories (taught conversations are stories too) and the rules."""
    graph = _Graph()
    for story in stories:
        graph.add(story.steps, START, END)
    for rule in rules:
        start = START if rule.conversation_start else ANYTIME
        graph.add(rule.steps, start, END if rule.wait_for_user_input else None)
    return graph.dot(title)


def _positions(steps: Sequence[object]) -> list[Position]:
    """The dialogue's points in order: consecutive checkpoints are one point (alternatives)."""
    positions: list[Position] = []
    for step in steps:
        position = _position(step)
        if not position:
            continue
        if positions and position[0][0] == positions[-1][0][0] == "checkpoint":
            positions[-1] += position
        else:
            positions.append(position)
    return positions


def _position(step: object) -> Position:
    if isinstance(step, UserStep):
        return tuple(dict.fromkeys(("intent", turn.intent) for turn in step.alternatives))
    if isinstance(step, ActionStep) and step.name != "action_listen":
        return (("action", step.name),)
    if isinstance(step, Checkpoint):
        return (("checkpoint", step.name),)
    if isinstance(step, ActiveLoopStep):
        return (("loop", "form ended" if step.name is None else f"form {step.name} active"),)
    return ()


def _quoted(text: str) -> str:
    """Text inside a DOT string: backslashes and quotes escaped, line breaks as `\\n`."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
