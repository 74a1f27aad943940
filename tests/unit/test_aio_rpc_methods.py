"""The JSON-RPC method table on AsyncClientAuth and the fakes: each method's answer has the shape of the CLI's
``--json`` output for the same command, and only the methods that exist to return a secret return one."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aws_client_auth.domain.sign_in import ChallengeKind
from aws_client_auth.entrypoints.rpc.methods import METHODS
from aws_client_auth.entrypoints.rpc.results import payload
from tests.unit.test_aio import DEVICE, PASSWORD, Rig, rig

__all__ = ["rig"]


def call(r: Rig, method: str, **params: Any) -> Any:
    """What the server would write as the result: the handler's answer, through the same filter."""
    return payload(asyncio.run(METHODS[method].handler(r.auth, **params)))


def test_account_methods_answer_as_the_cli_does(rig: Rig) -> None:
    delivery = {"medium": "EMAIL", "destination": "x***"}
    assert call(rig, "sign_up", username="bob", password=PASSWORD, email="bob@example.com") == {
        "username": "bob",
        "user_sub": "sub-bob",
        "confirmed": False,
        "delivery": delivery,
    }
    assert call(rig, "resend_confirmation_code", username="bob") == {"username": "bob", "delivery": delivery}
    assert call(rig, "confirm_sign_up", username="bob", code="123456") == {"username": "bob", "confirmed": True}
    assert call(rig, "forgot_password", username="bob") == {"username": "bob", "delivery": delivery}
    assert call(rig, "confirm_forgot_password", username="bob", code="123456", new_password="N3w-passw0rd") == {
        "username": "bob",
        "password_reset": True,
    }
    signed_in = call(rig, "sign_in", username="bob", password="N3w-passw0rd")
    assert signed_in["status"] == "signed_in"
    assert signed_in["username"] == "bob"
    assert call(rig, "change_password", old_password="N3w-passw0rd", new_password=PASSWORD) == {
        "password_changed": True
    }
    assert call(rig, "enable_mfa", mfa_type="sms") == {"mfa": "sms", "enabled": True}
    assert call(rig, "disable_mfa") == {"mfa": None, "enabled": False, "remaining": [], "preferred": None}
    assert call(rig, "reset") == {"reset": True}
    assert call(rig, "pending") is None


def test_a_challenge_and_its_totp_secret_are_shown_and_nothing_else(rig: Rig) -> None:
    call(rig, "sign_in", username="alice", password=PASSWORD)
    setup = call(rig, "enable_mfa", mfa_type="totp")
    assert setup["secret"] == "JBSWY3DPEHPK3PXP"  # the user must copy it: shown on purpose
    assert call(rig, "verify_mfa", code="123456") == {"mfa": "totp", "enabled": True}
    refreshed = call(rig, "refresh_tokens")
    assert refreshed["status"] == "refreshed"
    assert set(refreshed) == {"status", "provider", "username", "expires_at"}
    assert call(rig, "sign_out", provider="cognito") == {"signed_out": ["cognito"], "global": False}
    step = call(rig, "sign_in", username="alice", password=PASSWORD)
    assert step["challenge"] == ChallengeKind.TOTP_CODE.value
    assert call(rig, "pending") == step
    done = call(rig, "confirm_sign_in", answer="123456")
    assert done["status"] == "signed_in"

    credentials = call(rig, "get_credentials")
    process = call(rig, "credential_process")
    assert process["SecretAccessKey"] == credentials["SecretAccessKey"]
    tokens = call(rig, "get_tokens")
    status = call(rig, "status")
    assert status["credentials_authenticated"] is True
    secrets = [credentials["SecretAccessKey"], credentials["SessionToken"], tokens["access_token"]]
    for answer in (status, refreshed, done, step):
        assert not any(secret in json.dumps(answer) for secret in secrets)


def test_device_methods(rig: Rig) -> None:
    started = call(rig, "start_device_sign_in", provider=DEVICE)
    assert started["status"] == "pending"
    assert started["user_code"] == "WDJB-MJHT"
    assert "device-code-secret" not in json.dumps(started)
    assert call(rig, "pending") == started
    assert call(rig, "sign_in_method", provider=DEVICE) == {"provider": DEVICE, "method": "device"}
    assert call(rig, "sign_in_method") == {"provider": "cognito", "method": "password"}
    rig.world.clock.advance(5)
    assert call(rig, "complete_device_sign_in", wait=False) == started  # not approved yet: the code again
    rig.world.clock.advance(5)
    rig.device.user_approves("dana")
    assert call(rig, "complete_device_sign_in", wait=False)["username"] == "dana"
