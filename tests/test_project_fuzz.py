"""Seeded fuzz of the concert bot's files: whatever a hand edit, a bad copy or a wrong encoding
does to them, `ozbot check` and the loading of `ozbot train` (and `run`) end in a clear error
(OzbotError, printed as `error: ...`), never a traceback."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.app import load_project
from bot.commands.check import check_all
from bot.errors import OzbotError
from bot.settings import read_settings
from tests.conftest import REPO

FILES = ("domain.yml", "config.yml", "stories/stories.md", "stories/nlu.yml")
"""The files a person edits by hand (actions.py is Python: its errors are Python's)."""
EXAMPLES = 300
HOSTILE = [
    b"null: x",
    b"~: x",
    b"? [a, b]\n: c",
    b"1: x",
    b"true:",
    b"- - -",
    b"!!python/object:os.system x",
    b"&a [*a]",
    b"*undefined",
    b"\t- tab",
    b"{",
    b"]",
    b"'",
    b'"',
    b"%YAML 9.9",
    b"---\n---",
    b"...",
    b"<!--",
    b"\x00",
    b"\x1b[31m",
    b"\x85\xe2\x80\xa8",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",  # an encoded lone surrogate
    b"\xef\xbb\xbf",  # a byte order mark
    b'* search_concerts{"city": ' + b"[" * 200 + b"]" * 200 + b"}",
    b"    - slot{}",
    b"## intent:",
    b"> ",
    b"intents:",
    b"actions: 5",
    b"slots: {x: {type: nope}}",
    b"max_history: -1",
    b"seed: 1e400",
    b"nlu: {threshold: .nan}",
]
"""Snippets known to trouble YAML, Markdown, JSON or UTF-8 readers."""


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    """One of the files, with one to three edits: bytes or a hostile snippet inserted (within
    a line or as a line), a span deleted, a line duplicated, the file cut short."""
    name = draw(st.sampled_from(FILES))
    data = (REPO / name).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "snippet", "line", "delete", "duplicate", "cut"]))
        if kind == "line":  # a line of its own: a key of the top mapping, say
            lines = data.split(b"\n")
            line = draw(st.integers(0, len(lines)))
            data = b"\n".join([*lines[:line], draw(st.sampled_from(HOSTILE)), *lines[line:]])
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
        elif kind == "snippet":
            data = data[:at] + draw(st.sampled_from(HOSTILE)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "duplicate":
            lines = data.split(b"\n")
            line = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[: line + 1] + lines[line:])
        else:
            data = data[:at]
    return name, data


def project_with(name: str, data: bytes, root: Path) -> Path:
    for file in ("domain.yml", "config.yml", "actions.py", *FILES[2:]):
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / file, root / file)
    (root / name).write_bytes(data)
    return root


def outcome(root: Path) -> list[str]:
    """What check and train's loading did: 'ok', 'clean' or the exception they let out."""
    results = []
    try:
        asyncio.run(check_all(root, ["terminal"], {}))
        results.append("ok")
    except Exception as exc:  # what a user would have seen as a traceback
        results.append(f"check: {type(exc).__name__}: {exc}")
    try:
        load_project(read_settings(root, {}))
        results.append("ok")
    except OzbotError:
        results.append("clean")
    except Exception as exc:
        results.append(f"train: {type(exc).__name__}: {exc}")
    return results


@seed(14)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutation())
def test_a_mutated_project_gets_a_clear_error_never_a_traceback(
    changed: tuple[str, bytes],
) -> None:
    name, data = changed
    with tempfile.TemporaryDirectory() as folder:
        results = outcome(project_with(name, data, Path(folder)))
    assert all(result in ("ok", "clean") for result in results), (name, data, results)
