"""Many users at once through the web API and Telegram: 32 clients × 20 photos, versus the same photos one at a time.

Run: .venv/bin/python bench/load.py [--clients 32] [--per-client 20] [--no-telegram]
`citybot web` runs as a subprocess with the bench model live. Photos are chat-sized JPEGs (Telegram sends at most
1280 px; up to 1600×1200 here), each made unique with a JPEG comment so every request stores a new photo.
Three runs, each on a fresh server: one at a time; concurrent with micro-batching (the default); concurrent with
BATCH_MAX_SIZE=0 (every request runs the model on its own thread). Any non-200 answer counts as an error.
Then the same through Telegram (bench/telegram_load.py): one user at a time, and 32 users at once.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from common import bench_photos, cpu_note, percentile, unique_jpeg
from model import bench_model
from serving import CLASSIFY_PATH, citybot_command, first_answer, free_port, live_data_dir, server_env, start, stop

CHAT_SIZES = ("1600x1200", "1280x720", "320x240")


def workload(clients: int, per_client: int, run: str) -> list[list[bytes]]:
    """Each client's photos, all distinct."""
    base = [data for _, name, data in bench_photos() if name.split("-")[2] in CHAT_SIZES and name.endswith("jpeg")]
    return [[unique_jpeg(base[(client * 7 + index) % len(base)], f"{run}-{client}-{index}") for index in range(per_client)]
            for client in range(clients)]


async def _client(http: httpx.AsyncClient, url: str, photos: list[bytes], latencies: list[float], statuses: list[int]) -> None:
    for data in photos:
        start_time = time.perf_counter()
        try:
            response = await http.post(url, files={"file": ("photo.jpg", data, "image/jpeg")})
            statuses.append(response.status_code)
        except httpx.HTTPError:
            statuses.append(0)
        latencies.append(time.perf_counter() - start_time)


async def drive(url: str, per_client_photos: list[list[bytes]], concurrent: bool) -> dict:
    """Send every photo (clients in parallel, or all one at a time); latencies, statuses and wall time."""
    latencies: list[float] = []
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=len(per_client_photos))
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        begin = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(_client(http, url, photos, latencies, statuses) for photos in per_client_photos))
        else:
            await _client(http, url, [data for photos in per_client_photos for data in photos], latencies, statuses)
        wall = time.perf_counter() - begin
    return {"wall": wall, "latencies": latencies, "errors": sum(status != 200 for status in statuses), "count": len(statuses)}


def run_once(root: Path, version_dir: Path, photos: list[list[bytes]], concurrent: bool, **settings: str) -> dict:
    """A fresh `citybot web` with the bench model live, driven once."""
    root.mkdir()
    data_dir = live_data_dir(root, version_dir)
    port = free_port()
    process = start(citybot_command("web"), server_env(data_dir, port, **settings), root)
    try:
        first_answer(process, f"http://127.0.0.1:{port}", unique_jpeg(photos[0][0], "warm-up"), time.perf_counter())
        return asyncio.run(drive(f"http://127.0.0.1:{port}{CLASSIFY_PATH}", photos, concurrent))
    finally:
        stop(process)


def run_telegram(root: Path, version_dir: Path, photos: list[list[bytes]], concurrent: bool) -> dict:
    """A fresh `citybot serve` polling the fake Bot API, driven once."""
    from telegram_load import drive_telegram

    root.mkdir()
    return asyncio.run(drive_telegram(root, live_data_dir(root, version_dir), photos, concurrent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--no-telegram", action="store_true", help="skip the runs through the fake Telegram Bot API")
    args = parser.parse_args()
    _, version_dir = bench_model()
    clients = f"{args.clients} clients"
    web_runs = {
        "one at a time": (False, {}),
        f"{clients}, batched": (True, {}),
        f"{clients}, no batcher": (True, {"BATCH_MAX_SIZE": "0"}),
    }
    web, telegram = {}, {}
    with tempfile.TemporaryDirectory(prefix="citybot-load-") as temporary:
        for index, (label, (concurrent, settings)) in enumerate(web_runs.items()):
            photos = workload(args.clients, args.per_client, f"web{index}")
            web[label] = run_once(Path(temporary) / f"web{index}", version_dir, photos, concurrent, **settings)
        if not args.no_telegram:
            for index, (label, concurrent) in enumerate({"one at a time": False, f"{clients}, batched": True}.items()):
                photos = workload(args.clients, args.per_client, f"telegram{index}")
                telegram[label] = run_telegram(Path(temporary) / f"telegram{index}", version_dir, photos, concurrent)

    total = args.clients * args.per_client
    print(f"bench/load.py: {args.clients} clients × {args.per_client} photos = {total} photos "
          f"(chat-sized JPEGs, each stored), {cpu_note()}")
    _table("web API (`citybot web`, POST /api/classify)", web)
    if telegram:
        _table("Telegram (`citybot serve` long-polling the fake Bot API; latency = update queued → reply received)", telegram)


def _table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(f"{'run':28s} {'wall s':>7s} {'photos/s':>9s} {'ratio':>6s} {'p50 ms':>7s} {'p95 ms':>7s} {'errors':>6s}")
    baseline = results["one at a time"]["count"] / results["one at a time"]["wall"]
    for label, result in results.items():
        throughput = result["count"] / result["wall"]
        print(f"{label:28s} {result['wall']:7.1f} {throughput:9.1f} {throughput / baseline:5.2f}× "
              f"{percentile(result['latencies'], 50) * 1000:7.0f} {percentile(result['latencies'], 95) * 1000:7.0f} "
              f"{result['errors']:6d}")


if __name__ == "__main__":
    main()
