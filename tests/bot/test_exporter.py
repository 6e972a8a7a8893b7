"""An export: the stories, and beside them the free text a trainer confirmed as NLU data."""

import errno
import os
from pathlib import Path

import pytest

from bot import texts
from bot.engine import Command, UserMessage
from bot.errors import StoryError
from bot.events import ActionExecuted, UserUttered
from bot.exporter import MARKDOWN, YAML, StoryExporter, project_story_format
from bot.nlu.model import EntitySpan, Example
from bot.nlu.reader import read_nlu
from bot.outputs import Notice
from bot.stories.model import ActionStep, UserStep, UserTurn
from bot.stories.reader import read_stories

GREET = UserUttered("/greet", "greet")


def conversation(*said):
    events = []
    for message in said:
        events += [
            ActionExecuted("action_listen"),
            message,
            ActionExecuted("utter_greet", "trainer"),
        ]
    return events


async def test_free_text_goes_beside_the_stories_and_reads_back_as_nlu_data(tmp_path):
    events = conversation(
        UserUttered("hi there", "greet", confidence=0.9),
        UserUttered("concerts in Berlin", "search_concerts", {"city": "Berlin"}, confidence=0.8),
        UserUttered("/greet", "greet"),
    )
    exported = await StoryExporter(tmp_path).export("c1", events)
    assert exported.nlu_examples == 2
    assert "and 2 NLU examples beside it" in exported.summary
    [nlu_file] = tmp_path.glob("*.nlu.yml")
    assert nlu_file.name == exported.path.split("/")[-1].replace(".md", ".nlu.yml")
    assert read_nlu(tmp_path).examples == (
        Example("hi there", "greet"),
        Example("concerts in Berlin", "search_concerts", (EntitySpan(12, 18, "city", "Berlin"),)),
    )


async def test_typed_intents_alone_write_no_nlu_file(tmp_path):
    exported = await StoryExporter(tmp_path).export(
        "c1", conversation(UserUttered("/greet", "greet"))
    )
    assert exported.nlu_examples == 0
    assert list(tmp_path.glob("*.nlu.yml")) == []
    assert exported.summary.startswith("Exported 1 story to ")


async def test_a_text_rasa_s_format_cannot_hold_is_left_out_not_garbled(tmp_path):
    events = conversation(
        UserUttered("see [this](link)", "greet", confidence=0.9),
        UserUttered("hello", "greet", confidence=0.9),
    )
    exported = await StoryExporter(tmp_path).export("c1", events)
    assert [e.text for e in read_nlu(tmp_path).examples] == ["hello"]
    assert exported.nlu_examples == 1


HOSTILE_IDS = [".x", "..", "intent:x", "## story", "x" * 300, "a\nb", "../../up", "a/b\\c", "é"]


@pytest.mark.parametrize("conversation_id", HOSTILE_IDS)
async def test_every_export_is_read_back_by_training_under_a_safe_bounded_name(
    tmp_path, conversation_id
):
    folder = tmp_path / "stories" / "exported"
    exported = await StoryExporter(folder).export(
        conversation_id, conversation(UserUttered("/greet", "greet"))
    )
    path = Path(exported.path)
    assert path.parent == folder and len(path.name) <= 80 and not path.name.startswith(".")
    [story] = read_stories(tmp_path / "stories")  # what training reads
    assert story.steps == (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))
    assert "\n" not in story.name and len(story.name) < 100


async def test_ids_that_differ_never_share_a_file(tmp_path):
    ids = ["a:b", "a/b", "a_b", "x" * 300, "x" * 301]
    paths = {(await StoryExporter(tmp_path).export(i, conversation(GREET))).path for i in ids}
    assert len(paths) == len(ids)


async def test_exporting_again_replaces_the_earlier_export(tmp_path):
    exporter = StoryExporter(tmp_path)
    await exporter.export("c1", conversation(UserUttered("hi", "greet", confidence=0.9)))
    await exporter.export("c1", conversation(GREET, GREET))
    [story] = read_stories(tmp_path)
    assert len(story.steps) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c1.md"]  # no stale NLU examples


async def test_an_empty_conversation_writes_no_file(tmp_path):
    exported = await StoryExporter(tmp_path).export("c1", [ActionExecuted("action_listen")])
    assert (exported.stories, exported.summary) == (0, texts.NOTHING_EXPORTED)
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def no_space(fd):
    """What a write to a full disk raises, at the latest when it is flushed to the disk."""
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def test_a_full_disk_is_a_clear_error_and_leaves_no_partial_file(tmp_path, monkeypatch):
    exporter = StoryExporter(tmp_path)
    earlier = await exporter.export("c1", conversation(GREET))
    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StoryError, match="c1.md: cannot write the export .No space left"):
        await exporter.export("c1", conversation(GREET, GREET))
    assert [p.name for p in tmp_path.iterdir()] == ["c1.md"]
    assert Path(earlier.path).read_text() == earlier.markdown


async def test_a_full_disk_at_export_is_told_in_the_chat(engine, tmp_path, monkeypatch):
    await engine.handle("c1", UserMessage("/greet"), trainer=False)
    monkeypatch.setattr(os, "fsync", no_space)
    [notice] = await engine.handle("c1", Command("export"), trainer=True)
    assert isinstance(notice, Notice) and "cannot write the export" in notice.text
    assert not (tmp_path / "exported").exists() or list((tmp_path / "exported").iterdir()) == []


def test_the_project_format_is_the_one_most_story_files_use(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    assert project_story_format([data]) == YAML  # none: YAML
    (data / "a.md").write_text("## a\n* greet\n  - utter_greet\n")
    (data / "nlu.md").write_text("## intent:greet\n- hi\n")
    (data / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: "- hi"\n')
    assert project_story_format([data]) == MARKDOWN
    (data / "rules.yml").write_text("rules:\n- rule: r\n  steps:\n  - intent: greet\n")
    assert project_story_format([data]) == YAML  # as many: YAML


async def test_exporting_in_the_other_format_replaces_the_earlier_file(tmp_path):
    events = conversation(UserUttered("/greet", "greet"))
    await StoryExporter(tmp_path, MARKDOWN).export("c1", events)
    exported = await StoryExporter(tmp_path, YAML).export("c1", events)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c1.yml"]
    assert exported.markdown.startswith('version: "3.1"\nstories:')
    [story] = read_stories(tmp_path / "c1.yml")
    assert story.steps == (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))
