import pytest

from bot.errors import NluDataError
from bot.nlu.markup import parse_markup, write_markup
from bot.nlu.model import EntitySpan, Example


@pytest.mark.parametrize(
    ("markup", "span"),
    [
        ("fly to [Berlin](city)", EntitySpan(7, 13, "city", "Berlin")),
        ("fly to [NYC](city:New York)", EntitySpan(7, 10, "city", "New York")),
        (
            'fly to [NYC]{"entity": "city", "value": "New York"}',
            EntitySpan(7, 10, "city", "New York"),
        ),
        ('fly to [NYC]{"entity": "city"}', EntitySpan(7, 10, "city", "NYC")),
        (
            'fly to [NYC]{"entity": "city", "role": "destination", "group": "1"}',
            EntitySpan(7, 10, "city", "NYC", "destination", "1"),
        ),
        ('fly to [NYC]{"entity": "city", "group": 2}', EntitySpan(7, 10, "city", "NYC", None, "2")),
        ('fly to [two]{"entity": "n", "value": 2}', EntitySpan(7, 10, "n", 2)),
    ],
)
def test_reads_each_annotation_form(markup: str, span: EntitySpan) -> None:
    text, spans = parse_markup(markup, "nlu.yml:3")
    assert spans == (span,)
    assert text == "fly to " + text[span.start : span.end]


def test_offsets_are_in_the_plain_text() -> None:
    text, spans = parse_markup(
        'from [Berlin]{"entity": "city", "role": "departure"} to [SF](city:San Francisco) now',
        "",
    )
    assert text == "from Berlin to SF now"
    assert spans == (
        EntitySpan(5, 11, "city", "Berlin", "departure"),
        EntitySpan(15, 17, "city", "San Francisco"),
    )


def test_unicode_offsets_count_characters() -> None:
    text, spans = parse_markup("🎸 Konzerte in [München](city) — [Zürich](city)?", "")
    assert text == "🎸 Konzerte in München — Zürich?"
    assert [text[span.start : span.end] for span in spans] == ["München", "Zürich"]
    assert spans[0] == EntitySpan(14, 21, "city", "München")


def test_several_entities_on_one_span() -> None:
    text, spans = parse_markup(
        'in [NYC][{"entity": "city", "value": "New York"}, {"entity": "place"}]', ""
    )
    assert text == "in NYC"
    assert spans == (EntitySpan(3, 6, "city", "New York"), EntitySpan(3, 6, "place", "NYC"))


@pytest.mark.parametrize("markup", ["no entities here", "a [sic] note", "[x] marks [the] spot", ""])
def test_text_without_annotations_stays_as_it_is(markup: str) -> None:
    assert parse_markup(markup, "") == (markup, ())


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ("fly to [Berlin(city)", "the `[` at character 8 is never closed by `]`"),
        ("fly to Berlin](city)", "the `]` at character 14 has no `[` before it"),
        ("[a] and b]", "the `]` at character 10 has no `[` before it"),
        ("fly to [[Berlin](city)", "the `[` at character 8 is not closed before the next `[`"),
        ("fly to [](city)", "the `[]` at character 8 annotates no text"),
        ("fly to [ ](city)", "the `[]` at character 8 annotates no text"),
        ('fly to [Berlin]{"entity": " "}', 'the annotation {"entity": " "} needs an "entity" name'),
        ("fly to [Berlin](city", "the `(` at character 16 is never closed by `)`"),
        ("fly to [Berlin]( )", "the `()` at character 16 names no entity"),
        ('fly to [Berlin]{"value": "x"}', 'the annotation {"value": "x"} needs an "entity" name'),
        ("fly to [Berlin]{'entity': 'city'}", "is not valid JSON (Expecting property name"),
        ('fly to [Berlin]{"entity": "city"', "is not valid JSON"),
        ('fly to [Berlin][{"entity": "city"}, 3]', 'the annotation 3 needs an "entity" name'),
        ('fly to [Berlin]{"entity": "city", "vaule": "x"}', "unknown key vaule in the annotation"),
        ('fly to [Berlin]{"entity": "city", "role": 1}', "the role in"),
        ('fly to [Berlin]{"entity": "city", "group": [1]}', "the group in"),
    ],
)
def test_errors_say_what_is_wrong_and_show_the_example(markup: str, problem: str) -> None:
    with pytest.raises(NluDataError) as error:
        parse_markup(markup, "data/nlu.yml:7")
    message = str(error.value)
    assert message.startswith("data/nlu.yml:7: ")
    assert problem in message
    assert f"in the example {markup!r}; annotate an entity as `[Berlin](city)`" in message


@pytest.mark.parametrize(
    ("entities", "markup"),
    [
        ((), "fly from Berlin to New York"),
        ((EntitySpan(9, 15, "city", "Berlin"),), "fly from [Berlin](city) to New York"),
        (
            (EntitySpan(19, 27, "city", "New York", "to"), EntitySpan(9, 15, "city", "Berlin")),
            'fly from [Berlin](city) to [New York]{"entity": "city", "role": "to"}',
        ),
        (
            (EntitySpan(9, 15, "city", "BER", None, "1"),),
            'fly from [Berlin]{"entity": "city", "value": "BER", "group": "1"} to New York',
        ),
        (
            (EntitySpan(0, 3, "my entity", "fly"),),
            '[fly]{"entity": "my entity"} from Berlin to New York',
        ),
        ((EntitySpan(0, 3, "n", 3),), '[fly]{"entity": "n", "value": 3} from Berlin to New York'),
        (
            (EntitySpan(9, 15, "city", "Berlin"), EntitySpan(9, 15, "capital", "Berlin")),
            'fly from [Berlin][{"entity": "city"}, {"entity": "capital"}] to New York',
        ),
    ],
)
def test_writes_the_shortest_form_that_reads_back(
    entities: tuple[EntitySpan, ...], markup: str
) -> None:
    example = Example("fly from Berlin to New York", "fly", entities)
    assert write_markup(example) == markup
    text, spans = parse_markup(markup, "")
    assert text == example.text
    assert set(spans) == set(entities)


def test_writes_unicode() -> None:
    example = Example("Konzerte in München 🎸", "search", (EntitySpan(12, 19, "city", "München"),))
    assert write_markup(example) == "Konzerte in [München](city) 🎸"


@pytest.mark.parametrize(
    ("example", "why"),
    [
        (Example("two\nlines", "x"), "an example is one line of text"),
        (Example(" padded", "x"), "an example is one line of text"),
        (Example("", "x"), "an example is one line of text"),
        (Example("see [x](y)", "x"), "it would read back as something else ('see [x](y)')"),
        (Example("a ] b", "x"), "it would read back as something else"),
        (
            Example("[x]", "x", (EntitySpan(1, 2, "e", "x"),)),
            "it would read back as something else",
        ),
        (
            Example("abcdef", "x", (EntitySpan(0, 3, "e", "abc"), EntitySpan(2, 5, "e", "cde"))),
            "its entities overlap or lie outside the text",
        ),
        (Example("abc", "x", (EntitySpan(2, 9, "e", "c"),)), "its entities overlap or lie outside"),
    ],
)
def test_refuses_to_write_what_would_read_back_as_something_else(
    example: Example, why: str
) -> None:
    with pytest.raises(NluDataError) as error:
        write_markup(example)
    assert str(error.value).startswith(f"cannot write the example {example.text!r} of 'x': {why}")
