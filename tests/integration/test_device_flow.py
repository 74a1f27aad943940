"""Login with Amazon and Google over HTTP (``responses``): RFC 8628 and each provider's quirks."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses

from aws_client_auth.adapters.http import HttpClient, http_session
from aws_client_auth.adapters.oauth.device_flow import RFC_GRANT, DeviceFlowClient
from aws_client_auth.adapters.oauth.providers import google, login_with_amazon, standard
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.application.ports.device_sign_in import Approved, Pending, SlowDown
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import GOOGLE, LOGIN_WITH_AMAZON, Tokens
from tests.fakes import START, FakeClock, FakeSleeper

LWA_CODE = "https://api.amazon.com/auth/o2/create/codepair"
LWA_TOKEN = "https://api.amazon.com/auth/o2/token"
G_CODE = "https://oauth2.googleapis.com/device/code"
G_TOKEN = "https://oauth2.googleapis.com/token"
JWKS = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Test/.well-known/jwks.json"
ID_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMTAxNjkiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUuY29tIn0."


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


def client_for(provider: str, *, attempts: int = 3) -> tuple[DeviceFlowClient, FakeSleeper]:
    clock = FakeClock()
    sleeper = FakeSleeper(clock)
    http = HttpClient(http_session(), timeout=7, max_attempts=attempts, sleeper=sleeper)
    settings = load_settings(
        environ={},
        overrides={
            "providers.login_with_amazon": {"app_client_id": "amzn1.app"},
            "providers.google": {"app_client_id": "g.apps", "client_secret": "g-secret"},
        },
    )
    section = "login_with_amazon" if provider == "lwa" else "google"
    values = dict(settings.values[f"providers.{section}"])
    profile = login_with_amazon(values) if provider == "lwa" else google(values)
    return DeviceFlowClient(profile, OAuthTransport(http), clock), sleeper


def form(call: responses.Call) -> dict[str, str]:
    body = call.request.body
    text = body.decode() if isinstance(body, bytes) else str(body)
    return {k: v[0] for k, v in parse_qs(text).items()}


def authorization(provider: str = "lwa") -> DeviceAuthorization:
    name = LOGIN_WITH_AMAZON if provider == "lwa" else GOOGLE
    return DeviceAuthorization(name, "WDJB-MJHT", "https://x", START.replace(hour=13), Secret("dev-code & more"), 5)


def test_lwa_start_sends_its_fields_url_encoded(mocked: responses.RequestsMock) -> None:
    mocked.post(
        LWA_CODE,
        json={
            "device_code": "dc",
            "user_code": "UC",
            "verification_uri": "https://amazon.com/us/code",
            "expires_in": 900,
            "interval": 7,
        },
    )
    client, _ = client_for("lwa")
    auth = client.start()
    assert form(mocked.calls[0]) == {"response_type": "device_code", "client_id": "amzn1.app", "scope": "profile"}
    assert mocked.calls[0].request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (auth.user_code, auth.verification_uri, auth.interval) == ("UC", "https://amazon.com/us/code", 7)
    assert auth.expires_at == START.replace(minute=15)
    assert auth.device_code == Secret("dc")


def test_google_verification_url_becomes_the_same_value(mocked: responses.RequestsMock) -> None:
    mocked.post(
        G_CODE,
        json={
            "device_code": "dc",
            "user_code": "UC",
            "verification_url": "https://www.google.com/device",
            "expires_in": 1800,
        },
    )
    client, _ = client_for("google")
    auth = client.start()
    assert form(mocked.calls[0]) == {"client_id": "g.apps", "scope": "openid email profile"}
    assert auth.verification_uri == "https://www.google.com/device"
    assert auth.interval == 5  # absent: RFC 8628's default


def test_complete_uri_is_kept_when_given(mocked: responses.RequestsMock) -> None:
    mocked.post(
        LWA_CODE,
        json={
            "device_code": "dc",
            "user_code": "UC",
            "verification_uri": "https://v",
            "verification_uri_complete": "https://v?code=UC",
            "expires_in": 600,
        },
    )
    assert client_for("lwa")[0].start().verification_uri_complete == "https://v?code=UC"


def test_lwa_polls_with_its_own_grant_type_and_the_user_code(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, status=400, json={"error": "authorization_pending"})
    mocked.post(LWA_TOKEN, json={"access_token": "Atza|lwa", "refresh_token": "Atzr|r", "expires_in": 3600})
    client, _ = client_for("lwa")
    assert isinstance(client.poll(authorization()), Pending)
    result = client.poll(authorization())
    assert isinstance(result, Approved)
    assert form(mocked.calls[0]) == {
        "grant_type": "device_code",
        "device_code": "dev-code & more",
        "user_code": "WDJB-MJHT",
    }
    assert "dev-code+%26+more" in str(mocked.calls[0].request.body)
    assert result.tokens.access_token == Secret("Atza|lwa")
    assert result.tokens.id_token is None


def test_google_polls_with_secret_and_rfc_grant_and_keeps_the_id_token(mocked: responses.RequestsMock) -> None:
    mocked.post(
        G_TOKEN, json={"access_token": "ya29", "id_token": ID_TOKEN, "refresh_token": "1//r", "expires_in": 3599}
    )
    client, _ = client_for("google")
    result = client.poll(authorization("google"))
    assert form(mocked.calls[0]) == {
        "client_id": "g.apps",
        "client_secret": "g-secret",
        "device_code": "dev-code & more",
        "grant_type": RFC_GRANT,
    }
    assert isinstance(result, Approved)
    assert result.tokens.id_token == Secret(ID_TOKEN)
    assert result.tokens.username == "alice@example.com"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("access_denied", e.DeviceFlowDenied),
        ("expired_token", e.DeviceFlowExpired),
        ("invalid_client", e.ConfigurationError),
        ("server_error_x", e.ServiceError),
    ],
)
def test_poll_errors_keep_the_providers_words(
    mocked: responses.RequestsMock, error: str, kind: type[e.ClientAuthError]
) -> None:
    mocked.post(LWA_TOKEN, status=400, json={"error": error, "error_description": "said the provider"})
    with pytest.raises(kind) as raised:
        client_for("lwa")[0].poll(authorization())
    assert raised.value.service_code == error
    assert raised.value.service_message == "said the provider"
    assert raised.value.status == 400


def test_slow_down(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, status=400, json={"error": "slow_down"})
    assert isinstance(client_for("lwa")[0].poll(authorization()), SlowDown)


def test_refresh_with_a_rotated_refresh_token(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, json={"access_token": "new", "refresh_token": "rotated", "expires_in": 3600})
    old = Tokens(LOGIN_WITH_AMAZON, Secret("old"), START, refresh_token=Secret("r1"))
    new = old.refreshed_with(client_for("lwa")[0].refresh(old))
    assert form(mocked.calls[0]) == {"grant_type": "refresh_token", "client_id": "amzn1.app", "refresh_token": "r1"}
    assert new.refresh_token == Secret("rotated")


def test_refresh_without_a_refresh_token_in_the_answer_keeps_the_old_one(mocked: responses.RequestsMock) -> None:
    mocked.post(G_TOKEN, json={"access_token": "new", "id_token": ID_TOKEN, "expires_in": 3600})
    old = Tokens(GOOGLE, Secret("old"), START, id_token=Secret("old-id"), refresh_token=Secret("1//keep"))
    new = old.refreshed_with(client_for("google")[0].refresh(old))
    assert form(mocked.calls[0])["client_secret"] == "g-secret"
    assert new.refresh_token == Secret("1//keep")
    assert new.id_token == Secret(ID_TOKEN)


def test_revoked_refresh_token_is_session_expired(mocked: responses.RequestsMock) -> None:
    mocked.post(
        G_TOKEN, status=400, json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    )
    with pytest.raises(e.SessionExpired, match="sign in again"):
        client_for("google")[0].refresh(Tokens(GOOGLE, Secret("a"), START, refresh_token=Secret("r")))
    with pytest.raises(e.SessionExpired):
        client_for("google")[0].refresh(Tokens(GOOGLE, Secret("a"), START))


def http_client(attempts: int = 3) -> tuple[HttpClient, FakeSleeper]:
    sleeper = FakeSleeper(FakeClock())
    return HttpClient(http_session(), timeout=7, max_attempts=attempts, sleeper=sleeper), sleeper


def test_a_get_is_retried_after_5xx_with_backoff_then_succeeds(mocked: responses.RequestsMock) -> None:
    mocked.get(JWKS, status=503, body="unavailable")
    mocked.get(JWKS, status=502, json={})
    mocked.get(JWKS, json={"keys": []})
    client, sleeper = http_client()
    assert client.get_json(JWKS, what="The key set") == {"keys": []}
    assert len(sleeper.slept) == 2
    assert all(0 <= s <= 1.0 for s in sleeper.slept)


def test_5xx_after_every_attempt_is_service_unavailable(mocked: responses.RequestsMock) -> None:
    for _ in range(3):
        mocked.get(JWKS, status=500, body="boom")
    with pytest.raises(e.ServiceUnavailable) as raised:
        http_client()[0].get_json(JWKS, what="The key set")
    assert raised.value.status == 500


def test_a_token_post_is_not_repeated_after_a_5xx(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, status=503, body="unavailable")
    client, sleeper = client_for("lwa", attempts=3)
    with pytest.raises(e.ServiceUnavailable) as raised:
        client.poll(authorization())
    assert raised.value.status == 503
    assert len(mocked.calls) == 1
    assert sleeper.slept == []


def test_get_timeouts_are_retried_then_reported(mocked: responses.RequestsMock) -> None:
    for _ in range(2):
        mocked.get(JWKS, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(e.ServiceUnavailable, match="did not answer within 7 s, 2 times"):
        http_client(attempts=2)[0].get_json(JWKS, what="The key set")


def test_a_refresh_is_not_repeated_after_a_read_timeout(mocked: responses.RequestsMock) -> None:
    """The provider may have rotated the refresh token before the answer was lost: a second try would send
    the spent token, get invalid_grant, and sign the user out."""
    mocked.post(LWA_TOKEN, body=requests.exceptions.ReadTimeout("slow"))
    client, sleeper = client_for("lwa", attempts=4)
    with pytest.raises(e.ServiceUnavailable, match="did not answer within 7 s; try again later") as raised:
        client.refresh(Tokens(LOGIN_WITH_AMAZON, Secret("a"), START, refresh_token=Secret("Atzr|rotating")))
    assert len(mocked.calls) == 1
    assert sleeper.slept == []
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_post_is_not_repeated_after_a_connection_broke_once_sent(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    with pytest.raises(e.ServiceUnavailable, match="Could not reach Login with Amazon"):
        client_for("lwa", attempts=3)[0].poll(authorization())
    assert len(mocked.calls) == 1


def test_a_post_that_never_left_is_retried(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, body=requests.exceptions.ConnectTimeout("no connection"))
    mocked.post(LWA_TOKEN, json={"access_token": "a"})
    client, sleeper = client_for("lwa")
    assert isinstance(client.poll(authorization()), Approved)
    assert len(sleeper.slept) == 1


def test_a_refused_connection_is_retried_for_a_post_too() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client, sleeper = http_client(attempts=3)
    with pytest.raises(e.ServiceUnavailable, match=r"Could not reach the provider \(ConnectionError\), 3 times"):
        client.request("POST", f"http://127.0.0.1:{port}/token", what="the provider", data={"grant_type": "x"})
    assert len(sleeper.slept) == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [({"status": 404, "json": {}}, "answered with an error"), ({"body": "<html/>"}, "did not answer with a JSON")],
)
def test_a_key_set_that_is_not_one_is_a_service_error(
    mocked: responses.RequestsMock, answer: dict[str, Any], message: str
) -> None:
    mocked.get(JWKS, **answer)
    with pytest.raises(e.ServiceError, match=message):
        http_client()[0].get_json(JWKS, what="The key set")
    assert len(mocked.calls) == 1


def test_throttling_429_is_retried_for_a_get(mocked: responses.RequestsMock) -> None:
    mocked.get(JWKS, status=429, json={"error": "rate_limited"})
    mocked.get(JWKS, json={"keys": []})
    client, sleeper = http_client()
    assert client.get_json(JWKS, what="The key set") == {"keys": []}
    assert len(sleeper.slept) == 1


def test_throttling_429_of_a_token_post_is_reported(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, status=429, body="Too Many Requests")
    with pytest.raises(e.Throttled, match="limiting requests"):
        client_for("lwa")[0].poll(authorization())
    assert len(mocked.calls) == 1


def test_retry_after_in_seconds_is_honoured(mocked: responses.RequestsMock) -> None:
    mocked.get(JWKS, status=503, headers={"Retry-After": "12"})
    mocked.get(JWKS, json={"keys": []})
    client, sleeper = http_client()
    client.get_json(JWKS, what="The key set")
    assert sleeper.slept == [12]


@pytest.mark.parametrize("asked", ["31", "86400", "99999999999999999999999"])
def test_retry_after_beyond_the_cap_is_not_waited_for(mocked: responses.RequestsMock, asked: str) -> None:
    mocked.get(JWKS, status=503, headers={"Retry-After": asked})
    client, sleeper = http_client()
    with pytest.raises(e.ServiceUnavailable):
        client.get_json(JWKS, what="The key set")
    assert sleeper.slept == []
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("asked", ["Wed, 21 Oct 2099 07:28:00 GMT", "-5", "1.5", "soon", "\u00b2"])
def test_retry_after_in_another_form_falls_back_to_the_backoff(mocked: responses.RequestsMock, asked: str) -> None:
    mocked.get(JWKS, status=503, headers={"Retry-After": asked})
    mocked.get(JWKS, json={"keys": []})
    client, sleeper = http_client()
    client.get_json(JWKS, what="The key set")
    assert len(sleeper.slept) == 1
    assert 0 <= sleeper.slept[0] <= 0.5


def test_every_request_carries_the_timeout(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_TOKEN, json={"access_token": "a"})
    client_for("lwa")[0].poll(authorization())
    assert getattr(mocked.calls[0].request, "req_kwargs", {})["timeout"] == 7


@pytest.mark.parametrize(
    "answer",
    [{"body": "<html>oops</html>"}, {"json": ["not", "an", "object"]}, {"json": {"token_type": "bearer"}}],
)
def test_malformed_answers_are_clear_errors(mocked: responses.RequestsMock, answer: dict[str, Any]) -> None:
    mocked.post(LWA_TOKEN, **answer)
    with pytest.raises(e.ServiceError):
        client_for("lwa")[0].poll(authorization())


def test_malformed_code_answer(mocked: responses.RequestsMock) -> None:
    mocked.post(LWA_CODE, json={"user_code": "UC"})
    with pytest.raises(e.ServiceError, match="without a code"):
        client_for("lwa")[0].start()
    mocked.post(LWA_CODE, status=400, json={"error": "invalid_scope"})
    with pytest.raises(e.ConfigurationError, match="scope"):
        client_for("lwa")[0].start()


def test_odd_numbers_fall_back_to_defaults(mocked: responses.RequestsMock) -> None:
    mocked.post(
        LWA_CODE,
        json={
            "device_code": "d",
            "user_code": "u",
            "verification_uri": "https://v",
            "expires_in": "soon",
            "interval": -3,
        },
    )
    auth = client_for("lwa")[0].start()
    assert auth.interval == 5
    assert auth.expires_at == START.replace(minute=10)


def test_standard_profile_for_custom_providers() -> None:
    profile = standard(
        "okta",
        {
            "device_authorization_url": "https://o/device",
            "token_url": "https://o/token",
            "client_id": "cid",
            "client_secret": "shh",
        },
    )
    assert profile.scope == "openid"
    assert profile.send_secret
    with pytest.raises(e.ProviderNotConfigured):
        DeviceFlowClient(
            standard("x", {"device_authorization_url": "u", "token_url": "t", "client_id": ""}),
            OAuthTransport(HttpClient(http_session(), timeout=1, max_attempts=1, sleeper=FakeSleeper(FakeClock()))),
            FakeClock(),
        )


def test_a_redirect_never_carries_the_refresh_token_elsewhere(mocked: responses.RequestsMock) -> None:
    mocked.assert_all_requests_are_fired = False  # the point: the second one is never asked
    mocked.post(LWA_TOKEN, status=307, headers={"Location": "http://attacker.example/steal"})
    mocked.post("http://attacker.example/steal", json={"access_token": "x", "expires_in": 3600})
    old = Tokens(LOGIN_WITH_AMAZON, Secret("old"), START, refresh_token=Secret("r-must-stay-home"))
    with pytest.raises(e.ClientAuthError) as raised:
        client_for("lwa")[0].refresh(old)
    assert [call.request.url for call in mocked.calls] == [LWA_TOKEN]
    assert "r-must-stay-home" not in str(raised.value)
