"""A scripted OAuth server on 127.0.0.1, for tests that run the CLI in another process and for hostile answers
that ``responses`` cannot give: bodies trickled a byte at a time, bodies larger than the client reads, a
connection closed without an answer.

Every path answers from its script in turn (the last answer repeats). An answer is ``(status, json_body)`` or
one of the replies below. Every loop is bounded (by the reply's size, and by the server closing), so a test
that fails cannot leave a thread writing forever.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs

MAX_REQUEST = 64 * 1024
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class Reply(Protocol):
    def send(self, handler: BaseHTTPRequestHandler, server: OAuthServer) -> None: ...


@dataclass(frozen=True)
class Raw:
    """An answer written as given: any bytes as the body, any headers (Content-Length is added)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, handler: BaseHTTPRequestHandler, server: OAuthServer) -> None:
        handler.send_response(self.status)
        for name, value in {"Content-Type": "application/json", **self.headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


@dataclass(frozen=True)
class Trickle:
    """A valid JSON answer sent one byte every ``every`` seconds: its status line and headers too when
    ``headers`` is set (a socket timeout, reset by each byte, never fires)."""

    body: dict[str, object]
    every: float
    headers: bool = False

    def send(self, handler: BaseHTTPRequestHandler, server: OAuthServer) -> None:
        data = json.dumps(self.body).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        if not self.headers:
            handler.wfile.write(head)
            handler.wfile.flush()
        for byte in (head if self.headers else b"") + data:  # bounded by the answer's size
            if server.closing.wait(self.every):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            server.sent += 1


@dataclass(frozen=True)
class Flood:
    """``size`` bytes of a JSON string, in chunks, announced in Content-Length or not (read to the close)."""

    size: int
    announce: bool = True

    def send(self, handler: BaseHTTPRequestHandler, server: OAuthServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if self.announce:
            handler.send_header("Content-Length", str(self.size))
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"a" * 65536
        handler.wfile.write(b'{"a": "')
        while server.sent < self.size and not server.closing.is_set():
            handler.wfile.write(chunk)
            server.sent += len(chunk)
        handler.close_connection = True


@dataclass(frozen=True)
class HangUp:
    """The request is read, then the connection closed without a word: did the server act on it? Unknown."""

    def send(self, handler: BaseHTTPRequestHandler, server: OAuthServer) -> None:
        handler.close_connection = True
        with suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)


Answer = tuple[int, dict[str, object]] | Reply


class OAuthServer:
    def __init__(self) -> None:
        self.script: dict[str, list[Answer]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.url = ""
        self.sent = 0
        """Body bytes the trickling and flooding replies wrote, for tests of how much a client read."""
        self.closing = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()

    def answer(self, path: str, *answers: Answer) -> None:
        self.script.setdefault(path, []).extend(answers)

    def _next(self, path: str) -> Answer:
        queue = self.script.get(path, [])
        if not queue:
            return 404, {"error": "not_found"}
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    def wait_idle(self, timeout: float) -> bool:
        """Whether every reply has finished within ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = min(int(handler.headers.get("Content-Length", "0") or 0), MAX_REQUEST)
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        self.requests.append((handler.path, form))
        answer = self._next(handler.path)
        reply = Raw(answer[0], json.dumps(answer[1]).encode()) if isinstance(answer, tuple) else answer
        with self._idle:
            self._busy += 1
        try:
            reply.send(handler, self)
        except GONE:
            handler.close_connection = True  # the client hung up: what the flooding and trickling tests want
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), for a TLS server the client trusts through ``verify``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def oauth_server(tls: Path | None = None) -> Iterator[OAuthServer]:
    """The server, on ``https`` with a fresh certificate (written to the folder ``tls``, as ``server.pem``)
    when ``tls`` is given."""
    state = OAuthServer()

    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a client that stops reading cannot block a reply's write for longer

        def do_POST(self) -> None:
            state._serve(self)

        def do_GET(self) -> None:
            state._serve(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self_signed(tls))
        # the handshake happens in the handler's thread, so a client that never sends one blocks nothing else
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    state.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.closing.set()
        server.shutdown()
        server.server_close()
        state.wait_idle(5)
