"""`ozbot run` killed with -9 while acknowledged updates are in flight loses none of them:
after the restart each is stored once and answered once, on SQLite and on Redis."""

import pytest

from tests.bot.commands.killed_run import kill_and_restart
from tests.bot.test_cli import project  # noqa: F401  (a fixture)

UPDATES = 3


@pytest.mark.parametrize("store", ["sqlite", "redis"])
async def test_acknowledged_updates_survive_a_kill_9(project, tmp_path, store, redis_settings):  # noqa: F811
    if store == "redis":
        with (project / "config.yml").open("a", encoding="utf-8") as config:
            config.write(f"store:\n  prefix: {redis_settings.prefix}\n")
    stderr = tmp_path / "stderr.txt"
    redis_url = redis_settings.url if store == "redis" else None
    found = await kill_and_restart(project, UPDATES, redis_url=redis_url, stderr=stderr)
    log = stderr.read_text()
    for platform, killed in found.items():
        assert (killed.acknowledged, killed.answered_before_kill) == (UPDATES, 0), platform
        assert (killed.stored_once, killed.stored_twice) == (UPDATES, 0), (platform, log)
        assert killed.answered == UPDATES, (platform, log)
    assert "Traceback" not in log
