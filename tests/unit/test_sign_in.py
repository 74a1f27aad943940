from __future__ import annotations

import pytest

from aws_client_auth.application.services.providers import SignInMethod
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import ChallengeIssued, SignedIn, SignInFailed
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind
from aws_client_auth.domain.sign_in import SignedIn as SignedInStep
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import MfaType
from aws_client_auth.testing import FakeWorld, fake_world


@pytest.fixture
def world() -> FakeWorld:
    return fake_world({"alice": "Passw0rd!"})


def sign_in(world: FakeWorld, password: str = "Passw0rd!") -> object:
    return world.auth.sign_in("alice", password)


def confirm(world: FakeWorld, answer: str) -> object:
    return world.auth.confirm_sign_in(answer)


def test_sign_in_without_mfa_keeps_tokens_and_announces_it(world: FakeWorld) -> None:
    step = sign_in(world)
    assert isinstance(step, SignedInStep)
    assert world.session.tokens[COGNITO] == step.tokens
    assert world.events.of(SignedIn) == [SignedIn(COGNITO, "alice")]


def test_wrong_password_fails_with_sign_in_failed_and_keeps_the_session(world: FakeWorld) -> None:
    sign_in(world)
    before = world.session
    with pytest.raises(e.NotAuthorized):
        sign_in(world, "wrong-password")
    assert world.session == before
    (failed,) = world.events.of(SignInFailed)
    assert isinstance(failed, SignInFailed)
    assert failed.error_code == "not_authorized"
    assert "wrong-password" not in failed.message


def test_unconfirmed_user_is_told_to_confirm(world: FakeWorld) -> None:
    world.pool.users["alice"].confirmed = False
    with pytest.raises(e.UserNotConfirmed):
        sign_in(world)


def test_sms_challenge_is_kept_pending_then_answered(world: FakeWorld) -> None:
    world.pool.users["alice"].mfa_enabled = {MfaType.SMS}
    world.pool.users["alice"].preferred = MfaType.SMS
    step = sign_in(world)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SMS_CODE
    assert step.delivery is not None
    assert world.session.pending == step
    assert world.events.of(ChallengeIssued) == [ChallengeIssued(COGNITO, ChallengeKind.SMS_CODE, step.delivery)]
    done = confirm(world, "123456")
    assert isinstance(done, SignedInStep)
    after = world.store.load()
    assert after.pending is None
    assert COGNITO in after.tokens


def test_wrong_code_keeps_the_challenge_for_another_try(world: FakeWorld) -> None:
    world.pool.users["alice"].preferred = MfaType.TOTP
    sign_in(world)
    with pytest.raises(e.CodeMismatch):
        confirm(world, "999999")
    assert isinstance(world.session.pending, Challenge)
    assert isinstance(confirm(world, "123456"), SignedInStep)


def test_expired_challenge_session_is_dropped(world: FakeWorld) -> None:
    world.pool.users["alice"].preferred = MfaType.TOTP
    sign_in(world)
    world.pool.sessions.clear()
    with pytest.raises(e.SessionExpired):
        confirm(world, "123456")
    assert world.session.pending is None


def test_select_mfa_type_then_code(world: FakeWorld) -> None:
    world.pool.users["alice"].mfa_enabled = {MfaType.SMS, MfaType.TOTP}
    step = sign_in(world)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SELECT_MFA_TYPE
    with pytest.raises(e.InvalidInput, match="not offered"):
        confirm(world, "email")
    next_step = confirm(world, "totp")
    assert isinstance(next_step, Challenge)
    assert next_step.kind is ChallengeKind.TOTP_CODE
    assert isinstance(confirm(world, "123456"), SignedInStep)


def test_new_password_required_is_answered_with_a_password(world: FakeWorld) -> None:
    world.pool.users["alice"].must_change_password = True
    step = sign_in(world)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.NEW_PASSWORD_REQUIRED
    with pytest.raises(e.InvalidInput, match="New password is empty"):
        confirm(world, "")
    assert isinstance(confirm(world, "Brand-new-1!"), SignedInStep)
    assert world.pool.users["alice"].password == "Brand-new-1!"


def test_confirm_without_pending_challenge_says_sign_in_first(world: FakeWorld) -> None:
    with pytest.raises(e.NoPendingSignIn, match="Nothing is waiting for an answer: sign in first"):
        confirm(world, "123456")


def test_confirm_while_a_device_code_is_pending_says_to_complete_that(world: FakeWorld) -> None:
    world.auth.start_device_sign_in("lwa")
    with pytest.raises(e.NoPendingSignIn, match="device sign-in is waiting"):
        confirm(world, "123456")
    assert world.events.of(SignInFailed) == []


def test_how_each_provider_signs_in(world: FakeWorld) -> None:
    assert world.auth.sign_in_method() is SignInMethod.PASSWORD
    assert world.auth.sign_in_method("lwa") is SignInMethod.DEVICE
    assert world.auth.sign_in_method("google") is SignInMethod.DEVICE
    with pytest.raises(e.UnknownProvider, match="cognito, google, lwa"):
        world.auth.sign_in_method("okta")


def test_sign_in_validates_before_calling(world: FakeWorld) -> None:
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("", "Passw0rd!")
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("alice", "")
    assert world.pool.calls == 0


def test_sign_in_with_a_device_only_provider_is_a_clear_error(world: FakeWorld) -> None:
    with pytest.raises(e.InvalidInput, match="no password sign-in"):
        world.auth.sign_in("alice", "Passw0rd!", provider="lwa")


NOT_UTF8 = b"Passw\xf6rd!".decode("utf-8", "surrogateescape")  # Latin-1 bytes read from stdin


def test_a_password_that_is_not_utf8_fails_before_any_call(world: FakeWorld) -> None:
    calls = world.pool.calls
    with pytest.raises(e.InvalidInput, match="not valid UTF-8") as raised:
        sign_in(world, NOT_UTF8)
    assert world.pool.calls == calls
    assert "\udcf6" not in str(raised.value)
    assert "position" not in str(raised.value)


def test_srp_never_puts_a_password_character_into_an_error() -> None:
    from datetime import UTC, datetime

    from aws_client_auth.adapters.cognito import srp

    with pytest.raises(e.InvalidInput) as raised:
        srp.password_claim(
            srp.new_ephemeral(),
            pool_id="us-east-1_Pool",
            user_id="alice",
            password=NOT_UTF8,
            salt_hex="0a1b",
            server_b_hex="2f3e4d",
            secret_block_b64="c2VjcmV0",
            now=datetime.now(UTC),
        )
    message = str(raised.value)
    assert "not valid UTF-8" in message
    assert "\udcf6" not in message
    assert "position" not in message
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
