from pathlib import Path

import pytest

from bot.errors import NluDataError
from bot.nlu.markdown import parse_nlu_markdown, write_nlu_markdown
from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex
from bot.stories.markdown import parse_markdown
from tests.bot.nlu.every_part import every_part

# The example of Rasa 1's "Training Data Format" page.
RASA_DOCS = """\
## intent:check_balance
- what is my balance <!-- no entity -->
- how much do I have on my [savings](source_account) <!-- entity "source_account" has value "savings" -->
- how much do I have on my [savings account](source_account:savings) <!-- synonyms, method 1-->
- Could I pay in [yen](currency)?  <!-- entity matched by lookup table -->

## intent:greet
- hey
- hello

## synonym:savings   <!-- synonyms, method 2 -->
- pink pig

## regex:zipcode
- [0-9]{5}

## lookup:additional_currencies  <!-- specify lookup tables in an external file -->
path/to/currencies.txt
"""  # noqa: E501


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_rasas_documented_example(tmp_path: Path) -> None:
    write(tmp_path / "path" / "to" / "currencies.txt", "Yen\n\nDollar \nEuro")
    data = parse_nlu_markdown(RASA_DOCS, str(tmp_path / "nlu.md"))
    assert data == NluData(
        (
            Example("what is my balance", "check_balance"),
            Example(
                "how much do I have on my savings",
                "check_balance",
                (EntitySpan(25, 32, "source_account", "savings"),),
            ),
            Example(
                "how much do I have on my savings account",
                "check_balance",
                (EntitySpan(25, 40, "source_account", "savings"),),
            ),
            Example(
                "Could I pay in yen?", "check_balance", (EntitySpan(15, 18, "currency", "yen"),)
            ),
            Example("hey", "greet"),
            Example("hello", "greet"),
        ),
        {"savings account": "savings", "pink pig": "savings"},
        (Regex("zipcode", "[0-9]{5}"),),
        (Lookup("additional_currencies", ("Yen", "Dollar", "Euro")),),
    )


def test_a_lookup_file_is_found_in_a_folder_above(tmp_path: Path) -> None:
    write(tmp_path / "data" / "lookups" / "cities.txt", "Berlin\n")
    text = "## lookup:city\ndata/lookups/cities.txt\n"
    data = parse_nlu_markdown(text, str(tmp_path / "data" / "nlu" / "nlu.md"))
    assert data.lookups == (Lookup("city", ("Berlin",)),)


def test_a_missing_lookup_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(NluDataError) as error:
        parse_nlu_markdown("\n## lookup:city\nno/such.txt\n", str(tmp_path / "nlu.md"))
    assert str(error.value) == (
        f"{tmp_path / 'nlu.md'}:3: the lookup file 'no/such.txt' is not next to "
        f"{tmp_path / 'nlu.md'} nor in a folder above it in the bot project; correct the path, "
        "or list the elements as `- element` lines"
    )


def test_a_lookup_file_is_not_looked_for_above_the_bot_project(tmp_path: Path) -> None:
    write(tmp_path / "lookups" / "cities.txt", "Berlin\n")  # outside the bot
    write(tmp_path / "bot" / "domain.yml", "intents: [greet]\n")
    with pytest.raises(NluDataError, match="is not next to"):
        parse_nlu_markdown("## lookup:city\nlookups/cities.txt\n", str(tmp_path / "bot" / "nlu.md"))


MIXED = """\
# A Rasa 1 data file with both

## greet story
* greet
    - utter_greet
* inform{"city": "Berlin"}
    - utter_ok

## intent:greet
* hi
+ hey there
- hello

## another story
* greet
    - utter_greet
"""


def test_a_file_with_stories_and_nlu_data_reads_its_nlu_sections() -> None:
    assert parse_nlu_markdown(MIXED, "data.md") == NluData(
        (Example("hi", "greet"), Example("hey there", "greet"), Example("hello", "greet"))
    )


def test_a_story_file_holds_no_nlu_data() -> None:
    text = "## greet story\n* greet\n    - utter_greet\n"
    assert parse_markdown(text, "s.md")
    assert parse_nlu_markdown(text, "s.md") == NluData()


def test_headers_and_comments() -> None:
    text = """\
<!-- a comment
## intent:commented_out
- not read
-->
#intent : greet
- hi <!-- a comment -->
### regex:a:b
- x
"""
    data = parse_nlu_markdown(text, "nlu.md")
    assert data == NluData((Example("hi", "greet"),), regexes=(Regex("a:b", "x"),))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## intent:greet\n- hi\nhello\n", "nlu.md:3: cannot read 'hello' in a `intent` section"),
        ("## intent:greet\n-\n", "nlu.md:2: cannot read '-' in a `intent` section; write each"),
        ("## lookup:city\n- Berlin\nmore.txt\n", "nlu.md:3: cannot read 'more.txt' in a `lookup`"),
        ("## intent:\n- hi\n", "nlu.md:1: the intent needs a name; write `## intent:name`"),
        (
            "## intent:greet\n\n- [Berlin(city)\n",
            "nlu.md:3: the `[` at character 1 is never closed by `]` in the example",
        ),
        ("## intent:greet\n- hi <!-- open\n", "nlu.md:2: this `<!--` comment is never closed"),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(NluDataError) as error:
        parse_nlu_markdown(text, "nlu.md")
    assert str(error.value).startswith(message)


EVERY_PART = every_part(Example("hello", "greet"), (Regex("zipcode", r"\d{5}"),))


def test_writes_rasa_1_markdown() -> None:
    assert write_nlu_markdown(EVERY_PART) == (
        "## intent:greet\n"
        "- hi\n"
        "\n"
        "## intent:search\n"
        "- Konzerte in [München](city)? 🎸\n"
        "\n"
        "## intent:fly\n"
        '- fly from [NYC]{"entity": "city", "value": "New York", "role": "from", "group": "1"}'
        ' to [Berlin]{"entity": "city", "role": "to", "group": "1"}\n'
        "\n"
        "## intent:greet\n"
        "- hello\n"
        "\n"
        "## synonym:New York\n"
        "- big apple\n"
        "\n"
        "## regex:zipcode\n"
        "- \\d{5}\n"
        "\n"
        "## lookup:city\n"
        "- Berlin\n"
        "- München\n"
        "\n"
        "## lookup:empty\n"
    )


def test_round_trip_of_every_part() -> None:
    assert parse_nlu_markdown(write_nlu_markdown(EVERY_PART), "nlu.md") == EVERY_PART


def test_round_trip_of_rasas_documented_example(tmp_path: Path) -> None:
    write(tmp_path / "path" / "to" / "currencies.txt", "Yen\nDollar\n")
    data = parse_nlu_markdown(RASA_DOCS, str(tmp_path / "nlu.md"))
    assert parse_nlu_markdown(write_nlu_markdown(data), "nlu.md") == data


@pytest.mark.parametrize(
    "data",
    [
        NluData((Example("hi <!-- there -->", "greet"),)),
        NluData(lookups=(Lookup("city<!--", ()),)),
    ],
)
def test_refuses_what_would_read_as_a_comment(data: NluData) -> None:
    with pytest.raises(NluDataError) as error:
        write_nlu_markdown(data)
    assert "as Markdown: its `<!--` would read as a comment; write YAML NLU data" in str(
        error.value
    )
