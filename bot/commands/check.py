"""`ozbot check`: everything a start would refuse, found at once, each with where and how to fix.

It reads the project as `ozbot run` does (domain, config, stories, actions), then the settings
of the connectors that would run and the store; it never stops at the first problem. It also
finds what a start lets through but is wrong all the same: a story value outside a categorical
slot's `values:`, a response placeholder that names no slot, stories and rules that go on
differently after the same history (as `rasa data validate stories`). A misspelt name gets
"did you mean" the closest known one. `--online` asks Telegram (getMe) and Slack (auth.test)
whether the tokens are good. Exit code 0 when nothing is wrong (warnings aside), 1 when not.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.action_loader import load_custom_actions
from bot.actions import ActionRegistry
from bot.commands.common import environment, say
from bot.domain import Domain, load_domain
from bot.endpoints import ActionEndpoint, endpoints_settings
from bot.errors import ActionError, OzbotError, StoryError
from bot.forms import form_problems
from bot.nlu.model import NLU_FALLBACK, OUT_OF_SCOPE, NluData
from bot.project import Project, has_stories_folder, nothing_to_train, open_project, read_config
from bot.responses import condition_slots, placeholders
from bot.settings import (
    CONNECTORS,
    chosen,
    nlu_settings,
    policy_settings,
    retraining_settings,
    review_settings,
    shared_prefix_warning,
    store_settings,
    web_settings,
)
from bot.spelling import did_you_mean
from bot.stores.settings import RedisSettings
from bot.stories.model import Rule, Story
from bot.stories.reader import read_folder_file
from bot.training_files import read_rules, read_training_nlu, training_files
from connectors.chat_commands import check_domain
from connectors.slack_settings import SlackSettings
from connectors.telegram_settings import TelegramSettings
from policy.config import PolicyConfig, check_fallback_action
from policy.contradictions import contradictions
from policy.story_graph import check_checkpoints, segments, story_problems

HELP = "check the project and the settings of its connectors; list every problem"
T = TypeVar("T")


@dataclass
class Findings:
    """What a check found: problems stop a start, warnings do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    """What `--online` found good: "Telegram: the token is @my_bot's"."""
    found: list[str] = field(default_factory=list)
    """What the check reached, said as it is (the store: a Redis, or a cluster of N masters)."""

    def attempt(self, check: Callable[[], T]) -> T | None:
        """The check's result, or None with its error kept as a problem."""
        try:
            return check()
        except OzbotError as exc:
            self.problems.append(str(exc))
            return None

    async def confirm(self, platform: str, bot_name: Awaitable[str]) -> None:
        """Asks the platform who the token belongs to: a name is confirmed, an error a problem."""
        try:
            self.confirmed.append(f"{platform} accepts the token: it is {await bot_name}'s")
        except OzbotError as exc:
            self.problems.append(str(exc))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "connectors",
        nargs="*",
        metavar="CONNECTOR",
        help=f"check as `ozbot run` would run these: {', '.join(CONNECTORS)} "
        "(default: those whose token is set)",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="also ask Telegram (getMe) and Slack (auth.test) whether they accept the tokens",
    )


async def run(args: argparse.Namespace) -> None:
    findings = await check_all(
        Path(args.project), args.connectors, environment(), online=args.online
    )
    for confirmed in findings.confirmed:
        say(f"online: {confirmed}")
    for what in findings.found:
        say(f"found: {what}")
    for warning in findings.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in findings.problems:
        say(f"problem: {problem}")
    if findings.problems:
        count = len(findings.problems)
        say(f"{count} problem{'s' if count > 1 else ''}: fix them and run `ozbot check` again.")
        raise SystemExit(1)
    say("ok: the project and its settings are ready; `ozbot run` starts the bot.")


async def check_all(
    root: Path, names: list[str], env: Mapping[str, str], *, online: bool = False
) -> Findings:
    """Every problem and warning of the project at `root`, run with connectors `names`;
    `online` also asks the platforms whether they accept the tokens."""
    findings = Findings()
    project = findings.attempt(lambda: open_project(root))
    if project is None:
        return findings
    domain = findings.attempt(lambda: _domain(project))
    config = findings.attempt(lambda: read_config(project))
    policy = None
    if config is not None:
        policy = _policy(project, config, findings)
        reading = findings.attempt(lambda: nlu_settings(project, config))
        if reading is not None and reading.class_path is not None:
            from nlu.python_class import interpreter_class  # only now: it imports aiohttp

            where = f"{project.config_file}: nlu.class"
            findings.attempt(partial(interpreter_class, reading.class_path, project.root, where))
        findings.attempt(lambda: retraining_settings(project, config))
        findings.attempt(lambda: review_settings(project, config))
        if policy is not None and domain is not None:
            findings.attempt(lambda: check_fallback_action(policy, domain, project.config_file))
    endpoints = findings.attempt(lambda: endpoints_settings(project, env))
    findings.warnings += endpoints[1] if endpoints else []
    stories = _stories(project, findings)
    nlu = _nlu(project, findings)
    if domain is not None:
        _fits_domain(stories, domain, findings)
        _contradictions(project, stories, domain, policy, findings)
        _placeholders(domain, project, findings)
        _nlu_fits_domain(nlu, domain, project, findings)
        _actions(project, domain, findings, endpoints[0] if endpoints else None)
        findings.problems += form_problems(domain, str(project.domain_file))
    connectors = findings.attempt(lambda: chosen(names, env)) or ()
    for name in connectors:
        await CREDENTIALS[name](env, findings, online)
    if online and not set(connectors) - {"terminal"}:
        findings.warnings.append(
            "--online: no platform to ask; name one (`ozbot check --online telegram`) or set "
            "its token (TELEGRAM_TOKEN, SLACK_BOT_TOKEN)"
        )
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
    if findings.attempt(lambda: has_stories_folder(project)) is None:  # a file: told
        return []
    stories: list[Story] = []
    failed = len(findings.problems)
    for file in training_files(project):
        stories += findings.attempt(partial(read_folder_file, file, findings.problems)) or []
    if not stories and len(findings.problems) == failed:
        findings.problems.append(nothing_to_train(project))
    return stories


def _nlu(project: Project, findings: Findings) -> NluData:
    return findings.attempt(lambda: read_training_nlu(project)) or NluData()


def _nlu_fits_domain(nlu: NluData, domain: Domain, project: Project, findings: Findings) -> None:
    unknown = [
        f"{intent}{did_you_mean(intent, domain.intents)}"
        for intent in nlu.intents
        if intent not in (*domain.intents, OUT_OF_SCOPE)
    ]
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


def _placeholders(domain: Domain, project: Project, findings: Findings) -> None:
    slots = [slot.name for slot in domain.slots]
    for name, variations in domain.responses.items():
        unknown = {p for v in variations for p in placeholders(v) if p not in slots}
        findings.problems += [
            f"{project.domain_file}: response {name}: {{{placeholder}}} names no slot"
            f"{did_you_mean(placeholder, slots)}, so the bot would say it as written; add a "
            f"slot {placeholder} to the domain or fix the name"
            for placeholder in sorted(unknown)
        ]
        asked = {s for v in variations for s in condition_slots(v) if s not in slots}
        findings.problems += [
            f"{project.domain_file}: response {name}: a condition asks about slot {slot}, "
            f"which the domain does not have{did_you_mean(slot, slots)}, so its variation is "
            f"never said; add a slot {slot} to the domain or fix the name"
            for slot in sorted(asked)
        ]


def _data(project: Project) -> str:
    return ", ".join(str(folder) for folder in project.data_dirs)


def _fits_domain(stories: list[Story], domain: Domain, findings: Findings) -> None:
    for story in stories:
        findings.problems += story_problems(story, domain)
    findings.attempt(lambda: check_checkpoints([s for story in stories for s in segments(story)]))


def _contradictions(
    project: Project,
    stories: list[Story],
    domain: Domain,
    policy: PolicyConfig | None,
    findings: Findings,
) -> None:
    """Stories and rules that go on differently after the same history (once the stories fit
    the domain: what does not is told already); see policy/contradictions.py for which are
    problems."""
    rules: list[Rule] = []
    unread = []
    for file in training_files(project):
        try:
            rules += read_rules(file)
        except StoryError as exc:
            unread.append(str(exc))
    findings.problems += [p for p in unread if p not in findings.problems]  # told once
    if unread or any(story_problems(s, domain) for s in stories):
        return
    max_history = (policy or PolicyConfig()).max_history
    for found in (
        findings.attempt(lambda: contradictions(stories, rules, domain, max_history)) or []
    ):
        (findings.problems if found.by_rule else findings.warnings).append(str(found))


def _actions(
    project: Project, domain: Domain, findings: Findings, action_server: ActionEndpoint | None
) -> None:
    """Every domain action has an implementation: here, or on the action server."""
    custom = findings.attempt(lambda: load_custom_actions(project.root, domain))
    if custom is None:
        return
    from rasa_actions.server import ActionServer  # aiohttp: only when checked

    remote = None if action_server is None else ActionServer(action_server.url).action
    registry = ActionRegistry(domain, custom, remote=remote)
    for name in domain.actions:
        try:
            registry.get(name)
        except ActionError:
            findings.warnings.append(
                f"{project.domain_file}: actions: {name} has no implementation, so it is refused "
                f"when it has to run; add a response named {name} to the domain or a class with "
                f"name = {name!r} to actions.py"
            )


async def _telegram(env: Mapping[str, str], findings: Findings, online: bool) -> None:
    settings = findings.attempt(lambda: TelegramSettings.from_env(env))
    if settings is None:
        return
    if online:
        from connectors.token_checks import telegram_bot_name  # python-telegram-bot: only now

        await findings.confirm("Telegram", telegram_bot_name(settings))
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


async def _slack(env: Mapping[str, str], findings: Findings, online: bool) -> None:
    settings = findings.attempt(lambda: SlackSettings.from_env(env))
    if settings is not None and online:
        from connectors.token_checks import slack_bot_name  # slack_sdk: only now

        await findings.confirm("Slack", slack_bot_name(settings))
    if settings is not None and not settings.trainer_ids:
        findings.warnings.append(
            "SLACK_TRAINER_IDS is empty: nobody is asked training questions; set it to your "
            "Slack member id (profile, ⋮, Copy member ID)"
        )


async def _terminal(env: Mapping[str, str], findings: Findings, online: bool) -> None:
    """The terminal has no settings."""


CREDENTIALS: dict[str, Callable[[Mapping[str, str], Findings, bool], Awaitable[None]]] = {
    "terminal": _terminal,
    "telegram": _telegram,
    "slack": _slack,
}
"""Per connector: what is missing or wrong in its settings, as problems and warnings; online,
whether the platform accepts its token."""


async def _reach(settings: RedisSettings, findings: Findings) -> None:
    """The store answers, and is what the settings say: a single Redis or a Redis Cluster."""
    from bot.stores.redis_client import connect, masters  # only now: redis takes a while to import

    try:
        client = await connect(settings)
    except OzbotError as exc:
        findings.problems.append(str(exc))
        return
    if settings.cluster:
        findings.found.append(
            f"Redis Cluster of {masters(client)} masters at {settings.shown_url}, reachable"
        )
    else:
        findings.found.append(f"Redis at {settings.shown_url}, reachable")
    await client.aclose()
