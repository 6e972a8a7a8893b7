"""The Prometheus text that `/metrics` serves: what a scraper parses."""

from bot.metrics import Counter, Gauge, Histogram, render


def test_counters_and_gauges_with_and_without_labels():
    turns = Counter("ozbot_turns_total", "Inputs handled.", ("input",))
    turns.inc("UserMessage")
    turns.inc("UserMessage")
    turns.inc('say "hi"\n')
    version = Gauge("ozbot_model_version", "The model version.")
    version.set(3)

    assert render([turns, version]) == (
        "# HELP ozbot_turns_total Inputs handled.\n"
        "# TYPE ozbot_turns_total counter\n"
        'ozbot_turns_total{input="UserMessage"} 2\n'
        'ozbot_turns_total{input="say \\"hi\\"\\n"} 1\n'
        "# HELP ozbot_model_version The model version.\n"
        "# TYPE ozbot_model_version gauge\n"
        "ozbot_model_version 3\n"
    )


def test_a_histogram_counts_cumulatively_per_bucket():
    latency = Histogram("ozbot_turn_seconds", "Seconds per turn.", (0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 7.0):
        latency.observe(seconds)

    assert render([latency]).splitlines()[2:] == [
        'ozbot_turn_seconds_bucket{le="0.1"} 2',
        'ozbot_turn_seconds_bucket{le="1"} 3',
        'ozbot_turn_seconds_bucket{le="+Inf"} 4',
        "ozbot_turn_seconds_count 4",
        "ozbot_turn_seconds_sum 7.65",
    ]
