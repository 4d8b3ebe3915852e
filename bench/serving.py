"""Running a real server for the benches: a data dir with the bench model live, the process, its first answer."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from common import ROOT

CLASSIFY_PATH = "/api/classify"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_data_dir(root: Path, version_dir: Path) -> Path:
    """`root/data` with a SQLite store whose live model is the bench model (version "bench")."""
    from storage.store import open_store
    from tests.fakes.trained_model import install_live_version
    from tests.synthetic import CITIES

    data_dir = root / "data"
    store = open_store(f"sqlite:///{data_dir / 'citybot.sqlite3'}", data_dir, CITIES)
    try:
        install_live_version(store, data_dir, version_dir, "bench")
    finally:
        store.close()
    return data_dir


def server_env(data_dir: Path, port: int, **settings: str) -> dict[str, str]:
    """Environment for `citybot serve/web`: only the web front end, this data dir and port, no per-user limits."""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_TOKEN") and key != "DATABASE_URL"}
    env.update(
        DATA_DIR=str(data_dir), WEB_HOST="127.0.0.1", WEB_PORT=str(port), PHOTO_RATE_LIMIT="1000000", LOG_LEVEL="WARNING",
        **settings,
    )
    return env


def start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start a server process in its own process group, in `cwd` (no stray .env), its output in cwd/server.log."""
    log = (cwd / "server.log").open("wb")
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def citybot_command(subcommand: str = "serve") -> list[str]:
    """The installed `citybot` console script next to this Python."""
    return [str(ROOT / ".venv" / "bin" / "citybot"), subcommand]


def classify(client: httpx.Client, base_url: str, data: bytes, name: str = "photo.jpg") -> httpx.Response:
    """POST one photo to the classify route."""
    return client.post(base_url + CLASSIFY_PATH, files={"file": (name, data, "application/octet-stream")})


def first_answer(process: subprocess.Popen, base_url: str, data: bytes, started: float, timeout: float = 120) -> float:
    """Seconds from `started` until the server first answers a photo with a ranking (polling every 10 ms)."""
    with httpx.Client(timeout=30) as client:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}; see {process.args} output in server.log")
            try:
                response = classify(client, base_url, data)
            except httpx.TransportError:
                time.sleep(0.01)
                continue
            if response.status_code == 200:
                return time.perf_counter() - started
            time.sleep(0.01)  # e.g. 503 while the model loads
    raise RuntimeError("server did not answer in time")


def loads_torch(pid: int) -> bool:
    """Whether the process has torch's shared library mapped."""
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
