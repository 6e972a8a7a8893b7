"""The SQLite inbox: a table in the store's file that does not grow without end."""

import sqlite3
import time

from bot.stores.sqlite_inbox import SqliteInbox


async def test_done_rows_go_after_a_day_unfinished_ones_stay(tmp_path):
    path = tmp_path / "ozbot.db"
    inbox = await SqliteInbox.open(path, "telegram")
    done = await inbox.add("telegram:1", "{}")
    await inbox.add("telegram:2", "{}")
    await inbox.done(done)
    with sqlite3.connect(path) as db:  # both added two days ago
        db.execute("UPDATE inbox SET added_at = ?", (time.time() - 2 * 86_400,))
    [unfinished] = await inbox.recover()
    assert unfinished.key == "telegram:2"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key FROM inbox").fetchall() == [("telegram:2",)]
    assert await inbox.add("telegram:1", "{}") is not None  # forgotten: a day is the window
    await inbox.close()
