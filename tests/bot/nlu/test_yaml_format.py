import pytest

from bot.errors import NluDataError
from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex
from bot.nlu.yaml_format import parse_nlu_yaml, write_nlu_yaml
from bot.stories.model import ActionStep, Story, UserStep, UserTurn
from bot.stories.yaml_format import parse_yaml
from tests.bot.nlu.every_part import every_part

# The example of Rasa's "Training Data Format" page.
RASA_DOCS = """\
version: "3.1"

nlu:
- intent: greet
  examples: |
    - hey
    - hi
    - whats up

- intent: check_balance
  examples: |
    - What's my [credit](account) balance?
    - What's the balance on my [credit card account]{"entity":"account","value":"credit"}

- synonym: credit
  examples: |
    - credit card account
    - credit account

- regex: account_number
  examples: |
    - \\d{10,12}

- lookup: banks
  examples: |
    - JPMC
    - Comerica
    - Bank of America
"""


def items(*lines: str) -> str:
    return "version: '3.1'\nnlu:\n" + "".join(f"{line}\n" for line in lines)


def test_reads_rasas_documented_example() -> None:
    assert parse_nlu_yaml(RASA_DOCS, "nlu.yml") == NluData(
        (
            Example("hey", "greet"),
            Example("hi", "greet"),
            Example("whats up", "greet"),
            Example(
                "What's my credit balance?",
                "check_balance",
                (EntitySpan(10, 16, "account", "credit"),),
            ),
            Example(
                "What's the balance on my credit card account",
                "check_balance",
                (EntitySpan(25, 44, "account", "credit"),),
            ),
        ),
        {"credit card account": "credit", "credit account": "credit"},
        (Regex("account_number", r"\d{10,12}"),),
        (Lookup("banks", ("JPMC", "Comerica", "Bank of America")),),
    )


def test_reads_roles_groups_and_metadata() -> None:
    text = (
        "nlu:\n"
        "- intent: book_flight\n"
        "  metadata:\n"
        "    author: docs\n"
        "  examples: |\n"
        '    - book a flight from [Berlin]{"entity": "city", "role": "departure"}'
        ' to [SF]{"entity": "city", "role": "destination"}\n'
        "- intent: order_pizza\n"
        "  examples: |\n"
        '    - a [large]{"entity": "size", "group": "1"}'
        ' [pepperoni]{"entity": "topping", "group": "1"}'
        ' and a [small]{"entity": "size", "group": "2"}'
        ' [mushroom]{"entity": "topping", "group": "2"}\n'
    )
    data = parse_nlu_yaml(text, "nlu.yml")
    flight, pizza = data.examples
    assert flight.text == "book a flight from Berlin to SF"
    assert flight.entities == (
        EntitySpan(19, 25, "city", "Berlin", "departure"),
        EntitySpan(29, 31, "city", "SF", "destination"),
    )
    assert pizza.text == "a large pepperoni and a small mushroom"
    assert [(span.value, span.group) for span in pizza.entities] == [
        ("large", "1"),
        ("pepperoni", "1"),
        ("small", "2"),
        ("mushroom", "2"),
    ]


def test_reads_rasa_3s_list_of_examples_with_metadata() -> None:
    text = """\
nlu:
- intent: greet
  metadata:
    sentiment: neutral
  examples:
  - text: |
      hi
    metadata:
      sentiment: happy
  - text: hey [there](place)!
  - plain string
"""
    assert parse_nlu_yaml(text, "nlu.yml").examples == (
        Example("hi", "greet"),
        Example("hey there!", "greet", (EntitySpan(4, 9, "place", "there"),)),
        Example("plain string", "greet"),
    )


def test_names_are_read_as_written() -> None:
    text = items(
        "- intent: yes", "  examples: |", "    - yes", "- regex: 2020-01-01", "  examples: [x]"
    )
    data = parse_nlu_yaml(text, "nlu.yml")
    assert data.intents == ("yes",)
    assert data.regexes == (Regex("2020-01-01", "x"),)


MIXED = """\
version: "3.1"
stories:
- story: greet
  steps:
  - intent: greet
  - action: utter_greet
nlu:
- intent: greet
  examples: |
    - hello
rules:
- rule: r
  steps:
  - intent: greet
"""


def test_a_file_of_stories_and_nlu_data_reads_as_both() -> None:
    assert parse_nlu_yaml(MIXED, "data.yml") == NluData((Example("hello", "greet"),))
    assert parse_yaml(MIXED, "data.yml") == [
        Story("greet", (UserStep((UserTurn("greet"),)), ActionStep("utter_greet")))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "nlu:\n",
        "nlu: []\n",
        "version: '3.1'\nstories:\n- story: s\n  steps: []\n",
        "intents:\n- greet\nresponses:\n  utter_greet:\n  - text: hi\n",
        "stories: []\n",
    ],
)
def test_files_without_nlu_hold_none(text: str) -> None:
    assert parse_nlu_yaml(text, "x.yml") == NluData()


def test_empty_examples_give_no_examples() -> None:
    text = "nlu:\n- intent: greet\n  examples:\n- lookup: city\n  examples: ''\n"
    assert parse_nlu_yaml(text, "x.yml") == NluData(lookups=(Lookup("city", ()),))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            items("- intent: greet", "  examples: |", "    - hi", "", "    - [hi(x)"),
            "nlu.yml:7: the `[` at character 1 is never closed by `]` in the example '[hi(x)'",
        ),
        (
            items("- intent: greet", "  examples: |", "    - hi", "    hello"),
            "nlu.yml:6: cannot read 'hello' as an example; write `examples: |` followed by one",
        ),
        (items("- intent: greet", "  examples: |", "    -"), "nlu.yml:5: cannot read '-'"),
        (
            items("- intent: greet", "  examples:", "  - text: '[a]{x}'"),
            "nlu.yml:5: the annotation '{x}' is not valid JSON",
        ),
        (
            items("- intent: greet", "  examples:", "  - text: [a]"),
            "nlu.yml:5: an example of the list form is `- text: ...`",
        ),
        (items("- intent: greet", "  examples:", "  - [a]"), "nlu.yml:5: an example must be"),
        (
            items("- intent: greet", "  examples: {a: b}"),
            "nlu.yml:4: cannot read these examples; write `examples: |`",
        ),
        (
            items("- intent: greet"),
            "nlu.yml:3: the intent 'greet' has no `examples:`; write `examples: |`",
        ),
        (
            items("- intnet: greet", "  examples: |", "    - hi"),
            "nlu.yml:3: an `nlu:` item has exactly one of intent, synonym, regex, lookup; "
            "got intnet, examples",
        ),
        (
            items("- intent: greet", "  regex: x", "  examples: ''"),
            "nlu.yml:3: an `nlu:` item has exactly one of intent, synonym, regex, lookup; "
            "got intent, regex, examples",
        ),
        (
            items("- intent: greet", "  exmaples: |", "    - hi"),
            "nlu.yml:3: unknown key exmaples in a `intent` item; it takes `examples:`",
        ),
        (items("- intent: [greet]", "  examples: ''"), "nlu.yml:3: the intent name must be text"),
        (items("- synonym:", "  examples: ''"), "nlu.yml:3: the synonym name must be text"),
        (items("- just text"), "nlu.yml:3: an `nlu:` item must be a mapping"),
        ("nlu: {intent: greet}\n", "nlu.yml:1: `nlu:` must be a list (`- intent: ...` items)"),
        ("- nlu\n", "nlu.yml:1: a YAML file of NLU data must be a mapping"),
        (
            items("- intent: greet", "  examples: [\n"),
            "nlu.yml:6: not valid YAML: expected the node",
        ),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(NluDataError) as error:
        parse_nlu_yaml(text, "nlu.yml")
    assert str(error.value).startswith(message)


EVERY_PART = every_part(
    Example("yes: sure # not a comment", "yes"),
    (Regex("zipcode", r"\d{5}"), Regex("zipcode", "[0-9]{5}")),
)


def test_writes_rasa_yaml() -> None:
    assert write_nlu_yaml(EVERY_PART) == (
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hi\n"
        "- intent: search\n"
        "  examples: |\n"
        "    - Konzerte in [München](city)? 🎸\n"
        "- intent: fly\n"
        "  examples: |\n"
        '    - fly from [NYC]{"entity": "city", "value": "New York", "role": "from", "group": "1"}'
        ' to [Berlin]{"entity": "city", "role": "to", "group": "1"}\n'
        "- intent: 'yes'\n"
        "  examples: |\n"
        "    - yes: sure # not a comment\n"
        "- synonym: New York\n"
        "  examples: |\n"
        "    - big apple\n"
        "- regex: zipcode\n"
        "  examples: |\n"
        "    - \\d{5}\n"
        "    - [0-9]{5}\n"
        "- lookup: city\n"
        "  examples: |\n"
        "    - Berlin\n"
        "    - München\n"
        "- lookup: empty\n"
        '  examples: ""\n'
    )


def test_round_trip_of_every_part() -> None:
    assert parse_nlu_yaml(write_nlu_yaml(EVERY_PART), "nlu.yml") == EVERY_PART


def test_round_trip_of_rasas_documented_example() -> None:
    data = parse_nlu_yaml(RASA_DOCS, "nlu.yml")
    assert parse_nlu_yaml(write_nlu_yaml(data), "nlu.yml") == data


def test_text_that_a_yaml_block_cannot_hold_still_reads_back() -> None:
    data = NluData(lookups=(Lookup("odd", ("tab\there", "bell\x07")),))
    assert parse_nlu_yaml(write_nlu_yaml(data), "nlu.yml") == data
