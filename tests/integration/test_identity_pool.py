"""The identity-pool adapter against moto (shapes and wiring) and Stubber (the exact Logins map sent)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.identity_pool import LONGEST_CREDENTIALS, CognitoIdentityPool
from aws_client_auth.adapters.system import SystemClock
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from tests.fakes import FakeClock

REGION = "us-west-2"


def adapter(client: Any, pool_id: str, clock: Any = None) -> CognitoIdentityPool:
    return CognitoIdentityPool(client, pool_id=pool_id, clock=clock or SystemClock(), account_id="123456789012")


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def make_pool(allow_guests: bool = True) -> str:
    client = boto3.client("cognito-identity", region_name=REGION)
    return client.create_identity_pool(IdentityPoolName="game", AllowUnauthenticatedIdentities=allow_guests)[
        "IdentityPoolId"
    ]


def test_guest_identity_and_credentials(aws: None) -> None:
    pool_id = make_pool()
    client = unsigned_client("cognito-identity", region=REGION, endpoint_url="", timeout=5, max_attempts=2)
    pool = adapter(client, pool_id)
    identity = pool.get_id({})
    creds = pool.get_credentials(identity, {})
    assert pool.pool_id == pool_id
    assert creds.identity_id == identity
    assert not creds.authenticated
    assert creds.access_key_id
    assert creds.expiration > datetime.now(UTC)
    assert creds.expiration < datetime.now(UTC) + timedelta(minutes=5)  # moto's are short-lived


def test_credentials_from_moto_work_against_sts(aws: None) -> None:
    pool = adapter(
        unsigned_client("cognito-identity", region=REGION, endpoint_url="", timeout=5, max_attempts=2), make_pool()
    )
    creds = pool.get_credentials(pool.get_id({}), {})
    sts = boto3.client(
        "sts",
        region_name=REGION,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_key.reveal(),
        aws_session_token=creds.session_token.reveal(),
    )
    assert sts.get_caller_identity()["Account"]


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = unsigned_client("cognito-identity", region=REGION, endpoint_url="", timeout=1, max_attempts=1)
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_the_exact_logins_map_is_sent(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    logins = {"cognito-idp.us-west-2.amazonaws.com/us-west-2_P": "id-token", "www.amazon.com": "lwa-access"}
    stub.add_response(
        "get_id",
        {"IdentityId": "us-west-2:abc"},
        {"IdentityPoolId": "us-west-2:pool", "AccountId": "123456789012", "Logins": logins},
    )
    expiry = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
    stub.add_response(
        "get_credentials_for_identity",
        {
            "IdentityId": "us-west-2:merged",
            "Credentials": {"AccessKeyId": "ASIA1", "SecretKey": "sk", "SessionToken": "st", "Expiration": expiry},
        },
        {"IdentityId": "us-west-2:abc", "Logins": logins},
    )
    pool = adapter(client, "us-west-2:pool", FakeClock(expiry - timedelta(hours=1)))
    secret_logins = {key: Secret(value) for key, value in logins.items()}
    identity = pool.get_id(secret_logins)
    creds = pool.get_credentials(identity, secret_logins)
    assert creds.identity_id == "us-west-2:merged"
    assert creds.authenticated
    assert creds.expiration == expiry


def test_guest_access_refused_is_its_own_error(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_client_error(
        "get_id", service_error_code="NotAuthorizedException", service_message="Unauthenticated access is not supported"
    )
    with pytest.raises(e.GuestAccessDisabled, match="guest access"):
        adapter(client, "us-west-2:pool").get_id({})


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("NotAuthorizedException", e.NotAuthorized),
        ("ResourceNotFoundException", e.UnknownIdentity),
        ("TooManyRequestsException", e.Throttled),
        ("InternalErrorException", e.ServiceUnavailable),
        ("InvalidIdentityPoolConfigurationException", e.ConfigurationError),
    ],
)
def test_errors_with_logins(stubbed: tuple[Any, Stubber], code: str, kind: type[e.ClientAuthError]) -> None:
    client, stub = stubbed
    stub.add_client_error("get_credentials_for_identity", service_error_code=code)
    with pytest.raises(kind):
        adapter(client, "us-west-2:pool").get_credentials("us-west-2:abc", {"www.amazon.com": Secret("t")})


def test_answer_without_credentials_is_a_clear_error(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_response("get_credentials_for_identity", {"IdentityId": "us-west-2:abc"})
    with pytest.raises(e.ServiceError, match="without credentials"):
        adapter(client, "us-west-2:pool").get_credentials("us-west-2:abc", {})


@pytest.mark.parametrize("device_offset_minutes", [-7, 7])
def test_expiry_is_moved_onto_a_skewed_device_clock(stubbed: tuple[Any, Stubber], device_offset_minutes: int) -> None:
    client, stub = stubbed
    server_now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    expiry = server_now + timedelta(minutes=60)
    stub.add_response(
        "get_credentials_for_identity",
        {
            "IdentityId": "us-west-2:abc",
            "Credentials": {"AccessKeyId": "A", "SecretKey": "s", "SessionToken": "t", "Expiration": expiry},
            "ResponseMetadata": {"HTTPHeaders": {"date": "Sat, 28 Nov 2026 12:00:00 GMT"}},
        },
    )
    device_now = server_now + timedelta(minutes=device_offset_minutes)
    creds = adapter(client, "us-west-2:pool", FakeClock(device_now)).get_credentials("us-west-2:abc", {})
    assert creds.expiration - device_now == timedelta(minutes=60)


def test_a_close_clock_or_no_date_leaves_expiry_alone(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    expiry = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
    for headers in ({"date": "Sat, 28 Nov 2026 12:00:02 GMT"}, {"date": "garbage"}, {}):
        stub.add_response(
            "get_credentials_for_identity",
            {
                "IdentityId": "us-west-2:abc",
                "Credentials": {"AccessKeyId": "A", "SecretKey": "s", "SessionToken": "t", "Expiration": expiry},
                "ResponseMetadata": {"HTTPHeaders": headers},
            },
        )
        clock = FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
        assert adapter(client, "us-west-2:pool", clock).get_credentials("us-west-2:abc", {}).expiration == expiry


def credentials_answer(expiry: datetime, date: str | None) -> dict[str, Any]:
    return {
        "IdentityId": "us-west-2:abc",
        "Credentials": {"AccessKeyId": "A", "SecretKey": "s", "SessionToken": "t", "Expiration": expiry},
        "ResponseMetadata": {"HTTPHeaders": {"date": date} if date else {}},
    }


DEVICE_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "date",
    [
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Fri, 27 Nov 2026 11:59:00 GMT",  # a day and a minute behind
        "Sun, 29 Nov 2026 12:01:00 GMT",  # a day and a minute ahead
    ],
)
def test_a_date_header_beyond_the_maximum_skew_is_ignored_and_logged(
    stubbed: tuple[Any, Stubber], caplog: pytest.LogCaptureFixture, date: str
) -> None:
    client, stub = stubbed
    expiry = DEVICE_NOW + timedelta(hours=1)
    stub.add_response("get_credentials_for_identity", credentials_answer(expiry, date))
    with caplog.at_level(logging.WARNING, logger="aws_client_auth.adapters.identity_pool"):
        creds = adapter(client, "us-west-2:pool", FakeClock(DEVICE_NOW)).get_credentials("us-west-2:abc", {})
    assert creds.expiration == expiry
    assert any("Date header" in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records)


def test_a_date_header_within_the_maximum_skew_still_corrects_the_expiry(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    server_now = DEVICE_NOW - timedelta(hours=23)
    stub.add_response(
        "get_credentials_for_identity",
        credentials_answer(server_now + timedelta(hours=1), "Fri, 27 Nov 2026 13:00:00 GMT"),
    )
    creds = adapter(client, "us-west-2:pool", FakeClock(DEVICE_NOW)).get_credentials("us-west-2:abc", {})
    assert creds.expiration == DEVICE_NOW + timedelta(hours=1)


def test_a_date_header_without_a_zone_is_read_as_gmt(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    server_now = DEVICE_NOW + timedelta(minutes=7)
    stub.add_response(
        "get_credentials_for_identity",
        credentials_answer(server_now + timedelta(hours=1), "Sat, 28 Nov 2026 12:07:00 -0000"),
    )
    creds = adapter(client, "us-west-2:pool", FakeClock(DEVICE_NOW)).get_credentials("us-west-2:abc", {})
    assert creds.expiration == DEVICE_NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("expiry", "clamped"),
    [
        (datetime(2083, 1, 1, tzinfo=UTC), DEVICE_NOW + LONGEST_CREDENTIALS),
        (datetime(9999, 12, 31, tzinfo=UTC), DEVICE_NOW + LONGEST_CREDENTIALS),
        (datetime(1970, 1, 1, tzinfo=UTC), DEVICE_NOW),
        (DEVICE_NOW + timedelta(hours=1), DEVICE_NOW + timedelta(hours=1)),
    ],
)
@pytest.mark.parametrize("date", [None, "Sat, 28 Nov 2026 12:00:00 GMT", "Sat, 28 Nov 2026 12:30:00 GMT"])
def test_an_absurd_expiration_is_clamped(
    stubbed: tuple[Any, Stubber], expiry: datetime, clamped: datetime, date: str | None
) -> None:
    client, stub = stubbed
    offset = timedelta(minutes=30) if date and "12:30" in date else timedelta(0)
    stub.add_response("get_credentials_for_identity", credentials_answer(expiry + offset, date))
    creds = adapter(client, "us-west-2:pool", FakeClock(DEVICE_NOW)).get_credentials("us-west-2:abc", {})
    assert creds.expiration == clamped
