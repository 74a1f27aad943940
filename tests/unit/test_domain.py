from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, DeviceAuthorization, MfaSetup
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LoginToken, ProviderName, Tokens
from aws_client_auth.domain.user import Email, MfaType, PhoneNumber, Username, password, verification_code

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def tokens(provider: ProviderName = COGNITO, *, refresh: str | None = "refresh-secret", minutes: int = 60) -> Tokens:
    return Tokens(
        provider=provider,
        access_token=Secret("access-secret"),
        id_token=Secret("id-secret"),
        refresh_token=Secret(refresh) if refresh else None,
        expires_at=NOW + timedelta(minutes=minutes),
    )


def test_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2-canary")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret]), repr({"k": secret})]
    assert all("hunter2-canary" not in text for text in shown)
    assert secret.reveal() == "hunter2-canary"
    assert secret == Secret("hunter2-canary")
    assert secret != Secret("other")
    assert pickle.loads(pickle.dumps(secret)) == secret  # noqa: S301 - our own bytes
    with pytest.raises(AttributeError):
        secret._value = "x"


def test_domain_values_keep_secrets_out_of_repr() -> None:
    values = [
        tokens(),
        Credentials("AKIACANARY", Secret("secret-key-canary"), Secret("session-canary"), NOW, "id", True),
        Challenge(COGNITO, ChallengeKind.SMS_CODE, "alice", Secret("session-canary")),
        DeviceAuthorization(COGNITO, "CODE", "https://x", NOW, Secret("device-canary")),
        MfaSetup(Secret("totp-canary"), Secret("otpauth://totp/x?secret=totp-canary")),
    ]
    text = repr(values) + repr(Session(tokens={COGNITO: tokens()}))
    for canary in (
        "secret-key-canary",
        "session-canary",
        "device-canary",
        "totp-canary",
        "access-secret",
        "AKIACANARY",
    ):
        assert canary not in text


@pytest.mark.parametrize("name", ["", " alice", "al ice", "a\x00b", "x" * 129])
def test_username_rejects_what_cognito_would(name: str) -> None:
    with pytest.raises(e.InvalidInput):
        Username(name)


@pytest.mark.parametrize("value", ["plain", "a@b", "a b@c.de", "@example.com", "a@.com."])
def test_email_rejects_malformed_addresses(value: str) -> None:
    with pytest.raises(e.InvalidInput, match="malformed"):
        Email(value)


@pytest.mark.parametrize("value", ["4155550100", "+0155550100", "+1 415 555", "+1234567890123456", "+"])
def test_phone_number_must_be_e164(value: str) -> None:
    with pytest.raises(e.InvalidInput, match=r"E\.164"):
        PhoneNumber(value)


def test_valid_values_are_accepted() -> None:
    assert str(Email("dev@example.com")) == "dev@example.com"
    assert str(PhoneNumber("+14155550100")) == "+14155550100"
    assert str(Username("alice@example.com")) == "alice@example.com"
    assert verification_code(" 123456 ") == "123456"


@pytest.mark.parametrize("value", ["", " leading", "trailing ", "x" * 257])
def test_password_rejected_before_any_call(value: str) -> None:
    with pytest.raises(e.InvalidInput) as raised:
        password(value)
    assert value.strip() == "" or value.strip() not in str(raised.value)


@pytest.mark.parametrize(
    "value",
    [
        b"Pa\xffss-w0rd".decode("utf-8", "surrogateescape"),  # bytes read from stdin that were not UTF-8
        "Pass\ud800word",  # a lone surrogate
        "Pass\udfffword\U0001f600",
    ],
)
def test_a_password_that_is_not_utf8_is_an_input_error_that_names_no_character(value: str) -> None:
    with pytest.raises(e.InvalidInput) as raised:
        password(value, what="New password")
    message = str(raised.value)
    assert message.startswith("New password is not valid UTF-8")
    assert not any("\ud800" <= ch <= "\udfff" for ch in message)
    assert "position" not in message
    with pytest.raises(e.InvalidInput) as other:
        password("\udc80", what="New password")
    assert str(other.value) == message  # nothing of the password itself is in the message


@pytest.mark.parametrize("value", ["", "   ", "12 34", "x" * 65])
def test_codes_must_be_present_and_unspaced(value: str) -> None:
    with pytest.raises(e.InvalidInput):
        verification_code(value)


def test_mfa_type_parses_friendly_names() -> None:
    assert MfaType.parse("totp") is MfaType.TOTP
    assert MfaType.parse("SMS_MFA") is MfaType.SMS
    with pytest.raises(e.InvalidInput, match="sms, totp, email"):
        MfaType.parse("carrier-pigeon")


def test_provider_names_are_checked() -> None:
    assert ProviderName("my-oidc") == "my-oidc"
    with pytest.raises(e.InvalidInput):
        ProviderName("Bad Name")


def test_tokens_are_invalid_within_the_skew_of_expiry() -> None:
    t = tokens(minutes=4)
    assert t.is_valid(NOW)
    assert not t.is_valid(NOW, timedelta(minutes=5))
    assert not t.is_valid(NOW + timedelta(minutes=4))


def test_tokens_must_have_aware_expiry() -> None:
    with pytest.raises(e.InvalidInput, match="timezone-aware"):
        Tokens(COGNITO, Secret("a"), datetime(2026, 1, 1))


def test_refresh_answer_without_refresh_token_keeps_the_old_one() -> None:
    old = tokens()
    new = replace(tokens(refresh=None), access_token=Secret("new-access"), id_token=None)
    merged = old.refreshed_with(new)
    assert merged.refresh_token == Secret("refresh-secret")
    assert merged.access_token == Secret("new-access")
    assert merged.id_token == Secret("id-secret")


def test_login_token_follows_the_provider_kind() -> None:
    t = tokens(GOOGLE)
    assert t.login(LoginToken.ID) == Secret("id-secret")
    assert t.login(LoginToken.ACCESS) == Secret("access-secret")
    with pytest.raises(e.InvalidInput, match="no id token"):
        replace(t, id_token=None).login(LoginToken.ID)


def test_credential_windows_follow_their_lifetime() -> None:
    short = Credentials("AK", Secret("s"), Secret("t"), NOW + timedelta(seconds=90), "id", False, issued_at=NOW)
    assert short.is_fresh(NOW + timedelta(seconds=60))
    assert not short.is_fresh(NOW + timedelta(seconds=70))
    assert short.is_usable(NOW + timedelta(seconds=80))
    assert not short.is_usable(NOW + timedelta(seconds=82))
    hour = Credentials("AK", Secret("s"), Secret("t"), NOW + timedelta(hours=1), "id", False, issued_at=NOW)
    assert hour.advisory_window == timedelta(minutes=15)
    assert hour.mandatory_window == timedelta(minutes=5)
    unknown = replace(hour, issued_at=None)
    assert unknown.lifetime == timedelta(hours=1)


def test_session_sign_out_of_last_provider_forgets_identity() -> None:
    creds = Credentials("AK", Secret("s"), Secret("t"), NOW, "us-west-2:1", True)
    session = Session().with_tokens(tokens()).with_tokens(tokens(GOOGLE)).with_credentials(creds)
    assert session.authenticated_identity_id == "us-west-2:1"
    one_left = session.without_provider(COGNITO)
    assert one_left.authenticated_identity_id == "us-west-2:1"
    assert one_left.credentials is None
    none_left = one_left.without_provider(GOOGLE)
    assert none_left.authenticated_identity_id is None
    assert none_left.signed_in_providers == ()


def test_session_tokens_cannot_be_mutated() -> None:
    session = Session().with_tokens(tokens())
    with pytest.raises(TypeError):
        session.tokens[GOOGLE] = tokens(GOOGLE)  # type: ignore[index]


def test_errors_keep_service_detail_and_say_what_to_do() -> None:
    error = e.InvalidPassword(
        "Too short.", service_code="InvalidPasswordException", service_message="min 8", status=400
    )
    assert str(error) == "Too short. (InvalidPasswordException; min 8; HTTP 400)"
    assert "InvalidPassword" in repr(error)
    assert str(e.NotSignedIn("Sign in first.")) == "Sign in first."
