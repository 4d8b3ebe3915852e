"""Label-store bench: resolve effective labels of 1,000,000 labels over 200,000 photos in SQL vs naive Python.

    python bench/label_store.py [--images 200000] [--labels 1000000] [--users 3000] [--postgres URL | --no-postgres]

Fills a fresh SQLite file (and a private PostgreSQL database when one is reachable: --postgres, or
CITYBOT_TEST_POSTGRES_URL) through the real migrations, then times, on the same data:
  sql        storage.labels.effective_labels_query() fetched as (image_id, city_id) rows
  rows       storage.labels.effective_label_rows(): (image_id, sha256, path, group_key, city) rows
  orm        storage.labels.effective_labels(): Image and City objects
  python     fetch every label with its user's trust and resolve in plain Python dicts (the naive way)
  no index   sql with ix_labels_resolution (migration 0002) dropped, alternating with it recreated
and checks that sql and python agree row for row. 5 % of users are accounts linked to the user before them
(storage.users.link_users), so a person often answers the same photo from two accounts and counts once.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file from anywhere

from storage.labels import WEIGHT_DECIMALS, effective_label_rows, effective_labels, effective_labels_query  # noqa: E402
from storage.models import City, Image, Label, User  # noqa: E402
from storage.store import LabelStore, open_store  # noqa: E402

CITIES = [f"City {n:02d}" for n in range(10)]
TRUST_LEVELS = np.array([0.1, 0.2, 0.3, 0.5, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0])  # coarse on purpose: ties happen
ADMIN_SHARE = 0.01
NONE_OF_THESE = 0.05  # share of answers that are "none of these"
AGREEMENT = 0.7  # chance a voter names the photo's true city
LINKED_SHARE = 0.05  # accounts an admin linked to the previous user (who votes on the same photos often)
CHUNK = 50_000


def main() -> None:
    """Parse options, bench SQLite, then PostgreSQL if reachable."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=3_000)
    parser.add_argument("--postgres", default=os.environ.get("CITYBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    data = generate(args.images, args.labels, args.users, seed=2)
    print(f"{args.labels:,} labels over {args.images:,} photos from {args.users:,} users; {len(os.sched_getaffinity(0))} cores")
    with tempfile.TemporaryDirectory(prefix="citybot-bench-") as folder:
        bench("sqlite", f"sqlite:///{folder}/bench.sqlite3", Path(folder), data)
    if args.postgres and not args.no_postgres:
        with private_postgres(args.postgres) as url:
            if url:
                with tempfile.TemporaryDirectory(prefix="citybot-bench-") as folder:
                    bench("postgresql", url, Path(folder), data)


def generate(images: int, labels: int, users: int, seed: int) -> dict[str, np.ndarray]:
    """Column arrays of users and labels: varied trust, a few admins, each photo 1-9 distinct voters."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 10, images)
    counts = np.maximum(1, np.round(counts * labels / counts.sum())).astype(np.int64)
    while counts.sum() != labels:  # nudge to the exact total, keeping at least one voter per photo
        step = np.sign(labels - counts.sum())
        pick = rng.integers(0, images, abs(int(labels - counts.sum())))
        np.add.at(counts, pick, step)
        counts = np.clip(counts, 1, min(users, 20))
    image_of_label = np.repeat(np.arange(images), counts)
    position = np.arange(labels) - np.repeat(np.cumsum(counts) - counts, counts)
    user_of_label = (np.repeat(rng.integers(0, users, images), counts) + position) % users  # distinct per photo
    true_city = rng.integers(0, len(CITIES), images)
    agrees = rng.random(labels) < AGREEMENT
    city = np.where(agrees, true_city[image_of_label], rng.integers(0, len(CITIES), labels))
    city = np.where(rng.random(labels) < NONE_OF_THESE, -1, city)
    is_admin = rng.random(users) < ADMIN_SHARE
    kind = np.where(is_admin[user_of_label], "admin", np.where(position == 0, "import", "correction"))
    seconds = rng.integers(0, 90 * 86400, labels)
    person = np.arange(users)
    for user in np.flatnonzero(rng.random(users) < LINKED_SHARE):
        if user > 0 and person[user - 1] == user - 1:  # link only to a primary: no chains
            person[user] = user - 1
    return {
        "trust": rng.choice(TRUST_LEVELS, users),
        "is_admin": is_admin,
        "person": person,
        "label_image": image_of_label,
        "label_user": user_of_label,
        "label_city": city,
        "label_kind": kind,
        "label_seconds": seconds,
    }


def fill(store: LabelStore, data: dict[str, np.ndarray]) -> None:
    """Bulk-insert cities, users, photos and labels (ids = array index + 1)."""
    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    images = len(np.unique(data["label_image"]))
    with store.engine.begin() as connection:
        connection.execute(insert(City), [{"id": n + 1, "name": name, "aliases": [], "active": True, "created_at": start} for n, name in enumerate(CITIES)])
        connection.execute(
            insert(User),
            [
                {
                    "id": n + 1, "platform": "bench", "external_id": str(n), "is_admin": bool(admin), "trust": float(trust),
                    "person_id": None if person == n else int(person) + 1, "created_at": start,
                }
                for n, (trust, admin, person) in enumerate(zip(data["trust"], data["is_admin"], data["person"]))
            ],
        )
        for low in range(0, images, CHUNK):
            connection.execute(
                insert(Image),
                [
                    {"id": n + 1, "sha256": f"{n:064x}", "path": f"{n}.jpeg", "width": 640, "height": 480, "format": "JPEG", "source": "bench", "excluded": False, "created_at": start}
                    for n in range(low, min(images, low + CHUNK))
                ],
            )
        total = len(data["label_image"])
        for low in range(0, total, CHUNK):
            high = min(total, low + CHUNK)
            connection.execute(
                insert(Label),
                [
                    {
                        "id": n + 1,
                        "image_id": int(data["label_image"][n]) + 1,
                        "user_id": int(data["label_user"][n]) + 1,
                        "city_id": None if data["label_city"][n] < 0 else int(data["label_city"][n]) + 1,
                        "kind": str(data["label_kind"][n]),
                        "created_at": start,
                        "updated_at": start + timedelta(seconds=int(data["label_seconds"][n])),
                    }
                    for n in range(low, high)
                ],
            )
    with store.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def resolve_in_python(store: LabelStore) -> dict[int, int]:
    """The naive way: every label and user into Python, each person's latest answer per photo, the same rules in dicts."""
    query = select(Label.image_id, Label.city_id, Label.kind, Label.updated_at, Label.id, Label.user_id)
    weights: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    admin: dict[int, dict] = defaultdict(dict)
    with store.read() as session:
        users = {user_id: (person_id or user_id, trust, is_admin) for user_id, person_id, trust, is_admin in session.execute(select(User.id, User.person_id, User.trust, User.is_admin))}
        admin_people = {person for person, _, is_admin in users.values() if is_admin}
        latest: dict[tuple[int, int], tuple] = {}
        for image_id, city_id, kind, updated_at, label_id, user_id in session.execute(query):
            key = (image_id, users[user_id][0])
            if key not in latest or (updated_at, label_id) > latest[key][2:]:
                latest[key] = (city_id, kind, updated_at, label_id)
        for (image_id, person), (city_id, kind, updated_at, label_id) in latest.items():
            trust = users[person][1]
            if person in admin_people or kind == "admin":
                best = admin[image_id].get(city_id)
                admin[image_id][city_id] = max(best, (updated_at, label_id)) if best else (updated_at, label_id)
            else:
                weights[image_id][city_id] += trust
    resolved = {}
    for image_id in set(weights) | set(admin):
        if admin.get(image_id):
            city_id = max(admin[image_id].items(), key=lambda item: item[1])[0]
        else:
            rounded = {city: round(weight, WEIGHT_DECIMALS) for city, weight in weights[image_id].items()}
            top = max(rounded.values())
            winners = [city for city, weight in rounded.items() if weight == top]
            city_id = winners[0] if len(winners) == 1 and top > 0 else None
        if city_id is not None:
            resolved[image_id] = city_id
    return resolved


def bench(name: str, url: str, data_dir: Path, data: dict[str, np.ndarray]) -> None:
    """Fill one database and print the three timings side by side."""
    store = open_store(url, data_dir)
    try:
        started = time.perf_counter()
        fill(store, data)
        print(f"\n[{name}] filled in {time.perf_counter() - started:.1f} s")
        sql_seconds, sql_rows = best_of(3, lambda: sql_resolution(store))
        rows_seconds, _ = best_of(1, lambda: len(light_rows(store)))
        orm_seconds, orm_rows = best_of(1, lambda: orm_resolution(store))
        python_seconds, python_rows = best_of(1, lambda: resolve_in_python(store))
        indexed_seconds, bare_seconds, bare_rows = index_effect(store)
        sql_seconds = min(sql_seconds, indexed_seconds)
        agree = dict(sql_rows) == python_rows and len(sql_rows) == len(python_rows) and bare_rows == sql_rows
        photos = len(np.unique(data["label_image"]))
        print(f"[{name}] effective labels: {len(sql_rows):,} of {photos:,} photos (the rest tie or say none); sql and python agree: {agree}")
        for label, seconds in (
            ("sql (ids)", sql_seconds),
            ("rows (light)", rows_seconds),
            ("orm (Image, City)", orm_seconds),
            ("naive python", python_seconds),
            ("sql without 0002 index", bare_seconds),
        ):
            print(f"[{name}] {label:<24}{seconds:7.2f} s   {seconds / sql_seconds:5.2f}x")
    finally:
        store.close()


def index_effect(store: LabelStore, rounds: int = 2) -> tuple[float, float, list]:
    """(best sql seconds with the 0002 index, best without, rows without), alternating so load noise hits both."""
    with_index, without_index, rows = float("inf"), float("inf"), []
    for _ in range(rounds):
        with store.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_labels_resolution"))
        seconds, rows = best_of(2, lambda: sql_resolution(store))
        without_index = min(without_index, seconds)
        with store.engine.begin() as connection:
            connection.execute(text("CREATE INDEX ix_labels_resolution ON labels (image_id, city_id, user_id, kind, updated_at)"))
        with_index = min(with_index, best_of(2, lambda: sql_resolution(store))[0])
    return with_index, without_index, rows


def sql_resolution(store: LabelStore) -> list[tuple[int, int]]:
    """(image_id, city_id) rows from the SQL resolution."""
    with store.read() as session:
        return [tuple(row) for row in session.execute(effective_labels_query())]


def light_rows(store: LabelStore) -> list:
    """effective_label_rows() as the trainer can use it."""
    with store.read() as session:
        return effective_label_rows(session)


def orm_resolution(store: LabelStore) -> int:
    """How many (Image, City) pairs effective_labels() builds."""
    with store.read() as session:
        return len(effective_labels(session))


def best_of(repeats: int, work):
    """(fastest seconds, result) over `repeats` runs."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


class private_postgres:
    """A throw-away PostgreSQL database next to `base_url`, or None (with a note) if the server is unreachable."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"citybot_bench_{uuid.uuid4().hex[:8]}"
        self.admin = None

    def __enter__(self):
        try:
            self.admin = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:  # the bench still reports SQLite
            print(f"\n[postgresql] skipped: {type(error).__name__}: {str(error).splitlines()[0]}")
            return None
        return self.base_url.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc) -> None:
        if self.admin is not None:
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


if __name__ == "__main__":
    main()
