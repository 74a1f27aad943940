"""HTTP for the OAuth providers and the JWKS: one ``requests.Session``, and every request bounded.

- Time: a socket timeout bounds each read, not their sum, so every attempt also has a total deadline (a server
  sending one byte every two seconds would otherwise hold the caller, and the session lock, for as long as it
  liked). At the deadline the sockets the attempt uses are shut down, which ends a blocked read at once.
- Size: bodies are read streaming and given up past ``MAX_BODY`` bytes (decompressed), never held whole first.
- Retries: bounded, with jittered exponential backoff. A request that may have reached the server is repeated
  only when repeating it is harmless (GET): a token POST sent twice can spend a rotating refresh token and sign
  the user out, so a POST is retried only when it was surely never sent (refused, unknown host, connect timeout).
  ``Retry-After`` (seconds) is honoured up to ``MAX_RETRY_AFTER``; a server asking for longer is not retried.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final

import requests
from requests.adapters import HTTPAdapter
from urllib3 import ProxyManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.response import HTTPResponse

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.application.ports.sleeper import Sleeper
from aws_client_auth.domain.errors import ClientAuthError, ServiceError, ServiceUnavailable

log = logging.getLogger(__name__)
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_BODY: Final = 1024 * 1024
"""Bytes of (decompressed) body read at most: a token answer or a key set is a few kilobytes."""
CHUNK: Final = 64 * 1024
MAX_RETRY_AFTER: Final = 30.0
"""Seconds of ``Retry-After`` honoured at most; waiting longer would hold the caller for the server's sake."""


# --- the deadline of one attempt ---------------------------------------------------------------------------

_attempt = threading.local()


class _Deadline:
    """One attempt's time limit, enforced on the sockets the attempt reads from."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._over = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def passed(self) -> bool:
        return self._expired or time.monotonic() >= self._end

    def watch(self, sock: object) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed)."""
        if not isinstance(sock, socket.socket):
            return  # TLS inside TLS (through an HTTPS proxy): the checks between chunks still apply
        with self._lock:
            if self._expired:
                _shut_down(sock)
            else:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return  # the attempt ended just before: its connection may be back in the pool, leave it
            self._expired = True
            for sock in self._sockets:
                _shut_down(sock)

    def __enter__(self) -> _Deadline:
        _attempt.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._lock:
            self._over = True
        self._timer.cancel()
        _attempt.deadline = None


def _shut_down(sock: socket.socket) -> None:
    """Ends any read blocked on ``sock``. The plain socket's shutdown, also for TLS: ``SSLSocket.shutdown``
    would drop the TLS object under a reader in another thread, which then fails with a ValueError."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(sock: object) -> None:
    deadline: _Deadline | None = getattr(_attempt, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3's own
        _watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: Final[dict[str, type[HTTPConnectionPool]]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter, with connections whose sockets an attempt's deadline can shut down."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # a SOCKS manager keeps its own connection classes
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "aws-client-auth"
    adapter = _DeadlineAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# --- answers and failures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A whole answer, read within the size and time bounds."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json_object(self) -> dict[str, Any] | None:
        """The body as a JSON object, or None when it is anything else (HTML, a list, nesting too deep)."""
        try:
            data = json.loads(self.body)
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def retry_after(self) -> float | None:
        """``Retry-After`` in seconds; the HTTP-date form and nonsense count as absent."""
        return _whole_number(self.headers.get("retry-after", ""))


class _Failed(Exception):
    """An attempt that ended without an answer, and whether repeating it is safe."""

    def __init__(self, error: ClientAuthError, *, never_sent: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.never_sent = never_sent


def _never_sent(error: BaseException) -> bool:
    """Whether the request surely did not reach the server: no connection was made (refused, unknown host,
    connect timeout). Any later failure may have come after the server acted on it."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    return isinstance(reason, NewConnectionError)


def _whole_number(text: str) -> float | None:
    """A header's non-negative whole number: ASCII digits only (``int`` would also take "²" or "1_000"), as a
    float so that thirty digits are just a large number (``inf`` past the float range), never an error."""
    text = text.strip()
    return float(text) if text.isascii() and text.isdigit() else None


def _times(attempt: int) -> str:
    return f", {attempt} times" if attempt > 1 else ""


class HttpClient:
    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: float,
        max_attempts: int,
        sleeper: Sleeper,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ) -> None:
        """``timeout`` bounds each attempt as a whole (connecting, sending, the headers and the body), not only
        each socket operation."""
        self._session = session
        self.timeout = timeout
        self._attempts = max(1, max_attempts)
        self._sleeper = sleeper
        self._backoff = backoff
        self._max_backoff = max_backoff

    def request(self, method: str, url: str, *, what: str, data: dict[str, str] | None = None) -> HttpAnswer:
        """The answer, once it is not a retryable failure or the attempts are used up.

        Raises ServiceUnavailable when the last attempt could not connect or ran out of time, ServiceError when
        the answer is larger than ``MAX_BODY``.
        """
        idempotent = method.upper() in IDEMPOTENT
        for attempt in range(1, self._attempts + 1):
            last = attempt == self._attempts
            try:
                answer = self._attempt(method, url, what=what, data=data, attempt=attempt)
            except _Failed as failed:
                if last or not (idempotent or failed.never_sent):
                    raise failed.error from None
                self._sleeper.sleep(self._delay(attempt))
                continue
            wait = self._wait_before_repeating(answer, attempt) if idempotent else None
            if last or wait is None:
                return answer
            self._sleeper.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, url: str, *, what: str, data: dict[str, str] | None, attempt: int) -> HttpAnswer:
        """One attempt, logged in one line (``-v``): method, address without its query, status, duration; with
        ``--debug`` the attempt number and the server's request id. Never the form: it carries secrets."""
        started = time.monotonic()
        shown = _without_query(url)
        try:
            answer = self._one_attempt(method, url, what=what, data=data, attempt=attempt)
        except _Failed as failed:
            took = (time.monotonic() - started) * 1000
            log.info("%s %s: no answer (%s) in %.0f ms", method, shown, failed.error.code, took)
            raise
        took = (time.monotonic() - started) * 1000
        log.info("%s %s: HTTP %s in %.0f ms", method, shown, answer.status, took)
        request_id = next((answer.headers[h] for h in _REQUEST_ID_HEADERS if h in answer.headers), "-")
        log.debug("%s %s: attempt %d of %d, request id %s", method, shown, attempt, self._attempts, request_id)
        return answer

    def _one_attempt(
        self, method: str, url: str, *, what: str, data: dict[str, str] | None, attempt: int
    ) -> HttpAnswer:
        with _Deadline(self.timeout) as deadline:
            try:
                response = self._session.request(
                    method,
                    url,
                    data=data,
                    timeout=self.timeout,
                    headers={"Accept": "application/json"},
                    stream=True,
                    # A redirect would re-send the form (device code, refresh token, client secret) to wherever
                    # the server says, past the endpoint policy: the configured URL is the only destination.
                    allow_redirects=False,
                )
                with response:
                    return self._read(response, deadline, what)
            except (requests.RequestException, Urllib3Error, OSError) as error:
                raise self._failure(error, deadline, what, attempt) from None

    def _read(self, response: requests.Response, deadline: _Deadline, what: str) -> HttpAnswer:
        """The body, streamed: given up past ``MAX_BODY`` bytes or the deadline, whichever comes first."""
        declared = _whole_number(response.headers.get("Content-Length", ""))
        if declared is not None and declared > MAX_BODY:
            raise _too_large(what, response.status_code)
        body = bytearray()
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > MAX_BODY:
                raise _too_large(what, response.status_code)
            if deadline.passed:
                raise requests.Timeout("deadline passed while reading")
        headers = {name.lower(): value for name, value in response.headers.items()}
        return HttpAnswer(response.status_code, bytes(body), headers)

    def _failure(self, error: BaseException, deadline: _Deadline, what: str, attempt: int) -> _Failed:
        """The error to report, without the library's exception chained (its text is logged at debug level,
        redacted: it can quote what was sent)."""
        log.debug("%s: %s", what, redact(f"{type(error).__name__}: {error}"))
        never_sent, kind, times = _never_sent(error), type(error).__name__, _times(attempt)
        if not never_sent and (deadline.passed or isinstance(error, requests.Timeout)):
            message = f"{what} did not answer within {self.timeout:g} s{times}; try again later."
        elif isinstance(error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            message = f"{what} sent an answer that broke off or could not be decoded ({kind}){times}; try again."
        else:
            message = f"Could not reach {what} ({kind}){times}: check the network."
        return _Failed(ServiceUnavailable(message), never_sent=never_sent)

    def _wait_before_repeating(self, answer: HttpAnswer, attempt: int) -> float | None:
        """How long to wait before asking again for an answer that says "later", or None to keep this one."""
        if answer.status not in RETRY_STATUSES:
            return None
        asked = answer.retry_after
        if asked is None:
            return self._delay(attempt)
        if asked > MAX_RETRY_AFTER:
            return None
        return max(asked, self._delay(attempt))

    def _delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to the exponential bound, so that many clients do not retry in step."""
        return random.uniform(0, min(self._max_backoff, self._backoff * 2 ** (attempt - 1)))  # noqa: S311

    def get_json(self, url: str, *, what: str) -> dict[str, Any]:
        answer = self.request("GET", url, what=what)
        if answer.status >= 500:
            raise ServiceUnavailable(f"{what} failed; try again later.", status=answer.status)
        if answer.status != 200:
            raise ServiceError(f"{what} answered with an error.", status=answer.status)
        data = answer.json_object()
        if data is None:
            raise ServiceError(f"{what} did not answer with a JSON object.", status=answer.status)
        return data


_REQUEST_ID_HEADERS: Final = ("x-amzn-requestid", "x-amz-request-id", "x-request-id", "x-amz-cf-id")


def _without_query(url: str) -> str:
    """An address as logged: no query or fragment (they may carry codes), no user information."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _too_large(what: str, status: int) -> ServiceError:
    return ServiceError(f"{what} sent an answer larger than {MAX_BODY // 1024} KiB; it was not read.", status=status)


class JsonFetcher:
    """``fetch(url) -> dict`` for the ID-token verifier's JWKS."""

    def __init__(self, client: HttpClient) -> None:
        self._client = client

    def __call__(self, url: str) -> dict[str, Any]:
        return self._client.get_json(url, what=f"The key set at {url}")
