"""SQLite tracker store: the embedded default, one file in the project.

sqlite3 blocks, so every statement runs on one worker thread that owns the connection.
`BEGIN IMMEDIATE` plus the length check make appends safe across processes too; reads run in
a transaction of their own, so they see one state.

Table `taught` lists the taught conversations, inserted by the append that stores the trainer's
action. A file from before it gets the table filled from its conversations when it is opened.
Table `review_flags` is the review queue, inserted by the append of a flagged user's turn;
`review_claims` says which trainer has which flag open, until when (`SqliteReviewQueue`).
Table `deliveries` keeps the last updates each conversation's commits stored (`Delivered`),
inserted by the same append.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import TypeVar

from bot.errors import ConflictError, StoreError
from bot.events import Event, event_to_json
from bot.locks import ConversationLocks
from bot.review import Flag
from bot.stores.base import (
    KEPT_DELIVERIES,
    Conversation,
    ConversationTail,
    Delivered,
    StoredTurn,
    Taught,
    decode_events,
    decode_question,
    decode_snapshot,
    decode_taught,
    is_taught,
    local_turn,
)
from bot.teaching import Question
from bot.tracker import Snapshot

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    length INTEGER NOT NULL,
    pending TEXT,
    updated_at REAL NOT NULL,
    snapshot TEXT
);
CREATE TABLE IF NOT EXISTS events (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS review_flags (
    key TEXT PRIMARY KEY,
    flagged_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    conversation_id TEXT NOT NULL,
    key TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, key)
);
CREATE TABLE IF NOT EXISTS review_claims (
    key TEXT PRIMARY KEY,
    trainer TEXT NOT NULL,
    until REAL NOT NULL,
    open INTEGER NOT NULL
);
"""
_TAUGHT = "CREATE TABLE taught (id TEXT PRIMARY KEY)"


class SqliteTrackerStore:
    """Use `await SqliteTrackerStore.open(path)`; `close()` when done."""

    def __init__(
        self, connection: sqlite3.Connection, executor: ThreadPoolExecutor, path: Path
    ) -> None:
        self._db = connection
        self._path = path
        self._executor = executor
        self._locks = ConversationLocks()

    @classmethod
    async def open(cls, path: Path) -> SqliteTrackerStore:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozbot-sqlite")
        loop = asyncio.get_running_loop()
        try:
            connection = await loop.run_in_executor(executor, _connect, path)
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # not a database, or damaged
            executor.shutdown()
            raise StoreError(f"{path}: cannot open the conversation store: {exc}") from exc
        return cls(connection, executor, path)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on the store's thread, its errors as StoreError (also for the review queue)."""
        return await self._run(work)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, work, self._db)
        except sqlite3.Error as exc:
            raise StoreError(f"the sqlite conversation store failed: {exc}") from exc
        except UnicodeDecodeError as exc:  # a damaged file: text columns that are no text
            raise StoreError(
                f"{self._path}: the conversation store is damaged (text that is not UTF-8: "
                f"{exc}); restore it from a backup"
            ) from exc

    async def load(self, conversation_id: str) -> Conversation:
        where = _where(conversation_id)
        pending, _, rows = await self._run(lambda db: _read(db, conversation_id, False))
        events = decode_events(rows, where)
        return Conversation(conversation_id, events, decode_question(pending, where))

    async def load_tail(self, conversation_id: str) -> ConversationTail:
        where = _where(conversation_id)
        pending, snapshot, rows = await self._run(lambda db: _read(db, conversation_id, True))
        events = decode_events(rows, where, snapshot.length if snapshot else 0)
        return ConversationTail(conversation_id, snapshot, events, decode_question(pending, where))

    def turn(self, conversation_id: str) -> AbstractAsyncContextManager[StoredTurn]:
        return local_turn(self, self._locks, conversation_id)

    async def append(
        self,
        conversation_id: str,
        events: Sequence[Event],
        *,
        expected_length: int,
        pending: Question | None,
        snapshot: Snapshot | None = None,
        flag: Flag | None = None,
        delivered: Delivered | None = None,
    ) -> None:
        rows = [event_to_json(event) for event in events]
        text = json.dumps(pending.to_dict()) if pending else None
        fold = snapshot.to_json() if snapshot else None
        taught = is_taught(events)
        await self._run(
            lambda db: _append(
                db, conversation_id, rows, expected_length, text, fold, taught, flag, delivered
            )
        )

    async def delivered(self, conversation_id: str, key: str) -> Delivered | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT start, end FROM deliveries WHERE conversation_id = ? AND key = ?",
                (conversation_id, key),
            ).fetchone()
        )
        return None if row is None else Delivered(key, row[0], row[1])

    async def conversation_ids(self) -> list[str]:
        rows = await self._run(
            lambda db: db.execute("SELECT id FROM conversations ORDER BY id").fetchall()
        )
        return [row[0] for row in rows]

    async def taught(self) -> Taught:
        """Read on the store's thread, decoded on another: turns wait for the read alone."""
        stored = await self._run(_read_taught)
        return await asyncio.to_thread(decode_taught, stored, _where)

    async def close(self) -> None:
        await self._run(lambda db: db.close())
        self._executor.shutdown()


def connect(path: Path) -> sqlite3.Connection:
    """A connection to `path` (made, with its folder, if missing) in WAL mode, for one thread
    that opens its transactions itself (`write_transaction`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    return db


@contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[None]:
    """A `BEGIN IMMEDIATE` transaction: committed when the block ends, rolled back if it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    db = connect(path)
    db.executescript(_SCHEMA)
    with write_transaction(db):
        columns = {row[1] for row in db.execute("PRAGMA table_info(conversations)")}
        if "snapshot" not in columns:  # a file from before snapshots
            db.execute("ALTER TABLE conversations ADD COLUMN snapshot TEXT")
        if not db.execute("PRAGMA table_info(taught)").fetchall():  # new, or before it
            db.execute(_TAUGHT)
            _fill_taught(db)
    return db


def _fill_taught(db: sqlite3.Connection) -> None:
    """Lists the taught conversations of a file from before table `taught`, and the corrupt
    ones, which retraining reports as before."""
    for (conversation_id,) in db.execute("SELECT id FROM conversations").fetchall():
        found = decode_taught({conversation_id: _events(db, conversation_id)}, _where)
        if found.conversations or found.corrupt:
            db.execute("INSERT INTO taught (id) VALUES (?)", (conversation_id,))


def _where(conversation_id: str) -> str:
    return f"conversation {conversation_id}"


def _events(db: sqlite3.Connection, conversation_id: str, first: int = 0) -> list[bytes]:
    """As bytes: an event damaged into text that is not UTF-8 is then reported with its
    position, by `decode_events`, like any other corrupt event."""
    rows = db.execute(
        "SELECT CAST(data AS BLOB) FROM events WHERE conversation_id = ? AND seq >= ? ORDER BY seq",
        (conversation_id, first),
    ).fetchall()
    return [data for (data,) in rows]


def _read_taught(db: sqlite3.Connection) -> dict[str, list[bytes]]:
    """The stored events of every taught conversation, as one consistent read."""
    db.execute("BEGIN")
    try:
        ids = [cid for (cid,) in db.execute("SELECT id FROM taught ORDER BY id").fetchall()]
        return {conversation_id: _events(db, conversation_id) for conversation_id in ids}
    finally:
        db.execute("COMMIT")


def _read(
    db: sqlite3.Connection, conversation_id: str, from_snapshot: bool
) -> tuple[str | None, Snapshot | None, list[bytes]]:
    """The pending question and the events; `from_snapshot`: the snapshot and the events
    after it."""
    db.execute("BEGIN")
    try:
        row = db.execute(
            "SELECT pending, snapshot FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        pending, text = row if row else (None, None)
        snapshot = decode_snapshot(text, _where(conversation_id)) if from_snapshot else None
        rows = _events(db, conversation_id, snapshot.length if snapshot else 0)
    finally:
        db.execute("COMMIT")
    return pending, snapshot, rows


def _append(
    db: sqlite3.Connection,
    conversation_id: str,
    rows: list[str],
    expected: int,
    pending: str | None,
    snapshot: str | None,
    taught: bool,
    flag: Flag | None,
    delivered: Delivered | None,
) -> None:
    with write_transaction(db):
        row = db.execute(
            "SELECT length FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        length = row[0] if row else 0
        if length != expected:
            raise ConflictError(
                f"conversation {conversation_id} has {length} events, expected {expected}"
            )
        db.executemany(
            "INSERT INTO events (conversation_id, seq, data) VALUES (?, ?, ?)",
            [(conversation_id, length + i, data) for i, data in enumerate(rows)],
        )
        db.execute(
            "INSERT INTO conversations (id, length, pending, updated_at, snapshot) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET length = excluded.length, pending = excluded.pending, "
            "updated_at = excluded.updated_at, "
            "snapshot = coalesce(excluded.snapshot, conversations.snapshot)",
            (conversation_id, length + len(rows), pending, time.time(), snapshot),
        )
        if taught:
            db.execute("INSERT OR IGNORE INTO taught (id) VALUES (?)", (conversation_id,))
        if flag is not None:
            db.execute(
                "INSERT OR REPLACE INTO review_flags (key, flagged_at, data) VALUES (?, ?, ?)",
                (flag.key, flag.at, flag.to_json()),
            )
        if delivered is not None:
            _record_delivery(db, conversation_id, delivered)


def _record_delivery(db: sqlite3.Connection, conversation_id: str, delivered: Delivered) -> None:
    """Inserts the record and drops the conversation's older ones beyond KEPT_DELIVERIES."""
    db.execute(
        "INSERT OR REPLACE INTO deliveries (conversation_id, key, start, end) VALUES (?, ?, ?, ?)",
        (conversation_id, delivered.key, delivered.start, delivered.end),
    )
    db.execute(
        "DELETE FROM deliveries WHERE conversation_id = ? AND rowid <= (SELECT rowid FROM "
        "deliveries WHERE conversation_id = ? ORDER BY rowid DESC LIMIT 1 OFFSET ?)",
        (conversation_id, conversation_id, KEPT_DELIVERIES),
    )
