"""NLU data with every part that a file format writes and reads back (Markdown and YAML tests)."""

from bot.nlu.model import EntitySpan, Example, Lookup, NluData, Regex

EXAMPLES = (
    Example("hi", "greet"),
    Example("Konzerte in München? 🎸", "search", (EntitySpan(12, 19, "city", "München"),)),
    Example(
        "fly from NYC to Berlin",
        "fly",
        (
            EntitySpan(9, 12, "city", "New York", "from", "1"),
            EntitySpan(16, 22, "city", "Berlin", "to", "1"),
        ),
    ),
)


def every_part(last: Example, regexes: tuple[Regex, ...]) -> NluData:
    """The shared examples, then `last` (what the format itself must get right), a synonym,
    `regexes`, and a lookup with elements and one without."""
    return NluData(
        (*EXAMPLES, last),
        {"nyc": "New York", "big apple": "New York"},
        regexes,
        (Lookup("city", ("Berlin", "München")), Lookup("empty", ())),
    )
