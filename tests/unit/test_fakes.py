"""The shipped fakes keep the rules of the services they stand for: a test on them fails where the real service
would refuse, so users' tests and ours can trust what passes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from aws_client_auth.application.ports.user_directory import account_of, devices_of
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.user import MfaType, TrackedDevice
from aws_client_auth.testing import START, FakeClock, FakeSleeper, FakeUserPool, client_auth, fake_world


@pytest.fixture
def pool() -> FakeUserPool:
    pool = FakeUserPool(FakeClock())
    pool.add_user("alice")
    return pool


def access(pool: FakeUserPool) -> Secret:
    return pool.issue("alice").access_token


def test_the_user_pool_serves_every_port_of_a_cognito_user_pool(pool: FakeUserPool) -> None:
    assert account_of(pool) is pool
    assert devices_of(pool) is pool


def test_a_changed_email_waits_for_its_code(pool: FakeUserPool) -> None:
    token = access(pool)
    (delivery,) = account_of(pool).update_attributes(token, {"email": "new@example.com", "given_name": "Alice"})
    assert delivery.attribute == "email"
    user = pool.get_user(token)
    assert user.email is not None
    assert user.email.value == "new@example.com"
    assert user.attributes["given_name"] == "Alice"
    assert pool.users["alice"].unverified == {"email"}
    with pytest.raises(e.CodeMismatch):
        pool.verify_attribute(token, "email", "000000")
    pool.verify_attribute(token, "email", FakeUserPool.CODE)
    assert pool.users["alice"].unverified == set()
    pool.delete_attributes(token, ("given_name", "email"))
    assert pool.get_user(token).email is None
    assert "given_name" not in pool.get_user(token).attributes


def test_mfa_methods_change_one_by_one(pool: FakeUserPool) -> None:
    token = access(pool)
    pool.change_mfa(token, enable=frozenset({MfaType.SMS}), preferred=MfaType.TOTP)
    assert pool.get_user(token).mfa.enabled == {MfaType.SMS, MfaType.TOTP}
    pool.change_mfa(token, disable=frozenset({MfaType.TOTP}))
    assert (pool.users["alice"].mfa_enabled, pool.users["alice"].preferred) == ({MfaType.SMS}, None)
    with pytest.raises(e.InvalidInput):
        pool.change_mfa(token, enable=frozenset({MfaType.SMS}), disable=frozenset({MfaType.SMS}))


def test_a_deleted_account_leaves_its_tokens_worthless(pool: FakeUserPool) -> None:
    tokens = pool.issue("alice")
    pool.delete_user(tokens.access_token)
    assert "alice" not in pool.users
    with pytest.raises(e.SessionExpired):
        pool.get_user(tokens.access_token)
    with pytest.raises(e.SessionExpired):
        pool.refresh(tokens)


def test_devices_are_remembered_and_forgotten_by_key(pool: FakeUserPool) -> None:
    token = access(pool)
    pool.users["alice"].devices["us-west-2_dev1"] = TrackedDevice("us-west-2_dev1", name="laptop")
    pool.remember_device(token, "us-west-2_dev1")
    assert pool.list_devices(token) == (TrackedDevice("us-west-2_dev1", name="laptop", remembered=True),)
    pool.forget_device(token, "us-west-2_dev1")
    assert pool.list_devices(token) == ()
    with pytest.raises(e.InvalidInput, match="does not exist"):
        pool.forget_device(token, "us-west-2_dev1")


def test_a_refresh_token_is_revoked_with_every_access_token_it_issued(pool: FakeUserPool) -> None:
    signed_in = pool.issue("alice")
    refreshed = pool.refresh(signed_in)
    other = pool.issue("alice")  # another device's sign-in
    assert signed_in.refresh_token is not None
    pool.revoke_refresh_token(signed_in.refresh_token)
    for gone in (signed_in, refreshed):
        with pytest.raises(e.SessionExpired):
            pool.get_user(gone.access_token)
    assert pool.get_user(other.access_token).username.value == "alice"


def test_the_sleeper_ends_a_wait_when_it_is_cancelled() -> None:
    clock = FakeClock()
    sleeper = FakeSleeper(clock)
    cancel = threading.Event()
    sleeper.sleep(5, cancel)
    cancel.set()
    sleeper.sleep(5, cancel)
    assert (sleeper.slept, sleeper.cancelled) == ([5], 1)
    assert clock.now() == START + timedelta(seconds=5)  # the cancelled wait did not move the clock


def test_a_device_code_that_was_never_requested_cannot_be_approved() -> None:
    world = fake_world()
    with pytest.raises(AssertionError, match="start the device sign-in first"):
        world.lwa_device.user_approves("alice")


def test_each_built_client_auth_is_a_world_of_its_own() -> None:
    first, second = client_auth({"alice": "Passw0rd!"}), client_auth()
    first.sign_in("alice", "Passw0rd!")
    assert not second.is_signed_in()
    with pytest.raises(e.UserNotFound):
        second.sign_in("alice", "Passw0rd!")
