"""The Cognito adapter at its real boundary: boto3 against moto's user pool (and Stubber where moto is silent)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from moto import mock_aws

from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.system import SystemClock
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, SignedIn
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Email, MfaType, PhoneNumber, Username
from tests.aws import PASSWORD, Pool, create_pool, totp, user_pool_adapter


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    with mock_aws():
        yield


@pytest.fixture
def pool(aws: None) -> Pool:
    p = create_pool()
    p.add_user("alice", email="alice@example.com")
    return p


def adapter(pool: Pool, **kwargs: object) -> CognitoUserPool:
    return user_pool_adapter(pool, SystemClock(), **kwargs)  # type: ignore[arg-type]


def signed_in(step: object) -> SignedIn:
    assert isinstance(step, SignedIn), step
    return step


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_sign_in_returns_verified_tokens(pool: Pool, flow: str) -> None:
    tokens = signed_in(adapter(pool, auth_flow=flow).sign_in(Username("alice"), Secret(PASSWORD))).tokens
    assert tokens.provider == COGNITO
    assert tokens.username == "alice"
    assert tokens.subject
    assert tokens.refresh_token
    assert tokens.id_token


def test_password_flow_rejects_a_wrong_password(pool: Pool) -> None:
    with pytest.raises(e.NotAuthorized) as raised:
        adapter(pool, auth_flow="USER_PASSWORD_AUTH").sign_in(Username("alice"), Secret("Wrong-passw0rd"))
    assert raised.value.service_code == "NotAuthorizedException"
    assert "Wrong-passw0rd" not in str(raised.value)


def test_unknown_user(pool: Pool) -> None:
    with pytest.raises(e.UserNotFound):
        adapter(pool).sign_in(Username("nobody"), Secret(PASSWORD))


def test_sign_up_confirm_then_sign_in(pool: Pool) -> None:
    up = adapter(pool)
    result = up.sign_up(Username("bob"), Secret(PASSWORD), email=Email("bob@example.com"), phone_number=None)
    assert result.user_sub
    assert not result.confirmed
    with pytest.raises(e.UserNotConfirmed):
        up.sign_in(Username("bob"), Secret(PASSWORD))
    up.confirm_sign_up(Username("bob"), "123456")
    assert signed_in(up.sign_in(Username("bob"), Secret(PASSWORD))).tokens.username == "bob"


def test_sign_up_with_phone(pool: Pool) -> None:
    result = adapter(pool).sign_up(
        Username("carol"), Secret(PASSWORD), email=None, phone_number=PhoneNumber("+14155550100")
    )
    assert result.user_sub
    user = pool.admin.admin_get_user(UserPoolId=pool.pool_id, Username="carol")
    assert {"Name": "phone_number", "Value": "+14155550100"} in user["UserAttributes"]


def test_duplicate_sign_up(pool: Pool) -> None:
    with pytest.raises(e.UserExists) as raised:
        adapter(pool).sign_up(Username("alice"), Secret(PASSWORD), email=Email("a@example.com"), phone_number=None)
    assert raised.value.service_code == "UsernameExistsException"


def test_password_policy_is_reported_in_its_words(aws: None) -> None:
    pool = create_pool(Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": True}})
    with pytest.raises(e.InvalidPassword) as raised:
        adapter(pool).sign_up(Username("dave"), Secret("short"), email=Email("d@example.com"), phone_number=None)
    assert raised.value.service_message


def test_forgot_password_and_confirm(pool: Pool) -> None:
    up = adapter(pool)
    up.forgot_password(Username("alice"))
    up.confirm_forgot_password(Username("alice"), "123456", Secret("N3w-Passw0rd!"))
    signed_in(adapter(pool, auth_flow="USER_PASSWORD_AUTH").sign_in(Username("alice"), Secret("N3w-Passw0rd!")))


def test_change_password_and_get_user(pool: Pool) -> None:
    up = adapter(pool, auth_flow="USER_PASSWORD_AUTH")
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    up.change_password(tokens.access_token, Secret(PASSWORD), Secret("Changed-Passw0rd!"))
    signed_in(up.sign_in(Username("alice"), Secret("Changed-Passw0rd!")))
    user = up.get_user(tokens.access_token)
    assert user.username == Username("alice")
    assert user.email == Email("alice@example.com")
    assert user.sub == tokens.subject


def test_refresh_keeps_identity_and_issues_new_tokens(pool: Pool) -> None:
    up = adapter(pool)
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    refreshed = up.refresh(tokens)
    assert refreshed.refresh_token is None  # Cognito returns none: the use case keeps the old one
    assert refreshed.access_token != tokens.access_token
    assert tokens.refreshed_with(refreshed).refresh_token == tokens.refresh_token


def test_bad_refresh_token_means_session_expired(pool: Pool) -> None:
    up = adapter(pool)
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    from dataclasses import replace

    with pytest.raises(e.SessionExpired, match="sign in again"):
        up.refresh(replace(tokens, refresh_token=Secret("not-a-refresh-token")))
    with pytest.raises(e.SessionExpired):
        up.refresh(replace(tokens, refresh_token=None))


def test_global_sign_out_revokes_the_refresh_token(pool: Pool) -> None:
    up = adapter(pool)
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    up.global_sign_out(tokens.access_token)
    with pytest.raises(e.SessionExpired):
        up.refresh(tokens)
    with pytest.raises(e.SessionExpired):
        up.get_user(tokens.access_token)


def test_totp_setup_then_sign_in_with_a_real_code(pool: Pool) -> None:
    up = adapter(pool)
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    setup = up.start_totp_setup(tokens.access_token)
    assert setup.otpauth_uri.reveal().startswith("otpauth://totp/AWS%20Cognito:alice?secret=")
    with pytest.raises(e.CodeMismatch):
        up.verify_totp(tokens.access_token, "000000", "phone")
    up.verify_totp(tokens.access_token, totp(setup.secret.reveal()), "phone")
    up.set_mfa_preference(tokens.access_token, frozenset({MfaType.TOTP}), MfaType.TOTP)
    assert up.get_user(tokens.access_token).mfa.preferred is MfaType.TOTP
    step = up.sign_in(Username("alice"), Secret(PASSWORD))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.TOTP_CODE
    with pytest.raises(e.CodeMismatch):
        up.answer_code(step, "000000")
    step = up.sign_in(Username("alice"), Secret(PASSWORD))
    assert isinstance(step, Challenge)
    signed_in(up.answer_code(step, totp(setup.secret.reveal())))


def test_sms_mfa_challenge_is_answered_with_its_code(pool: Pool) -> None:
    up = adapter(pool, auth_flow="USER_PASSWORD_AUTH")
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    up.set_mfa_preference(tokens.access_token, frozenset({MfaType.SMS}), MfaType.SMS)
    step = up.sign_in(Username("alice"), Secret(PASSWORD))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SMS_CODE
    signed_in(up.answer_code(step, "123456"))
    with pytest.raises(e.SessionExpired):  # a challenge session is single-use
        up.answer_code(step, "123456")


def test_mfa_setup_during_sign_in(aws: None) -> None:
    pool = create_pool(mfa="ON")
    pool.add_user("erin")
    up = adapter(pool)
    step = up.sign_in(Username("erin"), Secret(PASSWORD))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.MFA_SETUP
    assert step.mfa_setup is not None
    signed_in(up.answer_code(step, totp(step.mfa_setup.secret.reveal())))


def test_new_password_required(pool: Pool) -> None:
    pool.admin.admin_create_user(UserPoolId=pool.pool_id, Username="frank", TemporaryPassword="Temp-Passw0rd!")
    up = adapter(pool, auth_flow="USER_PASSWORD_AUTH")
    step = up.sign_in(Username("frank"), Secret("Temp-Passw0rd!"))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.NEW_PASSWORD_REQUIRED
    signed_in(up.answer_new_password(step, Secret("Final-Passw0rd!")))
    signed_in(up.sign_in(Username("frank"), Secret("Final-Passw0rd!")))


def test_disable_mfa_clears_preferences(pool: Pool) -> None:
    up = adapter(pool)
    tokens = signed_in(up.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    up.set_mfa_preference(tokens.access_token, frozenset({MfaType.SMS}), MfaType.SMS)
    up.set_mfa_preference(tokens.access_token, frozenset(), None)
    assert up.get_user(tokens.access_token).mfa.enabled == frozenset()


def test_app_client_with_secret_sends_secret_hash(aws: None) -> None:
    pool = create_pool(secret=True)
    pool.add_user("gina")
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        signed_in(adapter(pool, auth_flow=flow).sign_in(Username("gina"), Secret(PASSWORD)))
    up = adapter(pool)
    result = up.sign_up(Username("hal"), Secret(PASSWORD), email=Email("h@example.com"), phone_number=None)
    assert result.user_sub
    up.confirm_sign_up(Username("hal"), "123456")


def test_wrong_app_client_is_a_configuration_error(pool: Pool) -> None:
    from dataclasses import replace

    broken = replace(pool, client_id="unknownclient")
    with pytest.raises(e.ConfigurationError, match="app_client_id"):
        adapter(broken).sign_in(Username("alice"), Secret(PASSWORD))


def test_id_token_is_verified_against_the_clock(pool: Pool) -> None:
    from tests.fakes import FakeClock

    clock = FakeClock(SystemClock().now() + timedelta(hours=2))
    with pytest.raises(e.InvalidToken, match="expired"):
        user_pool_adapter(pool, clock).sign_in(Username("alice"), Secret(PASSWORD))
    clock.current = SystemClock().now() + timedelta(seconds=3600 + 30)
    signed_in(user_pool_adapter(pool, clock, leeway=60).sign_in(Username("alice"), Secret(PASSWORD)))


@pytest.mark.parametrize(("minutes", "leeway"), [(-4, 300), (7, 60)])
def test_a_skewed_device_clock_still_gets_a_full_token_lifetime(pool: Pool, minutes: int, leeway: int) -> None:
    from tests.fakes import FakeClock

    clock = FakeClock(SystemClock().now() + timedelta(minutes=minutes))
    adapter = user_pool_adapter(pool, clock, leeway=leeway)
    tokens = signed_in(adapter.sign_in(Username("alice"), Secret(PASSWORD))).tokens
    assert tokens.expires_at - clock.now() == timedelta(seconds=3600)  # counted from ExpiresIn, on our clock


def test_a_device_clock_behind_by_more_than_the_leeway_is_told_to_fix_it(pool: Pool) -> None:
    from tests.fakes import FakeClock

    clock = FakeClock(SystemClock().now() - timedelta(minutes=7))
    with pytest.raises(e.InvalidToken, match=r"issued \d+ s in the future \(iat\): check this device's clock"):
        user_pool_adapter(pool, clock, leeway=60).sign_in(Username("alice"), Secret(PASSWORD))
