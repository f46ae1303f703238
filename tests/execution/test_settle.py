"""`settle` drives coroutines as asyncio Tasks would: batching DataLoader calls, sharing locks,
bare yields, errors after the others finished, cancellation closing what is left."""

from __future__ import annotations

import asyncio

import pytest
from strawberry.dataloader import DataLoader

from resolvers.execution.compiled import Fallback, settle


async def test_values_in_order_and_one_batch_per_loader() -> None:
    batches: list[list[int]] = []

    async def load(keys: list[int]) -> list[int]:
        batches.append(keys)
        await asyncio.sleep(0)
        return [key * 10 for key in keys]

    loader = DataLoader(load_fn=load)

    async def field(key: int) -> int:
        first = await loader.load(key)
        await asyncio.sleep(0)  # a bare yield between two awaits
        return first + await loader.load(key + 100)

    assert await settle([field(k) for k in range(5)]) == [k * 10 + (k + 100) * 10 for k in range(5)]
    assert batches == [[0, 1, 2, 3, 4], [100, 101, 102, 103, 104]]


async def test_the_first_blocked_may_wait_for_a_later_one() -> None:
    """The first coroutine waits for what the second does after its own await: waiting only on
    the first blocked future would never resume the second (a deadlock); settle waits on any."""
    event = asyncio.Event()

    async def waits() -> str:
        await event.wait()
        return "waited"

    async def sets() -> str:
        await asyncio.sleep(0.001)
        event.set()
        return "set"

    assert await asyncio.wait_for(settle([waits(), sets()]), timeout=5) == ["waited", "set"]


async def test_a_lock_held_by_one_does_not_stall_the_others() -> None:
    """The holder is resumed when its sleep ends, then each waiter in turn as the lock passes."""
    lock = asyncio.Lock()
    order: list[int] = []

    async def field(n: int) -> int:
        async with lock:
            await asyncio.sleep(0.001 * (3 - n))
            order.append(n)
        return n

    assert await asyncio.wait_for(settle([field(n) for n in range(3)]), timeout=5) == [0, 1, 2]
    assert order == [0, 1, 2]


async def test_an_error_waits_for_the_others_then_falls_back() -> None:
    finished: list[str] = []

    async def fails() -> None:
        raise LookupError("gone")

    async def slow() -> str:
        await asyncio.sleep(0.01)
        finished.append("slow")
        return "slow"

    with pytest.raises(Fallback) as raised:
        await settle([fails(), slow()])
    assert isinstance(raised.value.__cause__, LookupError)
    assert finished == ["slow"]


async def test_cancelling_closes_the_unfinished() -> None:
    closed: list[bool] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            closed.append(True)

    task = asyncio.ensure_future(settle([forever(), forever()]))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed == [True, True]


async def test_futures_and_plain_awaitables() -> None:
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(0.001, future.set_result, "later")

    async def now() -> str:
        return "now"

    assert await settle([future, now()]) == ["later", "now"]
