"""Real HTTP servers on loopback addresses that record every request they receive (for the SSRF suite)."""

import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


@dataclass
class Reply:
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Received:
    """One request as the server saw it."""

    path: str
    host: str


class RecordingServer:
    """A threaded HTTP server answering planned replies and recording every request."""

    def __init__(self, address: str, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.replies: dict[str, Reply] = {}
        self.received: list[Received] = []
        self._httpd = ThreadingHTTPServer((address, port), self._handler_class())
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.address = address
        self.port = self._httpd.server_address[1]

    def url(self, path: str = "/", host: str | None = None) -> str:
        """An http:// URL to `path` on this server, naming it by `host` (default: its address)."""
        return f"http://{host or self.address}:{self.port}{path}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.received.append(Received(self.path, self.headers.get("Host", "")))
                reply = server.replies.get(self.path.split("?", 1)[0], Reply(404, b"no such page"))
                time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.declare_length and "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the fetcher hangs up on purpose once a size cap or deadline is hit

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        return Handler

    def start(self) -> None:
        """Serve in a daemon thread."""
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def serving(address: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None) -> Iterator[RecordingServer]:
    """A started RecordingServer on `address` (any free port unless given; https with `tls`), stopped afterwards."""
    server = RecordingServer(address, port, tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()
