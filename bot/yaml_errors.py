"""YAML that does not parse, said as ozbot says errors: the file, the line, what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import yaml

from bot.errors import ProjectError


@contextmanager
def yaml_errors(source: str, error: type[ProjectError]) -> Iterator[None]:
    """Raise `error` naming `source` and the line for a YAML parse error inside the block."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise error(f"{source}{line}: not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from exc
