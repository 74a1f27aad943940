"""A JSON-RPC client for tests: runs the server as a subprocess (``python -m aws_client_auth.entrypoints.rpc``) and
talks to it over pipes, one JSON message a line, the way an editor would.

Every line the server writes on standard output must be a JSON-RPC response or notification: anything else fails
the test at once. Standard error (the server's log) is kept in a file, so that it can never fill a pipe.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

TIMEOUT = 30.0
Message = dict[str, Any]


class RpcFailed(Exception):
    def __init__(self, error: Message) -> None:
        super().__init__(error.get("message"))
        self.error = error

    @property
    def code(self) -> int:
        return int(self.error["code"])

    @property
    def data(self) -> Message:
        return dict(self.error.get("data") or {})


class RpcClient:
    def __init__(self, child: subprocess.Popen[bytes], log: Path) -> None:
        self.child = child
        self.log = log
        self.ids = itertools.count(1)
        self.notifications: list[Message] = []
        self.lines: list[bytes] = []
        """Every line the server wrote on standard output, as written."""
        self._responses: dict[object, Message] = {}
        self._arrived = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # --- sending --------------------------------------------------------------------------------------------
    def send_line(self, data: bytes) -> None:
        stdin = self._stdin
        stdin.write(data if data.endswith(b"\n") else data + b"\n")
        stdin.flush()

    def send(self, message: Message) -> None:
        self.send_line(json.dumps(message).encode())

    def request(self, method: str, request_id: object = None, **params: Any) -> object:
        """Sends a request and returns its id, without waiting for the answer."""
        request_id = next(self.ids) if request_id is None else request_id
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    def notify(self, method: str, **params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method: str, **params: Any) -> Any:
        """The result of ``method``, or :class:`RpcFailed` with the error."""
        return self.result(self.request(method, **params))

    def close_stdin(self) -> None:
        self._stdin.close()

    @property
    def _stdin(self) -> IO[bytes]:
        assert self.child.stdin is not None
        return self.child.stdin

    # --- receiving ------------------------------------------------------------------------------------------
    def response(self, request_id: object, timeout: float = TIMEOUT) -> Message:
        with self._arrived:
            if not self._arrived.wait_for(lambda: request_id in self._responses or self._closed, timeout):
                raise TimeoutError(f"no answer to {request_id!r} within {timeout} s; log:\n{self.stderr()}")
            if request_id not in self._responses:
                raise EOFError(f"the server ended without answering {request_id!r}; log:\n{self.stderr()}")
            return self._responses.pop(request_id)

    def result(self, request_id: object, timeout: float = TIMEOUT) -> Any:
        answer = self.response(request_id, timeout)
        if "error" in answer:
            raise RpcFailed(answer["error"])
        return answer["result"]

    def answered(self, request_id: object) -> bool:
        with self._arrived:
            return request_id in self._responses

    def events(self, kind: str | None = None) -> list[Message]:
        with self._arrived:
            return [n["params"] for n in self.notifications if kind is None or n["params"]["type"] == kind]

    def wait_for(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition not met within {timeout} s; log:\n{self.stderr()}")
            time.sleep(0.02)

    def wait(self, timeout: float = TIMEOUT) -> int:
        """The server's exit code, once it ended (within ``timeout`` seconds)."""
        code = self.child.wait(timeout)
        self._reader.join(timeout)
        return code

    def stderr(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def _read(self) -> None:
        assert self.child.stdout is not None
        for line in self.child.stdout:
            message = json.loads(line)  # not JSON: the test fails on the assertion below
            with self._arrived:
                self.lines.append(line)
                if "id" in message and "method" not in message:
                    self._responses[message["id"]] = message
                else:
                    self.notifications.append(message)
                self._arrived.notify_all()
        with self._arrived:
            self._closed = True
            self._arrived.notify_all()


def check_message(message: Message) -> None:
    """A JSON-RPC 2.0 response or notification, as the protocol page describes them."""
    assert message["jsonrpc"] == "2.0"
    if "method" in message:
        assert set(message) == {"jsonrpc", "method", "params"}
        return
    assert set(message) in ({"jsonrpc", "id", "result"}, {"jsonrpc", "id", "error"})


@contextmanager
def rpc_server(
    *args: str, home: Path, env: dict[str, str] | None = None, command: list[str] | None = None
) -> Iterator[RpcClient]:
    """The server as a subprocess (``command``, else the package's ``__main__`` with ``args``), its sessions under
    ``home``; killed at the end if it is still running."""
    log = home / "server.log"
    environ = {**os.environ, "CLIENT_AUTH_HOME": str(home / "sessions"), **(env or {})}
    environ.pop("CLIENT_AUTH_PROFILE", None)
    with log.open("wb") as err:
        child = subprocess.Popen(
            command or [sys.executable, "-m", "aws_client_auth.entrypoints.rpc", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            env=environ,
        )
    client = RpcClient(child, log)
    try:
        yield client
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(TIMEOUT)
        client._reader.join(TIMEOUT)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                with suppress(OSError):  # a pipe to a server that was killed
                    stream.close()
        for line in client.lines:
            check_message(json.loads(line))
