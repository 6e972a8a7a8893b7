"""Checks that a file is a PNG picture of a readable size."""

import struct
from pathlib import Path

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk; fails when the file is no PNG."""
    data = path.read_bytes()
    assert data[:8] == SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_readable_png(path: Path) -> None:
    width, height = png_size(path)
    assert 400 <= width <= 3000
    assert 300 <= height <= 3000
