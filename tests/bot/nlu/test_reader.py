from pathlib import Path

import pytest

from bot.errors import NluDataError
from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex
from bot.nlu.reader import read_nlu, write_nlu

MARKDOWN = "## intent:greet\n- hi\n## synonym:New York\n- nyc\n"
YAML = "nlu:\n- intent: {intent}\n  examples: |\n    - {text}\n"
STORIES_MD = "## greet story\n* greet\n    - utter_greet\n"
STORIES_YAML = "stories:\n- story: s\n  steps:\n  - intent: greet\n  - action: utter_greet\n"
DOMAIN = "intents:\n- greet\nresponses:\n  utter_greet:\n  - text: hi\n"

DATA = NluData(
    (
        Example("hi", "greet"),
        Example("any concerts in Berlin?", "search", (EntitySpan(16, 22, "city", "Berlin"),)),
        Example("fly to NYC", "fly", (EntitySpan(7, 10, "city", "New York", "to", "2"),)),
    ),
    {"nyc": "New York", "big apple": "New York"},
    (Regex("zipcode", r"\d{5}"),),
    (Lookup("city", ("Berlin", "Zürich")),),
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["nlu.md", "NLU.MD"])
def test_reads_a_markdown_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, MARKDOWN)
    assert read_nlu(path) == NluData((Example("hi", "greet"),), {"nyc": "New York"})


@pytest.mark.parametrize("name", ["nlu.yml", "nlu.yaml"])
def test_reads_a_yaml_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, YAML.format(intent="greet", text="hi"))
    assert read_nlu(path) == NluData((Example("hi", "greet"),))


def test_reads_a_folder_recursively_merged_in_name_order(tmp_path: Path) -> None:
    write(tmp_path / "b.yml", YAML.format(intent="b", text="from b.yml"))
    write(tmp_path / "a" / "z.md", "## intent:a_z\n- from a/z.md\n")
    write(tmp_path / "a.md", "## intent:a\n- from a.md\n" + STORIES_MD)
    write(tmp_path / "c" / "d.yaml", YAML.format(intent="c_d", text="from c/d.yaml") + STORIES_YAML)
    write(tmp_path / "stories.md", STORIES_MD)
    write(tmp_path / "stories.yml", STORIES_YAML)
    write(tmp_path / "domain.yml", DOMAIN)
    write(tmp_path / "notes.txt", "## intent:not_read\n- no\n")
    write(tmp_path / ".hidden.md", "## intent:not_read\n- no\n")
    write(tmp_path / ".git" / "nlu.md", "## intent:not_read\n- no\n")

    assert read_nlu(tmp_path).intents == ("a_z", "a", "b", "c_d")


def test_synonyms_of_a_later_file_win(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "## synonym:New York\n- NYC\n")
    write(tmp_path / "b.md", "## synonym:NY\n- NYC\n")
    assert read_nlu(tmp_path).synonyms == {"nyc": "NY"}


def test_an_empty_folder_holds_no_nlu_data(tmp_path: Path) -> None:
    assert read_nlu(tmp_path) == NluData()


def test_errors_name_the_file(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", MARKDOWN)
    bad = write(tmp_path / "sub" / "bad.yml", "nlu:\n- intent: greet\n  examples: |\n    - [hi\n")
    with pytest.raises(NluDataError) as error:
        read_nlu(tmp_path)
    assert str(error.value).startswith(f"{bad}:4: the `[` at character 1 is never closed")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.yml", None, "no such file or folder"),
        ("nlu.json", "{}", "unknown NLU file ending; NLU files end in .md, .yml, .yaml"),
        ("latin1.md", None, "cannot read the NLU data: it is not UTF-8 text"),
    ],
)
def test_file_errors(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        write(path, content)
    if name == "latin1.md":
        path.write_bytes("## intent:grüß\n- hi\n".encode("latin-1"))
    with pytest.raises(NluDataError) as error:
        read_nlu(path)
    assert str(error.value) == f"{path}: {message}"


@pytest.mark.parametrize("name", ["nlu.md", "nlu.yml", "nlu.yaml"])
def test_round_trip_through_a_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_nlu(DATA, path)
    assert read_nlu(path) == DATA


def test_converts_markdown_to_yaml(tmp_path: Path) -> None:
    write_nlu(DATA, tmp_path / "old.md")
    write_nlu(read_nlu(tmp_path / "old.md"), tmp_path / "new.yml")
    assert read_nlu(tmp_path / "new.yml") == DATA
    assert (tmp_path / "new.yml").read_text(encoding="utf-8").startswith('version: "3.1"\nnlu:\n')


def test_write_errors(tmp_path: Path) -> None:
    with pytest.raises(NluDataError) as error:
        write_nlu(DATA, tmp_path / "nlu.txt")
    assert "unknown NLU file ending" in str(error.value)
    with pytest.raises(NluDataError) as error:
        write_nlu(DATA, tmp_path / "no" / "such" / "nlu.yml")
    assert str(error.value).startswith(f"{tmp_path / 'no' / 'such' / 'nlu.yml'}: cannot write")
