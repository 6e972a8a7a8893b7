"""Rasa 1.x Markdown NLU training data, read and written.

    ## intent:greet
    - hi
    - any concerts in [Berlin](city)?
    ## synonym:New York
    - NYC
    ## regex:zipcode
    - [0-9]{5}
    ## lookup:city
    - Berlin
    ## lookup:country
    lookups/countries.txt

Items are list lines (`-`, `*` or `+`, as Rasa reads them). A lookup may instead name a text file
with one element a line: Rasa 1 read that path from the folder it ran in, usually the project, so
it is looked for next to the Markdown file and then in each folder above. Any other `#` heading
(a story, a title) starts a section that is skipped, so a file may hold stories and NLU data.
`<!-- comments -->` are skipped, as in story files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bot.errors import NluDataError
from bot.nlu.model import NluData
from bot.nlu.sections import KINDS, Item, Section, to_data, to_sections

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADER = re.compile(rf"#+\s*({'|'.join(KINDS)})\s*:(.*)")
_ITEM_MARKERS = ("-", "*", "+")
_HOW = "write each item as `- text` on its own line"


def parse_nlu_markdown(text: str, source: str) -> NluData:
    """Read the NLU sections of a Markdown file; `source` names the file in errors and is where
    a lookup file's path starts from."""
    return to_data(_sections(text, source))


def _sections(text: str, source: str) -> list[Section]:
    sections: list[tuple[str, str, list[Item]]] = []
    in_nlu = False
    for number, line in _lines(text, source):
        where = f"{source}:{number}"
        if line.startswith("#"):
            header = _HEADER.fullmatch(line)
            in_nlu = header is not None
            if header is not None:
                sections.append((header[1], _name(header[2], header[1], where), []))
        elif in_nlu:
            kind, _, items = sections[-1]
            items.extend(_items(line, kind, not items, source, where))
    return [Section(kind, name, tuple(items)) for kind, name, items in sections]


def _lines(text: str, source: str) -> Iterator[tuple[int, str]]:
    """The stripped non-blank lines outside comments, with their 1-based line numbers."""
    uncommented = _COMMENT.sub(lambda match: "\n" * match[0].count("\n"), text)
    for number, line in enumerate(uncommented.split("\n"), start=1):
        if "<!--" in line:
            raise NluDataError(f"{source}:{number}: this `<!--` comment is never closed; add `-->`")
        if line.strip():
            yield number, line.strip()


def _name(name: str, kind: str, where: str) -> str:
    if not name.strip():
        raise NluDataError(f"{where}: the {kind} needs a name; write `## {kind}:name`")
    return name.strip()


def _items(line: str, kind: str, first: bool, source: str, where: str) -> list[Item]:
    if line.startswith(_ITEM_MARKERS) and line[1:].strip():
        return [Item(line[1:].strip(), where)]
    if kind == "lookup" and first and not line.startswith(_ITEM_MARKERS):
        return _lookup_file(line, source, where)
    raise NluDataError(f"{where}: cannot read {line!r} in a `{kind}` section; {_HOW}")


def _lookup_file(path: str, source: str, where: str) -> list[Item]:
    """The elements of a Rasa 1 lookup file, one a line."""
    file = next((c for c in _lookup_candidates(path, source) if c.is_file()), None)
    if file is None:
        raise NluDataError(
            f"{where}: the lookup file {path!r} is not next to {source} nor in a folder above "
            "it in the bot project; correct the path, or list the elements as `- element` lines"
        )
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise NluDataError(f"{where}: cannot read the lookup file {file}: {exc}") from exc
    return [Item(line.strip(), f"{file}:{n}") for n, line in enumerate(lines, 1) if line.strip()]


def _lookup_candidates(path: str, source: str) -> list[Path]:
    """Where a lookup path may point: from the file's folder up to the bot project's folder
    (the first with a domain), as Rasa 1 resolved it from the project it ran in."""
    candidates = []
    for folder in Path(source).resolve().parents:
        candidates.append(folder / path)
        if (folder / "domain.yml").is_file() or (folder / "domain").is_dir():
            break
    return candidates


def write_nlu_markdown(data: NluData) -> str:
    """Rasa 1 Markdown, a blank line between sections; `parse_nlu_markdown` reads it back."""
    return "\n".join(_section_text(section) for section in to_sections(data))


def _section_text(section: Section) -> str:
    lines = [f"## {section.kind}:{section.name}", *(f"- {item.text}" for item in section.items)]
    if any("<!--" in line for line in lines):
        raise NluDataError(
            f"cannot write the {section.kind} {section.name!r} as Markdown: its `<!--` would "
            "read as a comment; write YAML NLU data"
        )
    return "".join(f"{line}\n" for line in lines)
