"""ozbot's metrics and its log line per turn, fed by the engine's `on_turn` and retraining."""

from __future__ import annotations

import logging

from bot.metrics import Counter, Gauge, Histogram, render
from bot.turns import TurnSummary

TURN_LOG = logging.getLogger("ozbot.turns")
RETRAIN_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Telemetry:
    """The metrics of one process, rendered for `/metrics`."""

    def __init__(self) -> None:
        self.turns = Counter("ozbot_turns_total", "Inputs handled, by kind of input.", ("input",))
        self.turn_seconds = Histogram("ozbot_turn_seconds", "Seconds one input took, locked.")
        self.corrections = Counter(
            "ozbot_corrections_total", "Actions and intents a trainer corrected."
        )
        self.retrains = Counter("ozbot_retrains_total", "Retrains, by outcome.", ("outcome",))
        self.retrain_seconds = Histogram(
            "ozbot_retrain_seconds", "Seconds a successful retrain trained.", RETRAIN_BUCKETS
        )
        self.model_version = Gauge("ozbot_model_version", "The model version that serves.")
        self.reviews = Counter(
            "ozbot_reviews_total",
            "Users' flagged turns a trainer reviewed, by outcome: reviewed, not_useful.",
            ("outcome",),
        )
        self.review_queue = Gauge("ozbot_review_queue", "Users' flagged turns waiting for review.")
        self.errors = Counter(
            "ozbot_errors_total",
            "Errors by kind: action, busy, store, store_unavailable, nlu, retrain, background.",
            ("kind",),
        )

    def turn(self, turn: TurnSummary) -> None:
        """An `Engine(on_turn=...)` observer: counts the turn and logs its line."""
        self.turns.inc(turn.input)
        self.turn_seconds.observe(turn.seconds)
        if turn.corrections:
            self.corrections.inc(amount=turn.corrections)
        for kind in turn.errors:
            self.errors.inc(kind)
        log_turn(turn)

    def retrained(self, seconds: float) -> None:
        """A retrain here succeeded after training `seconds`."""
        self.retrains.inc("ok")
        self.retrain_seconds.observe(seconds)

    def retrain_failed(self) -> None:
        self.retrains.inc("failed")
        self.errors.inc("retrain")

    def background_failed(self) -> None:
        """Background work other than a retrain failed (serving a published model, ...)."""
        self.errors.inc("background")

    def reviewed(self, outcome: str) -> None:
        """A `ReviewDesk(on_reviewed=...)` observer: one flagged turn left the queue."""
        self.reviews.inc(outcome)

    def render(self, model_version: int | None, review_queue: int | None = None) -> str:
        """The metrics as Prometheus text; `model_version` is the version that serves now
        (trained here or by another replica), None before the first; `review_queue` the
        flagged turns in the store's queue (None: not read, the last value stays)."""
        self.model_version.set(model_version or 0)
        if review_queue is not None:
            self.review_queue.set(review_queue)
        return render(
            [
                self.turns,
                self.turn_seconds,
                self.corrections,
                self.retrains,
                self.retrain_seconds,
                self.model_version,
                self.reviews,
                self.review_queue,
                self.errors,
            ]
        )


def log_turn(turn: TurnSummary) -> None:
    """One line: who, what was understood, what the bot did or asks, how sure, how long."""
    decision = turn.decision
    fields = {
        "conversation_id": turn.conversation_id,
        "input": turn.input,
        "intent": turn.intent,
        "actions": list(turn.actions),
        "policy": decision.policy if decision else None,
        "confidence": _rounded(decision.confidence if decision else None),
        "latency_ms": round(turn.seconds * 1000, 1),
        "errors": list(turn.errors),
    }
    if decision is not None and decision.action not in turn.actions:
        fields["proposed"] = decision.action
    shown = {key: value for key, value in fields.items() if value not in (None, [])}
    text = " ".join(f"{key}={_plain(value)}" for key, value in shown.items())
    TURN_LOG.info("turn %s", text, extra={"fields": fields})


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _plain(value: object) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)
