"""The JSON-RPC server in process, for what a subprocess cannot show at will: a request cancelled before it
started, an id reused while in flight, a handler that fails unexpectedly, a client that stops reading; and the
pieces (line splitting, parameter binding, the JSON shapes) on their own."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import NotAuthorized
from aws_client_auth.domain.events import Event, OperationFailed
from aws_client_auth.domain.secret import MASK, Secret
from aws_client_auth.domain.sign_in import CodeDelivery, DeviceAuthorization
from aws_client_auth.domain.tokens import ProviderName, Tokens
from aws_client_auth.entrypoints.rpc import protocol as p
from aws_client_auth.entrypoints.rpc.binding import bind, describe, parameters
from aws_client_auth.entrypoints.rpc.logs import log_to_stderr
from aws_client_auth.entrypoints.rpc.methods import METHODS, Method
from aws_client_auth.entrypoints.rpc.results import domain_error, event_data, payload, pending_data, tokens_shown
from aws_client_auth.entrypoints.rpc.server import Options, Server, split_lines

Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CodesSent(Event):
    """An event of the kind the domain may add: tuples of values, and (by mistake) a secret."""

    names: tuple[str, ...]
    deliveries: tuple[CodeDelivery, ...]
    key: Secret


class Pipe:
    """Both ends of the server's pipes, in process: lines in, messages out."""

    def __init__(self) -> None:
        self.incoming: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.out: list[Message] = []
        self.broken = False

    async def lines(self) -> AsyncIterator[bytes]:
        while (line := await self.incoming.get()) is not None:
            yield line

    def write(self, data: bytes) -> None:
        if self.broken:
            raise BrokenPipeError
        assert data.endswith(b"\n")
        assert data.count(b"\n") == 1
        self.out.append(json.loads(data))

    def send(self, method: str, request_id: object = None, **params: Any) -> None:
        message: Message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request_id is not None:
            message["id"] = request_id
        self.incoming.put_nowait(json.dumps(message).encode() + b"\n")

    def answer(self, request_id: object) -> Message:
        (found,) = [m for m in self.out if m.get("id") == request_id and "method" not in m]
        return found

    async def until(self, request_id: object) -> Message:
        async with asyncio.timeout(10):
            while not any(m.get("id") == request_id for m in self.out):
                await asyncio.sleep(0.01)
        return self.answer(request_id)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENT_AUTH_HOME", str(tmp_path))
    monkeypatch.delenv("CLIENT_AUTH_PROFILE", raising=False)


@pytest.fixture
def extra_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep_long(auth: object, *, seconds: float = 100) -> str:
        await asyncio.sleep(seconds)
        return "slept"

    async def broken(auth: object) -> None:
        raise RuntimeError("a bug, with a Secret-looking value in it")

    async def refused(auth: object) -> None:
        raise NotAuthorized("Incorrect username or password.\x1b[2J", service_code="NotAuthorizedException")

    monkeypatch.setitem(METHODS, "sleep_long", Method(sleep_long, waits=True))
    monkeypatch.setitem(METHODS, "sleep_short", Method(sleep_long))
    monkeypatch.setitem(METHODS, "broken", Method(broken))
    monkeypatch.setitem(METHODS, "refused", Method(refused))


async def serving(pipe: Pipe, options: Options | None = None) -> asyncio.Task[None]:
    return asyncio.create_task(Server(pipe.write, options or Options()).run(pipe.lines()))


@pytest.mark.usefixtures("extra_methods")
def test_cancel_reused_ids_failures_and_notifications() -> None:
    async def scenario() -> Pipe:
        pipe = Pipe()
        server = await serving(pipe)
        pipe.send("sleep_long", "a")
        pipe.send("cancel", "c0", id="a")  # read in the same turn: the wait never started
        assert (await pipe.until("c0"))["result"] == {"cancelled": True}
        assert (await pipe.until("a"))["error"]["code"] == p.REQUEST_CANCELLED

        pipe.send("sleep_short", "b", seconds=0.2)
        pipe.send("sleep_short", "b", seconds=0.2)
        pipe.send("cancel", "c1", id="b")
        assert (await pipe.until("c1"))["result"] == {"cancelled": False}  # not a wait: answered as usual
        await asyncio.sleep(0.4)
        answers = [m for m in pipe.out if m.get("id") == "b"]
        assert [a.get("error", {}).get("code") for a in answers] == [p.INVALID_REQUEST, None]
        assert answers[1]["result"] == "slept"

        pipe.send("broken", "d")
        internal = (await pipe.until("d"))["error"]
        assert internal == {
            "code": p.INTERNAL_ERROR,
            "message": "Internal error: see the server's log.",
            "data": {"type": "RuntimeError"},
        }
        pipe.send("refused", "e")
        refused = (await pipe.until("e"))["error"]
        assert refused["code"] == p.CLIENT_AUTH_ERROR
        assert refused["data"] == {
            "type": "NotAuthorized",
            "code": "not_authorized",
            "message": "Incorrect username or password. (NotAuthorizedException)",
        }
        count = len(pipe.out)
        pipe.send("broken")
        pipe.send("refused")
        pipe.send("sleep_short", seconds="x")
        pipe.send("no_such_method")
        pipe.send("status", "f")
        await pipe.until("f")
        assert len(pipe.out) == count + 1  # notifications get no answer, not even an error

        pipe.send("sleep_long", "g")
        pipe.incoming.put_nowait(None)  # end of input: the wait is cancelled, the server ends
        await asyncio.wait_for(server, 10)
        assert pipe.answer("g")["error"]["code"] == p.REQUEST_CANCELLED
        return pipe

    asyncio.run(scenario())


def test_initialize_reports_configuration_errors_and_keeps_serving(tmp_path: Path) -> None:
    async def scenario() -> Pipe:
        pipe = Pipe()
        server = await serving(pipe, Options(config=(str(tmp_path / "missing.toml"),)))
        pipe.send("status", 1)
        assert (await pipe.until(1))["error"]["data"]["type"] == "ConfigurationError"
        pipe.send("initialize", 2, config=[str(tmp_path / "other-missing.toml")])
        assert (await pipe.until(2))["error"]["data"]["code"] == "configuration_error"
        settings = tmp_path / "settings.toml"
        settings.write_text('[storage]\nbackend = "memory"\n')
        pipe.send("initialize", 3, config=[str(settings)], profile="tools")
        hello = (await pipe.until(3))["result"]
        assert hello["profile"] == "tools"
        assert hello["server"]["name"] == "aws-client-auth"
        assert "get_credentials" in hello["methods"]
        pipe.send("status", 4)
        assert (await pipe.until(4))["result"]["profile"] == "tools"
        pipe.send("initialize", 6, config=[str(settings)])
        assert (await pipe.until(6))["result"]["profile"] == "default"
        pipe.send("shutdown", 5)
        await asyncio.wait_for(server, 10)
        assert pipe.out[-1] == {"jsonrpc": "2.0", "id": 5, "result": None}
        return pipe

    asyncio.run(scenario())


@pytest.mark.usefixtures("extra_methods")
def test_a_client_that_stops_reading_ends_the_server() -> None:
    async def scenario() -> None:
        pipe = Pipe()
        server = await serving(pipe)
        pipe.send("sleep_long", 1)
        pipe.broken = True
        pipe.incoming.put_nowait(b"nothing here\n")  # a parse error to answer, on a closed pipe
        await asyncio.wait_for(server, 10)

    asyncio.run(scenario())


def test_lines_are_split_across_chunks_and_overlong_ones_skipped() -> None:
    big = b"x" * (p.MAX_LINE + 5)
    chunks = [b'{"a"', b": 1}\n{", b'"b": 2}\n', big[:1000], big[1000:], b"\nafter\n", b"tail"]
    lines = list(split_lines(chunks))
    assert lines[:2] == [b'{"a": 1}\n', b'{"b": 2}\n']
    assert len(lines[2]) == p.MAX_LINE + 1
    assert lines[3:] == [b"after\n", b"tail"]
    assert list(split_lines([big, b"\n"])) == [big[: p.MAX_LINE + 1]]


def test_parameters_are_checked_against_the_handler() -> None:
    async def handler(
        auth: object,
        *,
        name: str,
        wait: bool = True,
        timeout: float | None = None,
        paths: list[str] | None = None,
        count: int = 1,
    ) -> None: ...

    assert bind(handler, {"name": "x", "timeout": 3}) == {"name": "x", "timeout": 3}
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "missing parameter(s) name"),
        ({"name": "x", "zzz\x1b[2J": 1}, "unknown parameter(s) zzz"),
        ({"name": "x", "wait": 1}, "wait must be true or false"),
        ({"name": "x", "timeout": True}, "timeout must be a number or null"),
        ({"name": "x", "paths": ["a", 1]}, "paths must be a list of strings or null"),
        ({"name": "x", "count": 1.5}, "count must be an integer"),
    ]
    for params, message in cases:
        with pytest.raises(p.RpcError) as caught:
            bind(handler, params)
        assert caught.value.code == p.INVALID_PARAMS
        assert message in caught.value.message
    assert describe(dict) == "dict"


def test_shapes_mask_every_secret_but_the_ones_shown_on_purpose() -> None:
    access, refresh = Secret("access-7f3a-token"), Secret("refresh-7f3a-token")
    tokens = Tokens(ProviderName("cognito"), access, datetime(2030, 1, 1, tzinfo=UTC), refresh_token=refresh)
    shown = payload(tokens_shown(tokens))
    assert shown["access_token"] == "access-7f3a-token"
    assert shown["id_token"] is None
    assert "refresh-7f3a-token" not in json.dumps(shown)
    assert payload({"echo": "the server said refresh-7f3a-token"}) == {"echo": f"the server said {MASK}"}

    failed = OperationFailed("sign_in", "not_authorized", "no access-7f3a-token\nSigned in", ProviderName("cognito"))
    assert event_data(failed)["message"] == f"no {MASK} Signed in"
    sent = CodesSent(("email",), (CodeDelivery("EMAIL", "a***@e.com"),), Secret("leaky-7f3a"))
    assert event_data(sent) == {
        "type": "CodesSent",
        "names": ["email"],
        "deliveries": [{"medium": "EMAIL", "destination": "a***@e.com"}],
        "key": MASK,
    }
    error = domain_error(NotAuthorized("bad access-7f3a-token"), 4)
    assert error.request_id == 4
    assert error.data == {"type": "NotAuthorized", "code": "not_authorized", "message": f"bad {MASK}"}

    code = DeviceAuthorization(
        ProviderName("lwa"), "WDJB", "https://amazon.com/code", datetime(2030, 1, 1, tzinfo=UTC), Secret("dc-7f3a")
    )
    pending = pending_data(code)
    assert pending is not None
    assert "dc-7f3a" not in json.dumps(payload(pending))
    assert pending_data(None) is None


def test_logs_are_one_redacted_line_each_on_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("aws_client_auth")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    secret = Secret("log-7f3a-secret").reveal()
    try:
        log_to_stderr(logging.INFO)
        logging.getLogger("aws_client_auth.rpc.test").info("echo %s\nERROR forged line", secret)
        try:
            raise ValueError(f"boom {secret}")
        except ValueError:
            logging.getLogger("aws_client_auth.rpc.test").exception("failed")
    finally:
        logger.handlers, logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert secret not in captured.err
    assert f"INFO aws_client_auth.rpc.test: echo {MASK} ERROR forged line\n" in captured.err
    assert "Traceback (most recent call last)" in captured.err


def test_the_protocol_page_documents_every_method_and_parameter() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "json-rpc.md").read_text()
    sections = dict(re.findall(r"^### `(\w+)`[^\n]*\n(.*?)(?=^### |^## )", page, re.MULTILINE | re.DOTALL))
    server = Server(lambda data: None)
    handlers = {name: method.handler for name, method in METHODS.items()}
    handlers |= {"initialize": server.initialize, "cancel": server.cancel, "shutdown": server.shutdown}
    assert set(sections) == set(handlers)
    for name, handler in handlers.items():
        for parameter in parameters(handler):
            assert f"`{parameter}`" in sections[name], f"{name}: {parameter} is not documented"


def test_the_shapes_are_the_clis() -> None:
    """Both faces build their results from entrypoints/shapes.py; what each adds on top (the secrets shown on
    purpose, credentials) must still give the same JSON."""
    from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, MfaSetup, SignedIn
    from aws_client_auth.domain.user import MfaType
    from aws_client_auth.entrypoints.cli import output
    from aws_client_auth.entrypoints.rpc.results import challenge_shown, credentials_shown, step_data
    from aws_client_auth.entrypoints.shapes import device_data

    moment = datetime(2030, 1, 1, 12, tzinfo=UTC)
    tokens = Tokens(ProviderName("cognito"), Secret("access-shape-token"), moment, username="alice")
    assert step_data(SignedIn(tokens)).data == {"status": "signed_in", **output.tokens_data(tokens)}
    setup = MfaSetup(Secret("SHAPESECRET234"), Secret("otpauth://totp/x?secret=SHAPESECRET234"))
    for kind in ChallengeKind:
        for extras in (
            {},
            {"delivery": CodeDelivery("SMS", "+*******0100")},
            {"options": (MfaType.SMS, MfaType.TOTP)},
            {"mfa_setup": setup},
        ):
            challenge = Challenge(ProviderName("cognito"), kind, "alice", Secret("session-shape"), **extras)
            shown = challenge_shown(challenge)
            assert shown.data == output.challenge_data(challenge), kind
            assert set(shown.revealed) == {secret.reveal() for secret in output.challenge_secrets(challenge)}
    code = DeviceAuthorization(
        ProviderName("lwa"), "WDJB", "https://amazon.com/code", moment, Secret("dc-shape"), 5, "https://a.co/c?x=1"
    )
    assert device_data(code) == output.device_data(code)
    credentials = Credentials("ASIASHAPE", Secret("secret-shape"), Secret("session-token-shape"), moment, "id-1", True)
    assert credentials_shown(credentials).data == output.credentials_data(credentials)
