from __future__ import annotations

import pytest

from aws_client_auth.application.use_cases.change_password import ChangePassword
from aws_client_auth.application.use_cases.disable_mfa import DisableMfa
from aws_client_auth.application.use_cases.enable_mfa import EnableMfa
from aws_client_auth.application.use_cases.sign_in import SignIn
from aws_client_auth.application.use_cases.verify_mfa import VerifyMfa
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import MfaDisabled, MfaEnabled, MfaSetupStarted, OperationFailed, PasswordChanged
from aws_client_auth.domain.user import MfaType
from tests.fakes import World, make_world


@pytest.fixture
def world() -> World:
    w = make_world()
    w.pool.add_user("alice")
    SignIn(w.registry, w.sessions, w.events).execute("alice", "Passw0rd!")
    return w


def test_enable_sms_mfa_sets_it_preferred(world: World) -> None:
    assert EnableMfa(world.registry, world.tokens, world.events).execute("sms") is None
    assert world.pool.users["alice"].mfa_enabled == {MfaType.SMS}
    assert world.pool.users["alice"].preferred is MfaType.SMS
    assert world.events.of(MfaEnabled) == [MfaEnabled(MfaType.SMS)]


def test_totp_takes_effect_only_after_verification(world: World) -> None:
    setup = EnableMfa(world.registry, world.tokens, world.events).execute(MfaType.TOTP)
    assert setup is not None
    assert setup.secret.reveal() == world.pool.TOTP_SECRET
    assert world.pool.users["alice"].mfa_enabled == set()
    assert world.events.of(MfaSetupStarted)
    with pytest.raises(e.CodeMismatch):
        VerifyMfa(world.registry, world.tokens, world.events).execute("000000")
    VerifyMfa(world.registry, world.tokens, world.events).execute("123456")
    assert world.pool.users["alice"].mfa_enabled == {MfaType.TOTP}
    assert world.pool.users["alice"].preferred is MfaType.TOTP


def test_email_mfa_is_not_enabled_here(world: World) -> None:
    with pytest.raises(e.InvalidInput, match="sms or totp"):
        EnableMfa(world.registry, world.tokens, world.events).execute("email")


def test_disable_mfa(world: World) -> None:
    EnableMfa(world.registry, world.tokens, world.events).execute("sms")
    DisableMfa(world.registry, world.tokens, world.events).execute()
    assert world.pool.users["alice"].mfa_enabled == set()
    assert world.events.of(MfaDisabled)


def test_mfa_needs_a_signed_in_user() -> None:
    world = make_world()
    with pytest.raises(e.NotSignedIn):
        EnableMfa(world.registry, world.tokens, world.events).execute("sms")
    assert world.events.of(OperationFailed)


def test_change_password_checks_the_current_one(world: World) -> None:
    change = ChangePassword(world.registry, world.tokens, world.events)
    with pytest.raises(e.NotAuthorized):
        change.execute("wrong-one", "N3w-passw0rd")
    change.execute("Passw0rd!", "N3w-passw0rd")
    assert world.pool.users["alice"].password == "N3w-passw0rd"
    assert world.events.of(PasswordChanged)
