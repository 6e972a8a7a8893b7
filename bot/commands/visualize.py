"""`ozbot visualize`: the stories, rules and taught conversations drawn as one graph."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.common import say, settings
from bot.errors import OzbotError

HELP = "draw the stories, rules and taught conversations as one graph (with Graphviz)"
DEFAULT_OUT = "graph.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        metavar="FILE",
        default=DEFAULT_OUT,
        help=f"the picture: .png, .svg or .pdf, drawn by Graphviz's dot; .dot writes the graph as "
        f"text and needs no Graphviz (default: {DEFAULT_OUT})",
    )


async def run(args: argparse.Namespace) -> None:
    from bot import app, graphviz

    out = Path(args.out)
    file_format = out.suffix.lower().removeprefix(".")
    if file_format not in (*graphviz.FORMATS, "dot"):
        raise OzbotError(
            f"--out {out}: name a .png, .svg, .pdf or .dot file; the suffix says what to write"
        )
    if file_format != "dot":
        graphviz.installed()  # before the project is read: the fix is to install it
    drawing = await app.story_drawing(settings(args))
    if file_format == "dot":
        content = drawing.dot.encode()
    else:
        content = await graphviz.draw(drawing.dot, file_format)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise OzbotError(f"cannot write {out}: {exc.strerror}") from exc
    say(f"Drew {drawing.title} into {out}.")
