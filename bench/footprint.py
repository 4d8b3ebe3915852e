"""Start-up time and resident memory: `citybot serve` versus a minimal fastai server doing what the course app did.

Run: .venv/bin/python bench/footprint.py [--predictions N]
Each server is started fresh; "first answer" is from starting the process to the first ranked reply to a photo
(polling every 10 ms). Then N photos (the 50 bench photos, repeated) are sent one at a time and the server's
resident memory is read from /proc: now (VmRSS) and its peak (VmHWM). Ours also stores every photo and prediction.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

from common import bench_photos, cpu_note, rss_mb
from model import bench_model
from serving import citybot_command, classify, first_answer, free_port, live_data_dir, loads_torch, server_env, start, stop

TARGET_MB, TARGET_SECONDS = 300, 2.0


def measure(command: list[str], env: dict | None, cwd: Path, port: int, photos: list[bytes], count: int) -> dict:
    """Start the server, time its first answer, send `count` photos, read its memory, stop it."""
    base_url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = start(command, env, cwd)
    try:
        first = first_answer(process, base_url, photos[1], started)
        errors = 0
        begin = time.perf_counter()
        with httpx.Client(timeout=120) as client:
            for index in range(count):
                errors += classify(client, base_url, photos[index % len(photos)]).status_code != 200
        per_photo = (time.perf_counter() - begin) / count
        rss, peak = rss_mb(process.pid)
        return {"first": first, "rss": rss, "peak": peak, "per_photo": per_photo, "errors": errors, "torch": loads_torch(process.pid)}
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=100, help="photos sent after the first answer (default 100)")
    count = parser.parse_args().predictions
    photos = [data for _, _, data in bench_photos()]
    learner_file, version_dir = bench_model()
    results = {}
    with tempfile.TemporaryDirectory(prefix="citybot-footprint-") as temporary:
        root = Path(temporary)
        (root / "ours").mkdir()
        data_dir = live_data_dir(root / "ours", version_dir)
        port = free_port()
        results["citybot serve"] = measure(citybot_command("serve"), server_env(data_dir, port), root / "ours", port, photos, count)
        (root / "course").mkdir()
        port = free_port()
        course = [sys.executable, str(Path(__file__).resolve().parent / "course_server.py"), str(learner_file), str(port)]
        results["course app (fastai)"] = measure(course, None, root / "course", port, photos, count)

    print(f"bench/footprint.py: {count} photos after the first answer, {cpu_note()}")
    print(f"{'server':22s} {'first answer':>12s} {'RSS after':>10s} {'peak RSS':>9s} {'per photo':>10s} {'errors':>6s}  torch loaded")
    for name, result in results.items():
        print(f"{name:22s} {result['first']:10.2f} s {result['rss']:7.0f} MB {result['peak']:6.0f} MB "
              f"{result['per_photo'] * 1000:7.0f} ms {result['errors']:6d}  {'yes' if result['torch'] else 'no'}")
    ours, theirs = results["citybot serve"], results["course app (fastai)"]
    print(f"ratios ours/course: first answer {ours['first'] / theirs['first']:.2f}×, RSS {ours['rss'] / theirs['rss']:.2f}×, "
          f"peak {ours['peak'] / theirs['peak']:.2f}×")
    print(f"targets: RSS <= {TARGET_MB} MB: {'met' if ours['rss'] <= TARGET_MB else 'MISSED'}; "
          f"first answer <= {TARGET_SECONDS} s: {'met' if ours['first'] <= TARGET_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
