"""Refresh with and without refresh-token rotation, at the boundary: botocore's Stubber checks every parameter
sent, and answers the ways AWS, moto and other emulators answer an operation they do not know."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import Event, RefreshFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, LOGIN_WITH_AMAZON, LoginToken, Tokens
from aws_client_auth.domain.user import RememberedDevice
from tests.fakes import START, FakeClock

CLIENT_ID = "client123"
CLIENT_SECRET = "a-client-secret-of-proper-length-0123456789"
DEVICE_KEY = "us-west-2_0f3e4d2c-1b2a-4c3d-8e9f-a1b2c3d4e5f6"
RESULT = {"AccessToken": "new-access", "IdToken": "new-id", "ExpiresIn": 3600}


class Claims:
    def verify(self, token: str) -> dict[str, Any]:
        return {"sub": "sub-123", "cognito:username": "alice"}


@pytest.fixture
def client() -> Any:
    return unsigned_client("cognito-idp", region="us-west-2", endpoint_url="", timeout=1, max_attempts=1)


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def adapter(client: Any, *, secret: str | None = None) -> CognitoUserPool:
    return CognitoUserPool(
        client,
        pool_id="us-west-2_Pool",
        client_id=CLIENT_ID,
        client_secret=Secret(secret) if secret else None,
        auth_flow="USER_SRP_AUTH",
        verifier=Claims(),  # type: ignore[arg-type]
        clock=FakeClock(),
    )


def old_tokens(*, device: RememberedDevice | None = None) -> Tokens:
    return Tokens(
        COGNITO,
        Secret("old-access"),
        START,
        Secret("old-id"),
        Secret("refresh-1"),
        username="alice@example.com",
        subject="sub-123",
        device=device,
    )


def this_device() -> RememberedDevice:
    return RememberedDevice(DEVICE_KEY, Secret("-group-key"), Secret("device-password-0123"), remembered=True)


def test_refresh_goes_through_get_tokens_from_refresh_token_and_keeps_the_rotated_token(
    client: Any, stub: Stubber
) -> None:
    stub.add_response(
        "get_tokens_from_refresh_token",
        {"AuthenticationResult": {**RESULT, "RefreshToken": "refresh-2"}},
        {"RefreshToken": "refresh-1", "ClientId": CLIENT_ID},
    )
    old = old_tokens()
    new = adapter(client).refresh(old)
    assert new.refresh_token == Secret("refresh-2")
    assert new.access_token == Secret("new-access")
    assert new.expires_at == START + timedelta(hours=1)
    merged = old.refreshed_with(new)
    assert merged.refresh_token == Secret("refresh-2")  # the spent one is not kept
    assert (merged.username, merged.subject) == ("alice", "sub-123")


def test_a_client_secret_and_a_remembered_device_go_with_the_refresh(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "get_tokens_from_refresh_token",
        {"AuthenticationResult": RESULT},
        {"RefreshToken": "refresh-1", "ClientId": CLIENT_ID, "ClientSecret": CLIENT_SECRET, "DeviceKey": DEVICE_KEY},
    )
    old = old_tokens(device=this_device())
    new = adapter(client, secret=CLIENT_SECRET).refresh(old)
    assert new.refresh_token is None  # rotation off: no new refresh token, and the old one stays
    assert old.refreshed_with(new).refresh_token == Secret("refresh-1")
    assert new.device == this_device()


UNKNOWN_OPERATION = {
    "aws": ("UnknownOperationException", 400, ""),
    "not-implemented-status": ("InternalFailure", 501, "The API is not included in your plan"),
    "moto-server-bare-500": ("500", 500, ""),
    "words-not-implemented": (
        "InternalError",
        500,
        "The get_tokens_from_refresh_token action has not been implemented",
    ),
    "words-not-emulated": ("InternalFailure", 400, "The API has not yet been emulated"),
    "cognito-local": ("CognitoLocal#Unsupported", 500, "Cognito Local unsupported feature: GetTokensFromRefreshToken"),
}


@pytest.mark.parametrize("answer", list(UNKNOWN_OPERATION.values()), ids=list(UNKNOWN_OPERATION))
def test_a_service_without_the_operation_is_refreshed_with_refresh_token_auth_asked_once(
    client: Any, stub: Stubber, answer: tuple[str, int, str]
) -> None:
    code, status, message = answer
    stub.add_client_error(
        "get_tokens_from_refresh_token",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
        expected_params={
            "RefreshToken": "refresh-1",
            "ClientId": CLIENT_ID,
            "ClientSecret": CLIENT_SECRET,
            "DeviceKey": DEVICE_KEY,
        },
    )
    fallback = {
        "ClientId": CLIENT_ID,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {
            "REFRESH_TOKEN": "refresh-1",
            "SECRET_HASH": srp.secret_hash("sub-123", CLIENT_ID, CLIENT_SECRET),
            "DEVICE_KEY": DEVICE_KEY,
        },
    }
    stub.add_response("initiate_auth", {"AuthenticationResult": RESULT}, fallback)
    stub.add_response("initiate_auth", {"AuthenticationResult": RESULT}, fallback)  # not asked again
    pool = adapter(client, secret=CLIENT_SECRET)
    for _ in range(2):
        assert pool.refresh(old_tokens(device=this_device())).access_token == Secret("new-access")
    assert not pool.refresher.rotation_api


class InProcessEmulator:
    """moto's ``mock_aws``: an operation it lacks raises NotImplementedError inside the client call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def get_tokens_from_refresh_token(self, **_: Any) -> dict[str, Any]:
        self.calls.append("GetTokensFromRefreshToken")
        raise NotImplementedError("The get_tokens_from_refresh_token action has not been implemented")

    def initiate_auth(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs["AuthFlow"])
        return {"AuthenticationResult": RESULT}


def test_an_in_process_emulator_without_the_operation_falls_back_once() -> None:
    emulator = InProcessEmulator()
    pool = adapter(emulator)
    pool.refresh(old_tokens())
    pool.refresh(old_tokens())
    assert emulator.calls == ["GetTokensFromRefreshToken", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH"]


REFUSALS: dict[str, tuple[str, int, str, type[e.ClientAuthError]]] = {
    "reused-after-grace": ("RefreshTokenReuseException", 400, "Refresh token has been reused", e.SessionExpired),
    "revoked": ("NotAuthorizedException", 400, "Refresh Token has been revoked", e.SessionExpired),
    "a-cognito-refusal-that-says-not-supported": (
        "InvalidParameterException",
        400,
        "This flow is not supported for the client",
        e.InvalidInput,
    ),
    "cognito-failed": ("InternalErrorException", 500, "not implemented yet here", e.ServiceUnavailable),
    "gateway": ("503", 503, "", e.ServiceUnavailable),
    "throttled": ("TooManyRequestsException", 400, "", e.Throttled),
}


@pytest.mark.parametrize("answer", list(REFUSALS.values()), ids=list(REFUSALS))
def test_a_refusal_is_not_taken_for_an_unknown_operation(
    client: Any, stub: Stubber, answer: tuple[str, int, str, type[e.ClientAuthError]]
) -> None:
    code, status, message, kind = answer
    stub.add_client_error(
        "get_tokens_from_refresh_token", service_error_code=code, service_message=message, http_status_code=status
    )
    pool = adapter(client)
    with pytest.raises(kind):
        pool.refresh(old_tokens())
    assert pool.refresher.rotation_api  # no REFRESH_TOKEN_AUTH was tried, and none will be


def test_a_reused_refresh_token_says_so(client: Any, stub: Stubber) -> None:
    stub.add_client_error("get_tokens_from_refresh_token", service_error_code="RefreshTokenReuseException")
    with pytest.raises(e.SessionExpired, match="grace period is over: sign in again") as raised:
        adapter(client).refresh(old_tokens())
    assert raised.value.service_code == "RefreshTokenReuseException"


class Recorded:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


def test_a_reused_refresh_token_signs_that_provider_out_locally_and_keeps_the_rest(client: Any, stub: Stubber) -> None:
    stub.add_client_error("get_tokens_from_refresh_token", service_error_code="RefreshTokenReuseException")
    pool = adapter(client)
    lwa = Tokens(LOGIN_WITH_AMAZON, Secret("Atza|lwa"), START + timedelta(hours=1), refresh_token=Secret("Atzr|r"))
    sessions = Sessions(MemorySessionStore())
    sessions.save(Session(tokens={COGNITO: old_tokens(), LOGIN_WITH_AMAZON: lwa}, guest_identity_id="us-west-2:g"))
    registry = ProviderRegistry(
        [AuthProvider(COGNITO, "cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool", LoginToken.ID, refresher=pool)]
    )
    events = Recorded()
    keeper = TokenKeeper(sessions, registry, FakeClock(START + timedelta(hours=2)), events, timedelta(minutes=5))
    with pytest.raises(e.SessionExpired, match="sign in again"):
        keeper.fresh(COGNITO)
    session = sessions.load()
    assert session.signed_in_providers == (LOGIN_WITH_AMAZON,)
    assert session.tokens[LOGIN_WITH_AMAZON] == lwa
    assert session.guest_identity_id == "us-west-2:g"
    (failed,) = events.events
    assert isinstance(failed, RefreshFailed)
    assert failed.error_code == "session_expired"
