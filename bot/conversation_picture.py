"""/graph: the path of a conversation since its last restart, as a picture."""

from __future__ import annotations

from bot import texts
from bot.engine import Engine
from bot.errors import DrawingError
from bot.graphviz import draw
from bot.outputs import Notice, Picture
from bot.stories.drawing import dialogue_dot
from bot.stories.export import stories_from_events
from bot.stories.model import ActionStep, UserStep


async def conversation_picture(engine: Engine, conversation_id: str) -> Notice:
    """A `Picture` of the conversation as the story it would export (its current part: a
    restart starts a new one), or a note why there is none."""
    stories = stories_from_events(await engine.events(conversation_id), conversation_id)
    if not stories:
        return Notice(texts.GRAPH_NOTHING)
    story = stories[-1]
    try:
        png = await draw(dialogue_dot([story], title=f"conversation {conversation_id}"))
    except DrawingError as exc:
        return Notice(str(exc))
    steps = sum(isinstance(step, UserStep | ActionStep) for step in story.steps)
    caption = texts.GRAPH_CAPTION.format(steps=steps)
    return Picture(texts.GRAPH_NO_PICTURES, png=png, caption=caption)
