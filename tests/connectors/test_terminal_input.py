"""Lines typed in the terminal: plain from a pipe, edited with prompt_toolkit on a terminal."""

import asyncio
import os

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from connectors.terminal_input import PromptLines, StdinLines


async def test_prompt_lines_complete_with_tab_and_end_with_ctrl_d():
    with create_pipe_input() as keys:
        lines = PromptLines(["/greet", "/goodbye", "utter_greet"], input=keys, output=DummyOutput())

        async def typed(prompt, text, completed):
            reading = asyncio.create_task(lines.read(prompt))
            keys.send_text(text + "\t")
            buffer = lines._session.default_buffer
            for _ in range(500):  # completion runs on the loop: wait for it (at most 5 s)
                if buffer.text == completed:
                    break
                await asyncio.sleep(0.01)
            keys.send_text("\r")
            return await asyncio.wait_for(reading, 5)

        assert await typed("Your input -> ", "/gr", "/greet") == "/greet"
        assert await typed("Your choice -> ", "utter_", "utter_greet") == "utter_greet"
        keys.send_text("\x04")  # Ctrl-D
        assert await asyncio.wait_for(lines.read("Your input -> "), 5) is None


async def test_stdin_lines_on_a_terminal_go_on_after_ctrl_d():
    main, terminal = os.openpty()
    try:
        lines = StdinLines(terminal)
        os.write(main, b"/greet\n")
        assert await asyncio.wait_for(lines.read(""), 5) == "/greet"
        os.write(main, b"\x04")  # Ctrl-D at the start of a line
        assert await asyncio.wait_for(lines.read(""), 5) is None
        os.write(main, b"y\n")
        assert await asyncio.wait_for(lines.read(""), 5) == "y"
    finally:
        os.close(main)
        os.close(terminal)


async def test_stdin_lines_from_a_pipe_end_for_good(tmp_path):
    reading, writing = os.pipe()
    os.write(writing, "first\nsecond ü".encode())
    os.close(writing)
    lines = StdinLines(reading)
    try:
        assert [await asyncio.wait_for(lines.read(""), 5) for _ in range(4)] == [
            "first",
            "second ü",
            None,
            None,
        ]
    finally:
        os.close(reading)
