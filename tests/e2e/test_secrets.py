"""Canary secrets through every flow, with DEBUG logging and --debug: no password, token, secret key, session
token, challenge session or device code may appear in a log line, an exception, a repr or ordinary output.
Only `credentials`, which exists to print credentials, may show the credential values."""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack
from pathlib import Path

import pytest

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.aws import totp
from tests.e2e.test_cli import ClientAuthCli, Run
from tests.echo_servers import Answer, EchoServer, echoing_cognito, echoing_oauth, settings_toml
from tests.oauth_server import oauth_server

PASSWORD = "Canary-Pa55word-7f3e"
NEW_PASSWORD = "Canary-N3w-Pa55word-91ab"
DEVICE_CODE = "canary-device-code-5c1d2e"
OURS = ("aws_client_auth",)


class Canaries:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.values: set[str] = {PASSWORD, NEW_PASSWORD, DEVICE_CODE}

    def harvest(self) -> None:
        """Every secret the session file holds now becomes a canary for all later output."""
        path = self.home / "default.json"
        if not path.exists():
            return
        document = json.loads(path.read_text())
        for data in document.get("sessions", {}).values():  # one session per configuration scope
            for tokens in data["tokens"].values():
                self.values |= {v for k, v in tokens.items() if k.endswith("_token") and v}
            pending = data.get("pending") or {}
            self.values |= {pending[k] for k in ("session", "device_code") if pending.get(k)}
            creds = data.get("credentials") or {}
            self.values |= {creds[k] for k in ("secret_key", "session_token") if creds.get(k)}

    def assert_absent(self, text: str, where: str) -> None:
        leaked = [v for v in self.values if v and v in text]
        assert not leaked, f"{where} shows a secret"


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


def test_cli_with_debug_never_prints_a_secret(stack: LocalStack, tmp_path: Path) -> None:
    cli = ClientAuthCli(stack, tmp_path)
    canaries = Canaries(Path(cli.env["CLIENT_AUTH_HOME"]))
    outputs: list[tuple[str, Run]] = []

    def run(*args: str, stdin: str | None = None) -> Run:
        result = cli("--debug", "--verbose", *args, stdin=stdin)
        outputs.append((" ".join(args), result))
        canaries.harvest()
        return result

    with oauth_server() as lwa:
        lwa.answer(
            "/codepair",
            (
                200,
                {
                    "device_code": DEVICE_CODE,
                    "user_code": "UC-1",
                    "verification_uri": f"{lwa.url}/c",
                    "expires_in": 600,
                    "interval": 1,
                },
            ),
        )
        lwa.answer(
            "/token",
            (400, {"error": "authorization_pending"}),
            (
                200,
                {
                    "access_token": "canary-lwa-access-token-0a9b8c",
                    "refresh_token": "canary-lwa-refresh-1d2e",
                    "expires_in": 3600,
                },
            ),
        )
        with cli.config.open("a") as f:
            f.write(
                f'\n[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
                f'oauth_code_url = "{lwa.url}/codepair"\noauth_tokens_url = "{lwa.url}/token"\n'
            )
        run("sign-up", "alice", "--email", "alice@example.com", "--password-stdin", stdin=PASSWORD + "\n")
        run("confirm-sign-up", "alice", "123456")
        run("sign-in", "alice", "--password-stdin", stdin="Wrong-" + PASSWORD + "\n")
        run("sign-in", "nobody", "--password-stdin", stdin=PASSWORD + "\n")
        run("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n")
        setup = json.loads(cli("--json", "enable-mfa", "--totp").out)
        run("verify-mfa", totp(setup["secret"]))
        run("sign-out")
        run("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n")
        run("confirm-sign-in", "000000")
        run("confirm-sign-in", totp(setup["secret"]))
        run("change-password", "--password-stdin", stdin=f"{PASSWORD}\n{NEW_PASSWORD}\n")
        run("refresh")
        run("status")
        run("--json", "status")
        run("sign-in", "--provider", "lwa", "--no-wait")
        run("confirm-sign-in")
        run("confirm-sign-in")
        run("refresh", "--provider", "lwa")
        run("link-identities")
        credentials = run("credentials")
        run("sign-out", "--global")
        run("sign-in", "alice", "--password-stdin", stdin=NEW_PASSWORD + "\n")
        run("forgot-password", "alice")
        run("confirm-forgot-password", "alice", "123456", "--password-stdin", stdin=PASSWORD + "\n")

    assert len(canaries.values) > 10
    with pytest.raises(AssertionError):  # the scan does catch a leak
        canaries.assert_absent(f"oops {PASSWORD}", "self-check")
    shown = json.loads(credentials.out)
    allowed = {shown["SecretAccessKey"], shown["SessionToken"]}
    assert allowed <= canaries.values  # canaries everywhere but in `credentials`
    for command, result in outputs:
        text = result.out + result.err
        if command == "credentials":
            for value in allowed:
                text = text.replace(value, "")
        canaries.assert_absent(text, f"'client-auth {command}'")


def test_library_logs_reprs_and_errors_never_show_a_secret(
    stack: LocalStack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = stack.settings()
    auth = ClientAuth.from_config(
        environ={"CLIENT_AUTH_HOME": str(tmp_path)}, aws=settings["aws"], cognito=settings["cognito"]
    )
    canaries = Canaries(tmp_path)
    shown: list[str] = []
    failures: list[ClientAuthError] = []
    caplog.set_level(logging.DEBUG)

    def attempt(call: object) -> None:
        try:
            shown.append(repr(call() if callable(call) else call))
        except ClientAuthError as error:
            failures.append(error)
        canaries.harvest()

    attempt(lambda: auth.sign_up("bob", PASSWORD, email="bob@example.com"))
    attempt(lambda: auth.confirm_sign_up("bob", "123456"))
    attempt(lambda: auth.sign_in("bob", "Wrong-" + PASSWORD))
    attempt(lambda: auth.sign_in("bob", PASSWORD))
    attempt(auth.get_tokens)
    attempt(auth.get_credentials)
    attempt(lambda: auth.enable_mfa("totp"))
    attempt(lambda: auth.verify_mfa("000000"))
    attempt(auth.refresh_tokens)
    attempt(auth.status)
    attempt(auth.pending)
    attempt(lambda: auth.sign_out(globally=True))
    attempt(auth.refresh_tokens)
    attempt(lambda: auth.confirm_sign_in("123456"))
    attempt(lambda: auth.change_password(PASSWORD, NEW_PASSWORD))
    assert failures
    ours = [r for r in caplog.records if r.name.startswith(OURS)]
    texts = shown + [str(e) + repr(e) for e in failures] + [r.getMessage() for r in ours]
    for text in texts:
        canaries.assert_absent(text, "library output")


# --- hostile servers that echo every request field ------------------------------------------------------------

SHORT_PASSWORD = "Pw-7f3e"  # shorter than any token pattern: only redaction by value can catch it
SHORT_NEW_PASSWORD = "N3w-9ab1"
CLIENT_SECRET = "canary-client-secret-3f9e"
GOOGLE_SECRET = "canary-google-secret-77c1"
ECHO_SESSION = "canary-challenge-session-61d0"
SEEDED = {
    "cognito": ("canary-cognito-access-1a2b", "canary-cognito-refresh-3c4d"),
    "lwa": ("canary-lwa-access-5e6f", "canary-lwa-refresh-7a8b"),
    "google": ("canary-google-access-9c0d", "canary-google-refresh-1e2f"),
}


def echo_settings(cognito: EchoServer, oauth: EchoServer) -> str:
    """Settings that send everything to the echoing servers, Google (which sends its client secret) included."""
    return settings_toml(cognito, oauth, secret=CLIENT_SECRET) + (
        f'\n[providers.google]\napp_client_id = "google.app"\nclient_secret = "{GOOGLE_SECRET}"\n'
        f'oauth_code_url = "{oauth.url}/google/code"\noauth_tokens_url = "{oauth.url}/google/token"\n'
    )


def seed_tokens(cli: ClientAuthCli) -> None:
    """Signed in to every provider with canary tokens, as if earlier runs had succeeded (through the library,
    so that the session lands where the CLI with the same settings looks for it)."""
    from datetime import UTC, datetime, timedelta

    from aws_client_auth.domain.secret import Secret
    from aws_client_auth.domain.session import Session
    from aws_client_auth.domain.tokens import ProviderName, Tokens

    expiry = datetime.now(UTC) + timedelta(hours=1)
    tokens = [
        Tokens(ProviderName(name), Secret(access), expiry, refresh_token=Secret(refresh), username="alice")
        for name, (access, refresh) in SEEDED.items()
    ]
    auth = ClientAuth.from_config(cli.config, environ={"CLIENT_AUTH_HOME": cli.env["CLIENT_AUTH_HOME"]})
    auth.container.sessions().save(Session(tokens={t.provider: t for t in tokens}))


def device_code(name: str) -> Answer:
    return 200, {
        "device_code": f"canary-{name}-device-code-4b5c",
        "user_code": "ECHO-CODE",
        "verification_uri": "https://example.com/device",
        "expires_in": 600,
        "interval": 1,
    }


def password_challenge() -> Answer:
    return 200, {
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": ECHO_SESSION,
        "ChallengeParameters": {"USER_ID_FOR_SRP": "alice", "userAttributes": "{}"},
    }


def sms_challenge() -> Answer:
    return 200, {
        "ChallengeName": "SMS_MFA",
        "Session": ECHO_SESSION,
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": "alice",
            "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
            "CODE_DELIVERY_DESTINATION": "+*******0100",
        },
    }


def echo_flows(cli: ClientAuthCli, cognito: EchoServer, oauth: EchoServer, *flags: str) -> list[tuple[str, Run]]:
    """Every CLI flow that sends a secret, against servers that echo it back; the runs, by command."""
    runs: list[tuple[str, Run]] = []

    def watch(pid: int) -> ExitStack:
        stack = ExitStack()
        stack.enter_context(cognito.watching(pid))
        stack.enter_context(oauth.watching(pid))
        return stack

    def run(*args: str, stdin: str | None = None) -> Run:
        result = cli(*flags, *args, stdin=stdin, watch=watch)
        runs.append((" ".join(args), result))
        return result

    password = SHORT_PASSWORD + "\n"
    run("sign-up", "alice", "--email", "alice@example.com", "--password-stdin", stdin=password)
    run("confirm-sign-up", "alice", "123456")
    run("resend-code", "alice")
    run("sign-in", "alice", "--password-stdin", stdin=password)
    cognito.answer("InitiateAuth", password_challenge())
    run("sign-in", "alice", "--password-stdin", stdin=password)
    run("status")
    run("confirm-sign-in", "--answer-stdin", stdin=SHORT_NEW_PASSWORD + "\n")
    cognito.answer("InitiateAuth", sms_challenge())
    run("sign-in", "alice", "--password-stdin", stdin=password)
    run("confirm-sign-in", "123456")
    run("forgot-password", "alice")
    run("confirm-forgot-password", "alice", "123456", "--password-stdin", stdin=password)
    for command, stdin in (
        (["change-password", "--password-stdin"], f"{SHORT_PASSWORD}\n{SHORT_NEW_PASSWORD}\n"),
        (["enable-mfa", "--totp"], None),
        (["verify-mfa", "123456"], None),
        (["disable-mfa"], None),
        (["refresh"], None),
        (["refresh", "--provider", "lwa"], None),
        (["refresh", "--provider", "google"], None),
        (["sign-out", "--global"], None),
    ):
        seed_tokens(cli)
        run(*command, stdin=stdin)
    for provider in ("lwa", "google"):
        oauth.answer(f"/{provider}/code", device_code(provider))
        run("sign-in", "--provider", provider, "--no-wait")
        run("status")
        run("confirm-sign-in")
        oauth.answer(f"/{provider}/code", device_code(provider))
        run("sign-in", "--provider", provider, "--timeout", "5")
    return runs


@pytest.mark.parametrize("flags", [(), ("--debug", "--verbose"), ("--json",)], ids=["plain", "debug", "json"])
def test_servers_echoing_every_request_field_never_get_a_secret_shown(tmp_path: Path, flags: tuple[str, ...]) -> None:
    with echoing_cognito() as cognito, echoing_oauth() as oauth:
        cli = ClientAuthCli(echo_settings(cognito, oauth), tmp_path)
        runs = echo_flows(cli, cognito, oauth, *flags)

    sent = cognito.secrets() | oauth.secrets()
    canaries = sent | {SHORT_PASSWORD, SHORT_NEW_PASSWORD, CLIENT_SECRET, GOOGLE_SECRET, ECHO_SESSION}
    canaries |= {value for pair in SEEDED.values() for value in pair}
    assert {SHORT_PASSWORD, SHORT_NEW_PASSWORD, ECHO_SESSION, GOOGLE_SECRET} <= sent
    assert {"canary-cognito-refresh-3c4d", "canary-lwa-refresh-7a8b", "canary-lwa-device-code-4b5c"} <= sent
    assert any(name in ("SECRET_HASH", "SecretHash") for _, fields in cognito.received for name, _ in fields)
    shown = "".join(result.err + result.out for _, result in runs)
    assert "You sent" in shown  # the servers' echoes did reach the output: the scan below is not vacuous
    assert "Rejected" in shown
    assert cognito.cmdlines
    assert oauth.cmdlines
    for command, result in runs:
        leaked = sorted(value for value in canaries if value in result.out + result.err)
        assert not leaked, f"'client-auth {command}' shows {len(leaked)} secret(s)"
    for cmdline in cognito.cmdlines + oauth.cmdlines:
        assert not [value for value in canaries if value in cmdline], "a secret is on a command line"
