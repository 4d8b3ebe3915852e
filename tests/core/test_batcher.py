"""MicroBatcher: bursts share one model call, each caller gets its own answer, a full queue says busy."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.core.batcher import BatchedPredictions, BatcherClosed, Busy, MicroBatcher
from bot.core.errors import RateLimited
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.core.users import UserRef
from storage.errors import BadImage
from storage.models import Image
from tests.fakes.trained_model import install_live_version
from tests.synthetic import photo_bytes

WAIT = 10  # seconds; generous so a loaded CI machine never flakes, never reached when things work


class GatedModel:
    """A stand-in model call that records batch sizes and can be held shut to let requests pile up."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def __call__(self, items: list[int]) -> list[int]:
        self.entered.set()
        assert self.gate.wait(WAIT)
        if any(item < 0 for item in items):
            raise ValueError("negative photo")
        self.batches.append(list(items))
        return [item * 10 for item in items]

    def hold(self) -> None:
        """Block the next batch inside the model call."""
        self.gate.clear()
        self.entered.clear()


def _wait_until(condition, timeout: float = WAIT) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not reached")


@pytest.fixture
def model() -> GatedModel:
    """A fresh gated stand-in model."""
    return GatedModel()


def test_requests_that_arrive_together_share_one_model_call(model: GatedModel) -> None:
    """Photos queued while the model is busy are answered by a single batch afterwards."""
    with MicroBatcher(model, window_ms=1, max_batch=16) as batcher:
        model.hold()
        first = batcher.submit(1)
        assert model.entered.wait(WAIT)
        waiting = [batcher.submit(item) for item in range(2, 8)]
        model.gate.set()
        assert first.result(WAIT) == 10
        assert [future.result(WAIT) for future in waiting] == [20, 30, 40, 50, 60, 70]
    assert model.batches == [[1], [2, 3, 4, 5, 6, 7]]


def test_the_window_gathers_a_burst_from_an_idle_start(model: GatedModel) -> None:
    """Requests arriving within the window after an idle period go to the model together."""
    with MicroBatcher(model, window_ms=300, max_batch=16) as batcher:
        futures = [batcher.submit(item) for item in range(5)]
        assert [future.result(WAIT) for future in futures] == [0, 10, 20, 30, 40]
    assert model.batches == [[0, 1, 2, 3, 4]]


def test_a_batch_never_exceeds_max_batch(model: GatedModel) -> None:
    """Twenty queued requests are served in batches of at most eight, in arrival order."""
    with MicroBatcher(model, window_ms=1, max_batch=8, max_queue=32) as batcher:
        model.hold()
        first = batcher.submit(0)
        assert model.entered.wait(WAIT)
        rest = [batcher.submit(item) for item in range(1, 20)]
        model.gate.set()
        assert [future.result(WAIT) for future in [first, *rest]] == [item * 10 for item in range(20)]
    assert max(len(batch) for batch in model.batches) <= 8
    assert [item for batch in model.batches for item in batch] == list(range(20))


def test_each_of_many_threads_gets_its_own_answer(model: GatedModel) -> None:
    """Forty callers on eight threads each get the answer for the photo they sent."""
    with MicroBatcher(model, window_ms=2, max_batch=8, max_queue=64) as batcher:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda item: batcher(item, timeout=WAIT), range(40)))
    assert answers == [item * 10 for item in range(40)]
    assert sum(len(batch) for batch in model.batches) == 40


def test_a_full_queue_says_busy_and_recovers(model: GatedModel) -> None:
    """Beyond max_queue waiting photos the caller hears "try again in a moment"; nothing queued is lost."""
    with MicroBatcher(model, window_ms=1, max_batch=4, max_queue=3) as batcher:
        model.hold()
        in_model = batcher.submit(0)
        assert model.entered.wait(WAIT)
        queued = [batcher.submit(item) for item in (1, 2, 3)]
        with pytest.raises(Busy, match="try again in a moment"):
            batcher.submit(4)
        assert batcher.waiting == 3
        model.gate.set()
        assert [future.result(WAIT) for future in [in_model, *queued]] == [0, 10, 20, 30]
        assert batcher(5, timeout=WAIT) == 50


def test_one_bad_photo_fails_only_its_own_request(model: GatedModel) -> None:
    """When a batch fails, its photos are retried one by one so the others still get answers."""
    with MicroBatcher(model, window_ms=1, max_batch=8) as batcher:
        model.hold()
        first = batcher.submit(1)
        assert model.entered.wait(WAIT)
        good_before, bad, good_after = batcher.submit(2), batcher.submit(-1), batcher.submit(3)
        model.gate.set()
        assert first.result(WAIT) == 10
        assert good_before.result(WAIT) == 20 and good_after.result(WAIT) == 30
        with pytest.raises(ValueError, match="negative photo"):
            bad.result(WAIT)
        assert batcher(4, timeout=WAIT) == 40


def test_a_caller_that_gave_up_costs_no_model_time(model: GatedModel) -> None:
    """A request whose caller timed out while queued is dropped before the model sees it."""
    with MicroBatcher(model, window_ms=1) as batcher:
        model.hold()
        first = batcher.submit(1)
        assert model.entered.wait(WAIT)
        with pytest.raises(TimeoutError):
            batcher(2, timeout=0.05)
        later = batcher.submit(3)
        model.gate.set()
        assert first.result(WAIT) == 10 and later.result(WAIT) == 30
    assert model.batches == [[1], [3]]


def test_a_dead_worker_refuses_work_instead_of_leaving_callers_waiting() -> None:
    """If the model thread itself dies, the caller in flight and later callers hear "try again", nobody hangs."""

    def crash(items: list[int]) -> list[int]:
        raise KeyboardInterrupt  # not an Exception: escapes the per-batch handling and ends the worker

    batcher = MicroBatcher(crash, window_ms=1)
    with pytest.raises(BatcherClosed):
        batcher(1, timeout=WAIT)
    with pytest.raises(BatcherClosed):
        batcher.submit(2)


def test_wrong_number_of_results_is_an_error_not_a_mixup() -> None:
    """A model call that returns too few results fails the request instead of handing out wrong answers."""
    with MicroBatcher(lambda items: items[:-1], window_ms=1) as batcher:
        with pytest.raises(RuntimeError, match="0 results for 1 items"):
            batcher(7, timeout=WAIT)


def test_closing_refuses_queued_and_new_work(model: GatedModel) -> None:
    """On close the batch in flight finishes, queued photos and new ones get BatcherClosed."""
    batcher = MicroBatcher(model, window_ms=1)
    model.hold()
    in_model = batcher.submit(1)
    assert model.entered.wait(WAIT)
    queued = batcher.submit(2)
    closer = threading.Thread(target=batcher.close)
    closer.start()
    _wait_until(lambda: queued.done())
    model.gate.set()
    closer.join(WAIT)
    assert in_model.result(WAIT) == 10
    with pytest.raises(BatcherClosed, match="try again in a moment"):
        queued.result(WAIT)
    with pytest.raises(BatcherClosed):
        batcher.submit(3)


async def test_asyncio_callers_are_batched_without_blocking_the_loop(model: GatedModel) -> None:
    """Thirty concurrent coroutines get their own answers while the event loop keeps running."""
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    with MicroBatcher(model, window_ms=20, max_batch=16, max_queue=64) as batcher:
        model.hold()
        beating = asyncio.create_task(heartbeat())
        calls = asyncio.gather(*(batcher.run(item) for item in range(30)))
        await asyncio.sleep(0.1)
        ticks_while_waiting = ticks
        model.gate.set()
        answers = await asyncio.wait_for(calls, WAIT)
        beating.cancel()
    assert answers == [item * 10 for item in range(30)]
    assert ticks_while_waiting > 5
    assert len(model.batches) < 30


def test_busy_reads_as_a_short_wait_to_every_front_end() -> None:
    """Busy is a RateLimited of one second, so chat front ends reply with its message and the web sets Retry-After."""
    error = Busy()
    assert isinstance(error, RateLimited) and error.retry_after == 1
    assert str(error) == "I'm busy right now, try again in a moment"


@pytest.fixture
def batched_core(store, tmp_path: Path, trained_version: Path):
    """A core with version v1 live and micro-batching on, and the same core without it."""
    data_dir = tmp_path / "data"
    install_live_version(store, data_dir, trained_version, "v1")
    batched = BatchedPredictions(window_ms=5, max_batch=8, max_queue=32)
    live = LiveModel(store, data_dir)
    yield CityBot(store, live, photo_rate_limit_per_minute=1000, batched=batched), CityBot(store, live, photo_rate_limit_per_minute=1000)
    batched.close()


def test_concurrent_classify_through_the_batcher_matches_one_at_a_time(batched_core) -> None:
    """Eighteen users at once get the rankings a lone request would get, each stored with its model version."""
    core, plain = batched_core
    photos = [photo_bytes(city, seed, size=(90 + seed, 72)) for city in ("Cebu", "Munich", "Seoul") for seed in range(6)]
    users = [UserRef("web", f"user{index}", None) for index in range(len(photos))]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda pair: core.classify(pair[0], pair[1], "web", f"m-{pair[1].external_id}"), zip(photos, users)))
    for data, answer in zip(photos, answers):
        expected = plain.classify(data, users[0], "web", f"again-{answer.prediction_id}").ranking
        assert answer.model_version == "v1" and not answer.duplicate
        assert [city for city, _ in answer.ranking] == [city for city, _ in expected]
        assert np.allclose([p for _, p in answer.ranking], [p for _, p in expected], atol=1e-5)
    assert len({answer.prediction_id for answer in answers}) == len(photos)


def test_bad_bytes_fail_before_the_queue_and_store_nothing(batched_core) -> None:
    """Text named .jpg gets BadImage with a reason while the batcher keeps answering good photos."""
    core, _ = batched_core
    with pytest.raises(BadImage):
        core.classify(b"<html>not a photo</html>", UserRef("web", "eve", None), "web", "bad-1")
    assert core.classify(photo_bytes("Seoul", 9), UserRef("web", "eve", None), "web", "good-1").model_version == "v1"
    assert core.batched.batcher.waiting == 0
    with core.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Image)) == 1
