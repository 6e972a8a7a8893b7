"""`ozbot run` in production: health and metrics on its port, logs, a graceful SIGTERM."""

import asyncio
import json
import re
import signal
import sys

import aiohttp
import pytest

from tests.bot.commands.test_run import START_UP, clean_env
from tests.bot.test_cli import project  # noqa: F401  (a fixture)
from tests.connectors.fake_telegram import TOKEN, FakeBotApi

SLOW_GREET = '''

class SlowGreet:
    """Keeps a turn in flight long enough for a SIGTERM to arrive during it."""

    name = "utter_greet"

    async def run(self, dispatcher, tracker, domain):
        import asyncio

        await asyncio.sleep(1.5)
        dispatcher.utter_message("slow hello")
        return []
'''


async def get(url):
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_health_metrics_json_turn_logs_and_a_turn_in_flight_finishes_on_sigterm(
    project,  # noqa: F811
):
    with (project / "actions.py").open("a", encoding="utf-8") as actions:
        actions.write(SLOW_GREET)
    api = FakeBotApi()
    await api.start()
    env = clean_env(
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        OZBOT_PORT="0",
        OZBOT_HOST="127.0.0.1",
    )
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--project", str(project)),
        *("--log-json", "--log-level", "debug", "run", "telegram"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        note = (await asyncio.wait_for(process.stdout.readline(), START_UP)).decode()
        port = re.search(r"on port (\d+)", note).group(1)
        base = f"http://127.0.0.1:{port}"
        status, body = await get(f"{base}/healthz")
        assert status == 200 and json.loads(body)["model_version"] == 1

        update = api.message(222, "/thankyou")
        await api.queue(update)
        await api.until(lambda: bool(api.chat(222)))
        status, metrics = await get(f"{base}/metrics")
        assert 'ozbot_turns_total{input="message"} 1' in metrics
        assert "ozbot_turn_seconds_count 1" in metrics

        slow = api.message(333, "/greet")
        await api.queue(slow)
        await api.fetched(slow["update_id"])
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), START_UP)
    except TimeoutError:
        process.kill()
        pytest.fail(f"ozbot run did not serve: {(await process.communicate())[1].decode()}")
    finally:
        await api.stop()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Stopped. The conversations are kept." in stdout.decode()
    assert [sent.text for sent in api.chat(333)] == ["slow hello"]
    turns = [json.loads(line) for line in log.splitlines() if '"logger": "ozbot.turns"' in line]
    assert [(t["conversation_id"], t["intent"]) for t in turns] == [
        ("telegram:222", "thankyou"),
        ("telegram:333", "greet"),
    ]
    leaked = [line for line in log.splitlines() if TOKEN in line]
    assert leaked == []
    assert "bot***/getUpdates" in log  # httpx logs its URLs at debug
