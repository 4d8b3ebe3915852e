"""The one pipeline every source shares: fetch → verify → exact dedupe → near-duplicate check → store and label."""

import logging
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from sqlalchemy import func, select
from tqdm import tqdm

from storage.cities import get_city
from storage.ingest import find_image, ingest_image
from storage.labels import set_label
from storage.models import Image, Label
from storage.store import LabelStore
from storage.users import system_user
from trainer.collect.candidates import Candidate
from trainer.collect.download import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, Downloader
from trainer.collect.errors import Refused, SearchStopped
from trainer.collect.neardup import LOOKALIKE_BITS, NEAR_DUPLICATE_BITS, PhashIndex, load_index
from trainer.collect.prepare import DEFAULT_MIN_SIDE, Prepared, prepare_image
from trainer.collect.summary import CitySummary, RunSummary

log = logging.getLogger(__name__)


@dataclass
class CollectOptions:
    """How to fetch, check and label; `source` names the system user and `Image.source` (e.g. "import:folder")."""

    source: str
    kind: str  # the label kind: "import" for folders and URL lists, "search" for image search
    workers: int = 8
    timeout: float = DEFAULT_TIMEOUT_S  # per download, redirects included
    deadline_s: Optional[float] = None  # for the whole run
    max_bytes: int = DEFAULT_MAX_BYTES
    min_side: int = DEFAULT_MIN_SIDE
    max_side: Optional[int] = None
    progress: Optional[bool] = None  # None: a bar only on a terminal
    near_duplicate_bits: int = NEAR_DUPLICATE_BITS  # phash distance at or under which a candidate is skipped
    lookalike_bits: int = LOOKALIKE_BITS  # at or under which it is stored in the same group as its match


@dataclass
class CityJob:
    """The candidates for one existing city; `target` stops once that many images of `query` are stored."""

    city: str
    candidates: Iterable[Candidate]
    total: Optional[int] = None
    query: Optional[str] = None
    target: Optional[int] = None


@dataclass
class Outcome:
    """What a worker made of one candidate."""

    downloaded: bool = False
    prepared: Optional[Prepared] = None
    refused: Optional[Refused] = None


class Collector:
    """Runs city jobs through the pipeline against one label store."""

    def __init__(self, store: LabelStore, options: CollectOptions, downloader: Optional[Downloader] = None) -> None:
        self.store = store
        self.options = options
        self.downloader = downloader or Downloader(timeout=options.timeout, max_bytes=options.max_bytes)
        self.summary = RunSummary()
        self.deadline: Optional[float] = None
        self.index = PhashIndex()
        self.known_urls: set[str] = set()

    def run(self, jobs: Iterable[CityJob]) -> RunSummary:
        """Process every job in turn and return the summary (also after Ctrl-C or a deadline)."""
        if self.options.deadline_s is not None:
            self.deadline = time.monotonic() + self.options.deadline_s
        with self.store.transaction() as session:
            self.index = load_index(session, self.store.files)
            self.known_urls = set(session.scalars(select(Image.source_url).where(Image.source_url.is_not(None))))
        pool = ThreadPoolExecutor(max_workers=self.options.workers, thread_name_prefix="collect")
        try:
            for job in jobs:
                self._run_city(job, pool)
        except KeyboardInterrupt:
            self.summary.interrupted = True
            self.summary.notes.append("interrupted: what is listed as stored is safely in the label store")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.downloader.close()
        return self.summary

    def _run_city(self, job: CityJob, pool: ThreadPoolExecutor) -> None:
        counts = self.summary.city(job.city)
        have = self._stored_for_query(job.query) if job.target is not None else 0
        if job.target is not None and have >= job.target:
            self.summary.notes.append(f"{job.city}: already {have} images from {job.query!r}; nothing to gather")
            return
        bar = tqdm(
            total=job.target or job.total, initial=have, desc=job.city, unit="img", disable=_bar_off(self.options)
        )
        window: deque[tuple[Candidate, Future]] = deque()
        candidates = iter(job.candidates)
        try:
            while True:
                self._refill(window, candidates, counts, pool, bar, job, have)
                if not window:
                    break
                candidate, future = window.popleft()
                counts.found += 1
                have += self._record(job, candidate, future.result(), counts)
                if job.target is None:
                    bar.update(1)
                else:
                    bar.update(min(have, job.target) - bar.n)  # a search bar counts stored images
                    if have >= job.target:
                        break
        except KeyboardInterrupt:
            counts.stopped = "interrupted (Ctrl-C); run the same command again to continue"
            raise
        finally:
            for _candidate, future in window:
                future.cancel()
            bar.close()

    def _refill(self, window, candidates: Iterator[Candidate], counts: CitySummary, pool, bar, job: CityJob, have: int):
        """Keep about two candidates per worker in flight, until the source, the target or the deadline ends it."""
        while len(window) < 2 * self.options.workers and counts.stopped is None:
            if job.target is not None and have + len(window) >= job.target + self.options.workers:
                return  # enough in flight to reach the target even if a few are refused
            if self.deadline is not None and time.monotonic() >= self.deadline:
                counts.stopped = f"the overall deadline of {self.options.deadline_s:g} s passed"
                return
            try:
                candidate = next(candidates)
            except StopIteration:
                return
            except SearchStopped as error:
                counts.stopped = str(error)
                return
            if candidate.url is not None and candidate.url in self.known_urls:
                counts.found += 1
                counts.already_stored += 1
                bar.update(0 if job.target is not None else 1)
                continue
            window.append((candidate, pool.submit(self._fetch_and_prepare, candidate)))

    def _fetch_and_prepare(self, candidate: Candidate) -> Outcome:
        """Worker: the candidate's bytes, verified and hashed, or the reason they were refused."""
        outcome = Outcome()
        try:
            if candidate.url is not None:
                data = self.downloader.fetch(candidate.url, deadline=self.deadline)
                outcome.downloaded = True
            else:
                data = _read_file(candidate)
            outcome.prepared = prepare_image(data, min_side=self.options.min_side, max_side=self.options.max_side)
        except Refused as refused:
            outcome.refused = refused
        except Exception as error:  # a bug must cost one candidate, not the run
            log.warning("unexpected error on %s", candidate.name, exc_info=True)
            outcome.refused = Refused("unexpected error", f"{type(error).__name__}: {error}")
        return outcome

    def _record(self, job: CityJob, candidate: Candidate, outcome: Outcome, counts: CitySummary) -> bool:
        """Store and label one prepared candidate in its own transaction; True when a new image was stored."""
        counts.downloaded += outcome.downloaded
        if outcome.refused is not None:
            self.summary.refuse(job.city, candidate.name, outcome.refused.reason, outcome.refused.detail)
            return False
        prepared = outcome.prepared
        with self.store.transaction() as session:
            user = system_user(session, self.options.source)
            city = get_city(session, job.city)
            existing = find_image(session, prepared.sha256)
            if existing is not None:
                counts.duplicates += 1
                if not _labelled_by(session, existing, user.id):
                    set_label(session, existing, user, city, self.options.kind)
                return False
            match = self.index.nearest(prepared.phash)
            if match is not None and match.distance <= self.options.near_duplicate_bits:
                counts.near_duplicates += 1
                return False
            image = ingest_image(
                session, self.store.files, prepared.data, self.options.source,
                uploader=user, source_url=candidate.url, query=candidate.query,
            ).image
            image.phash = prepared.phash
            if match is not None and match.distance <= self.options.lookalike_bits:
                image.group_key = match.group_key or match.sha256
                if match.group_key is None:
                    session.get(Image, match.image_id).group_key = image.group_key
                    self.index.set_group(match.image_id, image.group_key)
            set_label(session, image, user, city, self.options.kind)
            stored = (image.id, image.sha256, image.group_key)
        self.index.add(prepared.phash, *stored)
        if candidate.url is not None:
            self.known_urls.add(candidate.url)
        counts.stored += 1
        return True

    def _stored_for_query(self, query: Optional[str]) -> int:
        with self.store.transaction() as session:
            return session.scalar(select(func.count(Image.id)).where(Image.query == query)) or 0


def _labelled_by(session, image: Image, user_id: int) -> bool:
    # An image this source already labelled keeps its first label (the same photo in two folders is ambiguous).
    return session.scalar(select(Label.id).where(Label.image_id == image.id, Label.user_id == user_id)) is not None


def _read_file(candidate: Candidate) -> bytes:
    try:
        return candidate.path.read_bytes()
    except OSError as error:
        raise Refused("could not read the file", error.strerror or type(error).__name__) from None


def _bar_off(options: CollectOptions) -> Optional[bool]:
    return None if options.progress is None else not options.progress
