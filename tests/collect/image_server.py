"""A real HTTP server on 127.0.0.1 for the data-set builder's tests: planned replies, slow drips, held answers."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional


@dataclass
class Reply:
    """What the server answers on one path (query string ignored)."""

    status: int = 200
    body: bytes = b""
    content_type: Optional[str] = "image/jpeg"
    headers: dict[str, str] = field(default_factory=dict)
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    drip_delay: float = 0.0  # > 0: send the body one 16-byte piece at a time with this pause
    hold: Optional[threading.Event] = None  # answer only once this is set
    delay: float = 0.0  # seconds before answering (a far-away host)


class ImageServer:
    """A threaded server answering `replies[path]` (or a callable of the query) and recording requested paths."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply | Callable[[str], Reply]] = {}
        self.requested: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "ImageServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for reply in self.replies.values():
            if isinstance(reply, Reply) and reply.hold is not None:
                reply.hold.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        """The http://127.0.0.1:PORT URL of `path`."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requested.append(self.path)
                path, _, query = self.path.partition("?")
                reply = server.replies.get(path, Reply(404, b"no such page", "text/plain"))
                if callable(reply):
                    reply = reply(query)
                if reply.hold is not None:
                    reply.hold.wait(timeout=60)
                time.sleep(reply.delay)
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.declare_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    self._send_body(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on a slow or huge answer, as it should

            def _send_body(self, reply: Reply) -> None:
                if reply.drip_delay <= 0:
                    self.wfile.write(reply.body)
                    return
                for start in range(0, len(reply.body), 16):
                    self.wfile.write(reply.body[start : start + 16])
                    self.wfile.flush()
                    time.sleep(reply.drip_delay)

            def log_message(self, *args) -> None:
                pass

        return Handler
