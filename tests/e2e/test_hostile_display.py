"""What a server sent is data, never terminal control: the console script against servers whose strings carry
escape sequences (an OSC 8 hyperlink hiding the real URL, line erasure and cursor-up to forge a "Signed in" line,
a screen clear), C1 controls, bidirectional overrides and line breaks. Nothing of it may reach the terminal as
control; --json keeps every value exact (the encoder escapes it)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import COGNITO, LOGIN_WITH_AMAZON, Tokens
from aws_client_auth.entrypoints.cli.app import configure_logging
from aws_client_auth.entrypoints.cli.display import for_json, for_terminal, redacted_traceback, server_text
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.e2e.test_cli import ClientAuthCli, Run
from tests.echo_servers import JWKS_PATH, EchoServer, echoing_cognito, echoing_oauth, settings_toml

FORGED = "Signed in to cognito as admin."
HOSTILE = (
    "\x1b]8;;https://evil.example/\x1b\\https://www.amazon.com/code\x1b]8;;\x1b\\"  # a hyperlink hiding its target
    "\x1b[2K\x1b[1A\x1b[2J"  # erase the line, go up, clear the screen
    "\x9b2J\x9d8;;https://evil.example\x9c"  # the same in 8-bit C1 form
    "\u202e"  # right-to-left override
    f"\n{FORGED}\r\n\x85\x07"
)
KEY = "an HMAC key never checked by this client"
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal: every C0 control but the newline the CLI writes itself, DEL, C1, line and
paragraph separators and bidirectional controls."""


def assert_inert(run: Run, where: str) -> None:
    text = run.out + run.err
    found = CONTROL.search(text)
    assert found is None, f"{where}: {found.group()!r} reached the terminal"
    forged = [line for line in text.split("\n") if line.strip().startswith(FORGED)]
    assert not forged, f"{where}: a server forged a line of output"


@pytest.fixture
def cognito() -> Iterator[EchoServer]:
    with echoing_cognito(prefix=HOSTILE) as server:
        yield server


@pytest.fixture
def oauth() -> Iterator[EchoServer]:
    with echoing_oauth(prefix=HOSTILE) as server:
        yield server


@pytest.fixture
def cli(cognito: EchoServer, oauth: EchoServer, tmp_path: Path) -> ClientAuthCli:
    return ClientAuthCli(settings_toml(cognito, oauth), tmp_path)


def save(cli: ClientAuthCli, session: Session) -> None:
    """A session as an earlier run (or another program writing the file) left it."""
    auth = ClientAuth.from_config(cli.config, environ={"CLIENT_AUTH_HOME": cli.env["CLIENT_AUTH_HOME"]})
    auth.container.sessions().save(session)


def sms_challenge(destination: str) -> tuple[int, dict[str, object]]:
    return 200, {
        "ChallengeName": "SMS_MFA",
        "Session": "challenge-session-0001",
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": "alice",
            "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
            "CODE_DELIVERY_DESTINATION": destination,
        },
    }


@pytest.mark.parametrize("flags", [(), ("--debug", "--verbose")], ids=["plain", "debug"])
def test_a_cognito_error_message_is_shown_inert(cli: ClientAuthCli, flags: tuple[str, ...]) -> None:
    run = cli(*flags, "sign-in", "alice", "--password-stdin", stdin="Passw0rd!\n")
    assert run.code == 1
    assert "You sent" in run.err  # the server's words are shown, as data
    assert_inert(run, "a Cognito error")


def test_a_cognito_error_code_is_shown_inert(tmp_path: Path) -> None:
    with echoing_cognito(error_type="Evil\x1b[2J\x1b[1AException\n" + FORGED) as cognito:
        run = ClientAuthCli(settings_toml(cognito), tmp_path)("forgot-password", "alice")
    assert run.code == 1
    assert "EvilException" in run.err
    assert_inert(run, "a Cognito error code")


def test_a_delivery_destination_is_shown_inert_and_exact_in_json(cli: ClientAuthCli, cognito: EchoServer) -> None:
    cognito.answer("InitiateAuth", sms_challenge(HOSTILE), sms_challenge(HOSTILE))
    run = cli("sign-in", "alice", "--password-stdin", stdin="Passw0rd!\n")
    assert run.code == 3
    assert "Enter the code sent by SMS (sms to " in run.out
    assert_inert(run, "a challenge's delivery destination")
    data = cli("--json", "sign-in", "alice", "--password-stdin", stdin="Passw0rd!\n")
    assert "\x1b" not in data.out
    assert data.data["delivery"] == {"medium": "SMS", "destination": HOSTILE}


def test_status_shows_a_stored_device_step_and_user_name_inert(cli: ClientAuthCli) -> None:
    pending = DeviceAuthorization(
        provider=LOGIN_WITH_AMAZON,
        user_code=HOSTILE,
        verification_uri=HOSTILE,
        expires_at=datetime.now(UTC) + timedelta(minutes=10),
        device_code=Secret("device-code-0001"),
        verification_uri_complete=HOSTILE,
    )
    tokens = Tokens(COGNITO, Secret("access-0001"), datetime.now(UTC) + timedelta(hours=1), username=HOSTILE)
    save(cli, Session(tokens={COGNITO: tokens}, pending=pending))
    run = cli("status")
    assert run.code == 0, run.err
    assert "Pending: lwa: device code" in run.out
    assert "Signed in: cognito as" in run.out
    assert_inert(run, "status")
    data = cli("--json", "status").data
    assert HOSTILE in str(data["pending"])
    assert data["providers"] == [
        {
            "provider": "cognito",
            "username": HOSTILE,
            "expires_at": json_time(tokens),
            "expired": False,
            "configured": True,
        }
    ]


def json_time(tokens: Tokens) -> str:
    return tokens.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_provider_user_name_from_an_unverified_email_claim_is_shown_inert(
    cli: ClientAuthCli, oauth: EchoServer
) -> None:
    id_token = jwt.encode({"email": HOSTILE, "sub": "amzn1.account.0001"}, KEY, algorithm="HS256")
    oauth.answer(
        "/lwa/code",
        (200, {"device_code": "dc-0001", "user_code": "WDJB-MJHT", "verification_uri": f"{oauth.url}/activate"}),
    )
    oauth.answer("/lwa/token", (200, {"access_token": "at-0001", "id_token": id_token, "expires_in": 3600}))
    run = cli("sign-in", "--provider", "lwa", "--timeout", "30")
    assert run.code == 0, run.err
    assert "Signed in to lwa as" in run.out
    assert_inert(run, "the signed-in line")
    status = cli("status")
    assert "Signed in: lwa as" in status.out
    assert_inert(status, "status")


def test_an_unknown_key_id_is_shown_inert(cli: ClientAuthCli, cognito: EchoServer) -> None:
    id_token = jwt.encode({"sub": "s"}, KEY, algorithm="HS256", headers={"kid": HOSTILE})
    result = {"AccessToken": "at-0001", "IdToken": id_token, "RefreshToken": "rt-0001", "ExpiresIn": 3600}
    cognito.answer("InitiateAuth", (200, {"AuthenticationResult": result}))
    cognito.answer(f"GET {JWKS_PATH}", (200, {"keys": []}))
    run = cli("--debug", "sign-in", "alice", "--password-stdin", stdin="Passw0rd!\n")
    assert run.code == 1
    assert_inert(run, "an unknown key id")


@pytest.mark.parametrize("flags", [(), ("--debug",)], ids=["plain", "debug"])
def test_an_oauth_error_is_shown_inert(cli: ClientAuthCli, oauth: EchoServer, flags: tuple[str, ...]) -> None:
    oauth.answer("/lwa/code", (400, {"error": HOSTILE, "error_description": HOSTILE}))
    run = cli(*flags, "sign-in", "--provider", "lwa")
    assert run.code == 1
    assert run.err.count("\nerror: ") + run.err.startswith("error: ") == 1
    assert_inert(run, "an OAuth error")


# --- the sink itself, for what no server above can send any more (adapters check their answers too) -----------


def test_every_line_of_human_output_is_inert_and_scrubbed() -> None:
    secret = Secret("hunter2-canary")
    shown = for_terminal(f"Code: {server_text(HOSTILE)}\nEcho: {secret.reveal()}")
    assert CONTROL.search(shown) is None
    assert shown.count("\n") == 1  # the CLI's own line break, not the server's
    assert "hunter2-canary" not in shown
    assert CONTROL.search(for_terminal(HOSTILE)) is None  # escapes go even where a caller forgot server_text


def test_a_secret_shown_on_purpose_stays_and_no_other() -> None:
    totp, password = Secret("JBSWY3DPEHPK3PXP"), Secret("Pa55-canary")
    text = f"Secret: {totp.reveal()} (typed with {password.reveal()})"
    assert for_terminal(text, [totp.reveal()]) == "Secret: JBSWY3DPEHPK3PXP (typed with **********)"
    assert for_json({"secret": totp.reveal(), "echo": [password.reveal()]}, [totp.reveal()]) == {
        "secret": "JBSWY3DPEHPK3PXP",
        "echo": ["**********"],
    }


def test_json_values_stay_exact_and_escaped() -> None:
    encoded = json.dumps(for_json({"user_code": HOSTILE}))
    assert CONTROL.search(encoded) is None
    assert json.loads(encoded) == {"user_code": HOSTILE}


def test_a_debug_traceback_masks_secrets_in_every_chained_exception() -> None:
    refresh = Secret("canary-refresh-token")
    echo = f"server said: you sent {refresh.reveal()} and SECRET_HASH={'A' * 43}="

    def boundary() -> None:
        try:
            try:
                raise RuntimeError(echo)
            except RuntimeError:
                raise KeyError(HOSTILE)  # noqa: B904 - the implicit chain is what is shown here
        except KeyError as middle:
            raise ValueError("the boundary's own message") from middle

    with pytest.raises(ValueError, match="boundary") as raised:
        boundary()
    shown = redacted_traceback(raised.value)
    assert "canary-refresh-token" not in shown
    assert "A" * 43 not in shown
    assert "RuntimeError: server said: you sent **********" in shown
    assert "During handling of the above exception, another exception occurred:" in shown
    assert "The above exception was the direct cause of the following exception:" in shown
    assert shown.rstrip().endswith("ValueError: the boundary's own message")
    assert shown.count("Traceback (most recent call last):") == 3
    assert CONTROL.search(shown) is None
    assert not [line for line in shown.split("\n") if line.strip().startswith(FORGED)]


@pytest.fixture
def cli_logging() -> Iterator[io.StringIO]:
    """The CLI's log handler, writing to a string; the package logger is restored afterwards (caplog needs it)."""
    package = logging.getLogger("aws_client_auth")
    saved = (package.handlers[:], package.level, package.propagate)
    configure_logging(verbose=True, debug=False)
    stream = io.StringIO()
    handler = package.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        package.handlers, package.propagate = saved[0], saved[2]
        package.setLevel(saved[1])


def test_log_lines_are_inert_and_their_tracebacks_redacted(cli_logging: io.StringIO) -> None:
    token = Secret("canary-logged-token")
    try:
        raise RuntimeError(f"echoed {token.reveal()}{HOSTILE}")
    except RuntimeError:
        logging.getLogger("aws_client_auth.tests").exception("the server said %s", HOSTILE)
    shown = cli_logging.getvalue()
    assert "the server said" in shown
    assert "canary-logged-token" not in shown
    assert "RuntimeError: echoed **********" in shown
    assert CONTROL.search(shown) is None
    assert not [line for line in shown.split("\n") if line.strip().startswith(FORGED)]
