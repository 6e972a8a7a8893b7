"""Counters, gauges and histograms, rendered in Prometheus' text format for `/metrics`.

A handful of values in memory, per process; each replica is scraped on its own. Our own few
lines instead of prometheus_client: it keeps a process-global registry (state that importing
changes), while these are plain objects a test builds fresh.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

Labels = tuple[str, ...]


def _labels(names: Sequence[str], values: Labels, extra: str = "") -> str:
    pairs = [f'{name}="{_escape(value)}"' for name, value in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf"
    return str(int(value)) if value == int(value) else repr(value)


@dataclass
class Counter:
    """A count that only goes up, one per combination of label values."""

    name: str
    help: str
    label_names: tuple[str, ...] = ()
    values: dict[Labels, float] = field(default_factory=dict)
    kind = "counter"

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        self.values[labels] = self.values.get(labels, 0.0) + amount

    def samples(self) -> Iterator[str]:
        for labels, value in sorted(self.values.items()):
            yield f"{self.name}{_labels(self.label_names, labels)} {_number(value)}"


@dataclass
class Gauge(Counter):
    """A value that is set: it may go down."""

    kind = "gauge"

    def set(self, value: float, *labels: str) -> None:
        self.values[labels] = value


DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    """How many observations fell at or under each bucket bound, their count and sum."""

    name: str
    help: str
    buckets: tuple[float, ...] = DEFAULT_BUCKETS
    counts: list[int] = field(default_factory=list)
    count: int = 0
    sum: float = 0.0
    kind = "histogram"

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(self.buckets, value)
        if index < len(self.counts):
            self.counts[index] += 1
        self.count += 1
        self.sum += value

    def samples(self) -> Iterator[str]:
        cumulative = 0
        for bound, count in zip(self.buckets, self.counts, strict=True):
            cumulative += count
            yield f'{self.name}_bucket{{le="{_number(bound)}"}} {cumulative}'
        yield f'{self.name}_bucket{{le="+Inf"}} {self.count}'
        yield f"{self.name}_count {self.count}"
        yield f"{self.name}_sum {_number(self.sum)}"


Metric = Counter | Histogram


def render(metrics: Sequence[Metric]) -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    lines = []
    for metric in metrics:
        lines += [f"# HELP {metric.name} {metric.help}", f"# TYPE {metric.name} {metric.kind}"]
        lines += metric.samples()
    return "\n".join(lines) + "\n"
