"""A separate process for the concurrency and crash tests: writes labels, or reads counts, against one store.

Usage: python -m tests.storage.label_worker write URL DATA_DIR USER COUNT
       python -m tests.storage.label_worker read URL DATA_DIR STOP_FILE
       python -m tests.storage.label_worker save-and-wait URL DATA_DIR USER
"""

import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from storage.cities import get_city
from storage.labels import set_label
from storage.models import Image, Label
from storage.store import open_store
from storage.users import get_or_create_user

CITIES = ("Cebu", "Munich", "Seoul")


def write(url: str, data_dir: str, user_key: str, count: int) -> None:
    """Label images 1..count, one committed transaction per label, as a user answering one photo at a time."""
    store = open_store(url, Path(data_dir))
    image_ids = _image_ids(store, count)
    for number, image_id in enumerate(image_ids):
        with store.transaction() as session:
            user = get_or_create_user(session, "test", user_key)
            city = get_city(session, CITIES[number % len(CITIES)])
            set_label(session, session.get(Image, image_id), user, city, "correction")
    store.close()
    print(f"wrote {count}", flush=True)


def read(url: str, data_dir: str, stop_file: str) -> None:
    """Count labels until `stop_file` appears; fail if a count ever goes down."""
    store = open_store(url, Path(data_dir))
    reads, highest = 0, 0
    while not Path(stop_file).exists():
        with store.read() as session:
            count = session.scalar(select(func.count(Label.id)))
        if count < highest:
            raise SystemExit(f"label count went down from {highest} to {count}")
        reads, highest = reads + 1, count
        time.sleep(0.005)
    store.close()
    print(f"reads {reads} highest {highest}", flush=True)


def save_and_wait(url: str, data_dir: str, user_key: str) -> None:
    """Commit one label, say so, then hang until killed."""
    store = open_store(url, Path(data_dir))
    with store.transaction() as session:
        image = session.get(Image, _image_ids(store, 1)[0])
        label = set_label(session, image, get_or_create_user(session, "test", user_key), get_city(session, "Seoul"), "correction")
    print(f"saved {label.id}", flush=True)
    time.sleep(600)


def _image_ids(store, count: int) -> list[int]:
    with store.transaction() as session:
        return list(session.scalars(select(Image.id).order_by(Image.id).limit(count)))


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "write":
        write(arguments[0], arguments[1], arguments[2], int(arguments[3]))
    elif command == "read":
        read(*arguments)
    elif command == "save-and-wait":
        save_and_wait(*arguments)
    else:
        raise SystemExit(__doc__)
