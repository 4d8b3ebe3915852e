"""Who is already hearing about which training run in the chat where they asked, so announcements skip them."""

import threading

from bot.core.users import UserRef


def person_key(platform: str, external_id: object) -> str:
    """'telegram:1001' — one person on one platform."""
    return f"{platform}:{external_id}"


class WatchedRuns:
    """Run id -> the people a chat watcher reports it to; shared by every front end in one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_run: dict[int, set[str]] = {}

    def add(self, run_id: int, asker: UserRef) -> None:
        """`asker` gets run `run_id`'s report where they asked for it."""
        with self._lock:
            self._by_run.setdefault(run_id, set()).add(person_key(asker.platform, asker.external_id))

    def pop(self, run_id: int) -> set[str]:
        """Everyone watching run `run_id`, forgetting them (the run is being announced now)."""
        with self._lock:
            return self._by_run.pop(run_id, set())
