"""Micro-batching: requests that arrive together run as one model call, behind a bounded queue.

`BatchedPredictions` is what the core uses: it decodes photo bytes in the caller's thread (Pillow releases the
GIL, so decoding runs in parallel) and hands the decoded images to one worker thread that runs the model.
A full queue raises `Busy`, a `RateLimited` with its own message, so every front end already answers it.
"""

import asyncio
import logging
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable, Generic, Sequence, TypeVar

from bot.core.errors import RateLimited

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

DEFAULT_WINDOW_MS = 4.0  # long enough for a burst of uploads to meet, short next to a ~20 ms model call
DEFAULT_MAX_BATCH = 16  # mobilenet_v2 at 224 px: larger batches no longer raise throughput on a small CPU
DEFAULT_MAX_QUEUE = 64  # a few MB of decoded photos waiting; beyond that callers hear "busy"
DEFAULT_TIMEOUT = 60.0  # seconds a caller waits for its answer before hearing "busy" (a full queue drains in ~2 s)


class Busy(RateLimited):
    """Too many photos are waiting already: busy, try again in a moment (`retry_after` 1 s)."""

    def __init__(self, message: str = "I'm busy right now, try again in a moment") -> None:
        super().__init__(1)
        self.args = (message,)


class BatcherClosed(Busy):
    """The batcher is shutting down and takes no more work."""

    def __init__(self, message: str = "I'm restarting, try again in a moment") -> None:
        super().__init__(message)


class MicroBatcher(Generic[Item, Result]):
    """Runs `run_batch(items) -> results` on one worker thread, gathering requests that arrive within `window_ms`.

    Thread-safe: `submit` from any thread, `run` from asyncio. `run_batch` must return one result per item, in order.
    """

    def __init__(
        self,
        run_batch: Callable[[list[Item]], Sequence[Result]],
        window_ms: float = DEFAULT_WINDOW_MS,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_queue: int = DEFAULT_MAX_QUEUE,
        name: str = "citybot-batcher",
    ) -> None:
        if max_batch < 1 or max_queue < 1 or window_ms < 0:
            raise ValueError("max_batch and max_queue must be at least 1 and window_ms not negative")
        self._run_batch = run_batch
        self._window = window_ms / 1000
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._pending: deque[tuple[Item, Future]] = deque()
        self._wakeup = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._serve, name=name, daemon=True)
        self._worker.start()

    def submit(self, item: Item) -> "Future[Result]":
        """Queue `item`; the future gets its result. Raises Busy at once when the queue is full."""
        future: Future = Future()
        with self._wakeup:
            if self._closed:
                raise BatcherClosed()
            if len(self._pending) >= self._max_queue:
                raise Busy()
            self._pending.append((item, future))
            self._wakeup.notify()
        return future

    def __call__(self, item: Item, timeout: float | None = None) -> Result:
        """Blocking form of `submit`: the result for `item` (its error re-raised)."""
        future = self.submit(item)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()  # still queued: the worker will skip it
            raise

    async def run(self, item: Item) -> Result:
        """Awaitable form of `submit` for asyncio front ends; cancelling the await drops a still-queued item."""
        return await asyncio.wrap_future(self.submit(item))

    @property
    def waiting(self) -> int:
        """How many items are queued and not yet taken by the worker."""
        with self._wakeup:
            return len(self._pending)

    def close(self, timeout: float | None = 5.0) -> None:
        """Finish the batch in flight, refuse queued and new items with BatcherClosed, stop the worker."""
        with self._wakeup:
            self._closed = True
            refused = list(self._pending)
            self._pending.clear()
            self._wakeup.notify_all()
        for _, future in refused:
            if future.set_running_or_notify_cancel():
                future.set_exception(BatcherClosed())
        if threading.current_thread() is not self._worker:
            self._worker.join(timeout)

    def __enter__(self) -> "MicroBatcher[Item, Result]":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _serve(self) -> None:
        batch: list[tuple[Item, Future]] | None = []
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                self._complete(batch)
        except BaseException:
            # Never leave callers waiting on a dead worker: refuse the batch in hand, what is queued and what comes.
            log.exception("the batcher's worker stopped")
            for _, future in batch or []:
                if not future.done():
                    future.set_exception(BatcherClosed())
            self.close()

    def _next_batch(self) -> list[tuple[Item, Future]] | None:
        with self._wakeup:
            while not self._pending and not self._closed:
                self._wakeup.wait()
            if self._closed:
                return None
            # The first arrival opens a short window so that a burst of requests shares one model call.
            deadline = time.monotonic() + self._window
            while len(self._pending) < self._max_batch and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._wakeup.wait(remaining)
            taken = [self._pending.popleft() for _ in range(min(self._max_batch, len(self._pending)))]
        # Callers that gave up (timeout, cancelled await) are dropped before spending model time on them.
        return [(item, future) for item, future in taken if future.set_running_or_notify_cancel()]

    def _complete(self, batch: list[tuple[Item, Future]]) -> None:
        if not batch:
            return
        try:
            results = self._checked_run([item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                log.exception("a request failed in the model")
                batch[0][1].set_exception(error)
                return
            # One odd photo must not fail the strangers it was batched with: retry each on its own.
            log.warning("batch of %d failed (%s); retrying one by one", len(batch), error)
            for pair in batch:
                self._complete([pair])
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)

    def _checked_run(self, items: list[Item]) -> Sequence[Result]:
        results = self._run_batch(items)
        if len(results) != len(items):
            raise RuntimeError(f"run_batch returned {len(results)} results for {len(items)} items")
        return results


Ranking = list[tuple[str, float]]


class BatchedPredictions:
    """`predict(predictor, data)` like `predictor.predict(data)`, with the model runs of concurrent callers batched."""

    def __init__(
        self,
        window_ms: float = DEFAULT_WINDOW_MS,
        max_batch: int = DEFAULT_MAX_BATCH,
        max_queue: int = DEFAULT_MAX_QUEUE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.timeout = timeout
        self.batcher: MicroBatcher[tuple[Any, Any], Ranking] = MicroBatcher(
            _predict_per_model, window_ms, max_batch, max_queue, name="citybot-model"
        )

    def predict(self, predictor: Any, data: bytes) -> Ranking:
        """The ranking for photo bytes; BadImage from decoding, Busy when the queue is full or the model lags."""
        image = predictor.decode(data)  # in the caller's thread: bad bytes fail here, before taking a queue slot
        try:
            return self.batcher((predictor, image), timeout=self.timeout)
        except TimeoutError:
            raise Busy() from None

    def close(self) -> None:
        """Stop the model thread (queued callers hear "try again in a moment")."""
        self.batcher.close()


def _predict_per_model(items: list[tuple[Any, Any]]) -> list[Ranking]:
    # Each request keeps the Predictor it started with, so a batch that straddles a hot swap runs once per model
    # and every answer names exactly the version that produced it.
    groups: dict[int, tuple[Any, list[int]]] = {}
    for index, (predictor, _) in enumerate(items):
        groups.setdefault(id(predictor), (predictor, []))[1].append(index)
    results: list[Ranking] = [[] for _ in items]
    for predictor, indexes in groups.values():
        for index, ranking in zip(indexes, predictor.predict_images([items[i][1] for i in indexes])):
            results[index] = ranking
    return results
