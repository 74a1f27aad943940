from __future__ import annotations

import pytest

from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.use_cases.confirm_forgot_password import ConfirmForgotPassword
from aws_client_auth.application.use_cases.confirm_sign_up import ConfirmSignUp
from aws_client_auth.application.use_cases.forgot_password import ForgotPassword
from aws_client_auth.application.use_cases.resend_confirmation_code import ResendConfirmationCode
from aws_client_auth.application.use_cases.sign_up import SignUp
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import (
    ConfirmationCodeSent,
    OperationFailed,
    PasswordResetDone,
    PasswordResetRequested,
    SignedUp,
    SignUpConfirmed,
)
from tests.fakes import World, make_world


@pytest.fixture
def world() -> World:
    return make_world()


def test_sign_up_with_email_creates_an_unconfirmed_user(world: World) -> None:
    result = SignUp(world.registry, world.events).execute("alice", "Passw0rd!", email="alice@example.com")
    assert result.user_sub == "sub-alice"
    assert result.delivery is not None
    assert result.delivery.medium == "EMAIL"
    assert world.pool.users["alice"].email == "alice@example.com"
    assert not world.pool.users["alice"].confirmed
    assert world.events.of(SignedUp) == [SignedUp("alice", "sub-alice", result.delivery)]


def test_sign_up_with_phone_sends_the_code_by_sms(world: World) -> None:
    result = SignUp(world.registry, world.events).execute("bob", "Passw0rd!", phone="+14155550100")
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
def test_sign_up_rejects_bad_input_before_any_call(world: World, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(e.InvalidInput, match=message):
        SignUp(world.registry, world.events).execute("alice", "Passw0rd!", **kwargs)
    assert world.pool.calls == 0
    failed = world.events.of(OperationFailed)
    assert len(failed) == 1
    assert isinstance(failed[0], OperationFailed)
    assert failed[0].operation == "sign_up"


def test_sign_up_of_a_taken_name_fails_and_is_announced(world: World) -> None:
    world.pool.add_user("alice")
    with pytest.raises(e.UserExists):
        SignUp(world.registry, world.events).execute("alice", "Passw0rd!", email="a@example.com")
    assert [ev.error_code for ev in world.events.of(OperationFailed)] == ["user_exists"]  # type: ignore[attr-defined]


def test_sign_up_reports_the_pool_password_policy(world: World) -> None:
    with pytest.raises(e.InvalidPassword, match="not long enough"):
        SignUp(world.registry, world.events).execute("alice", "short", email="a@example.com")


def test_confirm_sign_up_checks_the_code(world: World) -> None:
    SignUp(world.registry, world.events).execute("alice", "Passw0rd!", email="a@example.com")
    confirm = ConfirmSignUp(world.registry, world.events)
    with pytest.raises(e.CodeMismatch):
        confirm.execute("alice", "000000")
    confirm.execute("alice", " 123456 ")
    assert world.pool.users["alice"].confirmed
    assert world.events.of(SignUpConfirmed) == [SignUpConfirmed("alice")]


def test_resend_confirmation_code_says_where_it_went(world: World) -> None:
    world.pool.add_user("alice", confirmed=False)
    delivery = ResendConfirmationCode(world.registry, world.events).execute("alice")
    assert delivery is not None
    assert str(delivery) == "email to x***"
    assert len(world.events.of(ConfirmationCodeSent)) == 1


def test_forgot_password_then_confirm_sets_the_new_password(world: World) -> None:
    world.pool.add_user("alice")
    ForgotPassword(world.registry, world.events).execute("alice")
    ConfirmForgotPassword(world.registry, world.events).execute("alice", "123456", "N3wPassw0rd!")
    assert world.pool.users["alice"].password == "N3wPassw0rd!"
    assert len(world.events.of(PasswordResetRequested)) == 1
    assert world.events.of(PasswordResetDone) == [PasswordResetDone("alice")]


def test_forgot_password_for_unknown_user_is_a_typed_error(world: World) -> None:
    with pytest.raises(e.UserNotFound):
        ForgotPassword(world.registry, world.events).execute("nobody")
    assert world.events.of(OperationFailed)


def test_confirm_forgot_password_validates_the_new_password_first(world: World) -> None:
    world.pool.add_user("alice")
    with pytest.raises(e.InvalidInput, match="New password is empty"):
        ConfirmForgotPassword(world.registry, world.events).execute("alice", "123456", "")
    assert world.pool.calls == 0


def test_unconfigured_cognito_is_a_clear_error_not_a_crash() -> None:
    registry = ProviderRegistry([], unconfigured={"cognito": "set [cognito] user_pool_id and app_client_id"})
    world = make_world()
    with pytest.raises(e.ProviderNotConfigured, match=r"set \[cognito\] user_pool_id"):
        SignUp(registry, world.events).execute("alice", "Passw0rd!", email="a@example.com")
    assert world.events.of(OperationFailed)[0].error_code == "provider_not_configured"  # type: ignore[attr-defined]


def test_unknown_provider_lists_the_known_ones() -> None:
    world = make_world()
    with pytest.raises(e.UnknownProvider, match="cognito, google, lwa"):
        world.registry.get("okta")
    with pytest.raises(e.InvalidInput, match="no password sign-in"):
        world.registry.password("lwa")
    with pytest.raises(e.InvalidInput, match="no device sign-in"):
        world.registry.device("cognito")
    with pytest.raises(e.InvalidInput, match="no user directory"):
        world.registry.directory("google")
