"""Failed test stories as Rasa Markdown, each wrong prediction marked as Rasa marks it:

    * greet
        - utter_goodbye   <!-- predicted: utter_greet -->

A listen the story leaves implicit is written out where it was predicted wrong. The file reads
back as stories (comments are ignored), so a corrected copy can go straight into stories/.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.events import ACTION_LISTEN
from bot.stories.markdown import write_markdown
from bot.stories.model import ActionStep, Step, Story
from policy.evaluation import StoryResult
from policy.story_graph import as_story_step

ALL_GOOD = "<!-- None of the test stories failed: all good! -->\n"


def failed_stories_markdown(results: Sequence[StoryResult]) -> str:
    failed = [_marked(result) for result in results if result.failed]
    return "\n".join(failed) if failed else ALL_GOOD


def _marked(result: StoryResult) -> str:
    """`write_markdown` writes one line per step after the name: the comments go on those."""
    wrong = {turn.event_index: turn.predicted for turn in result.turns if not turn.correct}
    steps: list[Step] = []
    comments: list[str] = []
    for index, source in enumerate(result.dialogue.sources):
        if source is None and index not in wrong:
            continue
        steps.append(as_story_step(source) if source is not None else ActionStep(ACTION_LISTEN))
        comments.append(f"   <!-- predicted: {wrong[index]} -->" if index in wrong else "")
    name, *lines = write_markdown([Story(result.dialogue.name, tuple(steps))]).splitlines()
    marked = [line + comment for line, comment in zip(lines, comments, strict=True)]
    return "".join(f"{line}\n" for line in [name, *marked])
