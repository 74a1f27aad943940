"""``-v`` logs one line per network call (service or address, operation, status, duration) and ``--debug`` adds
request ids and retries; never a secret, never a query string."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aws_client_auth.adapters.http import HttpClient, http_session
from aws_client_auth.adapters.system import SystemSleeper
from tests.e2e.test_cli import PASSWORD, ClientAuthCli
from tests.echo_servers import EchoServer, echoing_cognito, settings_toml


class _Flaky(BaseHTTPRequestHandler):
    """503 once, then an answer with a request id."""

    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        status = 503 if type(self).calls == 1 else 200
        body = b'{"keys": []}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", f"req-{type(self).calls}")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_each_attempt_is_one_line_and_debug_adds_request_ids(flaky: str, caplog: pytest.LogCaptureFixture) -> None:
    client = HttpClient(http_session(), timeout=5, max_attempts=3, sleeper=SystemSleeper(), backoff=0.01)
    with caplog.at_level(logging.DEBUG, logger="aws_client_auth"):
        client.get_json(f"{flaky}/jwks.json?code=Secret-Code-123", what="The key set")
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(info) == 2  # one line per attempt: the 503, then the answer
    assert info[0].startswith(f"GET {flaky}/jwks.json: HTTP 503 in ")
    assert info[1].startswith(f"GET {flaky}/jwks.json: HTTP 200 in ")
    assert "attempt 2 of 3, request id req-2" in debug[-1]
    assert all("Secret-Code-123" not in line for line in info + debug)


@pytest.fixture
def cognito() -> Iterator[EchoServer]:
    with echoing_cognito() as server:
        yield server


@pytest.mark.parametrize("flag", ["-v", "--debug"])
def test_the_cli_logs_each_aws_call(cognito: EchoServer, tmp_path: Path, flag: str) -> None:
    cli = ClientAuthCli(settings_toml(cognito), tmp_path)
    run = cli("sign-in", "ann", "--password-stdin", flag, stdin=PASSWORD + "\n")
    assert run.code == 1
    lines = [line for line in run.err.splitlines() if "cognito-idp InitiateAuth: HTTP 400 in " in line]
    assert len(lines) == 1, run.err
    if flag == "--debug":
        assert "cognito-idp InitiateAuth: request id" in run.err
        assert "retries" in run.err
    assert PASSWORD not in run.err


def test_without_v_no_call_is_logged(cognito: EchoServer, tmp_path: Path) -> None:
    cli = ClientAuthCli(settings_toml(cognito), tmp_path)
    run = cli("sign-in", "ann", "--password-stdin", stdin=PASSWORD + "\n")
    assert "InitiateAuth" not in run.err
