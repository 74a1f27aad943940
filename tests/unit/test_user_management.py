from __future__ import annotations

from typing import Any

import pytest

from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import (
    ConfirmationCodeSent,
    OperationFailed,
    PasswordResetDone,
    PasswordResetRequested,
    SignedUp,
    SignUpConfirmed,
)
from aws_client_auth.domain.tokens import GOOGLE, LoginToken
from aws_client_auth.entrypoints.scripting import ClientAuth
from aws_client_auth.testing import GOOGLE_KEY, FakeWorld, fake_world


@pytest.fixture
def world() -> FakeWorld:
    return fake_world()


def test_sign_up_with_email_creates_an_unconfirmed_user(world: FakeWorld) -> None:
    result = world.auth.sign_up("alice", "Passw0rd!", email="alice@example.com")
    assert result.user_sub == "sub-alice"
    assert result.delivery is not None
    assert result.delivery.medium == "EMAIL"
    assert world.pool.users["alice"].email == "alice@example.com"
    assert not world.pool.users["alice"].confirmed
    assert world.events.of(SignedUp) == [SignedUp("alice", "sub-alice", result.delivery)]


def test_sign_up_with_phone_sends_the_code_by_sms(world: FakeWorld) -> None:
    result = world.auth.sign_up("bob", "Passw0rd!", phone="+14155550100")
    assert result.delivery is not None
    assert result.delivery.medium == "SMS"
    assert world.pool.users["bob"].phone == "+14155550100"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"email": "a@example.com", "phone": "+14155550100"}, "exactly one"),
        ({"email": "not-an-email"}, "malformed"),
        ({"phone": "0155"}, "E.164"),
    ],
)
def test_sign_up_rejects_bad_input_before_any_call(world: FakeWorld, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(e.InvalidInput, match=message):
        world.auth.sign_up("alice", "Passw0rd!", **kwargs)
    assert world.pool.calls == 0
    failed = world.events.of(OperationFailed)
    assert len(failed) == 1
    assert isinstance(failed[0], OperationFailed)
    assert failed[0].operation == "sign_up"


def test_sign_up_of_a_taken_name_fails_and_is_announced(world: FakeWorld) -> None:
    world.pool.add_user("alice")
    with pytest.raises(e.UserExists):
        world.auth.sign_up("alice", "Passw0rd!", email="a@example.com")
    assert [ev.error_code for ev in world.events.of(OperationFailed)] == ["user_exists"]


def test_sign_up_reports_the_pool_password_policy(world: FakeWorld) -> None:
    with pytest.raises(e.InvalidPassword, match="not long enough"):
        world.auth.sign_up("alice", "short", email="a@example.com")


def test_confirm_sign_up_checks_the_code(world: FakeWorld) -> None:
    world.auth.sign_up("alice", "Passw0rd!", email="a@example.com")
    with pytest.raises(e.CodeMismatch):
        world.auth.confirm_sign_up("alice", "000000")
    world.auth.confirm_sign_up("alice", " 123456 ")
    assert world.pool.users["alice"].confirmed
    assert world.events.of(SignUpConfirmed) == [SignUpConfirmed("alice")]


def test_resend_confirmation_code_says_where_it_went(world: FakeWorld) -> None:
    world.pool.add_user("alice", confirmed=False)
    delivery = world.auth.resend_confirmation_code("alice")
    assert delivery is not None
    assert str(delivery) == "email to x***"
    assert len(world.events.of(ConfirmationCodeSent)) == 1


def test_forgot_password_then_confirm_sets_the_new_password(world: FakeWorld) -> None:
    world.pool.add_user("alice")
    world.auth.forgot_password("alice")
    world.auth.confirm_forgot_password("alice", "123456", "N3wPassw0rd!")
    assert world.pool.users["alice"].password == "N3wPassw0rd!"
    assert len(world.events.of(PasswordResetRequested)) == 1
    assert world.events.of(PasswordResetDone) == [PasswordResetDone("alice")]


def test_forgot_password_for_unknown_user_is_a_typed_error(world: FakeWorld) -> None:
    with pytest.raises(e.UserNotFound):
        world.auth.forgot_password("nobody")
    assert world.events.of(OperationFailed)


def test_confirm_forgot_password_validates_the_new_password_first(world: FakeWorld) -> None:
    world.pool.add_user("alice")
    with pytest.raises(e.InvalidInput, match="New password is empty"):
        world.auth.confirm_forgot_password("alice", "123456", "")
    assert world.pool.calls == 0


def test_unconfigured_cognito_is_a_clear_error_not_a_crash() -> None:
    auth = ClientAuth.from_config(environ={}, storage={"backend": "memory"})
    failures: list[OperationFailed] = []
    auth.subscribe(OperationFailed, failures.append)
    with pytest.raises(e.ProviderNotConfigured, match=r"set \[cognito\] user_pool_id"):
        auth.sign_up("alice", "Passw0rd!", email="a@example.com")
    assert [failure.error_code for failure in failures] == ["provider_not_configured"]


def test_unknown_provider_lists_the_known_ones(world: FakeWorld) -> None:
    with pytest.raises(e.UnknownProvider, match="cognito, google, lwa"):
        world.auth.sign_in("alice", "Passw0rd!", provider="okta")
    with pytest.raises(e.InvalidInput, match="no password sign-in"):
        world.auth.sign_in("alice", "Passw0rd!", provider="lwa")
    with pytest.raises(e.InvalidInput, match="no device sign-in"):
        world.auth.start_device_sign_in("cognito")


def test_a_provider_without_a_user_directory_says_whose_they_are(world: FakeWorld) -> None:
    google = AuthProvider(GOOGLE, GOOGLE_KEY, LoginToken.ID, refresher=world.google_device, device=world.google_device)
    with pytest.raises(e.InvalidInput, match="no user directory"):
        ProviderRegistry([google]).directory(GOOGLE)
