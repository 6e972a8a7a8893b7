"""Rasa 2/3 YAML NLU training data, read and written.

    version: "3.1"
    nlu:
    - intent: greet
      examples: |
        - hi
        - any concerts in [Berlin](city)?
    - synonym: New York
      examples: |
        - NYC
    - regex: zipcode
      examples: |
        - \\d{5}
    - lookup: city
      examples: |
        - Berlin

Only `nlu:` is read, so a file that also holds stories, rules or a domain reads as its NLU data
alone, and a file without `nlu:` as none. `examples:` is Rasa's block of `- ` lines, or Rasa 3's
list of `- text: ...` items; `metadata:` is ignored wherever Rasa allows it. Names are read as
written (`- intent: yes` is the intent "yes", not true). Errors name the line that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from bot.errors import NluDataError
from bot.nlu.model import NluData
from bot.nlu.sections import KINDS, Item, Section, to_data, to_sections
from bot.yaml_errors import yaml_errors
from bot.yaml_reading import Yaml12Loader

VERSION = "3.1"

_ITEM_KEYS = {*KINDS, "examples", "metadata"}
_NULL = "tag:yaml.org,2002:null"
_LINES_HOW = "write `examples: |` followed by one `- example` line each"


def parse_nlu_yaml(text: str, source: str) -> NluData:
    """Read the `nlu:` of a Rasa YAML file; `source` names the file in errors."""
    with yaml_errors(source, NluDataError):  # the loader refuses control characters at once
        loader = Yaml12Loader(text)
        try:
            return to_data(_NluNodes(loader, source).sections(loader.get_single_node()))
        finally:
            loader.dispose()


class _NluNodes:
    """Reads the nodes rather than the loaded values, so errors can name each item's line."""

    def __init__(self, loader: Yaml12Loader, source: str) -> None:
        self.loader = loader
        self.source = source

    def where(self, node: yaml.Node, lines_below: int = 0) -> str:
        return f"{self.source}:{node.start_mark.line + 1 + lines_below}"

    def sections(self, root: yaml.Node | None) -> list[Section]:
        if root is None:
            return []
        nlu = self.mapping(root, "a YAML file of NLU data").get("nlu")
        if nlu is None or _is_null(nlu):
            return []
        if not isinstance(nlu, yaml.SequenceNode):
            raise NluDataError(f"{self.where(nlu)}: `nlu:` must be a list (`- intent: ...` items)")
        return [self.section(node) for node in nlu.value]

    def section(self, node: yaml.Node) -> Section:
        where = self.where(node)
        fields = self.mapping(node, "an `nlu:` item")
        kinds = [kind for kind in KINDS if kind in fields]
        if len(kinds) != 1:
            raise NluDataError(
                f"{where}: an `nlu:` item has exactly one of {', '.join(KINDS)}; "
                f"got {', '.join(map(str, fields)) or 'none'}"
            )
        kind = kinds[0]
        if unknown := set(fields) - _ITEM_KEYS:
            raise NluDataError(
                f"{where}: unknown key {', '.join(sorted(map(str, unknown)))} in a `{kind}` item; "
                "it takes `examples:` and an optional `metadata:`"
            )
        name = self.name(fields[kind], kind)
        if "examples" not in fields:
            raise NluDataError(f"{where}: the {kind} {name!r} has no `examples:`; {_LINES_HOW}")
        return Section(kind, name, tuple(self.items(fields["examples"])))

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise NluDataError(f"{self.where(node)}: {what} must be a mapping")
        self.loader.flatten_mapping(node)
        return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}

    def name(self, node: yaml.Node, kind: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise NluDataError(f"{self.where(node)}: the {kind} name must be text")
        return str(node.value.strip())

    def items(self, node: yaml.Node) -> Iterator[Item]:
        if isinstance(node, yaml.SequenceNode):
            yield from (self.listed(item) for item in node.value)
        elif not isinstance(node, yaml.ScalarNode):
            raise NluDataError(f"{self.where(node)}: cannot read these examples; {_LINES_HOW}")
        elif not _is_null(node):
            # The lines of a `|` block start below its marker; a folded or quoted string has
            # lost its line breaks' positions, so its items all name the string's first line.
            for number, line in enumerate(node.value.split("\n")):
                below = number + 1 if node.style == "|" else 0
                if line.strip():
                    yield _listed_line(line.strip(), self.where(node, below))

    def listed(self, node: yaml.Node) -> Item:
        """An item of Rasa 3's list form: `- text: ...` (with metadata), or a plain string."""
        text = node if _is_scalar(node) else self.mapping(node, "an example").get("text")
        if not isinstance(text, yaml.ScalarNode) or _is_null(text) or not text.value.strip():
            raise NluDataError(f"{self.where(node)}: an example of the list form is `- text: ...`")
        return Item(text.value.strip(), self.where(node))


def _listed_line(line: str, where: str) -> Item:
    text = line[1:].strip()
    if not line.startswith("-") or not text:
        raise NluDataError(f"{where}: cannot read {line!r} as an example; {_LINES_HOW}")
    return Item(text, where)


def _is_scalar(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


class _Block(str):
    """Text dumped as a `|` block, the way Rasa writes examples."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_block(dumper: yaml.SafeDumper, text: _Block) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")


_Dumper.add_representer(_Block, _represent_block)


def write_nlu_yaml(data: NluData) -> str:
    """Rasa 3 YAML with the examples of each item in a `|` block; reads back as `data`."""
    items = [
        {
            section.kind: section.name,
            "examples": _Block("".join(f"- {item.text}\n" for item in section.items)),
        }
        for section in to_sections(data)
    ]
    dumped = yaml.dump({"nlu": items}, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return f'version: "{VERSION}"\n{dumped}'
