"""One lock per conversation: its turns in order, other conversations never wait for it."""

import asyncio

from bot.locks import ConversationLocks


async def test_turns_of_one_conversation_run_in_order_others_run_meanwhile():
    locks = ConversationLocks()
    happened: list[str] = []
    first_holds = asyncio.Event()

    async def slow_first() -> None:
        async with locks.hold("a"):
            first_holds.set()
            await asyncio.sleep(0.05)
            happened.append("a1 done")

    async def second_of_a() -> None:
        await first_holds.wait()
        async with locks.hold("a"):
            happened.append("a2")

    async def other_conversation() -> None:
        await first_holds.wait()
        async with locks.hold("b"):
            happened.append("b")

    await asyncio.gather(slow_first(), second_of_a(), other_conversation())
    assert happened == ["b", "a1 done", "a2"]


async def test_a_conversation_can_be_held_again_after_a_failed_turn():
    locks = ConversationLocks()
    try:
        async with locks.hold("a"):
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    async with asyncio.timeout(1):
        async with locks.hold("a"):
            pass
