"""Python of the bot project's own, named in its files as `module.Class` (custom actions, a
custom interpreter): imported from the bot's folder, which is put on the import path so that
the bot's modules can import each other."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from bot.errors import ProjectError


def on_import_path(folder: Path) -> None:
    entry = str(folder.resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)


def project_class(
    path: str, root: Path, where: str, error: type[ProjectError] = ProjectError
) -> type:
    """The class `path` names (`module.Class`, the module in the bot's folder or installed);
    raises `error` saying what is wrong, `where` naming the file and key that named it."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name or not class_name:
        raise error(f"{where}: {path!r} is not a class path; write it as module.Class")
    on_import_path(root)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise error(f"{where}: {path}: cannot import {module_name}: {exc!r}") from exc
    found = getattr(module, class_name, None)
    if not inspect.isclass(found):
        raise error(f"{where}: {path}: {module_name} has no class {class_name}")
    return found
