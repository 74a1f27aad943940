"""The JSON-RPC server: each request a task on one event loop, the facade's blocking calls in its thread pool.

A request that waits for a person (``complete_device_sign_in``) does not hold up the ones after it; ``cancel``
stops such a wait, and ``shutdown`` or the end of input stop every wait, answer the other requests in flight,
then end the server. Domain events go out as ``event`` notifications from the moment a facade exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import Event
from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.rpc import protocol as p
from aws_client_auth.entrypoints.rpc.binding import bind
from aws_client_auth.entrypoints.rpc.methods import METHODS, Method
from aws_client_auth.entrypoints.rpc.results import domain_error, event_data, one_line, payload

log = logging.getLogger(__name__)
PROTOCOL_VERSION = 1


@dataclass(frozen=True, slots=True)
class Options:
    """Where the facade's settings come from: ``initialize`` replaces the defaults given on the command line."""

    config: tuple[str, ...] = ()
    profile: str | None = None
    o3de_project: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    id: p.RequestId | None
    waits: bool


class Server:
    def __init__(
        self, write: Callable[[bytes], None], options: Options = Options(), *, auth: AsyncClientAuth | None = None
    ) -> None:
        """``auth``: the facade to serve until ``initialize`` names settings (a host that builds its own, a test
        on the fakes); by default one is built from ``options`` when the first request needs it."""
        self._write = write
        self._options = options
        self._given = auth
        self._auth: AsyncClientAuth | None = None
        self._building = asyncio.Lock()
        self._unsubscribe: Callable[[], None] | None = None
        self._calls: dict[asyncio.Task[None], Call] = {}
        self._stop = asyncio.Event()
        self._output_open = True
        self._specials: dict[str, Callable[..., Any]] = {
            "initialize": self.initialize,
            "cancel": self.cancel,
            "shutdown": self.shutdown,
        }

    async def run(self, lines: AsyncIterator[bytes]) -> None:
        """Serve until ``shutdown``, the end of ``lines`` or a closed output."""
        reading = asyncio.create_task(self._read(lines))
        await self._stop.wait()
        reading.cancel()
        await self._finish()
        if self._unsubscribe is not None:
            self._unsubscribe()

    async def _read(self, lines: AsyncIterator[bytes]) -> None:
        async for line in lines:
            self.receive(line)
        self._stop.set()

    # --- messages in and out ---------------------------------------------------------------------------
    def receive(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            if len(line) > p.MAX_LINE:
                raise p.RpcError(p.INVALID_REQUEST, f"Invalid Request: a message is at most {p.MAX_LINE} bytes.")
            request = p.parse(line)
        except p.RpcError as error:
            self.send(p.error_response(error))
            return
        if request.id is not None and any(call.id == request.id for call in self._calls.values()):
            message = "Invalid Request: a request with this id is still in progress."
            self.send(p.error_response(p.RpcError(p.INVALID_REQUEST, message, request_id=request.id)))
            return
        method = METHODS.get(request.method)
        task = asyncio.create_task(self._answer(request))
        self._calls[task] = Call(request.id, waits=method is not None and method.waits)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        call = self._calls.pop(task)
        if task.cancelled() and call.id is not None:
            self.send(p.error_response(p.RpcError(p.REQUEST_CANCELLED, "Request cancelled.", request_id=call.id)))

    def send(self, message: dict[str, Any]) -> None:
        if not self._output_open:
            return
        try:
            self._write(p.encode(message))
        except (OSError, ValueError):  # the client closed our output: nobody is listening any more
            log.info("Standard output is closed; ending the server")
            self._output_open = False
            self._stop.set()

    def _on_event(self, event: Event) -> None:
        self.send(p.notification("event", event_data(event)))

    # --- requests ----------------------------------------------------------------------------------------
    async def _answer(self, request: p.Request) -> None:
        try:
            result = payload(await self._dispatch(request))
        except p.RpcError as rpc_error:
            error = rpc_error
            error.request_id = request.id
        except ClientAuthError as failure:
            error = domain_error(failure, request.id)
        except Exception as unexpected:
            log.exception("%s failed unexpectedly", one_line(request.method))
            data = {"type": type(unexpected).__name__}
            error = p.RpcError(p.INTERNAL_ERROR, "Internal error: see the server's log.", data, request_id=request.id)
        else:
            if not request.is_notification:
                self.send(p.response(request.id, result))
            return
        if not request.is_notification:
            self.send(p.error_response(error))

    async def _dispatch(self, request: p.Request) -> Any:
        special = self._specials.get(request.method)
        if special is not None:
            return await special(**bind(special, request.params))
        method: Method | None = METHODS.get(request.method)
        if method is None:
            raise p.RpcError(p.METHOD_NOT_FOUND, one_line(f"Method not found: {request.method[:100]}"))
        params = bind(method.handler, request.params)
        return await method.handler(await self._facade(), **params)

    async def _facade(self) -> AsyncClientAuth:
        async with self._building:
            return self._auth or self._use(self._given or await self._build(self._options))

    @staticmethod
    async def _build(options: Options) -> AsyncClientAuth:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None,
            lambda: AsyncClientAuth.from_config(
                *options.config, profile=options.profile, o3de_project=options.o3de_project
            ),
        )

    def _use(self, auth: AsyncClientAuth) -> AsyncClientAuth:
        """Serve with ``auth`` from now on, its events as notifications (subscribed from the loop: sent on it)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._auth = auth
        self._unsubscribe = auth.subscribe(Event, self._on_event)
        return auth

    # --- the protocol's own methods ------------------------------------------------------------------------
    async def initialize(
        self, *, config: list[str] | None = None, profile: str | None = None, o3de_project: str | None = None
    ) -> dict[str, Any]:
        """Settings files, profile and O3DE project for the requests that follow (requests in flight keep
        theirs); without it, the server's command-line options and the environment apply."""
        options = Options(tuple(config or ()), profile, o3de_project)
        async with self._building:
            auth = self._use(await self._build(options))
            self._options = options
        status = await auth.status()
        return {
            "server": {"name": "aws-client-auth", "version": _version(), "protocol": PROTOCOL_VERSION},
            "profile": status.profile,
            "methods": sorted([*METHODS, *self._specials]),
        }

    async def cancel(self, *, id: p.RequestId) -> dict[str, bool]:
        """Stop a request that waits (it answers with the Request cancelled error); other requests are single
        service calls that cannot be stopped half-way: they are answered as usual, and this says false."""
        for task, call in self._calls.items():
            if call.id == id and call.waits and not task.done():
                task.cancel()
                return {"cancelled": True}
        return {"cancelled": False}

    async def shutdown(self) -> None:
        """Stop every wait, answer the other requests in flight, then answer this and end."""
        await self._finish()
        # Runs after this answer is written: _answer sends it before it next yields to the loop.
        asyncio.get_running_loop().call_soon(self._stop.set)

    async def _finish(self) -> None:
        current = asyncio.current_task()
        others = {task: call for task, call in self._calls.items() if task is not current}
        for task, call in others.items():
            if call.waits:
                task.cancel()
        if others:
            await asyncio.wait(others)


def _version() -> str:
    try:
        return version("aws-client-auth")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree that was never installed
        return "0"


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines of a byte stream read in chunks; a line longer than :data:`protocol.MAX_LINE` comes as its first
    ``MAX_LINE + 1`` bytes, and the rest of it is skipped, so that memory stays bounded whatever is sent."""
    pending = bytearray()
    skipping = False
    for chunk in chunks:
        pending += chunk
        while (end := pending.find(b"\n")) >= 0:
            line = bytes(pending[: end + 1])
            del pending[: end + 1]
            if not skipping:
                yield line
            skipping = False
        if len(pending) > p.MAX_LINE:
            if not skipping:
                yield bytes(pending[: p.MAX_LINE + 1])
            skipping = True
            pending.clear()
    if pending and not skipping:
        yield bytes(pending)


async def read_lines(fd: int) -> AsyncIterator[bytes]:
    """Lines of a file descriptor, read by a daemon thread: standard input cannot be read without blocking on
    every platform. ``os.read`` holds no lock of Python's, so the thread never delays the interpreter's exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    def pump() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server ended first
            try:
                for line in split_lines(iter(functools.partial(os.read, fd, 64 * 1024), b"")):
                    loop.call_soon_threadsafe(queue.put_nowait, line)
            except OSError:
                log.info("Standard input failed; ending the server")
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="client-auth-rpc-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


def serve_stdio(options: Options = Options()) -> None:
    """Serve JSON-RPC on standard input and output until ``shutdown`` or the end of input.

    Standard output carries protocol messages only: the protocol keeps a copy of its file descriptor, and the
    descriptor itself (and ``sys.stdout``) then lead to standard error, so that nothing else printed, by a
    plugin or a library, can corrupt the stream.
    """
    sys.stdout.flush()
    output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def write(data: bytes) -> None:
        output.write(data)
        output.flush()

    async def main() -> None:
        await Server(write, options).run(read_lines(sys.stdin.fileno()))

    with output:
        asyncio.run(main())
