"""The real console script, run as a subprocess against a local moto server: stdout, stderr and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest

from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from tests.aws import totp
from tests.echo_servers import EchoServer, echoing_cognito, settings_toml

BIN = Path(sys.executable).parent
PASSWORD = "Passw0rd!"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def data(self) -> dict[str, object]:
        return json.loads(self.out)  # type: ignore[no-any-return]


class ClientAuthCli:
    """The console script with a settings file: ``stack``'s, or the given TOML text for a stand-in server."""

    def __init__(self, stack: LocalStack | str, home: Path) -> None:
        self.config = home / "client-auth.toml"
        self.config.write_text(stack if isinstance(stack, str) else stack.toml())
        self.env = {**os.environ, "CLIENT_AUTH_HOME": str(home / "sessions")}
        self.env.pop("CLIENT_AUTH_PROFILE", None)

    def __call__(
        self,
        *args: str,
        stdin: str | bytes | None = None,
        config: bool = True,
        watch: Callable[[int], AbstractContextManager[object]] | None = None,
    ) -> Run:
        """Runs the CLI; ``watch`` gets the child's pid for as long as it runs (to look at its /proc entries)."""
        command = [str(BIN / "client-auth"), *(["--config", str(self.config)] if config else []), *args]
        data = stdin.encode() if isinstance(stdin, str) else stdin or b""
        with (
            subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env
            ) as child,
            watch(child.pid) if watch else nullcontext(),
        ):
            try:
                out, err = child.communicate(data, timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                raise
        return Run(child.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


@pytest.fixture
def cli(stack: LocalStack, tmp_path: Path) -> ClientAuthCli:
    return ClientAuthCli(stack, tmp_path)


def ok(run: Run) -> Run:
    assert run.code == 0, (run.out, run.err)
    return run


def register(cli: ClientAuthCli, name: str) -> None:
    ok(cli("sign-up", name, "--email", f"{name}@example.com", "--password-stdin", stdin=PASSWORD + "\n"))
    ok(cli("confirm-sign-up", name, "123456"))


def test_the_whole_mission_from_the_command_line(cli: ClientAuthCli) -> None:
    guest = ok(cli("credentials")).data
    assert guest["Authenticated"] is False

    assert (
        "Signed up alice"
        in ok(cli("sign-up", "alice", "--email", "alice@example.com", "--password-stdin", stdin=PASSWORD + "\n")).out
    )
    ok(cli("confirm-sign-up", "alice", "123456"))
    assert (
        ok(cli("--json", "sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n")).data["status"] == "signed_in"
    )

    status = ok(cli("--json", "status")).data
    assert status["providers"][0]["username"] == "alice"  # type: ignore[index]

    setup = ok(cli("--json", "enable-mfa", "--totp")).data
    ok(cli("verify-mfa", totp(str(setup["secret"]))))
    ok(cli("sign-out"))
    pending = cli("--json", "sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert pending.code == 3
    assert pending.data["challenge"] == "totp_code"  # the domain's word, not Cognito's SOFTWARE_TOKEN_MFA
    wrong = cli("confirm-sign-in", "000000")
    assert wrong.code == 1
    assert "code is wrong" in wrong.err
    ok(cli("confirm-sign-in", totp(str(setup["secret"]))))

    process = ok(cli("credentials", "--format", "process")).data
    assert process["Version"] == 1
    assert set(process) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    again = ok(cli("credentials", "--format", "process")).data
    assert again == process  # answered from the on-disk cache

    env_lines = ok(cli("credentials", "--format", "env")).out
    assert "export AWS_SESSION_TOKEN=" in env_lines

    assert "Refreshed cognito" in ok(cli("refresh")).out
    ok(cli("sign-out", "--global"))
    assert ok(cli("credentials")).data["Authenticated"] is False


def test_status_never_shows_a_secret(cli: ClientAuthCli) -> None:
    register(cli, "bob")
    ok(cli("sign-in", "bob", "--password-stdin", stdin=PASSWORD + "\n"))
    creds = ok(cli("credentials")).data
    document = json.loads((Path(cli.env["CLIENT_AUTH_HOME"]) / "default.json").read_text())
    (session,) = document["sessions"].values()  # one configuration scope
    secrets = [session["tokens"]["cognito"][k] for k in ("access_token", "id_token", "refresh_token")]
    secrets += [str(creds["SecretAccessKey"]), str(creds["SessionToken"])]
    for run in (cli("status"), cli("--json", "status"), cli("--debug", "status"), cli("--debug", "refresh")):
        for secret in secrets:
            assert secret not in run.out + run.err


def test_wrong_password_is_one_clear_line_and_exit_1(cli: ClientAuthCli) -> None:
    register(cli, "carol")
    run = cli(
        "--config", str(cli.config), "sign-in", "nobody", "--password-stdin", stdin="Wrong-passw0rd\n", config=False
    )
    assert run.code == 1
    assert run.err.startswith("error: ")
    assert len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err


def test_debug_shows_the_traceback_but_not_the_password(cli: ClientAuthCli) -> None:
    run = cli("--debug", "sign-in", "nobody", "--password-stdin", stdin="Canary-Passw0rd-123\n")
    assert run.code == 1
    assert "Traceback" in run.err
    assert "Canary-Passw0rd-123" not in run.out + run.err


def test_usage_errors_exit_2(cli: ClientAuthCli) -> None:
    assert cli("enable-mfa").code == 2
    assert cli("no-such-command").code == 2
    assert cli("sign-out", "--provider", "cognito", "--all").code == 2


def test_sign_up_without_email_or_phone_says_what_to_give(cli: ClientAuthCli) -> None:
    run = cli("sign-up", "dave", "--password-stdin", stdin="Passw0rd!\n")
    assert run.code == 1
    assert "email address or a phone number" in run.err


def test_bad_input_fails_before_any_call(cli: ClientAuthCli) -> None:
    run = cli("sign-up", "dave", "--phone", "0155", "--password-stdin", stdin=PASSWORD + "\n")
    assert run.code == 1
    assert "E.164" in run.err


def test_a_bad_config_file_is_named(cli: ClientAuthCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[cognito]\nuser_pol_id = 'x'\n")
    run = cli("--config", str(bad), "status", config=False)
    assert run.code == 1
    assert str(bad) in run.err
    assert "user_pol_id" in run.err


def test_confirm_without_anything_pending(cli: ClientAuthCli) -> None:
    run = cli("confirm-sign-in", "123456")
    assert run.code == 1
    assert "sign in first" in run.err


def test_profiles_are_kept_apart(cli: ClientAuthCli) -> None:
    register(cli, "erin")
    ok(cli("--profile", "work", "sign-in", "erin", "--password-stdin", stdin=PASSWORD + "\n"))
    assert "erin" in ok(cli("--profile", "work", "status")).out
    assert "nobody" in ok(cli("status")).out


def test_a_corrupt_session_file_is_reported_and_reset_recovers(cli: ClientAuthCli) -> None:
    home = Path(cli.env["CLIENT_AUTH_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "default.json").write_text("{broken")
    run = cli("status")
    assert run.code == 1
    assert "client-auth reset" in run.err
    ok(cli("reset"))
    ok(cli("status"))


def test_the_aws_cli_uses_credential_process(cli: ClientAuthCli, stack: LocalStack, tmp_path: Path) -> None:
    aws_config = tmp_path / "aws-config"
    command = f"{BIN / 'client-auth'} --config {cli.config} credentials --format process"
    aws_config.write_text(f"[profile game]\ncredential_process = {command}\nregion = {stack.region}\n")
    env = {
        **cli.env,
        "AWS_CONFIG_FILE": str(aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_ENDPOINT_URL": stack.endpoint_url,
    }
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    done = subprocess.run(
        [str(BIN / "aws"), "sts", "get-caller-identity", "--profile", "game", "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Account"]


def test_device_sign_in_from_the_command_line(cli: ClientAuthCli) -> None:
    from tests.oauth_server import oauth_server

    with oauth_server() as lwa:
        code = {
            "device_code": "dc-secret",
            "user_code": "WDJB-MJHT",
            "verification_uri": f"{lwa.url}/code",
            "verification_uri_complete": f"{lwa.url}/code?c=WDJB-MJHT",
            "expires_in": 600,
            "interval": 1,
        }
        lwa.answer("/codepair", (200, code))
        lwa.answer(
            "/token",
            (400, {"error": "authorization_pending"}),
            (400, {"error": "authorization_pending"}),
            (200, {"access_token": "Atza|token", "refresh_token": "Atzr|r", "expires_in": 3600}),
        )
        with cli.config.open("a") as f:
            f.write(
                f'\n[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
                f'oauth_code_url = "{lwa.url}/codepair"\noauth_tokens_url = "{lwa.url}/token"\n'
            )
        started = cli("--json", "sign-in", "--provider", "lwa", "--no-wait")
        assert started.code == 3
        assert started.data["user_code"] == "WDJB-MJHT"
        assert "dc-secret" not in started.out + started.err
        waiting = cli("confirm-sign-in")
        assert waiting.code == 3
        assert "WDJB-MJHT" in waiting.out
        done = cli("--json", "confirm-sign-in")
        assert done.code == 3  # the second pending answer
        assert ok(cli("--json", "confirm-sign-in")).data["status"] == "signed_in"
        assert lwa.requests[1][1] == {"grant_type": "device_code", "device_code": "dc-secret", "user_code": "WDJB-MJHT"}
        assert "lwa" in ok(cli("status")).out

        lwa.answer("/codepair", (200, code))
        lwa.script["/token"] = [
            (400, {"error": "authorization_pending"}),
            (400, {"error": "access_denied", "error_description": "The user said no"}),
        ]
        denied = cli("sign-in", "--provider", "lwa")
        assert denied.code == 1
        assert "denied" in denied.err
        assert "The user said no" in denied.err
        assert "Open " in denied.err  # the code and URL were shown while waiting


def test_an_o3de_project_works_with_no_extra_file(cli: ClientAuthCli, tmp_path: Path) -> None:
    import shutil

    from tests.oauth_server import oauth_server

    project = tmp_path / "MyGame"
    shutil.copytree(Path(__file__).resolve().parents[2] / "config" / "o3de", project)
    with oauth_server() as lwa:
        setreg = project / "Registry" / "AuthenticationProvider.setreg"
        data = json.loads(setreg.read_text())
        data["AWS"]["LoginWithAmazon"]["OAuthCodeURL"] = f"{lwa.url}/codepair"
        setreg.write_text(json.dumps(data))
        lwa.answer(
            "/codepair",
            (
                200,
                {"device_code": "dc", "user_code": "O3DE-CODE", "verification_uri": f"{lwa.url}/v", "expires_in": 600},
            ),
        )
        started = cli(
            "--o3de-project", str(project), "--json", "sign-in", "--provider", "lwa", "--no-wait", config=False
        )
        assert started.code == 3, started.err
        assert started.data["user_code"] == "O3DE-CODE"
        assert lwa.requests[0][1]["client_id"] == "amzn1.application-oa2-client.example"
        env_run = subprocess.run(
            [str(BIN / "client-auth"), "status"],
            env={**cli.env, "CLIENT_AUTH_O3DE_PROJECT": str(project)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert env_run.returncode == 0
        assert "Pending: lwa" in env_run.stdout


def test_sms_mfa_on_and_off(cli: ClientAuthCli) -> None:
    register(cli, "gina")
    ok(cli("sign-in", "gina", "--password-stdin", stdin=PASSWORD + "\n"))
    assert "SMS MFA is on" in ok(cli("enable-mfa", "--sms")).out
    assert ok(cli("--json", "disable-mfa")).data == {"mfa": None, "enabled": False, "remaining": [], "preferred": None}
    ok(cli("sign-out"))
    assert ok(cli("--json", "sign-in", "gina", "--password-stdin", stdin=PASSWORD + "\n")).data["status"] == "signed_in"


def test_totp_set_up_shows_its_secret_on_purpose(cli: ClientAuthCli) -> None:
    register(cli, "hana")
    ok(cli("sign-in", "hana", "--password-stdin", stdin=PASSWORD + "\n"))
    shown = ok(cli("enable-mfa", "--totp")).out
    found = re.search(r"^Secret: (\S+)$", shown, re.MULTILINE)
    assert found is not None, shown
    assert "**********" not in shown  # every other secret is masked, this one is shown to be copied
    ok(cli("verify-mfa", totp(found.group(1))))


# --- passwords: never on the command line, always valid text (against a Cognito stand-in) ---------------------


@pytest.fixture
def cognito() -> Iterator[EchoServer]:
    with echoing_cognito() as server:
        yield server


@pytest.fixture
def srp_cli(cognito: EchoServer, tmp_path: Path) -> ClientAuthCli:
    return ClientAuthCli(settings_toml(cognito, auth_flow="USER_SRP_AUTH"), tmp_path)


def challenge(name: str) -> tuple[int, dict[str, object]]:
    parameters = {"USER_ID_FOR_SRP": "ann"}
    return 200, {"ChallengeName": name, "Session": "challenge-session-0001-0002", "ChallengeParameters": parameters}


def sent_answer(cognito: EchoServer, key: str) -> str | None:
    """``key`` of the last challenge answer the stand-in received."""
    answers = [dict(fields) for operation, fields in cognito.received if operation == "RespondToAuthChallenge"]
    return answers[-1].get(key) if answers else None


def pending_challenge(cli: ClientAuthCli, cognito: EchoServer, name: str) -> Run:
    cognito.answer("InitiateAuth", challenge(name))
    started = cli("sign-in", "ann", "--password-stdin", stdin=PASSWORD + "\n")
    assert started.code == 3, started.err
    return started


def test_a_new_password_is_refused_as_an_argument(srp_cli: ClientAuthCli, cognito: EchoServer) -> None:
    started = pending_challenge(srp_cli, cognito, "NEW_PASSWORD_REQUIRED")
    assert "confirm-sign-in --answer-stdin" in started.out
    assert "<ANSWER>" not in started.out
    refused = srp_cli("confirm-sign-in", "N3w-Passw0rd!")
    assert refused.code == 2
    assert "never given on the command line" in refused.err
    assert "N3w-Passw0rd!" not in refused.out + refused.err
    assert "RespondToAuthChallenge" not in cognito.operations()
    assert "Pending: cognito: Choose a new password" in ok(srp_cli("status")).out


def test_a_new_password_is_read_from_standard_input(srp_cli: ClientAuthCli, cognito: EchoServer) -> None:
    pending_challenge(srp_cli, cognito, "NEW_PASSWORD_REQUIRED")
    answered = srp_cli("confirm-sign-in", "--answer-stdin", stdin="N3w-Passw0rd!\n")
    assert sent_answer(cognito, "NEW_PASSWORD") == "N3w-Passw0rd!"
    assert "N3w-Passw0rd!" not in answered.out + answered.err  # the stand-in echoed it back


def test_a_new_password_is_asked_twice_without_echo_on_a_terminal(srp_cli: ClientAuthCli, cognito: EchoServer) -> None:
    pending_challenge(srp_cli, cognito, "NEW_PASSWORD_REQUIRED")
    code, transcript = on_terminal(srp_cli, ["confirm-sign-in"], answers=["N3w-Passw0rd!", "N3w-Passw0rd!"])
    assert transcript.count("Choose a new password: ") == 1
    assert transcript.count("Repeat for confirmation: ") == 1
    assert "N3w-Passw0rd!" not in transcript  # neither echoed while typed nor shown in the echoed error
    assert sent_answer(cognito, "NEW_PASSWORD") == "N3w-Passw0rd!"
    assert code == 1  # the stand-in refuses every answer


def test_codes_are_answered_as_arguments_or_on_standard_input(srp_cli: ClientAuthCli, cognito: EchoServer) -> None:
    started = pending_challenge(srp_cli, cognito, "SMS_MFA")
    assert "confirm-sign-in <ANSWER>" in started.out
    srp_cli("confirm-sign-in", "123456")
    assert sent_answer(cognito, "SMS_MFA_CODE") == "123456"
    pending_challenge(srp_cli, cognito, "SMS_MFA")
    srp_cli("confirm-sign-in", "--answer-stdin", stdin="654321\n")
    assert sent_answer(cognito, "SMS_MFA_CODE") == "654321"
    pending_challenge(srp_cli, cognito, "SMS_MFA")
    assert srp_cli("confirm-sign-in", "123456", "--answer-stdin", stdin="654321\n").code == 2


@pytest.mark.parametrize(
    ("decoding", "exit_code"),
    [("utf-8:surrogateescape", 1), ("utf-8:strict", 2)],
    ids=["bytes-kept-as-surrogates", "strict-decoding"],
)
def test_a_password_that_is_not_utf8_fails_clearly_before_any_call(
    srp_cli: ClientAuthCli, cognito: EchoServer, decoding: str, exit_code: int
) -> None:
    srp_cli.env["PYTHONIOENCODING"] = decoding
    run = srp_cli("sign-in", "ann", "--password-stdin", stdin=b"Passw\xf6rd!\n")
    assert run.code == exit_code
    assert "not valid UTF-8" in run.err
    assert "position" not in run.err
    assert "Traceback" not in run.err
    assert not cognito.received  # not even the first SRP step


def on_terminal(cli: ClientAuthCli, args: list[str], *, answers: list[str]) -> tuple[int, str]:
    """Runs the CLI on a pseudo-terminal (its controlling terminal, as a person's shell would give it), typing
    each answer after a prompt; the exit code and everything the terminal showed, typed echo included."""
    import os
    import pty
    import select

    command = [str(BIN / "client-auth"), "--config", str(cli.config), *args]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: become the CLI at once
        os.execve(command[0], command, cli.env)  # noqa: S606 - the console script itself, as the other tests run it
    shown, typed = b"", 0
    try:
        while select.select([terminal], [], [], 60)[0]:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if typed < len(answers) and len(PROMPT.findall(shown)) > typed:
                os.write(terminal, answers[typed].encode() + b"\n")
                typed += 1
    finally:
        os.close(terminal)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


PROMPT = re.compile(rb"(?:password|confirmation): ")


def test_an_mfa_set_up_during_sign_in_shows_its_secret_on_purpose(srp_cli: ClientAuthCli, cognito: EchoServer) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
    for _ in range(2):
        setup = {"ChallengeName": "MFA_SETUP", "Session": "challenge-session-0001-0003"}
        cognito.answer(
            "InitiateAuth", (200, {**setup, "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}})
        )
        cognito.answer(
            "AssociateSoftwareToken", (200, {"SecretCode": secret, "Session": "challenge-session-0001-0004"})
        )
    human = srp_cli("sign-in", "ann", "--password-stdin", stdin=PASSWORD + "\n")
    assert human.code == 3, human.err
    assert f"Secret: {secret}" in human.out
    assert f"secret={secret}" in human.out  # in the otpauth URI too
    machine = srp_cli("--json", "sign-in", "ann", "--password-stdin", stdin=PASSWORD + "\n")
    assert machine.data["secret"] == secret
