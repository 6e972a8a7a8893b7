"""Rasa's inline entity annotation of a training example, read and written.

    [Berlin](city)                                          the value is the text, Berlin
    [NYC](city:New York)                                    Rasa 1.x: the value after the colon
    [NYC]{"entity": "city", "value": "New York"}            Rasa 2/3
    [Berlin]{"entity": "city", "role": "to", "group": "1"}  roles and groups
    [NYC][{"entity": "city"}, {"entity": "place"}]           Rasa 3: several entities, one span

Offsets are Python string indices into the plain text (code points, as in Rasa). Brackets that
are not followed by an annotation stay text (`[sic]`); a `[` or `]` without its partner is an
error, because it almost always is a typo in an annotation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import groupby
from typing import Any, NoReturn

from bot.errors import NluDataError
from bot.nlu.model import EntitySpan, Example

_HOW = 'annotate an entity as `[Berlin](city)` or `[NYC]{"entity": "city", "value": "New York"}`'
_KEYS = ("entity", "value", "role", "group")
_SHORT_NAME = re.compile(r"[^\s:()\[\]{}]+")
_DECODER = json.JSONDecoder()


def parse_markup(text: str, where: str) -> tuple[str, tuple[EntitySpan, ...]]:
    """The plain text of an annotated example and its entities; `where` (file:line) for errors."""
    plain: list[str] = []
    spans: list[EntitySpan] = []
    position = 0
    while (opening := text.find("[", position)) != -1:
        _no_stray_closing(text, position, opening, where)
        closing = _closing(text, opening, where)
        plain.append(text[position:opening])
        literal = text[opening + 1 : closing]
        annotations, position = _annotations(text, closing + 1, where)
        if not annotations:
            plain.append(text[opening:position])
            continue
        start = sum(map(len, plain))
        spans.extend(_span(start, literal, fields) for fields in annotations)
        plain.append(literal)
    _no_stray_closing(text, position, len(text), where)
    plain.append(text[position:])
    return "".join(plain), tuple(spans)


def _problem(where: str, problem: str, text: str) -> NluDataError:
    return NluDataError(f"{where}: {problem} in the example {text!r}; {_HOW}")


def _no_stray_closing(text: str, start: int, end: int, where: str) -> None:
    if (stray := text.find("]", start, end)) != -1:
        raise _problem(where, f"the `]` at character {stray + 1} has no `[` before it", text)


def _closing(text: str, opening: int, where: str) -> int:
    closing = text.find("]", opening + 1)
    if closing == -1:
        raise _problem(where, f"the `[` at character {opening + 1} is never closed by `]`", text)
    if "[" in text[opening + 1 : closing]:
        problem = f"the `[` at character {opening + 1} is not closed before the next `[`"
        raise _problem(where, problem, text)
    if not text[opening + 1 : closing].strip():
        raise _problem(where, f"the `[]` at character {opening + 1} annotates no text", text)
    return closing


def _annotations(text: str, position: int, where: str) -> tuple[list[dict[str, Any]], int]:
    """The annotations right after `[text]` (none if plain brackets) and where they end."""
    if text.startswith("(", position):
        return _parenthesized(text, position, where)
    if text.startswith("{", position) or text.startswith("[{", position):
        value, end = _json(text, position, where)
        items = value if isinstance(value, list) else [value]
        return [_json_fields(item, text, where) for item in items], end
    return [], position


def _parenthesized(text: str, position: int, where: str) -> tuple[list[dict[str, Any]], int]:
    end = text.find(")", position)
    if end == -1:
        raise _problem(where, f"the `(` at character {position + 1} is never closed by `)`", text)
    entity, colon, value = text[position + 1 : end].partition(":")
    if not entity.strip():
        raise _problem(where, f"the `()` at character {position + 1} names no entity", text)
    fields: dict[str, Any] = {"entity": entity.strip()}
    if colon:
        fields["value"] = value
    return [fields], end + 1


def _json(text: str, position: int, where: str) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        problem = f"the annotation {text[position:]!r} is not valid JSON ({exc.msg})"
        raise _problem(where, problem, text) from exc


def _json_fields(item: Any, text: str, where: str) -> dict[str, Any]:
    shown = json.dumps(item, ensure_ascii=False)
    entity = item.get("entity") if isinstance(item, dict) else None
    if not isinstance(entity, str) or not entity.strip():
        raise _problem(where, f'the annotation {shown} needs an "entity" name', text)
    if unknown := set(item) - set(_KEYS):
        problem = f"unknown key {', '.join(sorted(unknown))} in the annotation {shown}"
        raise _problem(where, f"{problem} (known: {', '.join(_KEYS)})", text)
    if not isinstance(item.get("role", ""), str):
        raise _problem(where, f"the role in {shown} must be text", text)
    if not isinstance(item.get("group", ""), str | int) or isinstance(item.get("group"), bool):
        raise _problem(where, f"the group in {shown} must be text or a number", text)
    return item


def _span(start: int, literal: str, fields: dict[str, Any]) -> EntitySpan:
    group = fields.get("group")
    return EntitySpan(
        start,
        start + len(literal),
        fields["entity"],
        fields.get("value", literal),
        fields.get("role"),
        None if group is None else str(group),
    )


def write_markup(example: Example) -> str:
    """The example with its entities annotated in the shortest form that reads back the same.

    Entities sharing one span are written as Rasa 3's list; overlapping ones cannot be written.
    """
    text = example.text
    spans = sorted(example.entities, key=lambda span: span.start)
    pieces: list[str] = []
    position = 0
    for (start, end), same in groupby(spans, key=lambda span: (span.start, span.end)):
        if start < position or not 0 <= start < end <= len(text):
            _unwritable(example, "its entities overlap or lie outside the text")
        pieces += [text[position:start], f"[{text[start:end]}]", _annotation(list(same), text)]
        position = end
    written = "".join([*pieces, text[position:]])
    _check_reads_back(example, written, tuple(spans))
    return written


def _annotation(spans: list[EntitySpan], text: str) -> str:
    fields = [dict(_fields(span, text[span.start : span.end])) for span in spans]
    if len(fields) > 1:
        return json.dumps(fields, ensure_ascii=False)
    if set(fields[0]) == {"entity"} and _SHORT_NAME.fullmatch(fields[0]["entity"]):
        return f"({fields[0]['entity']})"
    return json.dumps(fields[0], ensure_ascii=False)


def _fields(span: EntitySpan, literal: str) -> Iterator[tuple[str, Any]]:
    yield "entity", span.entity
    if span.value != literal:
        yield "value", span.value
    if span.role is not None:
        yield "role", span.role
    if span.group is not None:
        yield "group", span.group


def _check_reads_back(example: Example, written: str, spans: tuple[EntitySpan, ...]) -> None:
    """Fail now rather than write an example that would read back as another one."""
    if "\n" in written or written != written.strip() or not written:
        _unwritable(example, "an example is one line of text, without spaces around it")
    try:
        read_back = parse_markup(written, "")
    except NluDataError:
        read_back = ("", ())
    if read_back != (example.text, spans):
        _unwritable(example, f"it would read back as something else ({written!r})")


def _unwritable(example: Example, why: str) -> NoReturn:
    raise NluDataError(f"cannot write the example {example.text!r} of {example.intent!r}: {why}")
