"""Imports a project's custom actions: its `actions.py` (or Rasa's `actions/` package) and
`module.Class` paths in the domain.

The project's folder goes on the import path first (and stays there, for imports an action makes
when it runs), so `actions.py` imports the modules beside it with `ozbot` as with `python -m bot`.
Actions written for Rasa Core 0.x import ozbot's stand-ins of it (`bot/rasa_core_import.py`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.actions import custom_action_name
from bot.domain import Domain
from bot.errors import ActionLoadError
from bot.project_code import on_import_path, project_class
from bot.rasa_core_import import rasa_core_stand_ins, stand_in_lacks

ACTIONS_FILE = "actions.py"
WHERE = "domain.yml: actions"
ACTIONS_PACKAGE = "actions"


def load_custom_actions(project_dir: Path, domain: Domain) -> dict[str, Any]:
    """Action name -> action object, for every domain action a project implements in Python."""
    on_import_path(project_dir)
    with rasa_core_stand_ins():
        module = _import_actions_file(project_dir / ACTIONS_FILE)
        package = _import_actions_package(project_dir / ACTIONS_PACKAGE) if module is None else []
        found: dict[str, Any] = {}
        for each in [module] if module is not None else package:
            for cls in _action_classes(each):
                instance = _instantiate(cls, each.__file__ or ACTIONS_FILE)
                name = _declared_name(instance)
                if name in domain.actions:
                    found[name] = instance
        module = module or (package[0] if package else None)
        for name, path in domain.action_classes.items():
            if name not in found:
                found[name] = _load_class_path(path, name, module, project_dir)
    return found


def _import_actions_file(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    return _import_as(f"ozbot_actions_{_digest(path)}", path)


def _import_actions_package(folder: Path) -> list[ModuleType]:
    """Rasa's `actions/` package and each module in it (as Rasa's action server imports them),
    the package first; none without an `actions/` folder."""
    if not folder.is_dir():
        return []
    name = f"ozbot_actions_{_digest(folder)}"
    init = folder / "__init__.py"
    package = _import_as(name, init if init.is_file() else None, folder)
    modules = [package]
    for file in sorted(folder.glob("*.py")):
        if file.name != "__init__.py":
            modules.append(_import_as(f"{name}.{file.stem}", file))
    return modules


def _digest(path: Path) -> str:
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]


def _import_as(name: str, path: Path | None, package: Path | None = None) -> ModuleType:
    """The module at `path` imported as `name`; a `package` folder makes it a package (its
    `path` the `__init__.py`, or None for a folder without one)."""
    locations = [str(package)] if package is not None else None
    spec: importlib.machinery.ModuleSpec | None
    if path is None:
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = locations
    else:
        spec = importlib.util.spec_from_file_location(
            name, path, submodule_search_locations=locations
        )
    where = path or package
    if spec is None or (path is not None and spec.loader is None):
        raise ActionLoadError(f"{where}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        if spec.loader is not None:
            spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[spec.name]
        raise ActionLoadError(
            f"{_line(exc, where)}: importing it failed: {exc!r}{_hint(exc)}"
        ) from exc
    return module


def _line(exc: Exception, path: Path | None) -> str:
    """`path:line` of the line of `path` the exception came from (`path` when none did)."""
    line = None
    frame = exc.__traceback__
    while frame is not None:
        if Path(frame.tb_frame.f_code.co_filename) == path:
            line = frame.tb_lineno
        frame = frame.tb_next
    return f"{path}:{line}" if line is not None else str(path)


def _hint(exc: Exception) -> str:
    """What to do when the actions import a Rasa library that is not here."""
    if _sdk(exc):
        return "; these actions are written for rasa-sdk: pip install rasa-sdk"
    lacks = stand_in_lacks(exc)
    return f"; {lacks}" if lacks else ""


def needs_rasa_library(error: ActionLoadError) -> bool:
    """True when the actions could not be imported only because a Rasa library they are written
    for is not here (rasa-sdk, or a part of Rasa Core 0.x that ozbot does not stand in for):
    a Rasa action server can run them."""
    return _sdk(error.__cause__) or stand_in_lacks(error.__cause__) is not None


def _sdk(exc: BaseException | None) -> bool:
    return isinstance(exc, ModuleNotFoundError) and exc.name == "rasa_sdk"


def _action_classes(module: ModuleType) -> list[type]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and hasattr(obj, "run")
    ]


def _declared_name(instance: Any) -> str | None:
    """The action name of an instance of a class in the actions; None for an abstract base
    of them, whose `name()` raises NotImplementedError (as Rasa's `Action.name` does)."""
    try:
        return custom_action_name(instance)
    except NotImplementedError:
        return None


def _instantiate(cls: type, where: str) -> Any:
    try:
        return cls()
    except Exception as exc:
        raise ActionLoadError(f"{where}: {cls.__name__}() failed: {exc!r}") from exc


def _load_class_path(path: str, name: str, actions: ModuleType | None, root: Path) -> Any:
    module_name, _, class_name = path.rpartition(".")
    if module_name == "actions" and actions is not None:
        cls = getattr(actions, class_name, None)
        if not inspect.isclass(cls):
            raise ActionLoadError(f"{WHERE}: {path}: actions has no class {class_name}")
    else:
        cls = project_class(path, root, WHERE, ActionLoadError)
    instance = _instantiate(cls, path)
    declared = custom_action_name(instance)
    if declared not in (None, name):
        raise ActionLoadError(
            f"domain.yml: actions: {path} calls itself {declared!r}, but stories refer to it as "
            f"{name!r}; list it in domain.yml by its name ({declared}) instead of its class path"
        )
    return instance
