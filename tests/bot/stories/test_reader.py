import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from bot.errors import StoryError
from bot.stories.model import ActionStep, SlotStep, Story, UserStep, UserTurn
from bot.stories.reader import read_stories, write_stories

GREET = (UserStep((UserTurn("greet"),)), ActionStep("utter_greet"))
MARKDOWN = "## md story\n* greet\n    - utter_greet\n"
YAML = "stories:\n- story: {name}\n  steps:\n  - intent: greet\n  - action: utter_greet\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("ending", [".md", ".MD"])
def test_reads_a_markdown_file(tmp_path: Path, ending: str) -> None:
    path = write(tmp_path / f"stories{ending}", MARKDOWN)
    [story] = read_stories(path)
    assert story == Story("md story", GREET)
    assert story.source == f"{path}:1"


@pytest.mark.parametrize("ending", [".yml", ".yaml"])
def test_reads_a_yaml_file(tmp_path: Path, ending: str) -> None:
    path = write(tmp_path / f"stories{ending}", YAML.format(name="yaml story"))
    [story] = read_stories(path)
    assert story == Story("yaml story", GREET)
    assert story.source == f"{path}:2"


def test_reads_a_folder_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b.yml", YAML.format(name="b"))
    write(tmp_path / "a" / "z.md", MARKDOWN.replace("md story", "a/z"))
    write(tmp_path / "a.md", MARKDOWN.replace("md story", "a.md"))
    write(tmp_path / "c" / "d.yaml", YAML.format(name="c/d"))
    write(tmp_path / "notes.txt", "not stories")
    write(tmp_path / ".hidden.md", "not read")
    write(tmp_path / ".git" / "stories.md", "not read")
    write(tmp_path / "nlu.yml", "version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - hi\n")
    write(tmp_path / "domain.yml", "intents:\n- greet\nresponses:\n  utter_greet:\n  - text: hi\n")
    write(tmp_path / "nlu.md", "## intent:greet\n- hi\n- hello there\n")
    write(tmp_path / "rules.yml", "rules:\n- rule: r\n  steps:\n  - intent: greet\n")

    stories = read_stories(tmp_path)

    assert [story.name for story in stories] == ["a/z", "a.md", "b", "c/d"]
    assert all(story.steps == GREET for story in stories)
    assert stories[0].source == f"{tmp_path / 'a' / 'z.md'}:1"


def test_an_empty_folder_has_no_stories(tmp_path: Path) -> None:
    assert read_stories(tmp_path) == []


def test_a_syntax_error_in_a_folder_names_the_file_and_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "sub" / "bad.md", "## s\n* greet{oops}\n")
    with pytest.raises(StoryError) as error:
        read_stories(tmp_path)
    assert str(error.value).startswith(f"{bad}:2: '{{oops}}' is not valid JSON")


def test_a_markdown_nlu_file_named_directly_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "nlu.md", "## intent:greet\n- hi\n")
    with pytest.raises(StoryError) as error:
        read_stories(path)
    assert str(error.value) == (
        f"{path}:1: '## intent:greet' is NLU training data, not a story; keep it in another file"
    )


def test_unknown_ending(tmp_path: Path) -> None:
    path = write(tmp_path / "stories.txt", MARKDOWN)
    message = f"{path}: unknown story file ending; story files end in .md, .yml, .yaml"
    with pytest.raises(StoryError) as error:
        read_stories(path)
    assert str(error.value) == message


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(StoryError) as error:
        read_stories(tmp_path / "nowhere")
    assert str(error.value) == f"{tmp_path / 'nowhere'}: no such file or folder"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("## café\n".encode("latin-1"))
    with pytest.raises(StoryError) as error:
        read_stories(path)
    assert str(error.value) == f"{path}: cannot read the stories: it is not UTF-8 text"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.md", MARKDOWN)
    path.chmod(0)
    with pytest.raises(StoryError) as error:
        read_stories(path)
    assert str(error.value) == f"{path}: cannot read the stories: Permission denied"


STORIES = [
    Story("one", (*GREET, SlotStep("city", "Zürich"))),
    Story("two", (UserStep((UserTurn("inform", {"n": 2}), UserTurn("deny"))),)),
]


@pytest.mark.parametrize(
    ("name", "start"),
    [("out.md", "## one\n"), ("out.yml", 'version: "3.1"\n'), ("out.yaml", 'version: "3.1"\n')],
)
def test_write_chooses_the_format_by_ending(tmp_path: Path, name: str, start: str) -> None:
    path = tmp_path / name
    write_stories(STORIES, path)
    assert path.read_text(encoding="utf-8").startswith(start)
    assert read_stories(path) == STORIES


def test_write_unknown_ending(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match="unknown story file ending"):
        write_stories(STORIES, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_write_into_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.md"
    with pytest.raises(StoryError) as error:
        write_stories(STORIES, path)
    assert str(error.value) == f"{path}: cannot write the stories: No such file or directory"


HOSTILE = [
    "<!--",
    "a<!--b-->c",
    "-->",
    "<!-- x -->",
    "## not a story",
    "* greet",
    "    - utter_greet",
    "> checkpoint",
    "x OR y",
    '"quoted" \\ back\\slash',
    "{}",
    '{"json": "in text"}',
    "line\nbreak",
    "carriage\rreturn",
    "\u2028\u2029\x85",
    "tab\there",
    "\x00\x1b[31m\x07",
    "   padded   ",
    "",
    "#",
    "🎵 Zürich",
    "2024-05-01",
    "null",
    "yes",
    "- item",
    "key: value",
    "&anchor *alias !tag",
    "%",
    "@",
    "`",
    "\ud800",
    1,
    -2.5,
    True,
    None,
    [1, "<!--", None],
    {"nested": {"deeper": ["<!--", "-->"]}},
]
"""Entity and slot values a user can type in `/intent{...}`, each meant to break a format."""


@pytest.mark.parametrize("ending", [".md", ".yml"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_every_value_round_trips_exactly(tmp_path: Path, ending: str, value: object) -> None:
    story = Story(
        "hostile",
        (
            UserStep((UserTurn("search_concerts", {"city": value}),)),
            ActionStep("action_search_concerts"),
            SlotStep("city", value),
        ),
    )
    path = tmp_path / f"hostile{ending}"
    write_stories([story], path)
    assert read_stories(path) == [story]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
"""Any value `/intent{...}` can carry: JSON, with text of every character."""


@pytest.mark.parametrize("ending", [".md", ".yml"])
@seed(14)
@settings(max_examples=200, deadline=None, database=None)
@given(value=JSON_VALUES)
def test_any_json_value_round_trips_exactly(ending: str, value: object) -> None:
    story = Story(
        "any", (UserStep((UserTurn("inform", {"city": value}),)), SlotStep("city", value))
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"any{ending}"
        write_stories([story], path)
        assert read_stories(path) == [story]
