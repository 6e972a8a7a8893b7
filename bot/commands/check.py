"""`ozbot check`: everything a start would refuse, found at once, each with where and how to fix.

It reads the project as `ozbot run` does (domain, config, stories, actions), then the settings
of the connectors that would run and the store; it never stops at the first problem. Exit code
0 when the bot can start, 1 when not.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.commands.common import say
from bot.domain import Domain, load_domain
from bot.errors import ActionError, OzbotError
from bot.nlu.model import NLU_FALLBACK, NluData
from bot.project import Project, nothing_to_train, open_project, read_config
from bot.settings import (
    CONNECTORS,
    chosen,
    endpoints_settings,
    nlu_settings,
    policy_settings,
    shared_prefix_warning,
    store_settings,
    web_settings,
)
from bot.stores.redis import RedisTrackerStore
from bot.stores.settings import RedisSettings
from bot.stories.model import Story
from bot.stories.reader import read_folder_file
from bot.training_files import read_training_nlu, training_files
from connectors.chat_commands import check_domain
from connectors.slack_settings import SlackSettings
from connectors.telegram_settings import TelegramSettings
from policy.config import PolicyConfig, check_fallback_action
from policy.story_graph import check_checkpoints, segments, validate_story

HELP = "check the project and the settings of its connectors; list every problem"
T = TypeVar("T")


@dataclass
class Findings:
    """What a check found: problems stop a start, warnings do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def attempt(self, check: Callable[[], T]) -> T | None:
        """The check's result, or None with its error kept as a problem."""
        try:
            return check()
        except OzbotError as exc:
            self.problems.append(str(exc))
            return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="CONNECTOR",
        help=f"check as `ozbot run` would run these: {', '.join(CONNECTORS)} "
        "(default: those whose token is set)",
    )


async def run(args: argparse.Namespace) -> None:
    findings = await check_all(Path(args.project), args.connectors, os.environ)
    for warning in findings.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in findings.problems:
        say(f"problem: {problem}")
    if findings.problems:
        count = len(findings.problems)
        say(f"{count} problem{'s' if count > 1 else ''}: fix them and run `ozbot check` again.")
        raise SystemExit(1)
    say("ok: the project and its settings are ready; `ozbot run` starts the bot.")


async def check_all(root: Path, names: list[str], env: Mapping[str, str]) -> Findings:
    """Every problem and warning of the project at `root`, run with connectors `names`."""
    findings = Findings()
    project = findings.attempt(lambda: open_project(root))
    if project is None:
        return findings
    domain = findings.attempt(lambda: _domain(project))
    config = findings.attempt(lambda: read_config(project))
    if config is not None:
        policy = _policy(project, config, findings)
        findings.attempt(lambda: nlu_settings(project, config))
        if policy is not None and domain is not None:
            findings.attempt(lambda: check_fallback_action(policy, domain, project.config_file))
    endpoints = findings.attempt(lambda: endpoints_settings(project))
    findings.warnings += endpoints[1] if endpoints else []
    stories = _stories(project, findings)
    nlu = _nlu(project, findings)
    if domain is not None:
        _fits_domain(stories, domain, findings)
        _nlu_fits_domain(nlu, domain, project, findings)
        _actions(project, domain, findings)
    connectors = findings.attempt(lambda: chosen(names, env)) or ()
    for name in connectors:
        CREDENTIALS[name](env, findings)
    if set(connectors) - {"terminal"}:  # the web server runs: on which port
        findings.attempt(lambda: web_settings(None, env, slack="slack" in connectors))
    if config is not None:
        settings = findings.attempt(lambda: store_settings(project, config, env))
        shared = shared_prefix_warning(project, config, settings)
        findings.warnings += [shared] if shared else []
        if settings is not None:
            await _reach(settings, findings)
    return findings


def _domain(project: Project) -> Domain:
    domain = load_domain(project.domain_file)
    check_domain(domain, project.domain_file)
    return domain


def _policy(project: Project, config: dict[str, Any], findings: Findings) -> PolicyConfig | None:
    checked = findings.attempt(lambda: policy_settings(project, config))
    if checked is None:
        return None
    findings.warnings += checked[1]
    return checked[0]


def _stories(project: Project, findings: Findings) -> list[Story]:
    stories: list[Story] = []
    failed = len(findings.problems)
    for file in training_files(project):
        stories += findings.attempt(partial(read_folder_file, file)) or []
    if not stories and len(findings.problems) == failed:
        findings.problems.append(nothing_to_train(project))
    return stories


def _nlu(project: Project, findings: Findings) -> NluData:
    return findings.attempt(lambda: read_training_nlu(project)) or NluData()


def _nlu_fits_domain(nlu: NluData, domain: Domain, project: Project, findings: Findings) -> None:
    unknown = [intent for intent in nlu.intents if intent not in domain.intents]
    if unknown:
        findings.warnings.append(
            f"{_data(project)}: the NLU data has intents the domain lacks "
            f"({', '.join(unknown)}); messages read as those count as the next best known "
            f"intent, or {NLU_FALLBACK}: add them to {project.domain_file.name} or drop their "
            "examples"
        )
    entities = {span.entity for example in nlu.examples for span in example.entities}
    missing = sorted(entities - set(domain.entities))
    if missing:
        findings.warnings.append(
            f"{_data(project)}: the NLU data annotates entities the domain lacks "
            f"({', '.join(missing)}); they are left out of what a message means"
        )


def _data(project: Project) -> str:
    return ", ".join(str(folder) for folder in project.data_dirs)


def _fits_domain(stories: list[Story], domain: Domain, findings: Findings) -> None:
    for story in stories:
        findings.attempt(partial(validate_story, story, domain))
    findings.attempt(lambda: check_checkpoints([s for story in stories for s in segments(story)]))


def _actions(project: Project, domain: Domain, findings: Findings) -> None:
    custom = findings.attempt(lambda: load_custom_actions(project.root, domain))
    if custom is None:
        return
    registry = ActionRegistry(domain, custom)
    for name in domain.actions:
        try:
            registry.get(name)
        except ActionError:
            findings.warnings.append(
                f"{project.domain_file}: actions: {name} has no implementation, so it is refused "
                f"when it has to run; add a response named {name} to the domain or a class with "
                f"name = {name!r} to actions.py"
            )


def _telegram(env: Mapping[str, str], findings: Findings) -> None:
    settings = findings.attempt(lambda: TelegramSettings.from_env(env))
    if settings is None:
        return
    if not settings.trainer_ids:
        findings.warnings.append(
            "TELEGRAM_TRAINER_IDS is empty: nobody is asked training questions; set it to your "
            "numeric Telegram user id (@userinfobot tells it)"
        )
    if settings.webhook_url is not None and not env.get("TELEGRAM_WEBHOOK_SECRET", "").strip():
        findings.warnings.append(
            "TELEGRAM_WEBHOOK_SECRET is not set: each start makes a new one, so replicas "
            "behind one URL refuse each other's updates; set one for more than one replica"
        )


def _slack(env: Mapping[str, str], findings: Findings) -> None:
    settings = findings.attempt(lambda: SlackSettings.from_env(env))
    if settings is not None and not settings.trainer_ids:
        findings.warnings.append(
            "SLACK_TRAINER_IDS is empty: nobody is asked training questions; set it to your "
            "Slack member id (profile, ⋮, Copy member ID)"
        )


CREDENTIALS: dict[str, Callable[[Mapping[str, str], Findings], None]] = {
    "terminal": lambda env, findings: None,
    "telegram": _telegram,
    "slack": _slack,
}
"""Per connector: what is missing or wrong in its settings, as problems and warnings."""


async def _reach(settings: RedisSettings, findings: Findings) -> None:
    try:
        store = await RedisTrackerStore.connect(settings)
    except OzbotError as exc:
        findings.problems.append(str(exc))
        return
    await store.close()
