"""Stories and rules that contradict each other, as `rasa data validate stories` finds them.

Two stories contradict when their last `max_history` states are the same and the next action
differs: the policy sees one situation with two answers and learns at best one of them (unless
what came before, in the glued dialogues of training, tells them apart: so a warning). A rule
contradicts a story, or another rule, where it applies (as the bot applies rules: the longest
that matches) and predicts another action than the story or rule goes on with: the rule always
wins there, so the other is never followed (Rasa refuses to train: so a problem).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.domain import Domain
from bot.events import ACTION_LISTEN
from bot.stories.model import Rule, Story
from bot.tracker import State, Tracker
from policy.dataset import Example, story_dialogues, turn_examples
from policy.rules import Snippet, ruled, snippets


@dataclass(frozen=True)
class Contradiction:
    """Two stories or rules that go on differently after the same history."""

    first: str
    """`story 'name'` or `rule 'name' (file:line)`."""
    first_action: str
    second: str
    second_action: str
    after: State
    """The last state both have."""

    @property
    def by_rule(self) -> bool:
        """The first is a rule: it always wins, the second is never followed there."""
        return self.first.startswith("rule ")

    def __str__(self) -> str:
        if self.by_rule:
            return (
                f"{self.first} predicts {self.first_action} {_described(self.after)}, where "
                f"{self.second} goes on with {self.second_action}; the rule wins there, so "
                "make them agree or add a condition to the rule"
            )
        return (
            f"{self.first} and {self.second} go on differently {_described(self.after)}: "
            f"the first with {self.first_action}, the second with {self.second_action}; "
            "make them agree, or raise max_history in config.yml if earlier turns tell them apart"
        )


def contradictions(
    stories: Sequence[Story], rules: Sequence[Rule], domain: Domain, max_history: int
) -> list[Contradiction]:
    """Every contradiction once, stories with stories first, then rules with stories and with
    each other. Raises StoryError when a story uses what the domain lacks."""
    story_examples = [
        (f"story {dialogue.name!r}", example)
        for dialogue in story_dialogues(stories, domain)
        for example in _examples(Tracker("", domain, dialogue.events))
    ]
    found = _between_stories(story_examples, max_history)
    applied = snippets(rules, domain)
    named = {rule.name: _rule_name(rule) for rule in rules}
    found += _against_rules(story_examples, applied, named)
    found += _against_rules(list(_rule_examples(rules, domain)), applied, named)
    return list(dict.fromkeys(found))


def _between_stories(
    examples: Sequence[tuple[str, Example]], max_history: int
) -> list[Contradiction]:
    seen: dict[tuple[State, ...], tuple[str, str]] = {}
    found = []
    for name, example in examples:
        key = example.states[-max_history:]
        first, action = seen.setdefault(key, (name, example.action))
        if action != example.action and first != name:
            found.append(Contradiction(first, action, name, example.action, key[-1]))
    return found


def _against_rules(
    examples: Sequence[tuple[str, Example]], applied: Sequence[Snippet], named: dict[str, str]
) -> list[Contradiction]:
    found = []
    for name, example in examples:
        snippet = ruled(applied, example.states)
        if snippet is None or snippet.action == example.action:
            continue
        rule = named[snippet.rule]
        if rule != name:
            after = example.states[-1]
            found.append(Contradiction(rule, snippet.action, name, example.action, after))
    return found


def _rule_examples(rules: Sequence[Rule], domain: Domain) -> Iterator[tuple[str, Example]]:
    """The actions each rule predicts, each with the states before it (the condition's slots
    set first); the listen after a rule that does not wait for the user is no prediction."""
    for rule in rules:
        story = Story(rule.name, (*rule.condition, *rule.steps), rule.source)
        [dialogue] = story_dialogues([story], domain)
        examples = _examples(Tracker("", domain, dialogue.events))
        if not rule.wait_for_user_input:
            examples = examples[:-1]
        yield from ((_rule_name(rule), example) for example in examples)


def _examples(tracker: Tracker) -> list[Example]:
    return turn_examples(tracker.turns)


def _rule_name(rule: Rule) -> str:
    return f"rule {rule.name!r} ({rule.source})" if rule.source else f"rule {rule.name!r}"


def _described(state: State) -> str:
    if state.prev_action in (None, ACTION_LISTEN):
        return f"after intent {state.intent}" if state.intent else "at the start"
    intent = f" (intent {state.intent})" if state.intent else ""
    return f"after {state.prev_action}{intent}"
