"""A DOT text drawn by Graphviz's `dot` program, in a process of its own, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import shutil

from bot import texts
from bot.errors import DrawingError

FORMATS = ("png", "svg", "pdf")
"""What `dot` draws (`-T`); a `.dot` file needs no drawing."""
SECONDS = 60.0
"""A graph `dot` has not drawn by then is too big to read anyway."""


def installed(program: str = "dot") -> str:
    """The path of Graphviz's `program`; DrawingError says what to install when it is missing."""
    found = shutil.which(program)
    if found is None:
        raise DrawingError(texts.GRAPHVIZ_MISSING.format(program=program))
    return found


async def draw(dot: str, file_format: str = "png", *, program: str = "dot") -> bytes:
    """The picture of the DOT text `dot` in `file_format` (one of FORMATS)."""
    found = installed(program)
    process = await asyncio.create_subprocess_exec(
        found,
        f"-T{file_format}",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        picture, errors = await asyncio.wait_for(process.communicate(dot.encode()), SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise DrawingError(f"Graphviz's {program} took over {SECONDS:.0f} s to draw") from None
    if process.returncode != 0:
        said = errors.decode(errors="replace").strip()[:500]
        raise DrawingError(f"Graphviz's {program} could not draw the graph: {said}")
    return picture
