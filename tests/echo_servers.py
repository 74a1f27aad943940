"""Hostile local servers for canary scans: a Cognito stand-in and an OAuth server that echo what they were sent.

Real services, proxies and emulators sometimes quote a request in an error message. These servers do it on
purpose, for every field of every request (the password, SECRET_HASH, the challenge session, a refresh token, a
device code), so that a test can check the CLI never shows such a value again. Both bind 127.0.0.1 on a free
port. Each request also snapshots ``/proc/<pid>/cmdline`` of the client processes being watched: the child is
alive and waiting for the answer at that moment, so its command line can be scanned for secrets too.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

Answer = tuple[int, dict[str, object]]
POOL_ID = "us-east-1_Echo"
CLIENT_ID = "echoclient"
JWKS_PATH = f"/{POOL_ID}/.well-known/jwks.json"
"""Where the client looks for the pool's keys at a loopback endpoint."""

SECRET_FIELDS = frozenset(
    {
        # Cognito (JSON 1.1 request members and auth parameters)
        "PASSWORD",
        "NEW_PASSWORD",
        "SECRET_HASH",
        "SecretHash",
        "REFRESH_TOKEN",
        "RefreshToken",
        "Session",
        "AccessToken",
        "Token",
        "Password",
        "PreviousPassword",
        "ProposedPassword",
        "ClientSecret",
        "PASSWORD_CLAIM_SIGNATURE",
        # OAuth form fields
        "device_code",
        "refresh_token",
        "client_secret",
    }
)
"""Request fields whose values are secrets: none of them may ever be shown by the client."""


def leaves(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON request as (innermost key, value): AuthParameters.PASSWORD gives PASSWORD."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, key)
    elif isinstance(value, str):
        yield key, value


def echo(fields: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name}={value}" for name, value in fields)


@dataclass
class EchoServer:
    """What one server received, what it answers before it starts echoing, and the processes it watches."""

    url: str = ""
    received: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    """(operation or path, fields) of every request, in order."""
    script: dict[str, list[Answer]] = field(default_factory=dict)
    watched: set[int] = field(default_factory=set)
    cmdlines: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answer(self, operation: str, *answers: Answer) -> None:
        """Answer ``operation`` (a Cognito operation, an OAuth path, or ``GET <path>``) with these, once each,
        before echoing errors again."""
        self.script.setdefault(operation, []).extend(answers)

    @contextmanager
    def watching(self, pid: int) -> Iterator[None]:
        with self._lock:
            self.watched.add(pid)
        try:
            yield
        finally:
            with self._lock:
                self.watched.discard(pid)

    def secrets(self) -> set[str]:
        """The secret values clients sent here: canaries for every later scan."""
        return {value for _, fields in self.received for name, value in fields if name in SECRET_FIELDS and value}

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.received]

    def record(self, operation: str, fields: list[tuple[str, str]]) -> Answer | None:
        """Keeps the request and the watched command lines; a scripted answer if one is queued."""
        with self._lock:
            self.received.append((operation, fields))
            for pid in self.watched:
                self.cmdlines.append(_cmdline(pid))
            queue = self.script.get(operation)
            return queue.pop(0) if queue else None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cognito_error(fields: list[tuple[str, str]], error_type: str, prefix: str) -> Answer:
    """A Cognito JSON 1.1 error whose message quotes every field of the request."""
    return 400, {"__type": error_type, "message": f"{prefix}You sent: {echo(fields)}"}


def oauth_error(fields: list[tuple[str, str]], prefix: str) -> Answer:
    """An OAuth error whose ``error`` and ``error_description`` both quote every form field."""
    quoted = echo(fields)
    return 400, {"error": f"invalid_grant {prefix}{quoted}", "error_description": f"{prefix}Rejected: {quoted}"}


class _Handler(BaseHTTPRequestHandler):
    state: EchoServer
    parse: Callable[[_Handler, bytes], tuple[str, list[tuple[str, str]]]]
    fail: Callable[[list[tuple[str, str]]], Answer]
    content_type: str

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        operation, fields = type(self).parse(self, body)
        status, data = self.state.record(operation, fields) or type(self).fail(fields)
        self._send(status, data)

    def do_GET(self) -> None:
        """A key set or a page: what was scripted for ``GET <path>``, else 404."""
        status, data = self.state.record(f"GET {self.path}", []) or (404, {"message": "not found"})
        self._send(status, data)

    def _send(self, status: int, data: dict[str, object]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _cognito_request(handler: _Handler, body: bytes) -> tuple[str, list[tuple[str, str]]]:
    operation = handler.headers.get("X-Amz-Target", "").rpartition(".")[2]
    return operation, list(leaves(json.loads(body or b"{}")))


def _form_request(handler: _Handler, body: bytes) -> tuple[str, list[tuple[str, str]]]:
    form = parse_qs(body.decode(), keep_blank_values=True)
    return handler.path, [(name, value) for name, values in form.items() for value in values]


@contextmanager
def _serve(
    parse: Callable[[_Handler, bytes], tuple[str, list[tuple[str, str]]]],
    fail: Callable[[list[tuple[str, str]]], Answer],
    content_type: str,
) -> Iterator[EchoServer]:
    state = EchoServer()
    handler = type(
        "EchoHandler",
        (_Handler,),
        {"state": state, "parse": parse, "fail": staticmethod(fail), "content_type": content_type},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def echoing_cognito(error_type: str = "NotAuthorizedException", prefix: str = "") -> Iterator[EchoServer]:
    """A Cognito user pool stand-in (point ``[aws] endpoint_url`` at its url): every call not scripted with
    :meth:`EchoServer.answer` fails with ``error_type`` and a message echoing the request, after ``prefix``."""
    with _serve(
        _cognito_request, lambda fields: cognito_error(fields, error_type, prefix), "application/x-amz-json-1.1"
    ) as state:
        yield state


@contextmanager
def echoing_oauth(prefix: str = "") -> Iterator[EchoServer]:
    """An OAuth server (device code and token URLs are any path under its url): every request not scripted
    with :meth:`EchoServer.answer` (by path) fails with ``error`` and ``error_description`` echoing the form."""
    with _serve(_form_request, lambda fields: oauth_error(fields, prefix), "application/json") as state:
        yield state


def settings_toml(
    cognito: EchoServer, oauth: EchoServer | None = None, *, auth_flow: str = "USER_PASSWORD_AUTH", secret: str = ""
) -> str:
    """CLI settings that send everything to these servers (``USER_PASSWORD_AUTH`` sends the password itself)."""
    text = (
        f'[aws]\nregion = "us-east-1"\nendpoint_url = "{cognito.url}"\n\n'
        f'[cognito]\nuser_pool_id = "{POOL_ID}"\napp_client_id = "{CLIENT_ID}"\nauth_flow = "{auth_flow}"\n'
        + (f'app_client_secret = "{secret}"\n' if secret else "")
        + "\n[network]\nmax_attempts = 1\ntimeout_seconds = 10\n"
    )
    if oauth is not None:
        text += (
            f'\n[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
            f'oauth_code_url = "{oauth.url}/lwa/code"\noauth_tokens_url = "{oauth.url}/lwa/token"\n'
        )
    return text
