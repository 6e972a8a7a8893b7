"""Question messages remembered by question id, bounded, each answered once."""

from connectors.open_questions import OpenQuestions


def test_a_question_is_answered_once_and_the_oldest_are_forgotten_first():
    questions: OpenQuestions[str] = OpenQuestions(kept=2)
    for number in range(3):
        questions.remember(f"q{number}", f"message {number}")
    assert questions.answered("q0") is None  # the oldest went when the third came
    assert questions.answered("q2") == "message 2"
    assert questions.answered("q2") is None
    assert questions.answered("q1") == "message 1"
