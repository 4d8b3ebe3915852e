"""Start-up time and resident memory: `citybot serve` versus a minimal fastai server doing what the course app did.

Run: .venv/bin/python bench/footprint.py [--predictions N]
Each server is started fresh (3 times); "first answer" is from starting the process to the first ranked reply to a
4000×3000 photo (polling every 10 ms). Then N photos (the 50 bench photos, repeated) are sent one at a time and the server's
resident memory is read from /proc: now (VmRSS) and its peak (VmHWM). Ours also stores every photo and prediction.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from common import bench_photos, cpu_note, rss_mb, unique_jpeg
from model import bench_model
from serving import citybot_command, classify, first_answer, free_port, live_data_dir, loads_torch, server_env, start, stop

TARGET_MB, TARGET_SECONDS = 300, 2.0


def measure(command: list[str], env: dict | None, cwd: Path, port: int, photos: list[bytes], count: int, starts: int) -> dict:
    """Start the server `starts` times timing its first answer; on the first start also send `count` photos and read RSS."""
    base_url = f"http://127.0.0.1:{port}"
    result: dict = {"first": []}
    for attempt in range(starts):
        started = time.perf_counter()
        process = start(command, env, cwd)
        try:
            # A photo this store has not seen: a repeat would skip verification and storing.
            result["first"].append(first_answer(process, base_url, unique_jpeg(photos[1], f"start-{attempt}"), started))
            if attempt == 0:
                result.update(_serve_photos(process, base_url, photos, count))
        finally:
            stop(process)
    return result


def _serve_photos(process, base_url: str, photos: list[bytes], count: int) -> dict:
    errors = 0
    begin = time.perf_counter()
    with httpx.Client(timeout=120) as client:
        for index in range(count):
            data = unique_jpeg(photos[index % len(photos)], f"photo-{index}")
            errors += classify(client, base_url, data).status_code != 200
    per_photo = (time.perf_counter() - begin) / count
    rss, peak = rss_mb(process.pid)
    return {"rss": rss, "peak": peak, "per_photo": per_photo, "errors": errors, "torch": loads_torch(process.pid)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=100, help="photos sent after the first answer (default 100)")
    parser.add_argument("--starts", type=int, default=3, help="fresh starts timed per server; the median is shown (default 3)")
    args = parser.parse_args()
    count, starts = args.predictions, args.starts
    photos = [data for _, _, data in bench_photos()]
    learner_file, version_dir = bench_model()
    results = {}
    with tempfile.TemporaryDirectory(prefix="citybot-footprint-") as temporary:
        root = Path(temporary)
        (root / "ours").mkdir()
        data_dir = live_data_dir(root / "ours", version_dir)
        port = free_port()
        results["citybot serve"] = measure(citybot_command("serve"), server_env(data_dir, port), root / "ours", port, photos, count, starts)
        (root / "course").mkdir()
        port = free_port()
        course = [sys.executable, str(Path(__file__).resolve().parent / "apps" / "course_server.py"), str(learner_file), str(port)]
        results["course app (fastai)"] = measure(course, None, root / "course", port, photos, count, starts)

    print(f"bench/footprint.py: first answer = median of {starts} fresh starts (min-max); then {count} photos; {cpu_note()}")
    print(f"{'server':22s} {'first answer':>20s} {'RSS after':>10s} {'peak RSS':>9s} {'per photo':>10s} {'errors':>6s}  torch loaded")
    for name, result in results.items():
        firsts = result["first"]
        result["first"] = statistics.median(firsts)
        print(f"{name:22s} {result['first']:5.2f} s ({min(firsts):.2f}-{max(firsts):.2f}) {result['rss']:7.0f} MB "
              f"{result['peak']:6.0f} MB {result['per_photo'] * 1000:7.0f} ms {result['errors']:6d}  {'yes' if result['torch'] else 'no'}")
    ours, theirs = results["citybot serve"], results["course app (fastai)"]
    print(f"ratios ours/course: first answer {ours['first'] / theirs['first']:.2f}×, RSS {ours['rss'] / theirs['rss']:.2f}×, "
          f"peak {ours['peak'] / theirs['peak']:.2f}×")
    print(f"targets: RSS <= {TARGET_MB} MB: {'met' if ours['rss'] <= TARGET_MB else 'MISSED'}; "
          f"first answer <= {TARGET_SECONDS} s: {'met' if ours['first'] <= TARGET_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
