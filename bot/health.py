"""Is this process fit to serve: the store answers and a model is loaded (for `/healthz`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.errors import StoreError
from bot.stores.base import TrackerStore

PROBE = "ozbot-health-probe"
"""A conversation id nobody uses: reading it touches the store and changes nothing."""


@dataclass(frozen=True)
class Health:
    store_error: str | None
    """None when the store answered. Not served: it may name the store's address."""
    model_version: int | None
    """None when no model is loaded."""

    @property
    def ok(self) -> bool:
        return self.store_error is None and self.model_version is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "store": "ok" if self.store_error is None else "unavailable",
            "model_version": self.model_version,
        }


async def check_health(store: TrackerStore, model_version: Callable[[], int | None]) -> Health:
    try:
        await store.load_tail(PROBE)
    except StoreError as exc:
        return Health(str(exc), model_version())
    return Health(None, model_version())
