"""Which way the imports point (docs/architecture.md), checked on every module's source."""

from __future__ import annotations

import ast

from tests.conftest import REPO

COMPOSITION = ("bot/cli.py", "bot/__main__.py", "bot/app.py", "bot/settings.py", "bot/commands/")
"""The only part of bot/ that imports everything: it reads the settings and builds the bot."""
VENDORS = {
    "redis",
    "telegram",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "lightgbm",
    "sklearn",
    "pycrfsuite",
    "Stemmer",
    "prompt_toolkit",
    "rasa_sdk",
}
ADAPTERS = {
    "bot/stores/": {"redis"},
    "connectors/": {"telegram", "slack_bolt", "slack_sdk", "aiohttp", "prompt_toolkit"},
    "policy/": {"lightgbm"},
    "nlu/": {"sklearn", "pycrfsuite", "Stemmer", "aiohttp"},
    "rasa_actions/": {"aiohttp", "rasa_sdk"},
}
"""Where each vendor library may be imported besides the composition layer."""


def imported(module: str) -> set[str]:
    """The top-level packages a module imports, wherever in the module the import stands."""
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def modules(*packages: str) -> list[str]:
    return sorted(
        str(path.relative_to(REPO))
        for package in packages
        for path in (REPO / package).rglob("*.py")
    )


def composition(module: str) -> bool:
    return module.startswith(COMPOSITION)


def offenders(candidates: list[str], forbidden: set[str]) -> dict[str, set[str]]:
    found = {module: imported(module) & forbidden for module in candidates}
    return {module: names for module, names in found.items() if names}


def test_the_core_imports_neither_connectors_nor_the_policy_nor_the_nlu() -> None:
    core = [module for module in modules("bot") if not composition(module)]
    assert offenders(core, {"connectors", "policy", "nlu", "rasa_actions"}) == {}


def test_the_policy_and_the_nlu_import_no_connector_nor_each_other() -> None:
    assert offenders(modules("policy"), {"connectors", "nlu", "rasa_actions"}) == {}
    assert offenders(modules("nlu"), {"connectors", "policy", "rasa_actions"}) == {}
    assert offenders(modules("connectors"), {"policy", "nlu", "rasa_actions"}) == {}
    assert offenders(modules("rasa_actions"), {"connectors", "policy", "nlu"}) == {}


def test_vendor_libraries_stay_in_their_adapters() -> None:
    found = {}
    for module in modules("bot", "connectors", "policy", "nlu", "rasa_actions"):
        if composition(module):
            continue
        allowed = next((v for k, v in ADAPTERS.items() if module.startswith(k)), set())
        wrong = imported(module) & (VENDORS - allowed)
        if wrong:
            found[module] = wrong
    assert found == {}
