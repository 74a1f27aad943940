"""The habits of AWS CLI and gh users, through the console script as a subprocess (a pseudo-terminal where a
person would type): global options anywhere, exit codes, sign-in answering its own challenges, error lines."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest.mock import ANY

import pytest

from aws_client_auth.entrypoints.cli.fast import _parse
from tests.e2e.test_cli import BIN, PASSWORD, ClientAuthCli, challenge, ok
from tests.echo_servers import EchoServer, echoing_cognito, settings_toml
from tests.oauth_server import OAuthServer, oauth_server

CTRL_C, CTRL_D = b"\x03", b"\x04"


@pytest.fixture
def cognito() -> Iterator[EchoServer]:
    """A Cognito stand-in that answers every unscripted call with a wrong code (which the user may correct)."""
    with echoing_cognito("CodeMismatchException") as server:
        yield server


@pytest.fixture
def cli(cognito: EchoServer, tmp_path: Path) -> ClientAuthCli:
    return ClientAuthCli(settings_toml(cognito, auth_flow="USER_SRP_AUTH"), tmp_path)


def on_terminal(
    cli: ClientAuthCli, args: list[str], script: list[tuple[str, bytes | Callable[[], bytes]]]
) -> tuple[int, str]:
    """Runs the CLI on a pseudo-terminal; for each (pattern, keys) of ``script`` in turn, types ``keys`` once the
    terminal has shown ``pattern`` one more time (``keys`` may be a function: what to type is known only then, a
    code the server just sent). The exit code and everything the terminal showed."""
    import pty
    import select

    command = [str(BIN / "client-auth"), "--config", str(cli.config), *args]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: become the CLI at once
        os.execve(command[0], command, cli.env)  # noqa: S606 - the console script itself
    shown, step, seen = b"", 0, 0
    try:
        while select.select([terminal], [], [], 60)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            while step < len(script):
                pattern, keys = script[step]
                found = re.compile(pattern.encode()).findall(shown[seen:])
                if not found:
                    break
                seen = len(shown)
                os.write(terminal, keys() if callable(keys) else keys)
                step += 1
    finally:
        os.close(terminal)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def answers(cognito: EchoServer, key: str) -> list[str]:
    return [
        dict(fields).get(key, "") for operation, fields in cognito.received if operation == "RespondToAuthChallenge"
    ]


# --- global options anywhere on the line ------------------------------------------------------------------------


def test_global_options_come_before_or_after_the_subcommand(cli: ClientAuthCli, cognito: EchoServer) -> None:
    assert ok(cli("status", "--json")).data["profile"] == "default"
    assert ok(cli("--json", "status")).data["profile"] == "default"
    assert ok(cli("status", "--profile", "work", "--json")).data["profile"] == "work"
    assert ok(cli("status", "--profile=work", "--json")).data["profile"] == "work"
    cognito.answer("InitiateAuth", challenge("SMS_MFA"))
    started = cli("sign-in", "ann", "--profile", "work", "--password-stdin", "--json", stdin=PASSWORD + "\n")
    assert started.code == 3, started.err
    assert started.data["challenge"] == "sms_code"
    assert ok(cli("status", "--profile", "work", "--json")).data["pending"]
    assert not ok(cli("status", "--json")).data["pending"]  # the default profile was not touched
    assert "Usage: client-auth sign-in" in ok(cli("sign-in", "--help")).out  # --help stays the subcommand's


def test_the_credential_process_fast_path_reads_the_options_as_the_full_cli_does() -> None:
    for line in (
        ["--profile", "work", "credentials", "--format", "process"],
        ["credentials", "--format", "process", "--profile", "work"],
        ["credentials", "--profile=work", "--format=process", "--json"],
    ):
        assert _parse(line) == {"--config": [], "--profile": ["work"], "--o3de-project": []}, line
    assert _parse(["credentials", "--format", "process", "-v"]) is None  # logging: the full CLI


# --- exit codes ---------------------------------------------------------------------------------------------------


def test_a_bad_profile_name_is_a_usage_error(cli: ClientAuthCli) -> None:
    for args in (["--profile", "../x", "status"], ["status", "--profile", "a/b"]):
        run = cli(*args)
        assert run.code == 2, run.err
        assert run.err.strip().splitlines()[-1].startswith("error: ")
        assert "Profile name" in run.err
    cli.env["CLIENT_AUTH_PROFILE"] = "no spaces"
    assert cli("status").code == 2


def test_without_a_terminal_the_password_error_names_password_stdin(cli: ClientAuthCli, cognito: EchoServer) -> None:
    run = cli("sign-in", "ann", stdin="")
    assert run.code == 2
    assert run.err.strip().splitlines()[-1].startswith("error: ")
    assert "--password-stdin" in run.err
    assert "GetPassWarning" not in run.err
    assert "echoed" not in run.err
    assert not cognito.received


def test_ctrl_c_at_the_password_prompt_exits_130(cli: ClientAuthCli, cognito: EchoServer) -> None:
    code, shown = on_terminal(cli, ["sign-in", "ann"], [("Password: ", CTRL_C)])
    assert code == 130, shown
    assert "Aborted!" not in shown
    assert not cognito.received


def lwa_answering(cli: ClientAuthCli, lwa: OAuthServer, token: tuple[int, dict[str, object]]) -> None:
    """Login with Amazon configured to the local OAuth server, which gives a device code and then ``token``."""
    lwa.answer(
        "/codepair",
        (
            200,
            {
                "device_code": "device-code-for-ann",
                "user_code": "ANN-1",
                "verification_uri": f"{lwa.url}/activate",
                "expires_in": 600,
                "interval": 1,
            },
        ),
    )
    lwa.answer("/token", token)
    with cli.config.open("a") as f:
        f.write(
            f'\n[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
            f'oauth_code_url = "{lwa.url}/codepair"\noauth_tokens_url = "{lwa.url}/token"\n'
        )


def test_a_device_flow_wait_that_times_out_with_the_code_pending_exits_3(cli: ClientAuthCli) -> None:
    with oauth_server() as lwa:
        lwa_answering(cli, lwa, (400, {"error": "authorization_pending"}))
        run = cli("sign-in", "--provider", "lwa", "--timeout", "1.5")
        polls = lwa.count("/token")
    assert run.code == 3, run.err
    assert polls >= 1
    assert run.err.strip().splitlines()[-1].startswith("error: "), run.err
    assert "Still not approved" in run.err


def test_unknown_options_are_usage_errors_with_the_error_prefix(cli: ClientAuthCli) -> None:
    run = cli("status", "--nope")
    assert run.code == 2
    assert run.err.strip().splitlines()[-1] == "error: No such option '--nope'."


# --- sign-in answers its own challenges on a terminal ---------------------------------------------------------


def test_sign_in_asks_for_the_code_again_until_the_user_stops(cli: ClientAuthCli, cognito: EchoServer) -> None:
    cognito.answer("InitiateAuth", challenge("SMS_MFA"))
    code, shown = on_terminal(
        cli,
        ["sign-in", "ann"],
        [
            ("Password: ", PASSWORD.encode() + b"\n"),
            ("Enter the code sent by SMS: ", b"111111\n"),
            ("Enter the code sent by SMS: ", b"222222\n"),
            ("Enter the code sent by SMS: ", CTRL_D),
        ],
    )
    assert answers(cognito, "SMS_MFA_CODE") == ["111111", "222222"]
    assert shown.count("error: ") == 2  # each wrong code said once, then asked again
    assert code == 3, shown  # stopped with the challenge still pending: confirm-sign-in finishes it
    assert "confirm-sign-in" in shown
    assert PASSWORD not in shown


def test_ctrl_c_at_a_code_prompt_exits_130(cli: ClientAuthCli, cognito: EchoServer) -> None:
    cognito.answer("InitiateAuth", challenge("SOFTWARE_TOKEN_MFA"))
    code, shown = on_terminal(
        cli,
        ["sign-in", "ann"],
        [("Password: ", PASSWORD.encode() + b"\n"), ("Enter the code from your authenticator app: ", CTRL_C)],
    )
    assert code == 130, shown


def test_an_mfa_choice_is_asked_among_the_offered_methods(cli: ClientAuthCli, cognito: EchoServer) -> None:
    select = challenge("SELECT_MFA_TYPE")
    select[1]["ChallengeParameters"] = {"USER_ID_FOR_SRP": "ann", "MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'}
    cognito.answer("InitiateAuth", select)
    code, shown = on_terminal(
        cli,
        ["sign-in", "ann"],
        [("Password: ", PASSWORD.encode() + b"\n"), (r"\(sms, totp\): ", b"email\n"), (r"\(sms, totp\): ", CTRL_D)],
    )
    assert "not one of" in shown  # click's own refusal, asked again
    assert code == 3, shown


def test_a_new_password_is_asked_twice_without_echo(cli: ClientAuthCli, cognito: EchoServer) -> None:
    cognito.answer("InitiateAuth", challenge("NEW_PASSWORD_REQUIRED"))
    code, shown = on_terminal(
        cli,
        ["sign-in", "ann"],
        [
            ("Password: ", PASSWORD.encode() + b"\n"),
            ("Choose a new password: ", b"N3w-Passw0rd!\n"),
            ("Repeat for confirmation: ", b"N3w-Passw0rd!\n"),
            ("Choose a new password: ", CTRL_D),  # refused by the stand-in: asked again, and the user stops
        ],
    )
    assert answers(cognito, "NEW_PASSWORD") == ["N3w-Passw0rd!"]
    assert "N3w-Passw0rd!" not in shown
    assert code == 3, shown


@pytest.mark.parametrize("flag", ["--no-prompt", "--json"])
def test_no_prompt_and_json_keep_exit_3_on_a_terminal(cli: ClientAuthCli, cognito: EchoServer, flag: str) -> None:
    cognito.answer("InitiateAuth", challenge("SMS_MFA"))
    code, shown = on_terminal(cli, ["sign-in", "ann", flag], [("Password: ", PASSWORD.encode() + b"\n")])
    assert code == 3, shown
    assert "Enter the code sent by SMS: " not in shown
    assert not answers(cognito, "SMS_MFA_CODE")


# --- status -----------------------------------------------------------------------------------------------------


def test_status_marks_expired_tokens(cli: ClientAuthCli) -> None:
    import json
    from datetime import UTC, datetime, timedelta

    from aws_client_auth.entrypoints.cli.output import expired, tokens_until

    now = datetime.now(UTC)
    assert expired(now - timedelta(seconds=1))
    assert not expired(now + timedelta(hours=1))
    assert not expired(None)
    assert tokens_until(now - timedelta(minutes=5)).startswith("tokens expired at ")
    assert tokens_until(now + timedelta(minutes=5)).startswith("tokens until ")
    assert json.loads(ok(cli("status", "--json")).out)["providers"] == []


def test_a_provider_no_longer_configured_is_shown_and_can_be_signed_out_of(
    cli: ClientAuthCli, cognito: EchoServer
) -> None:
    with oauth_server() as lwa:
        lwa_answering(cli, lwa, (200, {"access_token": "lwa-access-ann", "expires_in": 3600}))
        assert cli("sign-in", "--provider", "lwa", "--no-wait").code == 3
        ok(cli("confirm-sign-in"))
        assert '"configured": true' in ok(cli("status", "--json")).out
    cli.config.write_text(settings_toml(cognito, auth_flow="USER_SRP_AUTH"))  # LWA taken out of the settings

    assert "lwa as ? (tokens until" in ok(cli("status")).out
    assert "not configured" in ok(cli("status")).out
    assert ok(cli("status", "--json")).data["providers"] == [
        {"provider": "lwa", "username": None, "expires_at": ANY, "expired": False, "configured": False}
    ]

    signed_out = ok(cli("sign-out", "--provider", "lwa"))
    assert "Signed out of lwa." in signed_out.out
    assert "Not configured: lwa" in signed_out.err
    assert "could not be revoked" in signed_out.err
    assert ok(cli("status", "--json")).data["providers"] == []
    assert not cognito.received  # nothing was called to sign out
