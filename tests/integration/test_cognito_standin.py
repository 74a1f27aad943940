"""The Cognito adapter against a local Cognito stand-in over HTTP (tests/cognito_standin.py) for what moto lacks:
refresh-token rotation with a grace period, remembered devices proven by SRP, and the account's own calls.
ID tokens are real RS256 tokens checked with the stand-in's keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.http import HttpClient, JsonFetcher, http_session
from aws_client_auth.adapters.system import SystemClock, SystemSleeper
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, ContextData, SignedIn, SignInStep
from aws_client_auth.domain.tokens import Tokens
from aws_client_auth.domain.user import Username
from tests.cognito_standin import CLIENT_ID, POOL_ID, REGION, CognitoStandIn, cognito_standin

PASSWORD = "Passw0rd!"


def adapter(standin: CognitoStandIn, *, auth_flow: str = "USER_PASSWORD_AUTH", **options: Any) -> CognitoUserPool:
    client = unsigned_client("cognito-idp", region=REGION, endpoint_url=standin.url, timeout=10, max_attempts=1)
    verifier = IdTokenVerifier(
        jwks_url=endpoints.jwks_url(REGION, POOL_ID, standin.url),
        issuer=endpoints.issuer(REGION, POOL_ID),
        audience=CLIENT_ID,
        leeway=timedelta(seconds=60),
        clock=SystemClock(),
        fetch=JsonFetcher(HttpClient(http_session(), timeout=5, max_attempts=1, sleeper=SystemSleeper())),
    )
    return CognitoUserPool(
        client,
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        client_secret=Secret(standin.client_secret) if standin.client_secret else None,
        auth_flow=auth_flow,
        verifier=verifier,
        clock=SystemClock(),
        **options,
    )


def signed_in(step: SignInStep) -> Tokens:
    assert isinstance(step, SignedIn), step
    return step.tokens


def challenge(step: SignInStep) -> Challenge:
    assert isinstance(step, Challenge), step
    return step


@pytest.fixture
def rotating() -> Iterator[CognitoStandIn]:
    with cognito_standin(grace_seconds=30, client_secret="a-client-secret-of-proper-length-0123456789") as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        yield standin


# --- refresh-token rotation ---------------------------------------------------------------------------------
def test_each_refresh_spends_the_refresh_token_once_and_keeps_the_new_one(rotating: CognitoStandIn) -> None:
    pool = adapter(rotating)
    tokens = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD)))
    spent = []
    for _ in range(3):
        assert tokens.refresh_token is not None
        spent.append(tokens.refresh_token.reveal())
        tokens = tokens.refreshed_with(pool.refresh(tokens))
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.reveal() not in spent
    assert all(rotating.exchanged[token] == 1 for token in spent)
    assert tokens.username == "alice"
    calls = [request for operation, request in rotating.calls if operation == "GetTokensFromRefreshToken"]
    assert all(request["ClientSecret"] == rotating.client_secret for request in calls)
    assert "InitiateAuth" not in rotating.operations()[1:]  # no REFRESH_TOKEN_AUTH: it is off for rotating clients


def test_a_spent_refresh_token_is_accepted_within_the_grace_period_then_refused(rotating: CognitoStandIn) -> None:
    pool = adapter(rotating)
    first = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD)))
    second = pool.refresh(first)
    rotating.advance(20)
    again = pool.refresh(first)  # a process that still held the old one, within the grace period
    assert again.refresh_token == second.refresh_token
    rotating.advance(11)
    with pytest.raises(e.SessionExpired, match="grace period is over") as raised:
        pool.refresh(first)
    assert raised.value.service_code == "RefreshTokenReuseException"
    pool.refresh(first.refreshed_with(second))  # the new one still works


def test_without_a_grace_period_a_second_spend_is_refused_at_once() -> None:
    with cognito_standin(grace_seconds=0) as standin:
        standin.add_user("alice", PASSWORD)
        pool = adapter(standin)
        first = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD)))
        pool.refresh(first)
        standin.advance(0.5)
        with pytest.raises(e.SessionExpired):
            pool.refresh(first)


@pytest.mark.parametrize(
    "unknown",
    [(400, {"__type": "UnknownOperationException"}), (500, {})],
    ids=["aws-unknown-operation", "moto-server-bare-500"],
)
def test_a_service_that_predates_rotation_is_refreshed_with_refresh_token_auth(
    unknown: tuple[int, dict[str, Any]],
) -> None:
    with cognito_standin(rotation=False, knows_refresh_api=False, unknown_operation=unknown) as standin:
        standin.add_user("alice", PASSWORD)
        pool = adapter(standin)
        tokens = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD)))
        asked = []
        for _ in range(3):
            refreshed = pool.refresh(tokens)
            assert refreshed.refresh_token is None  # no rotation: the old one is kept
            tokens = tokens.refreshed_with(refreshed)
            asked.append(standin.operations().count("GetTokensFromRefreshToken"))
        assert asked[0] >= 1
        assert asked == [asked[0]] * 3  # asked on the first refresh only (botocore may retry a 500), then remembered
        assert standin.operations().count("InitiateAuth") == 4


def test_a_revoked_refresh_token_is_session_expired(rotating: CognitoStandIn) -> None:
    pool = adapter(rotating)
    tokens = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD)))
    pool.global_sign_out(tokens.access_token)
    with pytest.raises(e.SessionExpired, match="sign in again"):
        pool.refresh(tokens)


# --- context data for threat protection ------------------------------------------------------------------------
def test_context_data_goes_with_every_sign_in_call() -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, mfa="SMS_MFA", phone_number="+14155550100")
        seen: list[str] = []

        def context(username: str) -> ContextData:
            seen.append(username)
            return ContextData(ip_address="203.0.113.7", encoded_data="fingerprint")

        pool = adapter(standin, context_data=context)
        step = challenge(pool.sign_in(Username("alice"), Secret(PASSWORD)))
        assert step.kind is ChallengeKind.SMS_CODE
        signed_in(pool.answer_code(step, standin.last_code("alice")))
        sent = [request.get("UserContextData") for _, request in standin.calls]
        assert sent == [{"IpAddress": "203.0.113.7", "EncodedData": "fingerprint"}] * 2
        assert seen == ["alice", "alice"]


# --- remembered devices -------------------------------------------------------------------------------------
@pytest.fixture
def tracking() -> Iterator[CognitoStandIn]:
    with cognito_standin(device_tracking="always", grace_seconds=30) as standin:
        standin.add_user("alice", PASSWORD, mfa="SMS_MFA", phone_number="+14155550100")
        yield standin


def mfa_sign_in(pool: CognitoUserPool, standin: CognitoStandIn, **options: Any) -> Tokens:
    step = challenge(pool.sign_in(Username("alice"), Secret(PASSWORD), **options))
    assert step.kind is ChallengeKind.SMS_CODE
    return signed_in(pool.answer_code(step, standin.last_code("alice")))


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_a_remembered_device_signs_in_without_mfa(tracking: CognitoStandIn, flow: str) -> None:
    pool = adapter(tracking, auth_flow=flow, device_name="build-agent-7")
    first = mfa_sign_in(pool, tracking)
    device = first.device
    assert device is not None
    assert device.remembered
    stored = tracking.devices[device.key]
    assert (stored.confirmed, stored.name, stored.group_key) == (True, "build-agent-7", device.group_key.reveal())
    assert device.password.reveal() not in json_of(tracking.calls)  # only the verifier and salt were sent

    again = signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD), device=device))  # no MFA code asked
    assert again.device == device
    operations = tracking.operations()
    assert operations[-2:] == ["RespondToAuthChallenge", "RespondToAuthChallenge"]
    assert [request["ChallengeName"] for _, request in tracking.calls[-2:]] == [
        "DEVICE_SRP_AUTH",
        "DEVICE_PASSWORD_VERIFIER",
    ]
    assert tracking.devices[device.key].last_authenticated is not None
    assert len(tracking.outbox) == 1  # one SMS code, for the first sign-in only


def test_a_device_bound_refresh_token_is_refreshed_with_its_device_key(tracking: CognitoStandIn) -> None:
    pool = adapter(tracking)
    tokens = mfa_sign_in(pool, tracking)
    refreshed = tokens.refreshed_with(pool.refresh(tokens))
    assert refreshed.device == tokens.device
    (request,) = [request for operation, request in tracking.calls if operation == "GetTokensFromRefreshToken"]
    assert tokens.device is not None
    assert request["DeviceKey"] == tokens.device.key


def test_a_wrong_device_password_is_refused_by_the_server_and_mfa_comes_back(tracking: CognitoStandIn) -> None:
    from dataclasses import replace

    pool = adapter(tracking)
    device = mfa_sign_in(pool, tracking).device
    assert device is not None
    forged = replace(device, password=Secret("not-the-device-password"))
    step = challenge(pool.sign_in(Username("alice"), Secret(PASSWORD), device=forged))
    assert step.kind is ChallengeKind.SMS_CODE  # signed in again without the refused keys: MFA is asked
    assert step.device is None
    assert "DEVICE_PASSWORD_VERIFIER" in [request.get("ChallengeName") for _, request in tracking.calls]


def test_a_forgotten_device_brings_the_mfa_step_back(tracking: CognitoStandIn) -> None:
    pool = adapter(tracking)
    tokens = mfa_sign_in(pool, tracking)
    device = tokens.device
    assert device is not None
    assert [d.key for d in pool.list_devices(tokens.access_token)] == [device.key]
    pool.forget_device(tokens.access_token, device.key)
    assert pool.list_devices(tokens.access_token) == ()
    again = mfa_sign_in(pool, tracking, device=device)  # Cognito no longer knows the keys: MFA, and a new device
    assert again.device is not None
    assert again.device.key != device.key


def test_a_pool_asking_users_to_opt_in_remembers_the_device_only_when_asked() -> None:
    with cognito_standin(device_tracking="opt_in") as standin:
        standin.add_user("alice", PASSWORD, mfa="EMAIL_OTP", email="alice@example.com")
        pool = adapter(standin)
        step = challenge(pool.sign_in(Username("alice"), Secret(PASSWORD)))
        assert step.kind is ChallengeKind.EMAIL_CODE
        tokens = signed_in(pool.answer_code(step, standin.last_code("alice")))
        device = tokens.device
        assert device is not None
        assert not device.remembered
        (listed,) = pool.list_devices(tokens.access_token)
        assert listed.remembered is None  # tracked, not yet remembered or refused
        # tracked but not remembered: the device is proven, and MFA is still asked
        step = challenge(pool.sign_in(Username("alice"), Secret(PASSWORD), device=device))
        assert step.device == device
        signed_in(pool.answer_code(step, standin.last_code("alice")))

        pool.remember_device(tokens.access_token, device.key)
        (listed,) = pool.list_devices(tokens.access_token)
        assert listed.remembered is True
        assert listed.name
        assert listed.last_authenticated_at is not None
        signed_in(pool.sign_in(Username("alice"), Secret(PASSWORD), device=device))
        pool.remember_device(tokens.access_token, device.key, remembered=False)
        assert not pool.list_devices(tokens.access_token)[0].remembered


def test_the_device_list_is_read_page_by_page(tracking: CognitoStandIn) -> None:
    from tests.cognito_standin import Device

    pool = adapter(tracking)
    tokens = mfa_sign_in(pool, tracking)
    for n in range(70):
        key = f"{REGION}_00000000-0000-4000-8000-{n:012x}"
        tracking.devices[key] = Device(key, "-g", "alice", confirmed=True, name=f"device {n}", remembered=True)
    listed = pool.list_devices(tokens.access_token)
    assert len(listed) == 71
    assert len({device.key for device in listed}) == 71
    assert [request.get("PaginationToken") for operation, request in tracking.calls if operation == "ListDevices"] == [
        None,
        "60",
    ]


def json_of(calls: list[tuple[str, dict[str, Any]]]) -> str:
    import json

    return json.dumps(calls)
