"""The model serving requests now, swapped atomically when another version goes live.

`LiveModel.current()` looks at the live `ModelVersion` row at most once per `check_every` seconds,
so a promotion from /retrain, the schedule or the CLI in another process is picked up without a
restart. A request keeps the Predictor object it got, so it finishes on the model it started with.
"""

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from storage.store import LabelStore
from storage.versions import live_version

log = logging.getLogger(__name__)

PredictorLoader = Callable[[Path], Any]


def load_predictor(version_dir: Path) -> Any:
    """The trainer's ONNX Runtime predictor for a version directory (imported late: no torch here)."""
    from trainer.predictor import Predictor

    return Predictor.load(version_dir)


class LiveModel:
    """Holds the live Predictor (or None before the first model) and reloads it when the live row changes."""

    def __init__(
        self,
        store: LabelStore,
        data_dir: Path,
        predictor_loader: PredictorLoader = load_predictor,
        check_every: float = 1.0,
    ) -> None:
        self.store = store
        self.data_dir = Path(data_dir)
        self.predictor_loader = predictor_loader
        self.check_every = check_every
        self._predictor: Optional[Any] = None
        self._version: Optional[str] = None
        self._checked_at = float("-inf")
        self._loading = threading.Lock()

    def current(self) -> Optional[Any]:
        """The Predictor to use for one request, or None when no model is live."""
        if self._predictor is None or time.monotonic() - self._checked_at >= self.check_every:
            # Without a model, callers wait for the one being loaded; with one, they keep serving it meanwhile.
            if self._loading.acquire(blocking=self._predictor is None):
                try:
                    self._refresh()
                finally:
                    self._loading.release()
        return self._predictor

    def refresh_now(self) -> Optional[Any]:
        """Check the live row immediately (after a promotion or rollback in this process)."""
        with self._loading:
            self._refresh(force=True)
        return self._predictor

    @property
    def version(self) -> Optional[str]:
        """The version currently loaded, if any."""
        return self._version

    def _refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._checked_at < self.check_every:
            return  # another thread checked while we waited for the lock
        with self.store.transaction() as session:
            row = live_version(session)
            wanted = (row.version, row.artifact_path) if row is not None else None
        try:
            if wanted is None:
                self._predictor, self._version = None, None
            elif wanted[0] != self._version:
                self._load(*wanted)
        finally:
            self._checked_at = time.monotonic()  # only now: a caller that skips the check finds the new model set

    def _load(self, version: str, artifact_path: str) -> None:
        try:
            predictor = self.predictor_loader(self.data_dir / artifact_path)
        except Exception:
            # A broken artifact must not take the bot down: keep serving what we had.
            log.exception("could not load model version %s; keeping %s", version, self._version)
            return
        self._predictor, self._version = predictor, version  # requests read `_predictor` once: old or new, never mixed
        log.info("now serving model version %s", version)
