"""Data-set builder bench: parallel downloads vs one at a time, and the numpy near-duplicate index vs a Python scan.

    python bench/collect.py [--urls 120] [--latency 0.1] [--stored 200000] [--queries 500]

downloads  `--urls` synthetic 320×240 JPEGs served from 127.0.0.1 with `--latency` seconds before each answer
           (a far-away image host), imported through the real pipeline into a fresh store with 1 worker and with 8
nearest    `--stored` random 64-bit phashes, `--queries` nearest-neighbour look-ups: PhashIndex (numpy XOR +
           popcount) vs a plain Python loop; both must agree
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file from anywhere

from tests.collect.image_server import ImageServer, Reply  # noqa: E402
from tests.synthetic import photo_bytes  # noqa: E402
from storage.store import open_store  # noqa: E402
from trainer.collect.candidates import Candidate  # noqa: E402
from trainer.collect.neardup import PhashIndex  # noqa: E402
from trainer.collect.pipeline import CityJob, CollectOptions, Collector  # noqa: E402


def time_downloads(count: int, latency: float, workers: int) -> tuple[float, int]:
    """Seconds to import `count` URLs with `workers`, and how many were stored."""
    with ImageServer() as server, tempfile.TemporaryDirectory() as folder:
        for n in range(count):
            server.replies[f"/{n}.jpg"] = Reply(body=photo_bytes("Munich", n, (320, 240)), delay=latency)
        store = open_store(f"sqlite:///{folder}/bench.sqlite3", Path(folder), ["Munich", "Seoul"])
        job = CityJob("Munich", [Candidate(url=server.url(f"/{n}.jpg")) for n in range(count)])
        options = CollectOptions(source="import:bench", kind="import", workers=workers, progress=False)
        started = time.perf_counter()
        summary = Collector(store, options).run([job])
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed, summary.cities["Munich"].stored


def time_nearest(stored: int, queries: int) -> tuple[float, float]:
    """Seconds for `queries` look-ups among `stored` hashes: numpy index, then a Python loop (results checked)."""
    rng = random.Random(7)
    hashes = [rng.getrandbits(64) for _ in range(stored)]
    wanted = [rng.getrandbits(64) for _ in range(queries)]
    index = PhashIndex()
    for number, value in enumerate(hashes):
        index.add(f"{value:016x}", number, "", None)
    index.nearest("0" * 16)  # build the array outside the timing, as a long run does once
    started = time.perf_counter()
    fast = [index.nearest(f"{value:016x}").distance for value in wanted]
    numpy_s = time.perf_counter() - started
    started = time.perf_counter()
    slow = [min((value ^ other).bit_count() for other in hashes) for value in wanted]
    python_s = time.perf_counter() - started
    assert fast == slow, "the numpy index and the Python scan disagree"
    return numpy_s, python_s


def main() -> None:
    """Run both measurements and print side-by-side ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--stored", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()

    one, stored_one = time_downloads(args.urls, args.latency, workers=1)
    eight, stored_eight = time_downloads(args.urls, args.latency, workers=8)
    print(f"downloads: {args.urls} images, {args.latency * 1000:.0f} ms latency each")
    print(f"  1 worker   {one:7.2f} s  {args.urls / one:6.1f} img/s  stored {stored_one}")
    print(f"  8 workers  {eight:7.2f} s  {args.urls / eight:6.1f} img/s  stored {stored_eight}")
    print(f"  ratio 8 workers / 1 worker: {eight / one:.2f}× the time")

    numpy_s, python_s = time_nearest(args.stored, args.queries)
    print(f"nearest: {args.queries} look-ups among {args.stored:,} stored phashes")
    print(f"  numpy index  {numpy_s * 1000 / args.queries:8.2f} ms per look-up")
    print(f"  python scan  {python_s * 1000 / args.queries:8.2f} ms per look-up")
    print(f"  ratio numpy / python: {numpy_s / python_s:.3f}× the time")


if __name__ == "__main__":
    main()
