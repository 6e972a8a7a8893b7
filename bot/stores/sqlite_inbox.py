"""The inbox (bot/stores/inbox.py) as table `inbox` in the SQLite store's file.

One row an update, its key the primary key: `INSERT OR IGNORE` stores it and tells a
redelivery in one statement. A done row stays a day (the dedupe), then goes. One process serves
a SQLite file (its turns lock in that process), so `recover` at start takes every unfinished
row of its source.

Its connection commits with `synchronous=NORMAL`: a row survives its process being killed (the
write is in the operating system's hands), not necessarily a power loss; a full sync of each
add and done would halve the updates a second.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.errors import StoreError
from bot.stores.inbox import SEEN_SECONDS, Entry
from bot.stores.sqlite import connect, write_transaction

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    payload TEXT NOT NULL,
    added_at REAL NOT NULL,
    taken_at REAL NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS inbox_unfinished ON inbox (source, done, taken_at);
"""


class SqliteInbox:
    """Use `await SqliteInbox.open(path, source)`; `close()` when done."""

    settle_seconds = 0.0
    """The turns' locks are the process's own: they died with it."""

    def __init__(
        self, connection: sqlite3.Connection, executor: ThreadPoolExecutor, source: str
    ) -> None:
        self._db = connection
        self._executor = executor
        self._source = source

    @classmethod
    async def open(cls, path: Path, source: str) -> SqliteInbox:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozbot-inbox")
        loop = asyncio.get_running_loop()
        try:
            connection = await loop.run_in_executor(executor, _connect, path)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            executor.shutdown()
            raise StoreError(f"{path}: cannot open the inbox: {exc}") from exc
        return cls(connection, executor, source)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, work, self._db)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise StoreError(f"the sqlite inbox failed: {exc}") from exc

    async def add(self, key: str, payload: str) -> Entry | None:
        def insert(db: sqlite3.Connection) -> int | None:
            now = time.time()
            cursor = db.execute(
                "INSERT OR IGNORE INTO inbox (key, source, payload, added_at, taken_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, self._source, payload, now, now),
            )
            return cursor.lastrowid if cursor.rowcount else None

        row = await self._run(insert)
        return None if row is None else Entry(str(row), key, payload)

    async def done(self, entry: Entry) -> None:
        done = "UPDATE inbox SET done = 1 WHERE key = ?"
        await self._run(lambda db: db.execute(done, (entry.key,)))

    async def recover(self) -> list[Entry]:
        return await self._run(lambda db: _take(db, self._source, time.time()))

    async def claim_stale(self, idle_seconds: float) -> list[Entry]:
        return await self._run(lambda db: _take(db, self._source, time.time() - idle_seconds))

    async def close(self) -> None:
        await self._run(lambda db: db.close())
        self._executor.shutdown()


def _connect(path: Path) -> sqlite3.Connection:
    db = connect(path)
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    return db


def _take(db: sqlite3.Connection, source: str, taken_before: float) -> list[Entry]:
    """The unfinished rows of `source` taken before `taken_before`, taken now, oldest first;
    done rows older than a day go."""
    now = time.time()
    with write_transaction(db):
        db.execute("DELETE FROM inbox WHERE done = 1 AND added_at < ?", (now - SEEN_SECONDS,))
        rows = db.execute(
            "UPDATE inbox SET taken_at = ? WHERE source = ? AND done = 0 AND taken_at <= ? "
            "RETURNING rowid, key, payload",
            (now, source, taken_before),
        ).fetchall()
    return [Entry(str(row), key, payload) for row, key, payload in sorted(rows)]
