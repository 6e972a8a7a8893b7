"""`ozbot check`: every problem of a project at once, each saying where and how to fix it."""

import copy
import shutil
import socket
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.commands.check import CREDENTIALS, check_all
from bot.settings import CONNECTORS
from tests.bot.forms_bot import DOMAIN
from tests.bot.stores.local_cluster import LocalCluster
from tests.conftest import REDIS_URL, REPO
from tests.connectors.fake_slack import SIGNING_SECRET, FakeSlackApi
from tests.connectors.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.connectors.fake_telegram import FakeBotApi


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("domain.yml", "actions.py", "config.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "stories").mkdir()
    shutil.copy(REPO / "stories" / "stories.md", tmp_path / "stories" / "stories.md")
    return tmp_path


def test_the_concert_bot_passes_with_exit_code_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(project), "check", "terminal"]) == 0
    assert "ok: the project and its settings are ready" in capsys.readouterr().out


def test_every_problem_is_listed_with_exit_code_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "config.yml").write_text("max_history: many\n", encoding="utf-8")
    stories = project / "stories"
    (stories / "broken.md").write_text("* greet\n", encoding="utf-8")
    (stories / "unknown.md").write_text("## s\n* greet\n    - utter_shout\n", encoding="utf-8")
    (stories / "also_broken.md").write_text("## s\n* greet\n  oops\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exit_:
        main(["--project", str(project), "check", "terminal"])

    assert exit_.value.code == 1
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 4, out
    assert f"{project / 'config.yml'}: max_history: expected a whole number" in out
    assert f"{stories / 'broken.md'}:1:" in out
    assert f"{stories / 'also_broken.md'}:3:" in out
    assert "unknown action 'utter_shout'; add it to `actions` in the domain" in out
    assert "4 problems: fix them and run `ozbot check` again." in out


async def test_a_broken_domain_and_actions_file_are_both_reported(project: Path) -> None:
    (project / "domain.yml").write_text("intents: [greet, restart]\n", encoding="utf-8")
    (project / "actions.py").write_text("import not_a_module\n", encoding="utf-8")
    (project / "stories" / "stories.md").write_text("## s\n* greet\n", encoding="utf-8")

    findings = await check_all(project, ["terminal"], {})

    [problem] = findings.problems
    assert "intents: restart collide with ozbot's commands" in problem
    assert "rename the intent" in problem


async def test_actions_without_implementation_and_a_failing_actions_file(project: Path) -> None:
    domain = (project / "domain.yml").read_text(encoding="utf-8")
    (project / "domain.yml").write_text(
        domain.replace("actions:\n", "actions:\n  - action_book_tickets\n", 1), encoding="utf-8"
    )
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == []
    assert any("action_book_tickets has no implementation" in w for w in findings.warnings)
    endpoint = "action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n"
    (project / "endpoints.yml").write_text(endpoint, encoding="utf-8")
    findings = await check_all(project, ["terminal"], {})
    assert not any("action_book_tickets" in w for w in findings.warnings)  # the server's

    (project / "actions.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    findings = await check_all(project, ["terminal"], {})
    assert [p for p in findings.problems if "actions.py:1: importing it failed" in p]


async def test_a_form_slot_nothing_asks_for_is_a_problem(tmp_path: Path) -> None:
    domain = copy.deepcopy(DOMAIN)
    del domain["responses"]["utter_ask_outdoor_seating"]
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "stories.md").write_text(
        "## s\n* request_restaurant\n  - restaurant_form\n", encoding="utf-8"
    )
    findings = await check_all(tmp_path, ["terminal"], {})
    assert findings.problems == [
        f"{tmp_path / 'domain.yml'}: the form restaurant_form has no question for the slot "
        "outdoor_seating: add a response utter_ask_outdoor_seating (or an action "
        "action_ask_outdoor_seating) to the domain"
    ]


async def test_the_credentials_of_the_chosen_connectors(project: Path) -> None:
    missing = await check_all(project, ["telegram"], {})
    assert [p for p in missing.problems if p.startswith("TELEGRAM_TOKEN is not set")]

    env = {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_TRAINER_IDS": "me", "OZBOT_PORT": "http"}
    wrong = await check_all(project, [], env | {"TELEGRAM_WEBHOOK_URL": "https://bot.example"})
    assert [p for p in wrong.problems if "TELEGRAM_TRAINER_IDS must be numeric" in p]

    env = {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://bot.example/hook"}
    warned = await check_all(project, [], env | {"OZBOT_PORT": "http"})
    assert [p for p in warned.problems if "OZBOT_PORT='http' is not a port number" in p]
    assert [w for w in warned.warnings if w.startswith("TELEGRAM_TRAINER_IDS is empty")]
    assert [w for w in warned.warnings if w.startswith("TELEGRAM_WEBHOOK_SECRET is not set")]

    slack = await check_all(project, ["slack"], {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert [p for p in slack.problems if p.startswith("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN")]


async def test_every_connector_of_run_has_a_credentials_check() -> None:
    assert set(CREDENTIALS) == set(CONNECTORS)


async def test_the_store_must_answer(project: Path) -> None:
    assert (await check_all(project, [], {"REDIS_URL": REDIS_URL})).problems == []
    named = project / "config.yml"
    named.write_text(named.read_text() + "assistant_id: concert-test\n", encoding="utf-8")
    warnings = (await check_all(project, [], {"REDIS_URL": REDIS_URL})).warnings
    assert [w for w in warnings if "go on differently" not in w] == []  # the stories' own
    single = await check_all(project, [], {"REDIS_URL": REDIS_URL})
    assert (single.problems, single.found) == ([], [f"Redis at {REDIS_URL}, reachable"])
    down = await check_all(project, [], {"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert [p for p in down.problems if "cannot reach Redis at redis://127.0.0.1:1/0" in p]


def test_no_credential_of_redis_url_is_printed(project, monkeypatch, capsys) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for url in (
        f"redis://:hunter22@127.0.0.1:{port}/0",
        f"redis://ozbot:hunter22@127.0.0.1:{port}/0",
        f"redis://127.0.0.1:{port}/0?password=hunter22",
        f"redis://127.0.0.1:{port}/0?username=ozbot&password=hunter22",
        "unix:///nowhere/redis.sock?password=hunter22",
    ):
        monkeypatch.setenv("REDIS_URL", url)
        with pytest.raises(SystemExit):
            main(["--project", str(project), "check", "terminal"])
        out, err = capsys.readouterr()
        assert "cannot reach Redis at" in out and "hunter22" not in out + err, url


async def test_a_redis_prefix_named_after_the_folder_is_warned_about(tmp_path: Path) -> None:
    bot = tmp_path / "bot"  # where every Docker image of ozbot keeps its bot
    shutil.copytree(REPO, bot, ignore=shutil.ignore_patterns(".*", "tests", "models", "*.db"))
    warnings = (await check_all(bot, [], {"REDIS_URL": REDIS_URL})).warnings
    assert [w for w in warnings if "Redis keys are under ozbot:bot, named after its folder" in w]


async def test_a_folder_without_domain_is_one_problem(tmp_path: Path) -> None:
    findings = await check_all(tmp_path, [], {})
    [problem] = findings.problems
    assert "is not a bot project: it has no domain.yml" in problem


async def test_nlu_data_is_checked_against_its_format_and_the_domain(project: Path) -> None:
    nlu = project / "stories" / "nlu.yml"
    nlu.write_text(
        "nlu:\n- intent: greet\n  examples: |\n    - hi [there(city)\n", encoding="utf-8"
    )
    [problem] = (await check_all(project, ["terminal"], {})).problems
    assert f"{nlu}:4" in problem and "never closed" in problem

    nlu.write_text(
        "nlu:\n- intent: book_table\n  examples: |\n    - a table for [two](people)\n",
        encoding="utf-8",
    )
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == []
    assert any("intents the domain lacks (book_table)" in w for w in findings.warnings)
    assert any("entities the domain lacks (people)" in w for w in findings.warnings)


async def test_every_problem_of_a_story_file_with_the_names_it_may_mean(project: Path) -> None:
    domain = (project / "domain.yml").read_text(encoding="utf-8")
    categorical = "slots:\n  mood:\n    type: categorical\n    values: [happy, sad]\n"
    (project / "domain.yml").write_text(domain.replace("slots:\n", categorical, 1), "utf-8")
    (project / "stories" / "typos.md").write_text(
        '## first\n* greett\n    - utter_greeet\n    - slot{"mod": "happy"}\n'
        '## second\n* greet\n    - slot{"mood": "angry"}\n    - utter_goodbye\n',
        encoding="utf-8",
    )
    findings = await check_all(project, ["terminal"], {})
    story = f"{project / 'stories' / 'typos.md'}"
    assert findings.problems == [
        f"{story}:1: story 'first': unknown intent 'greett' (did you mean 'greet'?); "
        "add it to `intents` in the domain",
        f"{story}:1: story 'first': unknown action 'utter_greeet' (did you mean "
        "'utter_greet'?); add it to `actions` in the domain",
        f"{story}:1: story 'first': unknown slot 'mod' (did you mean 'mood'?); "
        "add it to `slots` in the domain",
        f"{story}:5: story 'second': slot mood is categorical and 'angry' is not one of its "
        "values (happy, sad); add it to `values:` of mood in the domain or use one of them",
    ]


async def test_placeholders_naming_no_slot_and_a_stories_file(project: Path) -> None:
    domain = (project / "domain.yml").read_text(encoding="utf-8")
    (project / "domain.yml").write_text(
        domain.replace('"hey there!"', '"hey there, {ctiy}! {city} is nice"'), "utf-8"
    )
    shutil.rmtree(project / "stories")
    (project / "stories").write_text("## s\n* greet\n    - utter_greet\n", encoding="utf-8")
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == [
        f"{project / 'stories'}: is a file; ozbot reads stories and NLU data from a folder: "
        "rename it, make a folder stories/ and move it in (e.g. as stories/stories.yml)",
        f"{project / 'domain.yml'}: response utter_greet: {{ctiy}} names no slot (did you mean "
        "'city'?), so the bot would say it as written; add a slot ctiy to the domain or fix "
        "the name",
    ]


async def test_placeholders_of_an_image_and_a_condition_s_slot_must_name_slots(
    project: Path,
) -> None:
    domain = (project / "domain.yml").read_text(encoding="utf-8")
    poster = (
        '{text: "hey there!", image: "https://x/{poster}.png", '
        "condition: [{type: slot, name: cty, value: Oslo}]}"
    )
    (project / "domain.yml").write_text(domain.replace('"hey there!"', poster), "utf-8")
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == [
        f"{project / 'domain.yml'}: response utter_greet: {{poster}} names no slot, so the bot "
        "would say it as written; add a slot poster to the domain or fix the name",
        f"{project / 'domain.yml'}: response utter_greet: a condition asks about slot cty, which "
        "the domain does not have (did you mean 'city'?), so its variation is never said; add a "
        "slot cty to the domain or fix the name",
    ]


async def test_online_the_platforms_are_asked_whether_they_accept_the_tokens(
    project: Path,
) -> None:
    telegram, slack = FakeBotApi(), FakeSlackApi()
    await telegram.start()
    await slack.start()
    env = {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_TRAINER_IDS": "111",
        "SLACK_BOT_TOKEN": "xoxb-wrong",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SLACK_TRAINER_IDS": "UTRAIN001",
    }
    try:
        offline = await check_all(project, ["telegram", "slack"], env)
        online = await check_all(project, ["telegram", "slack"], env, online=True)
    finally:
        await telegram.stop()
        await slack.stop()
    assert (offline.problems, offline.confirmed) == ([], [])
    assert online.confirmed == ["Telegram accepts the token: it is @OzTestBot's"]
    assert [p for p in online.problems if p.startswith("Slack refused SLACK_BOT_TOKEN")]
    nothing_to_ask = await check_all(project, ["terminal"], {}, online=True)
    assert [w for w in nothing_to_ask.warnings if w.startswith("--online: no platform to ask")]


async def test_every_broken_line_of_a_story_file_in_one_pass(project: Path) -> None:
    broken = project / "stories" / "broken.md"
    broken.write_text("## a\n* greet\n    oops\n## b\n* {x\n    - utter_grete\n", "utf-8")
    findings = await check_all(project, ["terminal"], {})
    assert [p.split(": ", 1)[0] for p in findings.problems] == [
        f"{broken}:3",
        f"{broken}:5",
        f"{broken}:4",  # story b, read on past line 5: its unknown action
    ]
    assert "'utter_grete' (did you mean 'utter_greet'?)" in findings.problems[2]


async def test_a_cluster_is_reported_with_its_masters_and_a_mismatch_with_the_fix(
    project: Path, redis_cluster: LocalCluster
) -> None:
    cluster = {"REDIS_URL": redis_cluster.url, "REDIS_CLUSTER": "true"}
    found = await check_all(project, [], cluster)
    assert found.problems == []
    assert found.found == [f"Redis Cluster of 3 masters at {redis_cluster.url}, reachable"]

    [problem] = (await check_all(project, [], {"REDIS_URL": redis_cluster.url})).problems
    assert "is a node of a Redis Cluster, used as a single Redis" in problem
    assert "set `cluster: true` under `store:` in config.yml (or REDIS_CLUSTER=true)" in problem

    single = {"REDIS_URL": REDIS_URL, "REDIS_CLUSTER": "true"}
    [problem] = (await check_all(project, [], single)).problems
    assert "is a single Redis, not a Redis Cluster: remove `cluster: true`" in problem


async def test_an_nlu_class_that_cannot_be_imported_is_a_problem(project: Path) -> None:
    config = project / "config.yml"
    config.write_text(config.read_text() + "nlu: {class: nowhere_to_be_seen.Nlu}\n")
    findings = await check_all(project, ["terminal"], {})
    assert [p for p in findings.problems if "nlu.class: nowhere_to_be_seen.Nlu: cannot import" in p]


async def test_contradicting_stories_are_warned_about_and_rules_that_override_are_problems(
    project: Path,
) -> None:
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == []
    assert (  # the concert bot's own stories, as Rasa publishes them
        "story 'compare_reviews_venues' and story 'compare_reviews_concerts' go on differently "
        "after intent compare_reviews: the first with action_show_venue_reviews, the second "
        "with action_show_concert_reviews; make them agree, or raise max_history in config.yml "
        "if earlier turns tell them apart"
    ) in findings.warnings
    rules = project / "stories" / "rules.yml"
    rules.write_text(
        "rules:\n- rule: greet back\n  steps:\n  - intent: greet\n  - action: utter_goodbye\n",
        encoding="utf-8",
    )
    findings = await check_all(project, ["terminal"], {})
    assert findings.problems == [
        f"rule 'greet back' ({rules}:2) predicts utter_goodbye after intent greet, where story "
        "'greet' goes on with utter_greet; the rule wins there, so make them agree or add a "
        "condition to the rule"
    ]


async def test_a_broken_rule_is_a_problem(project: Path) -> None:
    rules = project / "stories" / "rules.yml"
    rules.write_text("rules:\n- rule: no steps\n", encoding="utf-8")
    problems = (await check_all(project, ["terminal"], {})).problems
    assert problems == [f"{rules}:2: a rule needs `rule: name` and `steps:`"]
