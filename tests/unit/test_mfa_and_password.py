from __future__ import annotations

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import MfaDisabled, MfaEnabled, MfaSetupStarted, OperationFailed, PasswordChanged
from aws_client_auth.domain.user import MfaType
from aws_client_auth.testing import FakeWorld, fake_world


@pytest.fixture
def world() -> FakeWorld:
    w = fake_world({"alice": "Passw0rd!"})
    w.auth.sign_in("alice", "Passw0rd!")
    return w


def test_enable_sms_mfa_sets_it_preferred(world: FakeWorld) -> None:
    assert world.auth.enable_mfa("sms") is None
    assert world.pool.users["alice"].mfa_enabled == {MfaType.SMS}
    assert world.pool.users["alice"].preferred is MfaType.SMS
    assert world.events.of(MfaEnabled) == [MfaEnabled(MfaType.SMS)]


def test_totp_takes_effect_only_after_verification(world: FakeWorld) -> None:
    setup = world.auth.enable_mfa(MfaType.TOTP)
    assert setup is not None
    assert setup.secret.reveal() == world.pool.TOTP_SECRET
    assert world.pool.users["alice"].mfa_enabled == set()
    assert world.events.of(MfaSetupStarted)
    with pytest.raises(e.CodeMismatch):
        world.auth.verify_mfa("000000")
    world.auth.verify_mfa("123456")
    assert world.pool.users["alice"].mfa_enabled == {MfaType.TOTP}
    assert world.pool.users["alice"].preferred is MfaType.TOTP


def test_email_mfa_is_enabled_and_preferred(world: FakeWorld) -> None:
    assert world.auth.enable_mfa("email") is None
    assert world.pool.users["alice"].mfa_enabled == {MfaType.EMAIL}
    assert world.auth.mfa_preference().preferred is MfaType.EMAIL


def test_disable_mfa(world: FakeWorld) -> None:
    world.auth.enable_mfa("sms")
    world.auth.disable_mfa()
    assert world.pool.users["alice"].mfa_enabled == set()
    assert world.events.of(MfaDisabled)


def test_mfa_needs_a_signed_in_user() -> None:
    world = fake_world({"alice": "Passw0rd!"})
    with pytest.raises(e.NotSignedIn):
        world.auth.enable_mfa("sms")
    assert world.events.of(OperationFailed)


def test_change_password_checks_the_current_one(world: FakeWorld) -> None:
    with pytest.raises(e.NotAuthorized):
        world.auth.change_password("wrong-one", "N3w-passw0rd")
    world.auth.change_password("Passw0rd!", "N3w-passw0rd")
    assert world.pool.users["alice"].password == "N3w-passw0rd"
    assert world.events.of(PasswordChanged)
