"""A scripted OAuth server on 127.0.0.1 for tests that run the CLI in another process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class OAuthServer:
    def __init__(self) -> None:
        self.script: dict[str, list[tuple[int, dict[str, object]]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.url = ""

    def answer(self, path: str, *answers: tuple[int, dict[str, object]]) -> None:
        self.script.setdefault(path, []).extend(answers)

    def _next(self, path: str) -> tuple[int, dict[str, object]]:
        queue = self.script.get(path, [])
        if not queue:
            return 404, {"error": "not_found"}
        return queue.pop(0) if len(queue) > 1 else queue[0]


@contextmanager
def oauth_server() -> Iterator[OAuthServer]:
    state = OAuthServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            state.requests.append((self.path, form))
            status, body = state._next(self.path)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
