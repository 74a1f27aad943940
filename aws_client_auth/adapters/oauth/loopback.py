"""The browser's redirect, received on this computer (RFC 8252, section 7.3), or pasted by the user.

:class:`LoopbackListener` listens on the loopback address and port of the redirect URI, before the browser is
sent anywhere (so a port in use is reported at once), answers the first request for the redirect path once the
sign-in is done (the page says how it went) and stops listening. It is a small, bounded HTTP reader on
``selectors``, not ``http.server``: browsers open speculative connections that send nothing, and one of those
must not hold up the real redirect; request heads are capped at :data:`MAX_HEAD` bytes, idle connections are
dropped after :data:`IDLE` seconds, and any other path is answered 404 without ending the wait.

:class:`PastedRedirect` is the same port for ``--no-browser``: the user pastes the address the browser ended on
(or only the code), from a shell on another computer.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import logging
import re
import selectors
import socket
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qs, urlsplit

from aws_client_auth.adapters.oauth.checks import error_code, said
from aws_client_auth.adapters.settings.network import loopback_redirect_problem
from aws_client_auth.application.ports.browser_sign_in import (
    BrowserSignInTimeout,
    Redirect,
    RedirectNotLoopback,
    RedirectPortInUse,
    RedirectReceiver,
)
from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.domain.errors import Cancelled, InvalidInput, ServiceError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import clean

log = logging.getLogger(__name__)

MAX_HEAD: Final = 16 * 1024
"""Bytes of a request's line and headers read at most: a redirect with a code and a state is well under 4 KiB."""
MAX_PASTE: Final = 16 * 1024
MAX_CODE: Final = 2048
IDLE: Final = 10.0
"""Seconds a connection may stay silent (a browser's speculative connection) before it is dropped."""
SEND_TIMEOUT: Final = 5.0
TICK: Final = 0.2
"""Longest single wait for activity, so that a cancellation is noticed quickly."""
QUERY_FIELDS: Final = 32
_CODE: Final = re.compile(r"[!-~]+")
"""Printable ASCII: an authorization code as RFC 6749 allows it (Cognito's are UUIDs)."""


# --- the redirect URI ----------------------------------------------------------------------------------------


MAX_CLIENTS = 32
"""Connections read at once: a browser opens a few; more are left waiting in the listen backlog."""


@dataclass(frozen=True, slots=True)
class LoopbackRedirect:
    """A redirect URI this computer can receive: where to listen, and the path the browser asks for."""

    uri: str
    host: str
    port: int
    path: str
    addresses: tuple[tuple[socket.AddressFamily, str], ...]
    """(family, address) to listen on: ``localhost`` is both 127.0.0.1 and ::1 (a browser may try either)."""


def loopback_redirect(uri: str) -> LoopbackRedirect:
    """``uri`` parsed for listening; RedirectNotLoopback (a configuration error) saying what to write."""
    if not uri:
        raise RedirectNotLoopback(
            "[cognito] redirect_uri is not set: set it to a loopback callback URL registered on the app client, "
            "such as http://localhost:53682/callback."
        )
    problem = loopback_redirect_problem(uri)
    if problem is not None:
        raise RedirectNotLoopback(f"[cognito] redirect_uri {clean(uri, 200)!r} {problem}.")
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    port = parts.port or 0
    if host == "localhost":
        addresses: tuple[tuple[socket.AddressFamily, str], ...] = (
            (socket.AF_INET, "127.0.0.1"),
            (socket.AF_INET6, "::1"),
        )
    else:
        address = ipaddress.ip_address(host)
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        addresses = ((family, str(address)),)
    return LoopbackRedirect(uri=uri, host=host, port=port, path=parts.path or "/", addresses=addresses)


# --- what came back ------------------------------------------------------------------------------------------


def redirect_of(query: str) -> Redirect:
    """The redirect's parameters, checked: one value each, a code of printable ASCII, the error cleaned.

    Raises ServiceError for a query that no authorization server sends (a parameter twice, a malformed code).
    """
    try:
        fields = parse_qs(query, keep_blank_values=True, max_num_fields=QUERY_FIELDS, errors="replace")
    except ValueError:
        raise ServiceError("The redirect carried too many parameters; it was not used.") from None
    for name in ("code", "state", "error", "error_description"):
        if len(fields.get(name, ())) > 1:
            raise ServiceError(f"The redirect carried {name!r} more than once; it was not used.")
    values: Mapping[str, str] = {name: found[0] for name, found in fields.items()}
    code = values.get("code") or None
    if code is not None and (len(code) > MAX_CODE or not _CODE.fullmatch(code)):
        raise ServiceError("The redirect carried a malformed code (not printable ASCII, or too long); it was not used.")
    raw_error = values.get("error")
    return Redirect(
        code=Secret(code) if code is not None else None,
        state=values.get("state"),
        error=error_code(raw_error) if raw_error else None,
        error_description=said(values.get("error_description")),
    )


# --- the listener --------------------------------------------------------------------------------------------


@dataclass
class _Client:
    since: float
    head: bytearray = field(default_factory=bytearray)


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    path: str
    query: str


class LoopbackListener(RedirectReceiver):
    """A one-shot HTTP listener for the redirect URI. Use: ``start()``, ``receive()``, ``answer()``, ``close()``."""

    def __init__(self, redirect_uri: str, *, title: str = "client-auth") -> None:
        self._redirect = loopback_redirect(redirect_uri)
        self._title = title
        self._listeners: list[socket.socket] = []
        self._held: socket.socket | None = None
        self._received = False

    @property
    def redirect_uri(self) -> str:
        return self._redirect.uri

    @property
    def listening(self) -> tuple[tuple[str, int], ...]:
        """The bound (address, port) pairs, once started."""
        return tuple((str(s.getsockname()[0]), int(s.getsockname()[1])) for s in self._listeners)

    def start(self) -> None:
        if self._received:
            raise InvalidInput("This listener received its redirect already: each sign-in listens anew.")
        if self._listeners:
            return
        try:
            for family, address in self._redirect.addresses:
                listener = self._bind(family, address)
                if listener is not None:
                    self._listeners.append(listener)
        except BaseException:
            self._close_listeners()
            raise
        if not self._listeners:
            raise RedirectPortInUse(
                f"Cannot listen on {self._redirect.host} port {self._redirect.port}: this computer has no such "
                "loopback address. Use http://127.0.0.1:PORT/path as the redirect URI."
            )

    def _bind(self, family: socket.AddressFamily, address: str) -> socket.socket | None:
        """A listening socket, or None for an address family this computer lacks (IPv6 for ``localhost``)."""
        where = f"{self._redirect.host} port {self._redirect.port}"
        try:
            listener = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            if family == socket.AF_INET6 and self._redirect.host == "localhost":
                return None
            raise RedirectPortInUse(f"Cannot listen on {where}: {address} is not available here.") from None
        try:
            _exclusive(listener, family)
            listener.bind((address, self._redirect.port))
            listener.listen(8)
            listener.setblocking(False)
        except OSError as error:
            listener.close()
            no_ipv6 = error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) and family == socket.AF_INET6
            if no_ipv6 and self._redirect.host == "localhost":
                return None  # no ::1 here: 127.0.0.1 alone serves localhost
            if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise RedirectPortInUse(
                    f"Port {self._redirect.port} on {address} is in use by another program, so the browser's "
                    "redirect cannot be received here: close that program (or a sign-in still running), or register "
                    "another loopback redirect URI on the app client and set [cognito] redirect_uri to it."
                ) from None
            if error.errno in (errno.EACCES, errno.EPERM):
                raise RedirectPortInUse(
                    f"This user may not listen on port {self._redirect.port} ({error.strerror}): register a "
                    "redirect URI with a port above 1023 on the app client and set [cognito] redirect_uri to it."
                ) from None
            raise RedirectPortInUse(f"Cannot listen on {where} ({error.strerror}).") from None
        return listener

    def receive(self, timeout: float, cancel: Cancellation | None = None) -> Redirect:
        if not self._listeners:
            self.start()
        deadline = time.monotonic() + timeout
        clients: dict[socket.socket, _Client] = {}
        with selectors.DefaultSelector() as selector:
            for listener in self._listeners:
                selector.register(listener, selectors.EVENT_READ, None)
            try:
                while True:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("The browser sign-in was cancelled.")
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise BrowserSignInTimeout(
                            f"No answer came back from the browser within {timeout:g} s: sign in again (with "
                            "--no-browser to paste the address the browser ends on, if it runs elsewhere)."
                        )
                    for key, _ in selector.select(min(left, TICK)):
                        redirect = self._on_ready(selector, key.fileobj, clients)  # type: ignore[arg-type]
                        if redirect is not None:
                            return redirect
                    self._drop_idle(selector, clients)
            finally:
                for sock in clients:
                    if sock is not self._held:
                        _close(sock)

    def _on_ready(
        self, selector: selectors.BaseSelector, sock: socket.socket, clients: dict[socket.socket, _Client]
    ) -> Redirect | None:
        if sock in self._listeners:
            if len(clients) >= MAX_CLIENTS:  # a flood of connections: let them wait in the backlog
                return None
            # OSError: out of file descriptors (EMFILE) and the like; the listener goes on with those it has.
            with suppress(BlockingIOError, InterruptedError, ConnectionAbortedError, OSError):
                connection, _ = sock.accept()
                connection.setblocking(False)
                clients[connection] = _Client(time.monotonic())
                selector.register(connection, selectors.EVENT_READ, None)
            return None
        client = clients[sock]
        try:
            data = sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            data = b""
        if not data:
            self._forget(selector, clients, sock)
            return None
        client.head += data
        end = client.head.find(b"\r\n\r\n")
        if end < 0:
            if len(client.head) > MAX_HEAD:
                self._forget(selector, clients, sock, _page(431, self._title, "Request too large", ""))
            return None
        request = _request_line(bytes(client.head[:end]))
        selector.unregister(sock)
        del clients[sock]
        return self._handle(sock, request)

    def _handle(self, sock: socket.socket, request: _Request | None) -> Redirect | None:
        """The redirect if ``request`` is one (the connection is then held for :meth:`answer`); anything else is
        answered at once and the wait goes on."""
        if request is None:
            _reply(sock, _page(400, self._title, "Bad request", ""))
            return None
        if request.path != self._redirect.path:
            _reply(sock, _page(404, self._title, "Not found", ""))
            return None
        if request.method != "GET":
            _reply(sock, _page(405, self._title, "Method not allowed", ""), allow="GET")
            return None
        try:
            redirect = redirect_of(request.query)
        except ServiceError as error:
            _reply(sock, _page(400, self._title, "Sign-in failed", error.message))
            raise
        self._close_listeners()  # one-shot: nothing else is received from here on
        self._received = True
        self._held = sock
        return redirect

    def _forget(
        self,
        selector: selectors.BaseSelector,
        clients: dict[socket.socket, _Client],
        sock: socket.socket,
        reply: bytes | None = None,
    ) -> None:
        selector.unregister(sock)
        del clients[sock]
        if reply is not None:
            _reply(sock, reply)
        else:
            _close(sock)

    def _drop_idle(self, selector: selectors.BaseSelector, clients: dict[socket.socket, _Client]) -> None:
        now = time.monotonic()
        for sock in [s for s, c in clients.items() if now - c.since > IDLE]:
            self._forget(selector, clients, sock)

    def answer(self, ok: bool, message: str) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        heading = "Signed in" if ok else "Sign-in failed"
        _reply(held, _page(200 if ok else 400, self._title, heading, message))

    def close(self) -> None:
        if self._held is not None:
            self.answer(False, "The sign-in did not complete: see the terminal.")
        self._close_listeners()

    def _close_listeners(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            _close(listener)

    def __enter__(self) -> LoopbackListener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _exclusive(listener: socket.socket, family: socket.AddressFamily) -> None:
    """No other program may share the port: Windows' SO_EXCLUSIVEADDRUSE; elsewhere SO_REUSEADDR, which lets a
    second run bind while the first run's closed connections linger (TIME_WAIT) but never beside a listener."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
    else:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)


def _request_line(head: bytes) -> _Request | None:
    """Method, path and query of a request head, or None when it is not HTTP/1.x."""
    line = head.split(b"\r\n", 1)[0]
    try:
        method, target, version = line.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        return None
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        return None
    path, _, query = target.partition("?")
    path = path.split("#", 1)[0]
    return _Request(method, path, query)


def _page(status: int, title: str, heading: str, message: str) -> bytes:
    """A short page with nothing to load and nothing to leak: no scripts, links or images (the address holds
    the code, so no Referer may carry it anywhere), not cached."""
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Too Large"}
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(heading)}</h1>"
        f"<p>{html.escape(clean(message, 500))}</p></body></html>\n"
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reasons.get(status, 'Error')}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "Content-Security-Policy: default-src 'none'\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + body


def _reply(sock: socket.socket, page: bytes, *, allow: str | None = None) -> None:
    if allow is not None:
        page = page.replace(b"\r\n", f"\r\nAllow: {allow}\r\n".encode(), 1)
    try:
        sock.setblocking(True)
        sock.settimeout(SEND_TIMEOUT)
        sock.sendall(page)
        with suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
    except OSError as error:
        log.debug("The browser's connection closed before the page was sent: %s", error.strerror)
    finally:
        _close(sock)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.close()


# --- pasted ----------------------------------------------------------------------------------------------------


class PastedRedirect(RedirectReceiver):
    """``--no-browser``: the address the browser ended on (or only its code), as the user pastes it."""

    def __init__(self, read: Callable[[], str], redirect_uri: str) -> None:
        self._read = read
        self._redirect = loopback_redirect(redirect_uri)

    def start(self) -> None:
        return None

    def receive(self, timeout: float, cancel: Cancellation | None = None) -> Redirect:
        text = self._read().strip()
        if not text:
            raise InvalidInput("Nothing was pasted: paste the address the browser ended on, or its code.")
        if len(text) > MAX_PASTE:
            raise InvalidInput(f"What was pasted is longer than {MAX_PASTE // 1024} KiB: it is no redirect address.")
        if "://" not in text and "?" not in text and "=" not in text:
            if len(text) > MAX_CODE or not _CODE.fullmatch(text):
                raise InvalidInput("What was pasted is neither the redirect address nor a code.")
            return Redirect(code=Secret(text), complete=False)
        return self._from_address(text)

    def _from_address(self, text: str) -> Redirect:
        try:
            parts = urlsplit(text if "://" in text or text.startswith("?") else f"?{text}")
            port = parts.port
        except ValueError:
            raise InvalidInput(
                "What was pasted is not an address: paste the whole address, or only its code."
            ) from None
        expected = self._redirect
        if parts.scheme and (
            (parts.hostname or "").lower() != expected.host or port != expected.port or parts.path != expected.path
        ):
            raise InvalidInput(
                f"The address pasted is not the redirect URI {expected.uri}: paste the address the browser ended on "
                "after signing in (it starts with the redirect URI), or only its code."
            )
        return redirect_of(parts.query)

    def answer(self, ok: bool, message: str) -> None:
        return None

    def close(self) -> None:
        return None
