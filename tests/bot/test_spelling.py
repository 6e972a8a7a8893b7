""" "Did you mean": the closest known name, or nothing when none is close."""

from bot.spelling import did_you_mean


def test_the_closest_name_or_nothing() -> None:
    assert did_you_mean("greeet", ["goodbye", "greet"]) == " (did you mean 'greet'?)"
    assert did_you_mean("num_leavs", ["num_leaves", "num_threads"]) == (
        " (did you mean 'num_leaves'?)"
    )
    assert did_you_mean("compare", ["greet", "goodbye"]) == ""
    assert did_you_mean("x", []) == ""
