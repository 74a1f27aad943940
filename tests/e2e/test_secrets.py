"""Canary secrets through every flow, with DEBUG logging and --debug: no password, token, secret key, session
token, challenge session or device code may appear in a log line, an exception, a repr or ordinary output.
Only `credentials`, which exists to print credentials, may show the credential values."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.aws import totp
from tests.e2e.test_cli import ClientAuthCli, Run
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
        data = json.loads(path.read_text())
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
