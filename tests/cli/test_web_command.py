"""`citybot web` as a person starts it: a fresh DATA_DIR, no token, a working page and health check."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_citybot_web_serves_the_page_on_a_fresh_machine_without_any_token(tmp_path: Path) -> None:
    """No model, no ADMIN_TOKEN: the page says how to train, health answers, /admin does not exist."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("ADMIN_TOKEN", "DATABASE_URL", "TELEGRAM_BOT_TOKEN")}
    env.update(DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "web", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = None
        deadline = time.monotonic() + 60
        while health is None and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                health = httpx.get(f"{base}/api/health", timeout=2).json()
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None and health["model_version"] is None
        assert health["labels"] == {"Cebu": 0, "Munich": 0, "Seoul": 0}
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and "No model is live yet" in page.text and "citybot train" in page.text
        assert httpx.get(f"{base}/admin").status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
