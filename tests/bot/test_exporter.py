"""An export: the stories, and beside them the free text a trainer confirmed as NLU data."""

from bot.events import ActionExecuted, UserUttered
from bot.exporter import StoryExporter
from bot.nlu.model import EntitySpan, Example
from bot.nlu.reader import read_nlu


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
