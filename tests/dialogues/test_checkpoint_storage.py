"""A long conversation keeps a bounded number of checkpoints, whichever worker runs its turns."""

from __future__ import annotations

import dataclasses

from server.assembly import Frontdesk
from tests.conftest import on_every_database
from tests.dialogues.conftest import Chat

SCRIPT = ["Здравствуйте", "Можно на завтра на маникюр?", "а сколько стоит педикюр?", "спасибо"]


async def _checkpoints(desk: Frontdesk, thread_id: str) -> int:
    saver = desk.runner.graph.checkpointer
    assert saver is not None and not isinstance(saver, bool)
    return len([c async for c in saver.alist({"configurable": {"thread_id": thread_id}})])


@on_every_database
async def test_checkpoints_are_pruned_every_few_turns_of_the_conversation(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="long-talker")
    counts = []
    for turn in range(20):
        await chat.say(SCRIPT[turn % len(SCRIPT)])
        counts.append(await _checkpoints(studio, "telegram:long-talker"))
    every = studio.runner.prune_every
    assert max(counts) <= every
    assert counts[every - 1] == 1 and counts[2 * every - 1] == 1  # turns 8 and 16 prune
    assert counts[: every - 1] == list(range(1, every))  # nothing before: a first turn prunes nothing
    assert counts[2 * every - 2] == every  # nothing pruned in between


@on_every_database
async def test_the_turn_count_is_the_conversations_own_across_workers(studio: Frontdesk) -> None:
    """Two runners (two workers' worth) alternating on one conversation still prune on its 8th turn."""
    other = dataclasses.replace(studio.runner)
    chats = [Chat(studio, customer="shared"), Chat(studio, customer="shared")]
    chats[1].desk = dataclasses.replace(studio, runner=other)
    counts = []
    for turn in range(10):
        await chats[turn % 2].say(SCRIPT[turn % len(SCRIPT)])
        counts.append(await _checkpoints(studio, "telegram:shared"))
    assert counts == [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]
