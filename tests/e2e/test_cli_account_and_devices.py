"""Issue 14 through the console script against the local Cognito stand-in (moto has no device operations):
a remembered device signs in again without MFA, forgetting it brings MFA back, the account's attributes and MFA
methods, and deleting the account leaves no session for the pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cognito_standin import CognitoStandIn, cognito_standin
from tests.e2e.test_cli import ClientAuthCli, ok

PASSWORD = "Passw0rd!"
pytestmark = pytest.mark.slow


def _user_with_sms_mfa(standin: CognitoStandIn) -> None:
    standin.add_user("alice", PASSWORD, mfa="SMS_MFA", phone_number="+14155550100", email="alice@example.com")


def _session(cli: ClientAuthCli) -> dict[str, object] | None:
    path = Path(cli.env["CLIENT_AUTH_HOME"]) / "default.json"
    if not path.exists():
        return None
    sessions = json.loads(path.read_text())["sessions"]
    assert len(sessions) <= 1
    return next(iter(sessions.values()), None)


def _sign_in_with_code(cli: ClientAuthCli, standin: CognitoStandIn, *extra: str) -> dict[str, object]:
    pending = cli("--json", "sign-in", "alice", "--password-stdin", *extra, stdin=PASSWORD + "\n")
    assert pending.code == 3, (pending.out, pending.err)
    assert json.loads(pending.out)["challenge"] == "sms_code"
    done = ok(cli("--json", "confirm-sign-in", standin.last_code("alice"), *extra))
    data: dict[str, object] = json.loads(done.out)
    return data


def test_a_remembered_device_signs_in_again_without_mfa_until_it_is_forgotten(tmp_path: Path) -> None:
    with cognito_standin(device_tracking="opt_in") as standin:
        _user_with_sms_mfa(standin)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)

        signed_in = _sign_in_with_code(cli, standin, "--remember-device")
        assert signed_in["status"] == "signed_in"
        assert signed_in["device_remembered"] is True
        key = signed_in["device_key"]
        assert [d.remembered for d in standin.devices.values()] == [True]

        listed = json.loads(ok(cli("--json", "devices")).out)["devices"]
        assert [(d["key"], d["this_device"], d["remembered"]) for d in listed] == [(key, True, True)]
        assert "(this machine)" in ok(cli("devices")).out

        ok(cli("sign-out"))  # a local sign-out keeps this machine's device keys
        codes = len(standin.outbox)
        again = ok(cli("--json", "sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        assert json.loads(again.out)["status"] == "signed_in"
        assert len(standin.outbox) == codes  # no MFA code was sent
        assert "DEVICE_PASSWORD_VERIFIER" in json.dumps(standin.calls)

        forgotten = json.loads(ok(cli("--json", "devices", "forget")).out)
        assert forgotten == {"forgotten": key, "this_device": True}
        assert standin.devices == {}
        ok(cli("sign-out"))
        session = _session(cli)
        assert session is None or not session.get("devices")

        back = cli("--json", "sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n")
        assert back.code == 3, (back.out, back.err)  # the MFA step is back
        assert json.loads(back.out)["challenge"] == "sms_code"


def test_a_global_sign_out_forgets_this_machine_locally(tmp_path: Path) -> None:
    with cognito_standin(device_tracking="always") as standin:
        _user_with_sms_mfa(standin)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        _sign_in_with_code(cli, standin)
        ok(cli("sign-out"))
        kept = _session(cli)
        assert kept is not None
        assert kept["devices"]
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        ok(cli("sign-out", "--global"))
        assert _session(cli) is None


def test_delete_account_asks_then_leaves_no_session_for_the_pool(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))

        refused = cli("delete-account")
        assert refused.code == 2  # no terminal to ask on, and no --yes
        assert "--yes" in refused.err
        assert "alice" in standin.users

        deleted = json.loads(ok(cli("--json", "delete-account", "--yes")).out)
        assert deleted == {"deleted": True, "username": "alice"}
        assert "alice" not in standin.users
        assert _session(cli) is None
        assert "Signed in: nobody" in ok(cli("status")).out


def test_attributes_set_verify_list_and_delete(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))

        changed = ok(cli("attributes", "set", "given_name=Alice", "email=alice@example.org"))
        assert "Updated given_name, email." in changed.out
        assert "attributes verify email <CODE>" in changed.out  # where the code went is said
        listed = json.loads(ok(cli("--json", "attributes")).out)["attributes"]
        assert listed["given_name"] == "Alice"
        assert listed["email"] == "alice@example.org"
        assert "given_name: Alice" in ok(cli("attributes")).out

        ok(cli("attributes", "send-code", "email"))
        ok(cli("attributes", "verify", "email", standin.last_code("alice")))
        assert json.loads(ok(cli("--json", "attributes")).out)["attributes"].get("email_verified") == "true"

        ok(cli("attributes", "delete", "given_name"))
        assert "given_name" not in json.loads(ok(cli("--json", "attributes")).out)["attributes"]
        assert cli("attributes", "set", "no-equals-sign").code == 2


def test_mfa_methods_and_the_preferred_one(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, phone_number="+14155550100", email="alice@example.com")
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))

        assert json.loads(ok(cli("--json", "mfa-preference")).out) == {"enabled": [], "preferred": None}
        assert "Email MFA is on" in ok(cli("enable-mfa", "email")).out
        ok(cli("enable-mfa", "sms"))
        assert json.loads(ok(cli("--json", "mfa-preference")).out) == {"enabled": ["email", "sms"], "preferred": "sms"}
        preferred = json.loads(ok(cli("--json", "mfa-preference", "email")).out)
        assert preferred == {"enabled": ["email", "sms"], "preferred": "email"}
        assert "Preferred: email" in ok(cli("mfa-preference")).out

        off = json.loads(ok(cli("--json", "disable-mfa", "email")).out)
        assert off["mfa"] == "email"
        assert off["remaining"] == ["sms"]
        assert cli("mfa-preference", "email").code == 1  # not on: enable it first
        ok(cli("disable-mfa"))
        assert json.loads(ok(cli("--json", "mfa-preference")).out)["enabled"] == []


def test_email_mfa_without_the_pools_email_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with cognito_standin(email_mfa=False) as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        refused = cli("enable-mfa", "email")
        assert refused.code == 1
        assert "email" in refused.err.lower()
        assert "Traceback" not in refused.err
