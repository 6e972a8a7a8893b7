import pytest

from bot.errors import NluDataError
from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex
from bot.nlu.sections import Item, Section, annotation_synonyms, to_data, to_sections

NYC = EntitySpan(3, 6, "city", "New York")


def test_sections_become_nlu_data() -> None:
    data = to_data(
        [
            Section("intent", "fly", (Item('to [NYC]{"entity": "city", "value": "New York"}'),)),
            Section("synonym", "New York", (Item("Big Apple"), Item("nyc city"))),
            Section("regex", "zip", (Item(r"\d{5}"), Item(r"\d{4}"))),
            Section("lookup", "city", (Item("Berlin"), Item("Paris"))),
            Section("lookup", "empty", ()),
        ]
    )
    assert data == NluData(
        (Example("to NYC", "fly", (NYC,)),),
        {"nyc": "New York", "big apple": "New York", "nyc city": "New York"},
        (Regex("zip", r"\d{5}"), Regex("zip", r"\d{4}")),
        (Lookup("city", ("Berlin", "Paris")), Lookup("empty", ())),
    )


def test_a_synonym_section_wins_over_an_annotation() -> None:
    data = to_data(
        [
            Section("synonym", "NY", (Item("NYC"),)),
            Section("intent", "fly", (Item("to [NYC](city:New York)"),)),
        ]
    )
    assert data.synonyms == {"nyc": "NY"}


def test_annotation_synonyms_need_a_text_value_other_than_the_literal() -> None:
    examples = [
        Example("to NYC", "fly", (NYC,)),
        Example("to Paris", "fly", (EntitySpan(3, 8, "city", "Paris"),)),
        Example("for two", "book", (EntitySpan(4, 7, "n", 2),)),
    ]
    assert annotation_synonyms(examples) == {"nyc": "New York"}


def test_to_sections_groups_neighbours_and_leaves_out_implied_synonyms() -> None:
    data = NluData(
        (
            Example("hi", "greet"),
            Example("hello", "greet"),
            Example("to NYC", "fly", (NYC,)),
            Example("hey", "greet"),
        ),
        {"nyc": "New York", "big apple": "New York", "pink pig": "savings"},
        (Regex("zip", "a"), Regex("zip", "b"), Regex("phone", "c"), Regex("zip", "d")),
        (Lookup("city", ("Berlin",)), Lookup("city", ("Paris",))),
    )
    assert to_sections(data) == [
        Section("intent", "greet", (Item("hi"), Item("hello"))),
        Section("intent", "fly", (Item('to [NYC]{"entity": "city", "value": "New York"}'),)),
        Section("intent", "greet", (Item("hey"),)),
        Section("synonym", "New York", (Item("big apple"),)),
        Section("synonym", "savings", (Item("pink pig"),)),
        Section("regex", "zip", (Item("a"), Item("b"))),
        Section("regex", "phone", (Item("c"),)),
        Section("regex", "zip", (Item("d"),)),
        Section("lookup", "city", (Item("Berlin"),)),
        Section("lookup", "city", (Item("Paris"),)),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (NluData((Example("hi", "gr\neet"),)), "cannot write the intent name 'gr\\neet'"),
        (NluData(synonyms={" nyc": "New York"}), "cannot write the synonym ' nyc'"),
        (NluData(regexes=(Regex("zip", ""),)), "cannot write the regex ''"),
        (NluData(lookups=(Lookup(" city", ("a",)),)), "cannot write the lookup name ' city'"),
        (NluData(lookups=(Lookup("city", ("a\nb",)),)), "cannot write the lookup 'a\\nb'"),
    ],
)
def test_refuses_items_that_would_not_read_back(data: NluData, message: str) -> None:
    with pytest.raises(NluDataError) as error:
        to_sections(data)
    assert str(error.value).startswith(f"{message}: it must be one line of text")
