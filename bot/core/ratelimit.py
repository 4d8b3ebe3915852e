"""A per-key sliding-window limit (photos per user per minute), safe to call from worker threads."""

import threading
import time
from collections import defaultdict, deque
from typing import Callable, Hashable

from bot.core.errors import RateLimited


class SlidingWindowLimit:
    """Allows `limit` events per key within `window` seconds; the next one raises RateLimited."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[Hashable, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: Hashable) -> None:
        """Count one event for `key`, or raise RateLimited saying when to try again."""
        now = self.clock()
        with self._lock:
            events = self._events[key]
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                raise RateLimited(self.window - (now - events[0]))
            events.append(now)
