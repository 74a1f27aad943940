"""Issue 14 on the fakes: the JSON-RPC methods of the account and devices, and the devices a session keeps per
user (kept by a local sign-out, passed to the next sign-in, dropped by a global one, stored and read back)."""

from __future__ import annotations

from typing import Any

import pytest

from aws_client_auth.adapters.stores import codec
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import DeviceConfirmed, UserDeleted
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session, device_entry
from aws_client_auth.domain.sign_in import SignedIn, SignInStep
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import RememberedDevice, TrackedDevice, Username
from aws_client_auth.testing import FakeWorld, fake_world
from tests.unit.test_aio import PASSWORD, Rig, rig
from tests.unit.test_aio_rpc_methods import call

__all__ = ["rig"]
DEVICE = RememberedDevice("us-east-1_dev-1", Secret("group-key-x1"), Secret("device-password-x1"))


def _signed_in_with_device(rig: Rig) -> None:
    """alice signed in on a pool that tracks this machine as her device (the fake tracks none by itself)."""
    sign_in = rig.pool.sign_in

    def tracked(username: Username, password: Secret, **kwargs: Any) -> SignInStep:
        step = sign_in(username, password, **kwargs)
        assert isinstance(step, SignedIn)
        return SignedIn(step.tokens.with_device(kwargs.get("device") or DEVICE))

    rig.pool.sign_in = tracked  # type: ignore[method-assign]
    rig.pool.users["alice"].devices[DEVICE.key] = TrackedDevice(DEVICE.key, name="laptop")
    assert call(rig, "sign_in", username="alice", password=PASSWORD)["status"] == "signed_in"


def test_attribute_methods_answer_as_the_cli_does(rig: Rig) -> None:
    call(rig, "sign_in", username="alice", password=PASSWORD)
    updated = call(rig, "update_attributes", values={"given_name": "Alice", "email": "alice@example.org"})
    assert updated == {
        "updated": ["given_name", "email"],
        "deliveries": [{"medium": "EMAIL", "destination": "x***", "attribute": "email"}],
    }
    assert call(rig, "attributes")["attributes"]["given_name"] == "Alice"
    assert call(rig, "send_attribute_code", name="email")["delivery"]["attribute"] == "email"
    assert call(rig, "verify_attribute", name="email", code="123456") == {"attribute": "email", "verified": True}
    assert call(rig, "delete_attributes", names=["given_name"]) == {"deleted": ["given_name"]}
    assert "given_name" not in call(rig, "attributes")["attributes"]


def test_mfa_preference_shows_and_sets(rig: Rig) -> None:
    call(rig, "sign_in", username="alice", password=PASSWORD)
    call(rig, "enable_mfa", mfa_type="email")
    call(rig, "enable_mfa", mfa_type="sms")
    assert call(rig, "mfa_preference") == {"enabled": ["email", "sms"], "preferred": "sms"}
    assert call(rig, "mfa_preference", mfa_type="email") == {"enabled": ["email", "sms"], "preferred": "email"}
    off = call(rig, "disable_mfa", mfa_type="email")
    assert off == {"mfa": "email", "enabled": False, "remaining": ["sms"], "preferred": None}
    with pytest.raises(e.MfaNotEnabled):
        call(rig, "mfa_preference", mfa_type="totp")


def test_devices_remembered_listed_and_forgotten(rig: Rig) -> None:
    _signed_in_with_device(rig)
    assert rig.world.events.of(DeviceConfirmed) == [DeviceConfirmed(COGNITO, DEVICE.key, remembered=False)]
    assert call(rig, "remember_device") == {"device_remembered": True, "device_key": DEVICE.key}
    kept = rig.world.auth.container.sessions().load()
    assert kept.device_for(COGNITO, "ALICE") == RememberedDevice(
        DEVICE.key, DEVICE.group_key, DEVICE.password, remembered=True
    )
    listed = call(rig, "devices")["devices"]
    assert [(d["key"], d["name"], d["remembered"], d["this_device"]) for d in listed] == [
        (DEVICE.key, "laptop", True, True)
    ]
    assert call(rig, "forget_device") == {"forgotten": DEVICE.key, "this_device": True}
    session = rig.world.auth.container.sessions().load()
    assert session.devices == {}
    assert session.tokens[COGNITO].device is None


def test_a_local_sign_out_keeps_the_device_for_the_next_sign_in_and_a_global_one_drops_it(rig: Rig) -> None:
    _signed_in_with_device(rig)
    seen: list[RememberedDevice | None] = []
    sign_in = rig.pool.sign_in

    def recording(username: Username, password: Secret, **kwargs: Any) -> SignInStep:
        seen.append(kwargs.get("device"))
        return sign_in(username, password, **kwargs)

    rig.pool.sign_in = recording  # type: ignore[method-assign]
    rig.world.auth.sign_out()
    assert rig.world.auth.container.sessions().load().devices  # kept
    rig.world.auth.sign_in("alice", PASSWORD)
    assert seen == [DEVICE]
    assert len(rig.world.events.of(DeviceConfirmed)) == 1  # the same device: not announced again
    rig.world.auth.sign_out(globally=True)
    assert rig.world.auth.container.sessions().load().is_empty
    rig.world.auth.sign_in("alice", PASSWORD)
    assert seen[-1] is None


def test_delete_account_removes_the_user_and_the_session(rig: Rig) -> None:
    call(rig, "sign_in", username="alice", password=PASSWORD)
    assert call(rig, "delete_account") == {"deleted": True, "username": "alice"}
    assert "alice" not in rig.pool.users
    assert rig.world.auth.container.sessions().load().is_empty
    assert rig.world.events.of(UserDeleted)


def test_session_devices_by_provider_and_login_in_any_case() -> None:
    session = Session().with_device_for(COGNITO, "Alice", DEVICE)
    assert device_entry(COGNITO, "ALICE") == "cognito/alice"
    assert session.device_for(COGNITO, "alice") == DEVICE
    assert session.device_for(COGNITO, "bob") is None
    assert session.replacing_device(DEVICE.key, None).devices == {}
    assert session.with_device_for(COGNITO, "alice", None).is_empty


def test_session_devices_are_stored_and_read_back() -> None:
    session = Session().with_device_for(COGNITO, "alice", DEVICE)
    encoded = codec.encode(session)
    assert encoded["devices"] == {
        "cognito/alice": {
            "key": DEVICE.key,
            "group_key": "group-key-x1",
            "password": "device-password-x1",
            "remembered": False,
        }
    }
    assert codec.decode(encoded) == session
    del encoded["devices"]
    assert codec.decode(encoded).devices == {}  # files written before devices were kept


def test_the_fake_world_answers_the_facade() -> None:
    w: FakeWorld = fake_world({"alice": PASSWORD})
    w.auth.sign_in("alice", PASSWORD)
    assert w.auth.update_attributes({"custom:team": "blue"}) == ()
    assert w.auth.attributes()["custom:team"] == "blue"
    assert w.auth.mfa_preference().enabled == frozenset()
