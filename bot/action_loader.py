"""Imports a project's custom actions: its `actions.py` and `module.Class` paths in the domain.

The project's folder goes on the import path first (and stays there, for imports an action makes
when it runs), so `actions.py` imports the modules beside it with `ozbot` as with `python -m bot`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.actions import custom_action_name
from bot.domain import Domain
from bot.errors import ActionLoadError

ACTIONS_FILE = "actions.py"


def load_custom_actions(project_dir: Path, domain: Domain) -> dict[str, Any]:
    """Action name -> action object, for every domain action a project implements in Python."""
    _on_import_path(project_dir)
    module = _import_actions_file(project_dir / ACTIONS_FILE)
    found: dict[str, Any] = {}
    if module is not None:
        for cls in _action_classes(module):
            instance = _instantiate(cls, module.__file__ or ACTIONS_FILE)
            name = custom_action_name(instance)
            if name in domain.actions:
                found[name] = instance
    for name, path in domain.action_classes.items():
        if name not in found:
            found[name] = _load_class_path(path, name, module, project_dir)
    return found


def _on_import_path(folder: Path) -> None:
    entry = str(folder.resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)


def _import_actions_file(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(f"ozbot_actions_{digest}", path)
    if spec is None or spec.loader is None:
        raise ActionLoadError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[spec.name]
        raise ActionLoadError(f"{path}: importing it failed: {exc!r}") from exc
    return module


def _action_classes(module: ModuleType) -> list[type]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and hasattr(obj, "run")
    ]


def _instantiate(cls: type, where: str) -> Any:
    try:
        return cls()
    except Exception as exc:
        raise ActionLoadError(f"{where}: {cls.__name__}() failed: {exc!r}") from exc


def _load_class_path(path: str, name: str, actions: ModuleType | None, root: Path) -> Any:
    module_name, _, class_name = path.rpartition(".")
    if module_name == "actions" and actions is not None:
        module = actions
    else:
        module = _import_module(module_name, path)
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls):
        raise ActionLoadError(
            f"domain.yml: actions: {path}: {module_name} has no class {class_name}"
        )
    instance = _instantiate(cls, path)
    declared = custom_action_name(instance)
    if declared not in (None, name):
        raise ActionLoadError(
            f"domain.yml: actions: {path} calls itself {declared!r}, but stories refer to it as "
            f"{name!r}; list it in domain.yml by its name ({declared}) instead of its class path"
        )
    return instance


def _import_module(module_name: str, path: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except Exception as exc:
        raise ActionLoadError(
            f"domain.yml: actions: {path}: cannot import {module_name}: {exc!r}"
        ) from exc
