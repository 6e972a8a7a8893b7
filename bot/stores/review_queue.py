"""The review queue: the flagged users' turns a store keeps, and the trainers' claims on them.

A turn's commit writes its flag (`Appends.append(..., flag=)`); the queue reads the flags,
lets one trainer at a time claim one (a claim with an expiry: a trainer who walks away frees
it), and removes a flag once it is reviewed, found not useful or too old — from the store, so
from every replica's queue. A trainer has at most one flag open; leaving it (skipping) keeps
the claim until it expires, so the next `/review` brings another turn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.review import Flag
from bot.stores.memory import MemoryTrackerStore
from bot.stores.sqlite import SqliteTrackerStore, write_transaction


class ReviewQueue(Protocol):
    async def flags(self) -> list[Flag]:
        """Every flag not yet reviewed, claimed or not, in no particular order."""
        ...

    async def claim(self, flag: Flag, trainer: str, until: float, now: float) -> bool:
        """Opens `flag` for `trainer` until `until`; False when a claim on it lasts (another
        trainer's, or this one's on a turn they skipped) or it is gone. The trainer's flag open
        before is left (its claim stays until it expires)."""
        ...

    async def opened(self, trainer: str, now: float) -> Flag | None:
        """The flag `trainer` has open, while the claim lasts."""
        ...

    async def leave(self, trainer: str) -> None:
        """Closes the trainer's open flag, keeping the claim until it expires."""
        ...

    async def remove(self, flags: Sequence[Flag]) -> None:
        """Removes flags from the queue, with their claims."""
        ...


@dataclass
class _Claim:
    trainer: str
    until: float
    open: bool = True


class MemoryReviewQueue:
    """The queue of a `MemoryTrackerStore` (tests, throwaway shells)."""

    def __init__(self, store: MemoryTrackerStore) -> None:
        self._flags = store.flags
        self._claims: dict[str, _Claim] = {}

    async def flags(self) -> list[Flag]:
        return list(self._flags.values())

    async def claim(self, flag: Flag, trainer: str, until: float, now: float) -> bool:
        held = self._claims.get(flag.key)
        if flag.key not in self._flags or (held and held.until > now):
            return False
        await self.leave(trainer)
        self._claims[flag.key] = _Claim(trainer, until)
        return True

    async def opened(self, trainer: str, now: float) -> Flag | None:
        for key, claim in self._claims.items():
            if claim.trainer == trainer and claim.open and claim.until > now:
                return self._flags.get(key)
        return None

    async def leave(self, trainer: str) -> None:
        for claim in self._claims.values():
            if claim.trainer == trainer:
                claim.open = False

    async def remove(self, flags: Sequence[Flag]) -> None:
        for flag in flags:
            self._flags.pop(flag.key, None)
            self._claims.pop(flag.key, None)


class SqliteReviewQueue:
    """The queue of a `SqliteTrackerStore`: tables `review_flags` and `review_claims`; a claim
    is one `BEGIN IMMEDIATE` transaction, so two processes on one file never share a flag."""

    def __init__(self, store: SqliteTrackerStore) -> None:
        self._store = store

    async def flags(self) -> list[Flag]:
        rows = await self._store.run(
            lambda db: db.execute("SELECT key, data FROM review_flags").fetchall()
        )
        return [Flag.from_json(data, f"review flag {key}") for key, data in rows]

    async def claim(self, flag: Flag, trainer: str, until: float, now: float) -> bool:
        return await self._store.run(lambda db: _claim(db, flag.key, trainer, until, now))

    async def opened(self, trainer: str, now: float) -> Flag | None:
        row = await self._store.run(
            lambda db: db.execute(
                "SELECT f.key, f.data FROM review_claims c JOIN review_flags f ON f.key = c.key "
                "WHERE c.trainer = ? AND c.open = 1 AND c.until > ?",
                (trainer, now),
            ).fetchone()
        )
        return None if row is None else Flag.from_json(row[1], f"review flag {row[0]}")

    async def leave(self, trainer: str) -> None:
        await self._store.run(
            lambda db: db.execute("UPDATE review_claims SET open = 0 WHERE trainer = ?", (trainer,))
        )

    async def remove(self, flags: Sequence[Flag]) -> None:
        keys = [(flag.key,) for flag in flags]
        await self._store.run(lambda db: _remove(db, keys))


def _claim(db: sqlite3.Connection, key: str, trainer: str, until: float, now: float) -> bool:
    with write_transaction(db):
        flagged = db.execute("SELECT 1 FROM review_flags WHERE key = ?", (key,)).fetchone()
        held = db.execute(
            "SELECT 1 FROM review_claims WHERE key = ? AND until > ?", (key, now)
        ).fetchone()
        if flagged is None or held is not None:
            return False
        db.execute("UPDATE review_claims SET open = 0 WHERE trainer = ?", (trainer,))
        db.execute(
            "INSERT OR REPLACE INTO review_claims (key, trainer, until, open) VALUES (?, ?, ?, 1)",
            (key, trainer, until),
        )
    return True


def _remove(db: sqlite3.Connection, keys: list[tuple[str]]) -> None:
    with write_transaction(db):
        db.executemany("DELETE FROM review_flags WHERE key = ?", keys)
        db.executemany("DELETE FROM review_claims WHERE key = ?", keys)
