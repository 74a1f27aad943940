"""The main job on the embedded local default: the whole mission, narrated, against a local moto server.

Every step runs a real ``client-auth`` command (in this process, with its real code paths); only the AWS
services are local. Nothing is left running and nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.entrypoints.local_stack import fresh_totp, local_server, provision

__all__ = ["DemoFailed", "fresh_totp", "in_process_runner", "local_server", "run_demo"]

USER = "demo-player"
PASSWORD = "Demo-Passw0rd!"
EMAIL = "player@example.com"


class DemoFailed(ClientAuthError):
    code = "demo_failed"


class Narrator:
    """Tells the steps as text, or with ``json_output`` as one JSON object per step (its title, the commands with
    their exit codes and output, and any other lines), written once the step is over."""

    def __init__(
        self,
        run: Callable[[list[str], str | None], tuple[int, str]],
        echo: Callable[[str], None],
        *,
        json_output: bool = False,
    ) -> None:
        self.run = run
        self._echo = echo
        self._json = json_output
        self._current: dict[str, Any] | None = None
        self.step = 0

    def say(self, text: str) -> None:
        self.flush()
        self.step += 1
        if self._json:
            self._current = {"step": self.step, "title": text, "commands": [], "notes": []}
        else:
            self._echo(f"\n== {self.step}. {text}")

    def note(self, text: str) -> None:
        """A line that is not a command's: part of the current step's object with --json."""
        if self._json:
            self._step_object()["notes"].append(text)
        else:
            self._echo(text)

    def finish(self, text: str) -> None:
        """The closing words: a last step of their own with --json."""
        if self._json:
            self.say(text)
        else:
            self._echo(f"\n{text}")

    def flush(self) -> None:
        """Writes the current step's object (--json); nothing without --json."""
        if self._current is not None:
            self._echo(json.dumps(self._current))
            self._current = None

    def _step_object(self) -> dict[str, Any]:
        if self._current is None:
            title = "Start a local AWS emulator" if self.step == 0 else ""
            self._current = {"step": self.step, "title": title, "commands": [], "notes": []}
        return self._current

    def cli(self, *args: str, stdin: str | None = None, expect: int = 0) -> str:
        shown = " ".join(args)
        if not self._json:
            self._echo(f"$ client-auth {shown}" + ("   (password on stdin)" if stdin else ""))
        code, output = self.run(list(args), stdin)
        if self._json:
            command = {"command": f"client-auth {shown}", "exit_code": code, "output": output}
            self._step_object()["commands"].append(command)
        elif output.strip():
            self._echo(output.rstrip("\n"))
        if code != expect:
            raise DemoFailed(f"The demo stopped: 'client-auth {shown}' exited with {code}, expected {expect}.")
        return output


def in_process_runner(config: Path) -> Callable[[list[str], str | None], tuple[int, str]]:
    """Runs the command tree that started the demo (``client-auth demo``) again in this process, capturing what
    it prints: the demo drives the real commands without importing the command line that imports it."""
    cli = click.get_current_context().find_root().command

    def run(args: list[str], stdin: str | None) -> tuple[int, str]:
        out = io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = cli.main(["--config", str(config), *args], prog_name="client-auth", standalone_mode=False)
        finally:
            sys.stdin = old_stdin
        return (code if isinstance(code, int) else 0), out.getvalue()

    return run


def run_demo(echo: Callable[[str], None], *, keep_running: bool = False, json_output: bool = False) -> None:
    """The mission, told through ``echo``: as text, or with ``json_output`` as one JSON object per step (the
    emulator's start is step 0, the closing words the last step)."""
    n = Narrator(_not_started, echo, json_output=json_output and not keep_running)
    try:
        _run_steps(n, echo, keep_running)
    finally:
        n.flush()


def _not_started(args: list[str], stdin: str | None) -> tuple[int, str]:
    raise AssertionError("no command runs before the emulator is up")


def _run_steps(n: Narrator, echo: Callable[[str], None], keep_running: bool) -> None:
    from aws_client_auth.entrypoints.scripting import ClientAuth

    with tempfile.TemporaryDirectory(prefix="client-auth-demo-") as folder, local_server() as endpoint:
        home = Path(folder)
        n.note(f"A local AWS emulator (moto) is running at {endpoint}.")
        stack = provision(endpoint)
        config = home / "client-auth.toml"
        config.write_text(stack.toml() + f'\n[storage]\nbackend = "file"\npath = "{home / "sessions"}"\n')
        n.note(f"It has a user pool ({stack.user_pool_id}), an app client and an identity pool with guest access.")
        if keep_running:
            _keep_running(echo, config)
            return
        n.run = in_process_runner(config)

        n.say("Nobody is signed in: guest (unauthenticated) AWS credentials")
        n.cli("credentials", "--format", "env")

        n.say("Sign up with an email address, then confirm with the emailed code")
        n.cli("sign-up", USER, "--email", EMAIL, "--password-stdin", stdin=f"{PASSWORD}\n")
        n.cli("confirm-sign-up", USER, "123456")

        n.say("Sign in with SRP: the password never leaves this machine")
        n.cli("sign-in", USER, "--password-stdin", stdin=f"{PASSWORD}\n")
        n.cli("status")

        n.say("Turn on authenticator-app (TOTP) MFA; this demo plays the authenticator app")
        setup = json.loads(n.cli("--json", "enable-mfa", "--totp").splitlines()[0])
        n.cli("verify-mfa", fresh_totp(setup["secret"]))

        n.say("Sign in again: now a TOTP code is asked for (exit code 3 means 'answer pending')")
        n.cli("sign-out")
        n.cli("sign-in", USER, "--password-stdin", stdin=f"{PASSWORD}\n", expect=3)
        n.cli("confirm-sign-in", fresh_totp(setup["secret"]))

        n.say("Authenticated AWS credentials, shared with a boto3 client talking to local STS and S3")
        n.cli("credentials", "--format", "env")
        auth = ClientAuth.from_config(config)
        session = auth.boto3_session()
        caller = session.client("sts").get_caller_identity()
        s3 = session.client("s3")
        s3.create_bucket(Bucket="client-auth-demo")
        s3.put_object(Bucket="client-auth-demo", Key="hello.txt", Body=b"signed in")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="client-auth-demo").get("Contents", [])]
        n.note(f"boto3: STS says account {caller['Account']}; S3 bucket client-auth-demo holds {keys}")

        n.say("Refresh the tokens (the refresh token is kept: Cognito sends none back)")
        n.cli("refresh")

        n.say("Sign out everywhere: the authenticated identity is forgotten, guest credentials again")
        n.cli("sign-out", "--global")
        n.cli("credentials", "--format", "env")
        n.cli("status")
    n.finish("The whole mission succeeded. The local server is stopped and the temporary folder removed.")


def _keep_running(echo: Callable[[str], None], config: Path) -> None:
    echo(f"\nConfiguration for this emulator, saved at {config}:\n")
    echo(config.read_text())
    echo(f"Try any command by hand, for example:\n  client-auth --config {config} sign-up alice --email a@example.com")
    echo("Confirmation codes are not checked by the emulator: any code works. Press Ctrl-C to stop.")
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)
