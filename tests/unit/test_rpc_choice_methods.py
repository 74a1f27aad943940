"""Issue 15 through the JSON-RPC server, in process on the shipped fakes: choice-based sign-in, one-time codes,
passkeys, custom challenges, confirm-sign-up with sign-in and client metadata, with their parameters checked as
the server checks every method's, and no secret in a message or a log line. Each request goes through the whole
server (binding, dispatch, the result filter), as a client's line would."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth import testing
from aws_client_auth.domain.secret import MASK
from aws_client_auth.domain.sign_in import AuthFactor, ChallengeKind
from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.rpc import protocol as p
from aws_client_auth.entrypoints.rpc.logs import log_to_stderr
from aws_client_auth.entrypoints.rpc.methods import METHODS
from aws_client_auth.entrypoints.rpc.server import Server

PASSWORD = "Passw0rd!-choice"
PAGE = Path(__file__).resolve().parents[2] / "docs" / "json-rpc.md"
Message = dict[str, Any]


class Client:
    """A client of a server running on the fakes: each call is one request line, answered in turn."""

    def __init__(self, world: testing.FakeWorld) -> None:
        self.world = world
        self.out: list[Message] = []
        self.lines: list[bytes] = []
        self._ids = iter(range(1, 1_000_000))

    def write(self, data: bytes) -> None:
        self.lines.append(data)
        self.out.append(json.loads(data))

    def request(self, method: str, **params: Any) -> Message:
        """The server's answer to one request: ``{"result": ...}`` or ``{"error": ...}``."""
        request_id = next(self._ids)
        line = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode()

        async def one() -> None:
            async def lines() -> AsyncIterator[bytes]:
                yield line + b"\n"

            auth = AsyncClientAuth.from_container(self.world.auth.container)
            await Server(self.write, auth=auth).run(lines())

        asyncio.run(one())
        (answer,) = [m for m in self.out if m.get("id") == request_id and "method" not in m]
        return answer

    def call(self, method: str, **params: Any) -> Any:
        answer = self.request(method, **params)
        assert "error" not in answer, answer
        return answer["result"]

    def error(self, method: str, **params: Any) -> Message:
        answer = self.request(method, **params)
        assert "result" not in answer, answer
        return answer["error"]  # type: ignore[no-any-return]

    @property
    def written(self) -> str:
        """Everything the server wrote: answers and event notifications."""
        return b"".join(self.lines).decode()


@pytest.fixture
def world() -> testing.FakeWorld:
    world = testing.fake_world({"alice": PASSWORD})
    world.pool.users["alice"].email = "alice@example.com"
    return world


@pytest.fixture
def client(world: testing.FakeWorld) -> Client:
    return Client(world)


@contextlib.contextmanager
def debug_log_on_stderr() -> Iterator[None]:
    """The server's log on standard error at debug level, as ``serve --stdio --debug`` writes it (entered inside
    the test, where capsys has replaced standard error)."""
    logger = logging.getLogger("aws_client_auth")
    saved = (logger.handlers, logger.level, logger.propagate)
    log_to_stderr(logging.DEBUG)
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved[0], saved[2]
        logger.setLevel(saved[1])


# --- choice-based sign-in ------------------------------------------------------------------------------------


def test_without_password_or_factor_the_user_chooses_among_the_offered_factors(client: Client) -> None:
    step = client.call("sign_in", username="alice")
    assert step["challenge"] == ChallengeKind.SELECT_FACTOR.value
    assert step["factors"] == [AuthFactor.PASSWORD.value, AuthFactor.EMAIL_OTP.value]
    assert client.call("pending") == step

    code_step = client.call("confirm_sign_in", answer="email-otp")
    assert code_step["challenge"] == ChallengeKind.EMAIL_CODE.value
    assert code_step["delivery"]["medium"] == "EMAIL"
    assert "alice@example.com" not in client.written  # the destination is masked
    done = client.call("confirm_sign_in", answer=client.world.pool.last_code("alice"))
    assert done["status"] == "signed_in"
    assert done["username"] == "alice"


def test_a_factor_named_as_an_answer_is_not_masked_in_later_results(client: Client) -> None:
    """Choosing ``password`` must not make the word a secret: the next step is the ``password`` challenge."""
    client.call("sign_in", username="alice")
    step = client.call("confirm_sign_in", answer="password")
    assert step["challenge"] == "password"
    assert step["prompt"] == ChallengeKind.PASSWORD.prompt
    assert client.call("confirm_sign_in", answer=PASSWORD)["status"] == "signed_in"
    assert client.call("auth_factors") == {"factors": ["password", "email-otp"]}
    assert PASSWORD not in client.written


def test_a_chosen_factor_starts_there_and_a_wrong_choice_is_refused(client: Client) -> None:
    client.world.pool.users["alice"].phone = "+14155550100"
    step = client.call("sign_in", username="alice", factor="sms-otp")
    assert step["challenge"] == ChallengeKind.SMS_OTP.value
    assert step["delivery"]["medium"] == "SMS"
    sent = client.world.pool.sent[-1]
    assert (sent.username, sent.medium) == ("alice", "SMS")
    assert client.call("confirm_sign_in", answer=sent.code)["status"] == "signed_in"

    client.call("sign_out")
    assert client.call("sign_in", username="alice", factor="password", password=PASSWORD)["status"] == "signed_in"
    refused = client.error("sign_in", username="alice", factor="email-otp", password=PASSWORD)
    assert refused["code"] == p.CLIENT_AUTH_ERROR
    assert refused["data"]["type"] == "InvalidInput"
    assert client.error("sign_in", username="alice", factor="carrier-pigeon")["data"]["type"] == "InvalidInput"
    assert client.error("sign_in", username="alice", factor="passkey", custom=True)["data"]["type"] == "InvalidInput"
    assert PASSWORD not in client.written


# --- passkeys -----------------------------------------------------------------------------------------------


def test_passkeys_are_registered_listed_used_and_deleted(client: Client) -> None:
    world = client.world
    client.call("sign_in", username="alice", password=PASSWORD)
    registered = client.call("register_passkey")
    assert registered["registered"] is True
    credential_id = registered["credential_id"]
    assert credential_id in world.authenticator.credentials
    (listed,) = client.call("list_passkeys")["passkeys"]
    assert listed["credential_id"] == credential_id
    assert listed["relying_party"] == testing.FakeUserPool.RP_ID
    assert set(listed) == {"credential_id", "name", "relying_party", "created_at", "attachment", "transports"}
    assert "passkey" in client.call("auth_factors")["factors"]

    client.call("sign_out")
    signed_in = client.call("sign_in", username="alice", factor="passkey")
    assert signed_in["status"] == "signed_in"
    assert world.authenticator.assertions == 1

    assert client.call("delete_passkey", credential_id=credential_id) == {"deleted": credential_id}
    assert client.call("list_passkeys") == {"passkeys": []}
    events = [m["params"]["type"] for m in client.out if m.get("method") == "event"]
    assert "PasskeyRegistered" in events
    assert "PasskeyDeleted" in events


def test_a_passkey_challenge_kept_after_a_missing_key_is_answered_with_an_empty_answer(client: Client) -> None:
    world = client.world
    client.call("sign_in", username="alice", password=PASSWORD)
    client.call("register_passkey")
    client.call("sign_out")
    world.authenticator.present = False
    failed = client.error("sign_in", username="alice", factor="passkey")
    assert failed["data"]["type"] == "NoAuthenticator"
    kept = client.call("pending")
    assert kept["challenge"] == ChallengeKind.PASSKEY.value
    assert client.error("confirm_sign_in", answer="123456")["data"]["type"] == "InvalidInput"  # nothing is typed

    world.authenticator.present = True
    assert client.call("confirm_sign_in")["status"] == "signed_in"  # the answer defaults to ""


# --- custom challenges ----------------------------------------------------------------------------------------


def test_custom_rounds_show_their_parameters_and_the_answers_stay_secret(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    with debug_log_on_stderr():
        custom_rounds(client)
    log = capsys.readouterr().err
    assert "SignInFailed" in log  # the log was written
    for secret in client.world.pool.custom_received:
        assert secret not in client.written
        assert secret not in log


def custom_rounds(client: Client) -> None:
    answers = ["ticket-one-4471", "ticket-two-8823"]
    client.world.pool.custom_answers = list(answers)
    step = client.call("sign_in", username="alice", custom=True)
    assert step["challenge"] == ChallengeKind.CUSTOM.value
    assert step["parameters"] == {"round": "1", "rounds": "2"}

    wrong = "wrong-ticket-5512"
    refused = client.error("confirm_sign_in", answer=wrong)
    assert refused["code"] == p.CLIENT_AUTH_ERROR
    assert client.call("pending")["parameters"] == {"round": "1", "rounds": "2"}  # kept for another try
    second = client.call("confirm_sign_in", answer=answers[0])
    assert second["parameters"] == {"round": "2", "rounds": "2"}
    assert client.call("confirm_sign_in", answer=answers[1])["status"] == "signed_in"
    assert client.world.pool.custom_received == [wrong, *answers]


# --- confirm sign-up, client metadata --------------------------------------------------------------------------


def test_confirm_sign_up_signs_in_with_sign_in_and_only_confirms_without(client: Client) -> None:
    client.call("sign_up", username="bob", password=PASSWORD, email="bob@example.com")
    step = client.call("confirm_sign_up", username="bob", code=testing.FakeUserPool.CODE, sign_in=True)
    assert step["status"] == "signed_in"
    assert step["username"] == "bob"
    assert client.call("status")["providers"][0]["username"] == "bob"

    client.call("sign_up", username="carol", password=PASSWORD, email="carol@example.com")
    confirmed = client.call("confirm_sign_up", username="carol", code=testing.FakeUserPool.CODE)
    assert confirmed == {"username": "carol", "confirmed": True}
    assert client.call("status")["providers"][0]["username"] == "bob"  # not signed in as carol


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("sign_up", {"username": "dave", "password": PASSWORD, "email": "dave@example.com"}),
        ("confirm_sign_up", {"username": "erin", "code": testing.FakeUserPool.CODE}),
        ("confirm_sign_up", {"username": "erin", "code": testing.FakeUserPool.CODE, "sign_in": True}),
        ("forgot_password", {"username": "alice"}),
        (
            "confirm_forgot_password",
            {"username": "alice", "code": testing.FakeUserPool.CODE, "new_password": "N3w-pw!x"},
        ),
        ("sign_in", {"username": "alice", "password": PASSWORD}),
        ("sign_in", {"username": "alice", "custom": True}),
        ("update_attributes", {"values": {"given_name": "Alice"}}),
    ],
)
def test_client_metadata_goes_with_the_call(client: Client, method: str, params: dict[str, Any]) -> None:
    pool = client.world.pool
    pool.add_user("erin", PASSWORD, confirmed=False)
    if method == "update_attributes":
        client.call("sign_in", username="alice", password=PASSWORD)
    pool.custom_answers = ["round-answer"]
    before = len(pool.client_metadata)
    client.call(method, **params, client_metadata={"store": "steam", "build": "1.2.3"})
    carried = pool.client_metadata[before:]
    assert carried
    assert all(pairs == {"store": "steam", "build": "1.2.3"} for pairs in carried)
    if method == "sign_in" and params.get("custom"):
        before = len(pool.client_metadata)
        client.call("confirm_sign_in", answer="round-answer", client_metadata={"round": "1"})
        assert pool.client_metadata[before:] == [{"round": "1"}]


# --- parameters -----------------------------------------------------------------------------------------------


def test_parameters_are_checked_and_no_value_is_echoed(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "Hunter2-never-echoed"
    with debug_log_on_stderr():
        refusals(client, secret)
    log = capsys.readouterr().err
    assert "SignInFailed" in log  # the log was written
    assert secret not in client.written
    assert secret not in log


def refusals(client: Client, secret: str) -> None:

    def invalid(method: str, **params: Any) -> str:
        error = client.error(method, **params)
        assert error["code"] == p.INVALID_PARAMS, error
        return error["message"]  # type: ignore[no-any-return]

    assert invalid("sign_in", username="alice", password=secret, factor=7) == (
        "Invalid params: factor must be a string or null."
    )
    assert invalid("sign_in", username="alice", password=secret, custom="yes") == (
        "Invalid params: custom must be true or false."
    )
    assert invalid("sign_in", username="alice", password=secret, answer=secret) == (
        "Invalid params: unknown parameter(s) answer."
    )
    assert invalid("sign_in", username="alice", password=secret, client_metadata={"ticket": 5}) == (
        "Invalid params: client_metadata must be an object of strings or null."
    )
    assert invalid("sign_in", username="alice", password=secret, client_metadata=["ticket"]) == (
        "Invalid params: client_metadata must be an object of strings or null."
    )
    assert invalid("confirm_sign_in", answer=secret, factor="email-otp") == (
        "Invalid params: unknown parameter(s) factor."
    )
    assert invalid("confirm_sign_in", answer=12) == "Invalid params: answer must be a string."
    assert invalid("confirm_sign_up", username="alice", code="1", sign_in="true") == (
        "Invalid params: sign_in must be true or false."
    )
    assert invalid("delete_passkey") == "Invalid params: missing parameter(s) credential_id."
    assert invalid("register_passkey", name="laptop") == "Invalid params: unknown parameter(s) name."
    assert invalid("auth_factors", username="alice") == "Invalid params: unknown parameter(s) username."
    assert invalid("list_passkeys", all=True) == "Invalid params: unknown parameter(s) all."
    assert invalid("forgot_password", username="alice", client_metadata="x=y") == (
        "Invalid params: client_metadata must be an object of strings or null."
    )
    assert invalid("update_attributes", values={}, client_metadata={"a": None}) == (
        "Invalid params: client_metadata must be an object of strings or null."
    )

    too_many = {f"key{n}": f"{secret}-{n}" for n in range(51)}
    refused = client.error("sign_in", username="alice", password=secret, client_metadata=too_many)
    assert refused["data"]["type"] == "InvalidInput"
    assert client.world.pool.calls == 0  # refused before any call

    # A wrong password is masked wherever it is echoed: the fake pool's error quotes nothing, so make it.
    from aws_client_auth.domain.errors import NotAuthorized

    client.world.pool.fail_next = NotAuthorized(f"Incorrect password {secret}.")
    message = client.error("sign_in", username="alice", password=secret)["message"]
    assert MASK in message


# --- the protocol page -------------------------------------------------------------------------------------------


def test_the_pages_initialize_example_lists_the_servers_methods() -> None:
    page = PAGE.read_text(encoding="utf-8")
    (example,) = re.findall(r'"id": 1, "result": \{.*"methods": (\[[^\]]*\])', page)
    assert json.loads(example) == sorted([*METHODS, "initialize", "cancel", "shutdown"])


def test_the_page_says_how_every_challenge_kind_is_answered() -> None:
    page = PAGE.read_text(encoding="utf-8")
    table = page[page.index("| `challenge` | asks for | `answer` |") :].split("\n\n", 1)[0]
    listed = set(re.findall(r"`(\w+)`", "\n".join(row.split("|")[1] for row in table.splitlines()[2:])))
    assert listed == {kind.value for kind in ChallengeKind}
