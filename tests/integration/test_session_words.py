"""Stored sessions in the domain's words: files written by earlier versions (Cognito's challenge and MFA names, in
version 1 and version 2 documents) are read, and rewritten in the domain's words; nothing a pending challenge or
a remembered device holds is dropped on the way."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.adapters.stores import codec
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, ChallengeKind, CodeDelivery, MfaSetup
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import MfaType, RememberedDevice

DATA = Path(__file__).parent.parent / "data"
SCOPE = "us-west-2_Pool/appclient/us-west-2:idpool/"
"""The configuration the sample files' ID tokens were issued for (user pool us-west-2_Pool, app client appclient)."""


def sample(name: str) -> Any:
    """A session document as an earlier version wrote it (written by that version's codec, kept as data)."""
    return json.loads((DATA / name).read_text())


def words_in(document: Any) -> set[str]:
    text = json.dumps(document)
    return {
        name for name in ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SELECT_MFA_TYPE", "MFA_SETUP") if name in text
    }


def test_a_version_1_file_with_cognitos_names_is_read_in_the_domains_words() -> None:
    document = sample("session_version_1.json")
    assert words_in(document) == {"SELECT_MFA_TYPE", "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    session = codec.read_scoped(document, SCOPE + "any")
    pending = session.pending
    assert isinstance(pending, Challenge)
    assert pending.kind is ChallengeKind.SELECT_MFA_TYPE
    assert pending.options == (MfaType.SMS, MfaType.TOTP, MfaType.EMAIL)
    assert pending.parameters == {"USERNAME": "uid-alice"}
    assert session.tokens[COGNITO].refresh_token == Secret("refresh-old")

    rewritten = codec.write_scoped(document, SCOPE + "any", session)
    assert rewritten is not None
    assert words_in(rewritten) == set()
    stored = rewritten["sessions"][SCOPE + "any"]["pending"]
    assert (stored["kind"], stored["options"]) == ("select_mfa_type", ["sms", "totp", "email"])
    assert codec.read_scoped(rewritten, SCOPE + "any") == session


def test_a_version_2_file_with_cognitos_names_is_read_in_the_domains_words() -> None:
    document = sample("session_version_2_wire_names.json")
    sms = codec.read_scoped(document, SCOPE + "0").pending
    setup = codec.read_scoped(document, SCOPE + "1").pending
    assert isinstance(sms, Challenge)
    assert isinstance(setup, Challenge)
    assert sms.kind is ChallengeKind.SMS_CODE
    assert sms.delivery == CodeDelivery("SMS", "+*******0100")
    assert setup.kind is ChallengeKind.MFA_SETUP
    assert setup.mfa_setup is not None
    assert setup.mfa_setup.secret == Secret("JBSWY3DPEHPK3PXP")
    assert setup.mfa_setup.session is None  # that version dropped it

    rewritten: Any = document
    for scope in (SCOPE + "0", SCOPE + "1"):
        rewritten = codec.write_scoped(rewritten, scope, codec.read_scoped(rewritten, scope))
    assert words_in(rewritten) == set()
    assert [rewritten["sessions"][SCOPE + n]["pending"]["kind"] for n in "01"] == ["sms_code", "mfa_setup"]


def test_everything_a_pending_challenge_and_a_remembered_device_hold_is_kept() -> None:
    device = RememberedDevice(
        "us-west-2_0f3e4d2c-1b2a-4c3d-8e9f-a1b2c3d4e5f6", Secret("-group-key"), Secret("device-password"), True
    )
    tokens = Tokens(
        COGNITO,
        Secret("access"),
        datetime(2026, 11, 28, 13, 0, tzinfo=UTC),
        Secret("id"),
        Secret("refresh"),
        username="alice",
        subject="sub-alice",
        device=device,
    )
    pending = Challenge(
        COGNITO,
        ChallengeKind.MFA_SETUP,
        "alice",
        Secret("session-0123456789"),
        delivery=CodeDelivery("EMAIL", "a***@e***", attribute="email"),
        options=(MfaType.TOTP,),
        mfa_setup=MfaSetup(Secret("JBSWY3DPEHPK3PXP"), Secret("otpauth://totp/x"), session=Secret("setup-session")),
        parameters={"USERNAME": "uid-alice"},
        device=device,
    )
    session = Session(tokens={COGNITO: tokens}, pending=pending)
    document = codec.write_scoped(None, SCOPE, session)
    assert codec.read_scoped(json.loads(json.dumps(document)), SCOPE) == session
    entry = document["sessions"][SCOPE] if document else {}
    assert entry["pending"]["delivery"]["attribute"] == "email"
    assert entry["pending"]["mfa_setup"]["session"] == "setup-session"
    assert entry["tokens"]["cognito"]["device"] == {
        "key": device.key,
        "group_key": "-group-key",
        "password": "device-password",
        "remembered": True,
    }
    assert "device-password" not in repr(session)
    assert "-group-key" not in repr(session)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(kind="CUSTOM_CHALLENGE"),
        lambda p: p.update(options=["carrier-pigeon"]),
        lambda p: p.update(device={"key": "k"}),
        lambda p: p.update(device={"key": 7, "group_key": "g", "password": "p"}),
        lambda p: p.update(device={"key": "k", "group_key": "g", "password": "p", "remembered": "yes"}),
    ],
    ids=["unknown-kind", "unknown-mfa-type", "device-without-secrets", "device-key-not-text", "remembered-not-bool"],
)
def test_a_pending_step_no_version_wrote_is_dropped_and_the_tokens_kept(
    change: Any, caplog: pytest.LogCaptureFixture
) -> None:
    document = sample("session_version_2_wire_names.json")
    intact = codec.read_scoped(json.loads(json.dumps(document)), SCOPE + "0")
    assert intact.pending is not None
    change(document["sessions"][SCOPE + "0"]["pending"])
    session = codec.read_scoped(document, SCOPE + "0")
    assert session.pending is None
    assert session.tokens == intact.tokens  # the signed-in user is not blocked by a step they cannot answer
    assert "cannot be read" in caplog.text


def test_the_domains_words() -> None:
    assert [kind.value for kind in ChallengeKind] == [
        "sms_code",
        "totp_code",
        "email_code",
        "new_password",
        "mfa_setup",
        "select_mfa_type",
        "sms_otp",
        "select_factor",
        "password",
        "passkey",
        "custom",
    ]
    assert [factor.value for factor in AuthFactor] == ["password", "email-otp", "sms-otp", "passkey"]
    assert [AuthFactor.parse(word) for word in ("EMAIL_OTP", "sms", " Passkey ", "web_authn", "password-srp")] == [
        AuthFactor.EMAIL_OTP,
        AuthFactor.SMS_OTP,
        AuthFactor.PASSKEY,
        AuthFactor.PASSKEY,
        AuthFactor.PASSWORD,
    ]
    assert [kind.value for kind in MfaType] == ["sms", "totp", "email"]
    # what people and scripts typed before (Cognito's names) still parses
    assert [MfaType.parse(name) for name in ("SMS_MFA", "software_token_mfa", " Email_OTP ", "TOTP")] == [
        MfaType.SMS,
        MfaType.TOTP,
        MfaType.EMAIL,
        MfaType.TOTP,
    ]


@pytest.mark.parametrize(
    ("kind", "options", "setup", "answer", "prompt"),
    [
        (ChallengeKind.SMS_CODE, (), False, "code", "Enter the code sent by SMS"),
        (ChallengeKind.NEW_PASSWORD_REQUIRED, (), False, "new_password", "Choose a new password"),
        (ChallengeKind.SELECT_MFA_TYPE, (MfaType.SMS, MfaType.TOTP), False, "mfa_type", "Choose an MFA method"),
        (ChallengeKind.MFA_SETUP, (MfaType.TOTP, MfaType.EMAIL), False, "mfa_type", "Choose an MFA method to set up"),
        (ChallengeKind.MFA_SETUP, (MfaType.EMAIL,), False, "email_address", "Enter the email address to receive"),
        (ChallengeKind.MFA_SETUP, (MfaType.TOTP,), True, "code", "Add the secret to your authenticator app"),
        (ChallengeKind.MFA_SETUP, (), True, "code", "Add the secret to your authenticator app"),  # as stored before
    ],
)
def test_what_a_challenge_is_answered_with(
    kind: ChallengeKind, options: tuple[MfaType, ...], setup: bool, answer: str, prompt: str
) -> None:
    mfa_setup = MfaSetup(Secret("JBSWY3DPEHPK3PXP"), Secret("otpauth://totp/x")) if setup else None
    challenge = Challenge(COGNITO, kind, "alice", Secret("session-0123"), options=options, mfa_setup=mfa_setup)
    assert challenge.answer.value == answer
    assert challenge.prompt.startswith(prompt)


def test_a_remembered_device_shows_no_secret_and_survives_a_refresh() -> None:
    device = RememberedDevice("us-west-2_key", Secret("-group-key-x"), Secret("device-password-x"))
    assert "device-password-x" not in repr(device)
    assert "-group-key-x" not in repr(device)
    old = Tokens(COGNITO, Secret("a"), datetime(2026, 11, 28, tzinfo=UTC), refresh_token=Secret("r"), device=device)
    new = Tokens(COGNITO, Secret("b"), datetime(2026, 11, 28, 1, tzinfo=UTC), refresh_token=Secret("r2"))
    merged = old.refreshed_with(new)
    assert (merged.device, merged.refresh_token) == (device, Secret("r2"))
    with pytest.raises(InvalidInput):
        RememberedDevice("", Secret("g"), Secret("p"))
    with pytest.raises(InvalidInput):
        RememberedDevice("key with space", Secret("g"), Secret("p"))
