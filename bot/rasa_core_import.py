"""`import rasa_core...` and `import rasa_core_sdk...` in a project's actions, where Rasa Core
0.x is not installed (it cannot be on Python 3), find ozbot's stand-ins
(`bot/rasa_core_compat.MODULES`).

The finder is on `sys.meta_path` only while the actions are imported, and last there: every
installed module is found before it, and it answers only for a top-level name nothing else found
and for the modules under a stand-in. The stand-ins stay imported, as any module does.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

from bot.rasa_core_compat import MODULES, SUMMARY

_PACKAGES = {name.rpartition(".")[0] for name in MODULES} - {""}


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parent = fullname.rpartition(".")[0]
        if fullname not in MODULES or (parent and not is_stand_in(parent)):
            return None
        return importlib.machinery.ModuleSpec(
            fullname, self, origin="ozbot's stand-in", is_package=fullname in _PACKAGES
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        vars(module).update(MODULES[module.__name__])


_FINDER = _StandIns()


@contextmanager
def rasa_core_stand_ins() -> Iterator[None]:
    """Inside the block, Rasa Core 0.x's modules that are not installed are ozbot's."""
    if _FINDER in sys.meta_path:  # a class path imported while the actions are
        yield
        return
    sys.meta_path.append(_FINDER)
    try:
        yield
    finally:
        sys.meta_path.remove(_FINDER)


def is_stand_in(name: str) -> bool:
    """True for a module name imported as ozbot's stand-in."""
    return getattr(sys.modules.get(name), "__loader__", None) is _FINDER


def stand_in_lacks(exc: BaseException | None) -> str | None:
    """What to do when an import failed for a module or a name the stand-ins do not have
    (`rasa_core_sdk.forms`, `from rasa_core_sdk import FormAction`); None for another error."""
    if not isinstance(exc, ImportError) or not exc.name:
        return None
    if not (is_stand_in(exc.name) or is_stand_in(exc.name.rpartition(".")[0])):
        return None
    return (
        f"ozbot stands in for Rasa Core 0.x's {exc.name.split('.')[0]} with {SUMMARY} only "
        "(no FormAction): write a form in domain.yml's `forms:`; port another action to "
        "rasa-sdk (pip install rasa-sdk) or run it on a Rasa action server (endpoints.yml)"
    )
