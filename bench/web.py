"""What the web front end adds to a prediction: Predictor alone vs core.classify vs POST /api/classify vs /classify-url.

Run: .venv/bin/python bench/web.py   (uses the cached bench model and photos under bench/out; builds them if missing)
One photo goes through all four paths before the next (interleaved), so load on a shared machine hits all alike.
The HTTP paths go through uvicorn on 127.0.0.1; /classify-url fetches from a local static server (allowed explicitly).
Each path stores its own copy of the photo set (separate stores), so every path pays the first-time write + fsync.
"""

import ipaddress
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import uvicorn

from common import bench_photos, cpu_note, summary
from model import bench_model

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.core.users import UserRef
from bot.web.addresses import AddressPolicy
from bot.web.app import WebOptions, create_app
from storage.store import open_store
from tests.fakes.trained_model import install_live_version
from tests.synthetic import CITIES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_core(root: Path, version_dir: Path) -> CityBot:
    """A core over a fresh store with the bench model live."""
    store = open_store(f"sqlite:///{root / 'db.sqlite3'}", root / "data", CITIES)
    install_live_version(store, root / "data", version_dir, "bench")
    return CityBot(store, LiveModel(store, root / "data"), photo_rate_limit_per_minute=100_000)


async def resolve_to_loopback(host: str, port: int) -> list:
    return [ipaddress.ip_address("127.0.0.1")]


def serve(app, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def main() -> None:
    photos = bench_photos()
    _, version_dir = bench_model()
    root = Path(tempfile.mkdtemp(prefix="citybot-bench-web-"))
    try:
        run(photos, version_dir, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(photos, version_dir: Path, root: Path) -> None:
    predictor_core = live_core(root / "predictor", version_dir)
    direct_core = live_core(root / "core", version_dir)
    upload_core, url_core = live_core(root / "upload", version_dir), live_core(root / "url", version_dir)
    options = WebOptions(
        max_upload_bytes=50_000_000, photos_per_minute_per_address=100_000,
        url_policy=AddressPolicy.allowing(["127.0.0.1/32"]), url_resolver=resolve_to_loopback,
    )
    upload_port, url_port, files_port = free_port(), free_port(), free_port()
    servers = [
        serve(create_app(upload_core, Admin(upload_core.store, root, ""), options), upload_port),
        serve(create_app(url_core, Admin(url_core.store, root, ""), options), url_port),
    ]
    photo_dir = root / "photos"
    photo_dir.mkdir()
    for _, name, data in photos:
        (photo_dir / name).write_bytes(data)
    handler = partial(QuietFiles, directory=str(photo_dir))
    files = ThreadingHTTPServer(("127.0.0.1", files_port), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()

    predictor = predictor_core.live_model.current()
    visitor = UserRef("bench", "bench")
    client = httpx.Client(timeout=60)
    paths = {
        "Predictor.predict": lambda name, data: predictor.predict(data),
        "core.classify (+store)": lambda name, data: direct_core.classify(data, visitor, "bench", uuid.uuid4().hex),
        "POST /api/classify": lambda name, data: client.post(
            f"http://127.0.0.1:{upload_port}/api/classify", files={"file": (name, data)}
        ).raise_for_status(),
        "GET /classify-url": lambda name, data: client.get(
            f"http://127.0.0.1:{url_port}/classify-url", params={"url": f"http://photos.bench:{files_port}/{name}"}
        ).raise_for_status(),
    }
    for path in paths.values():  # warm-up on a photo outside the measured set's first-write costs
        path(photos[-1][1], photos[-1][2])
    times: dict[str, list[float]] = defaultdict(list)
    for _, name, data in photos[:-1]:
        for label, path in paths.items():
            start = time.perf_counter()
            path(name, data)
            times[label].append(time.perf_counter() - start)

    baseline = sum(times["Predictor.predict"])
    print(f"bench/web.py: {len(photos) - 1} photos (4000×3000 down to 320×240), {cpu_note()}")
    print(f"{'path':26s} {'total s':>8s} {'ratio':>6s}  per photo")
    for label, values in times.items():
        print(f"{label:26s} {sum(values):8.2f} {sum(values) / baseline:5.2f}×  {summary(values)}")
    client.close()
    files.shutdown()
    for server in servers:
        server.should_exit = True


class QuietFiles(SimpleHTTPRequestHandler):
    """Serves the photo folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    main()
