"""The account use cases (attributes, MFA methods and preference, devices, account deletion) on the real Cognito
adapter, against the local Cognito stand-in: what the pool ends up holding, what the session keeps, and the
events, rather than which calls were made."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.adapters.system import SystemClock
from aws_client_auth.application.ports.session_store import SessionStore
from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.application.use_cases.attributes import (
    DeleteAttributes,
    ListAttributes,
    SendAttributeCode,
    UpdateAttributes,
    VerifyAttribute,
)
from aws_client_auth.application.use_cases.delete_account import DeleteAccount
from aws_client_auth.application.use_cases.devices import ForgetDevice, ListDevices, RememberDevice
from aws_client_auth.application.use_cases.mfa_preference import (
    DisableMfaMethod,
    EnableMfaMethod,
    GetMfaPreference,
    SetMfaPreference,
)
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import (
    AttributesUpdated,
    AttributeVerified,
    DeviceForgotten,
    DeviceRemembered,
    MfaDisabled,
    MfaEnabled,
    OperationFailed,
    UserDeleted,
)
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, CodeDelivery, SignedIn
from aws_client_auth.domain.tokens import COGNITO, LoginToken, Tokens
from aws_client_auth.domain.user import MfaPreferences, MfaType, Username
from aws_client_auth.testing.events import RecordingEvents
from tests.cognito_standin import CognitoStandIn, Device, cognito_standin
from tests.integration.test_cognito_standin import PASSWORD, adapter

KEY = "cognito-idp.us-east-1.amazonaws.com/us-east-1_StandIn"
T = TypeVar("T")


@dataclass
class Account:
    """A signed-in user of the stand-in, and the application services the use cases are built on."""

    standin: CognitoStandIn
    pool: CognitoUserPool
    sessions: Sessions
    registry: ProviderRegistry
    tokens: TokenKeeper
    events: RecordingEvents

    def sign_in(self, *, mfa_code: bool = False) -> Tokens:
        step = self.pool.sign_in(Username("alice"), Secret(PASSWORD))
        if mfa_code:
            assert isinstance(step, Challenge)
            step = self.pool.answer_code(step, self.standin.last_code("alice"))
        assert isinstance(step, SignedIn)
        self.sessions.update(lambda session: session.signed_in(step.tokens))
        return step.tokens

    @property
    def user(self) -> dict[str, str]:
        return self.standin.users["alice"].attributes


def account_on(standin: CognitoStandIn, store: SessionStore | None = None) -> Account:
    pool = adapter(standin)
    sessions = Sessions(store or MemorySessionStore())
    registry = ProviderRegistry([AuthProvider(COGNITO, KEY, LoginToken.ID, refresher=pool, directory=pool)])
    events = RecordingEvents()
    tokens = TokenKeeper(sessions, registry, SystemClock(), events, timedelta(minutes=5))
    return Account(standin, pool, sessions, registry, tokens, events)


@pytest.fixture
def account() -> Iterator[Account]:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com", phone_number="+14155550100")
        account = account_on(standin)
        account.sign_in()
        yield account


def build(kind: type[T], account: Account) -> T:
    return kind(account.registry, account.tokens, account.events)  # type: ignore[call-arg]


# --- attributes ------------------------------------------------------------------------------------------------
def test_attributes_are_listed_set_verified_and_deleted(account: Account) -> None:
    listed = build(ListAttributes, account).execute()
    assert listed["email"] == "alice@example.com"
    assert listed["sub"].startswith("sub-")

    deliveries = build(UpdateAttributes, account).execute({"email": "alice@example.org", "custom:team": "blue"})
    assert deliveries == (CodeDelivery("EMAIL", "al***", "email"),)
    assert (account.user["email"], account.user["custom:team"], account.user["email_verified"]) == (
        "alice@example.org",
        "blue",
        "false",
    )
    assert account.events.of(AttributesUpdated) == [AttributesUpdated(("email", "custom:team"), deliveries)]

    with pytest.raises(e.CodeMismatch):
        build(VerifyAttribute, account).execute("email", "000000x")
    build(VerifyAttribute, account).execute("email", account.standin.last_code("alice"))
    assert account.user["email_verified"] == "true"
    assert account.events.of(AttributeVerified) == [AttributeVerified("email")]

    sent = build(SendAttributeCode, account).execute("phone_number")
    assert sent == CodeDelivery("SMS", "+1***", "phone_number")
    assert account.standin.outbox[-1][1] == "phone_number"

    assert build(DeleteAttributes, account).execute(["custom:team", "custom:team"]) == ("custom:team",)
    assert "custom:team" not in account.user


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sub": "mine"}, "set by the user pool"),
        ({"email_verified": "true"}, "set by the user pool"),
        ({"given name": "Al"}, "malformed"),
        ({"": "x"}, "empty"),
        ({"nickname": "a\x1b[2Jb"}, "control characters"),
        ({}, "No attribute given"),
    ],
)
def test_attribute_input_is_checked_before_any_call(account: Account, values: dict[str, str], message: str) -> None:
    calls = len(account.standin.calls)
    with pytest.raises(e.InvalidInput, match=message):
        build(UpdateAttributes, account).execute(values)
    assert len(account.standin.calls) == calls
    assert isinstance(account.events.events[-1], OperationFailed)


# --- MFA methods and preference ------------------------------------------------------------------------------------
def test_email_mfa_is_enabled_preferred_and_asked_for_at_sign_in(account: Account) -> None:
    assert build(GetMfaPreference, account).execute() == MfaPreferences()
    assert build(EnableMfaMethod, account).execute("email") is None
    assert build(GetMfaPreference, account).execute() == MfaPreferences(frozenset({MfaType.EMAIL}), MfaType.EMAIL)
    assert account.events.of(MfaEnabled) == [MfaEnabled(MfaType.EMAIL)]

    step = account.pool.sign_in(Username("alice"), Secret(PASSWORD))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.EMAIL_CODE

    build(EnableMfaMethod, account).execute(MfaType.SMS)
    assert build(SetMfaPreference, account).execute("email").preferred is MfaType.EMAIL
    after = build(DisableMfaMethod, account).execute("email")
    assert after == MfaPreferences(frozenset({MfaType.SMS}), MfaType.SMS)
    with pytest.raises(e.MfaNotEnabled, match="email MFA is not enabled"):
        build(SetMfaPreference, account).execute("email")
    with pytest.raises(e.MfaNotEnabled):
        build(DisableMfaMethod, account).execute("totp")
    assert build(DisableMfaMethod, account).execute() == MfaPreferences()
    assert account.events.of(MfaDisabled) == [MfaDisabled(MfaType.EMAIL), MfaDisabled(None)]


def test_email_mfa_without_the_pools_email_configuration_is_a_clear_error() -> None:
    with cognito_standin(email_mfa=False) as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        account = account_on(standin)
        account.sign_in()
        with pytest.raises(e.ConfigurationError, match="Email MFA needs the user pool to send email"):
            build(EnableMfaMethod, account).execute("email")
        assert build(GetMfaPreference, account).execute() == MfaPreferences()


# --- devices ---------------------------------------------------------------------------------------------------------
def device_account(standin: CognitoStandIn) -> Account:
    standin.add_user("alice", PASSWORD, mfa="SMS_MFA", phone_number="+14155550100")
    account = account_on(standin)
    account.sign_in(mfa_code=True)
    return account


def devices_use_case(kind: type[T], account: Account) -> T:
    return kind(account.registry, account.sessions, account.tokens, account.events)  # type: ignore[call-arg]


def test_this_device_is_remembered_listed_and_forgotten() -> None:
    with cognito_standin(device_tracking="opt_in") as standin:
        account = device_account(standin)
        device = account.sessions.load().tokens[COGNITO].device
        assert device is not None
        assert not device.remembered

        remembered = devices_use_case(RememberDevice, account).execute()
        assert remembered.remembered
        assert standin.devices[device.key].remembered is True
        assert account.sessions.load().tokens[COGNITO].device == remembered
        assert account.events.of(DeviceRemembered) == [DeviceRemembered(COGNITO, device.key)]

        other = f"{device.key[:-4]}beef"
        standin.devices[other] = Device(other, "-g", "alice", confirmed=True, name="phone", remembered=True)
        listed = {d.key: d for d in devices_use_case(ListDevices, account).execute()}
        assert listed[device.key].this_device
        assert not listed[other].this_device

        assert devices_use_case(ForgetDevice, account).execute(other) == other
        assert account.sessions.load().tokens[COGNITO].device == remembered  # another device: the keys here stay
        assert devices_use_case(ForgetDevice, account).execute() == device.key
        assert device.key not in standin.devices
        assert account.sessions.load().tokens[COGNITO].device is None
        assert account.events.of(DeviceForgotten) == [
            DeviceForgotten(COGNITO, other, this_device=False),
            DeviceForgotten(COGNITO, device.key, this_device=True),
        ]
        with pytest.raises(e.InvalidInput, match="not one of your remembered devices"):
            devices_use_case(ForgetDevice, account).execute()


def test_a_pool_that_does_not_track_devices_has_nothing_to_remember(account: Account) -> None:
    with pytest.raises(e.InvalidInput, match="not one of your remembered devices"):
        devices_use_case(RememberDevice, account).execute()


# --- deleting the account ----------------------------------------------------------------------------------------
def test_deleting_the_account_removes_the_user_and_this_configurations_session(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        folder = tmp_path / "sessions"
        here = FileSessionStore(folder, scope="us-east-1_StandIn/standinclient//")
        elsewhere = FileSessionStore(folder, scope="us-west-2_Other/otherclient//")
        elsewhere.save(Session(guest_identity_id="us-west-2:other-guest"))
        account = account_on(standin, here)
        account.sign_in()
        assert account.sessions.load().tokens

        assert devices_use_case(DeleteAccount, account).execute() == "alice"
        assert "alice" not in standin.users
        assert here.load() == Session()
        assert elsewhere.load().guest_identity_id == "us-west-2:other-guest"  # another configuration's session stays
        assert account.events.of(UserDeleted) == [UserDeleted(COGNITO, "alice")]

        elsewhere.clear()
        account = account_on(standin, FileSessionStore(folder, scope="us-east-1_StandIn/standinclient//"))
        standin.add_user("alice", PASSWORD)
        account.sign_in()
        devices_use_case(DeleteAccount, account).execute()
        assert list(folder.glob("*.json")) == []  # no session file left for that pool


def test_deleting_an_account_needs_a_signed_in_user(account: Account) -> None:
    account.sessions.clear()
    with pytest.raises(e.NotSignedIn):
        devices_use_case(DeleteAccount, account).execute()
    assert "alice" in account.standin.users


class SignUpOnly:
    """A directory that serves user management only (no account or device calls)."""

    def refresh(self, tokens: Tokens) -> Tokens:
        raise AssertionError("not called")


def test_a_directory_without_accounts_or_devices_says_so() -> None:
    plain = cast(Any, SignUpOnly())
    registry = ProviderRegistry([AuthProvider(COGNITO, KEY, LoginToken.ID, refresher=plain, directory=plain)])
    sessions, events = Sessions(MemorySessionStore()), RecordingEvents()
    tokens = TokenKeeper(sessions, registry, SystemClock(), events, timedelta(minutes=5))
    with pytest.raises(e.InvalidInput, match="does not manage accounts"):
        ListAttributes(registry, tokens, events).execute()
    with pytest.raises(e.InvalidInput, match="does not track devices"):
        ListDevices(registry, sessions, tokens, events).execute()
