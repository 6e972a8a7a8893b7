"""What Rasa's two NLU formats share: a file is a list of sections of one-line items.

    intent:greet       items are annotated examples      -> Example
    synonym:New York   items are written forms            -> synonyms["nyc"] = "New York"
    regex:zipcode      items are patterns                 -> Regex
    lookup:city        items are the elements of one list -> Lookup

The YAML and Markdown modules only read and write the syntax around the sections; turning them
into `NluData` and back happens here once, so both formats mean exactly the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from bot.errors import NluDataError
from bot.nlu.markup import parse_markup, write_markup
from bot.nlu.model import Example, Lookup, NluData, Regex

KINDS = ("intent", "synonym", "regex", "lookup")


@dataclass(frozen=True)
class Item:
    text: str
    where: str = ""
    """file:line, for errors; empty when writing."""


@dataclass(frozen=True)
class Section:
    kind: str
    """One of KINDS."""
    name: str
    items: tuple[Item, ...]


def to_data(sections: Iterable[Section]) -> NluData:
    """The NLU data of a file's sections; annotated entity values count as synonyms too."""
    examples: list[Example] = []
    synonyms: dict[str, str] = {}
    regexes: list[Regex] = []
    lookups: list[Lookup] = []
    for section in sections:
        if section.kind == "intent":
            examples.extend(_example(item, section.name) for item in section.items)
        elif section.kind == "synonym":
            synonyms.update((item.text.lower(), section.name) for item in section.items)
        elif section.kind == "regex":
            regexes.extend(_regex(item, section.name) for item in section.items)
        else:
            lookups.append(Lookup(section.name, tuple(item.text for item in section.items)))
    synonyms = {**annotation_synonyms(examples), **synonyms}
    return NluData(tuple(examples), synonyms, tuple(regexes), tuple(lookups))


def _example(item: Item, intent: str) -> Example:
    text, entities = parse_markup(item.text, item.where)
    return Example(text, intent, entities)


def _regex(item: Item, name: str) -> Regex:
    """A pattern that compiles; else the error names the file and line."""
    try:
        re.compile(item.text)
    except re.error as exc:
        raise NluDataError(
            f"{item.where}: the regex {name!r} pattern {item.text!r} is not a valid regular "
            f"expression ({exc}); fix it or drop it"
        ) from exc
    return Regex(name, item.text)


def annotation_synonyms(examples: Iterable[Example]) -> dict[str, str]:
    """What Rasa learns from `[NYC]{"entity": "city", "value": "New York"}`: nyc -> New York."""
    synonyms: dict[str, str] = {}
    for example in examples:
        for span in example.entities:
            literal = example.text[span.start : span.end]
            if isinstance(span.value, str) and span.value != literal:
                synonyms[literal.lower()] = span.value
    return synonyms


def to_sections(data: NluData) -> list[Section]:
    """The sections that read back as `data`, in Rasa's order: intents, synonyms, regexes,
    lookups. Neighbours of one intent or regex name share a section; synonyms that an
    annotation already gives are not repeated."""
    intents = [
        Section(
            "intent",
            one_line(intent, "intent name"),
            tuple(Item(write_markup(example)) for example in examples),
        )
        for intent, examples in groupby(data.examples, key=attrgetter("intent"))
    ]
    implied = annotation_synonyms(data.examples)
    forms: dict[str, list[str]] = {}
    for form, value in data.synonyms.items():
        if implied.get(form) != value:
            forms.setdefault(value, []).append(form)
    synonyms = [_section("synonym", value, written) for value, written in forms.items()]
    regexes = [
        _section("regex", name, [regex.pattern for regex in regexes])
        for name, regexes in groupby(data.regexes, key=attrgetter("name"))
    ]
    lookups = [_section("lookup", lookup.name, lookup.elements) for lookup in data.lookups]
    return [*intents, *synonyms, *regexes, *lookups]


def _section(kind: str, name: str, texts: Iterable[str]) -> Section:
    items = tuple(Item(one_line(text, kind)) for text in texts)
    return Section(kind, one_line(name, f"{kind} name"), items)


def one_line(text: str, what: str) -> str:
    """`text` if it reads back as written on a line of its own, else an error."""
    if not text or "\n" in text or text != text.strip():
        raise NluDataError(
            f"cannot write the {what} {text!r}: it must be one line of text without spaces "
            "around it, or it would read back as something else"
        )
    return text
