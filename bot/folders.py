"""A folder written whole: into a staging folder beside it, then renamed into place.

A crash or an error while writing leaves the folder as it was, never half new (model versions
and the NLU model are written this way).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def replaced_whole(folder: Path) -> Iterator[Path]:
    """A staging folder to write into; when the block ends, it replaces `folder`. On an error
    the staging folder is removed and `folder` stays as it was."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield staging
        old = staging.with_name(staging.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
