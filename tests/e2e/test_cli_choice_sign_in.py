"""Issue 15 through the console script, against the Cognito stand-in (moto has none of it): one-time codes in two
steps and in one on a terminal, SELECT_CHALLENGE answered by name, a passkey registered then used with the software
authenticator (selected by configuration), three rounds of custom challenges, and sign-in right after sign-up."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cognito_standin import CognitoStandIn, cognito_standin, identity_pool_for, three_round_quiz
from tests.e2e.test_cli import ClientAuthCli, Run, ok
from tests.e2e.test_cli_habits import on_terminal

PASSWORD = "Passw0rd!"
pytestmark = pytest.mark.slow
SOFTWARE = "tests.software_authenticator:factory"
REPOSITORY = Path(__file__).resolve().parents[2]


def with_software_authenticator(cli: ClientAuthCli) -> ClientAuthCli:
    """The console script finds the tests' software authenticator, which the configuration names, on its path."""
    cli.env["PYTHONPATH"] = str(REPOSITORY)
    return cli


def pending(run: Run, kind: str) -> dict[str, Any]:
    assert run.code == 3, (run.out, run.err)
    data = run.data
    assert data["challenge"] == kind, data
    return data


def signed_in_as(cli: ClientAuthCli, name: str) -> None:
    status: dict[str, Any] = ok(cli("status", "--json")).data
    assert [p["username"] for p in status["providers"]] == [name], status
    assert not status["pending"]


def alice(standin: CognitoStandIn) -> None:
    standin.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")


def has_credentials(cli: ClientAuthCli) -> None:
    """The sign-in's tokens got AWS credentials from the identity pool (moto's, behind the stand-in)."""
    credentials = ok(cli("credentials", "--json")).data
    assert credentials["Authenticated"] is True
    assert str(credentials["AccessKeyId"])


def test_an_email_code_signs_in_in_two_steps(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        pool = identity_pool_for(standin, moto_endpoint)
        cli = ClientAuthCli(standin.settings_toml(client_metadata={"game": "demo"}, identity_pool_id=pool), tmp_path)
        started = pending(cli("sign-in", "alice", "--factor", "email-otp", "--json"), "email_code")
        assert started["delivery"]["medium"] == "EMAIL"
        code = standin.last_code("alice")
        wrong = cli("confirm-sign-in", "000000" if code != "000000" else "111111")
        assert wrong.code != 0
        assert "Traceback" not in wrong.err
        ok(cli("confirm-sign-in", code, "--metadata", "level=7"))
        signed_in_as(cli, "alice")
        first = standin.calls[[op for op, _ in standin.calls].index("InitiateAuth")][1]
        assert first["AuthFlow"] == "USER_AUTH"
        assert first["AuthParameters"]["PREFERRED_CHALLENGE"] == "EMAIL_OTP"
        assert "PASSWORD" not in first["AuthParameters"]
        assert standin.metadata_of("InitiateAuth")[-1] == {"game": "demo"}
        assert standin.metadata_of("RespondToAuthChallenge")[-1] == {"game": "demo", "level": "7"}
        session_file = (tmp_path / "sessions" / "default.json").read_text()
        assert code not in session_file
        has_credentials(cli)


def test_an_email_code_signs_in_in_one_step_on_a_terminal(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        cli = ClientAuthCli(standin.settings_toml(identity_pool_id=identity_pool_for(standin, moto_endpoint)), tmp_path)
        code, shown = on_terminal(
            cli,
            ["sign-in", "alice", "--factor", "email-otp"],
            [("Enter the code sent by email", lambda: (standin.last_code("alice") + "\r").encode())],  # noqa: PLW0108 - read when asked
        )
        assert code == 0, shown
        assert "Signed in to cognito as alice" in shown
        signed_in_as(cli, "alice")
        has_credentials(cli)


def test_select_challenge_is_answered_by_name(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        cli = ClientAuthCli(
            standin.settings_toml(auth_flow="USER_AUTH", identity_pool_id=identity_pool_for(standin, moto_endpoint)),
            tmp_path,
        )
        offered = pending(cli("sign-in", "alice", "--json"), "select_factor")  # no password asked: nothing on stdin
        assert offered["factors"] == ["password", "email-otp"]
        refused = cli("confirm-sign-in", "passkey")
        assert refused.code != 0
        assert "choose one of password, email-otp" in refused.err
        pending(cli("confirm-sign-in", "email-otp", "--json"), "email_code")
        ok(cli("confirm-sign-in", standin.last_code("alice")))
        signed_in_as(cli, "alice")

        ok(cli("sign-out"))
        pending(cli("sign-in", "alice", "--json"), "select_factor")
        pending(cli("confirm-sign-in", "password", "--json"), "password")
        typed = cli("confirm-sign-in", PASSWORD)
        assert typed.code == 2
        assert "never given on the command line" in typed.err
        ok(cli("confirm-sign-in", "--answer-stdin", stdin=PASSWORD + "\n"))
        signed_in_as(cli, "alice")
        answers = [request["ChallengeResponses"] for op, request in standin.calls if op == "RespondToAuthChallenge"]
        assert any(a.get("ANSWER") == "PASSWORD_SRP" for a in answers)  # proven by SRP: the password never sent
        assert all(PASSWORD not in json.dumps(request) for _, request in standin.calls)
        has_credentials(cli)


def test_a_passkey_is_registered_then_signs_in(tmp_path: Path, moto_endpoint: str) -> None:
    store = tmp_path / "authenticator.json"
    with cognito_standin(identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        settings = standin.settings_toml(
            passkeys_authenticator=SOFTWARE,
            passkeys_store=str(store),
            identity_pool_id=identity_pool_for(standin, moto_endpoint),
        )
        cli = with_software_authenticator(ClientAuthCli(settings, tmp_path))
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        registered = ok(cli("passkeys", "register", "--json")).data
        (kept,) = standin.users["alice"].passkeys
        assert registered["credential_id"] == kept.id
        listed: list[dict[str, Any]] = ok(cli("passkeys", "list", "--json")).data["passkeys"]  # type: ignore[assignment]
        assert [p["credential_id"] for p in listed] == [kept.id]
        assert "passkey" in ok(cli("auth-factors", "--json")).data["factors"]  # type: ignore[operator]
        ok(cli("sign-out"))

        run = ok(cli("sign-in", "alice", "--factor", "passkey", "--json"))
        assert run.data["status"] == "signed_in"
        assert kept.sign_count > 0  # the assertion was verified and its counter kept
        signed_in_as(cli, "alice")

        ok(cli("passkeys", "delete", kept.id))
        assert standin.users["alice"].passkeys == []
        assert "passkey" not in ok(cli("auth-factors", "--json")).data["factors"]  # type: ignore[operator]
        has_credentials(cli)


def test_a_passkey_without_its_key_keeps_the_challenge_for_a_retry(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        alice(standin)
        settings = standin.settings_toml(
            passkeys_authenticator=SOFTWARE, passkeys_store=str(tmp_path / "authenticator.json")
        )
        cli = with_software_authenticator(ClientAuthCli(settings, tmp_path))
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        ok(cli("passkeys", "register"))
        ok(cli("sign-out"))
        (tmp_path / "authenticator.json").rename(tmp_path / "elsewhere.json")  # the key is unplugged
        failed = cli("sign-in", "alice", "--factor", "passkey")
        assert failed.code != 0
        assert "Traceback" not in failed.err
        assert ok(cli("status", "--json")).data["pending"]
        (tmp_path / "elsewhere.json").rename(tmp_path / "authenticator.json")
        ok(cli("confirm-sign-in"))
        signed_in_as(cli, "alice")


def test_three_rounds_of_custom_challenges(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(**three_round_quiz(("red", "green", "blue")), identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        cli = ClientAuthCli(standin.settings_toml(identity_pool_id=identity_pool_for(standin, moto_endpoint)), tmp_path)
        first = pending(cli("sign-in", "alice", "--custom", "--metadata", "ticket=T-1", "--json"), "custom")
        assert first["parameters"]["question"] == "Question 1 of 3"
        assert json.loads(first["parameters"]["metadata"]) == {"ticket": "T-1"}
        shown = cli("status")
        assert "Pending" in shown.out
        pending(cli("confirm-sign-in", "red", "--json"), "custom")
        again = pending(cli("confirm-sign-in", "yellow", "--json"), "custom")  # wrong: the same question again
        assert again["parameters"]["question"] == "Question 2 of 3"
        third = pending(cli("confirm-sign-in", "--answer-stdin", "--json", stdin="green\n"), "custom")
        assert third["parameters"]["question"] == "Question 3 of 3"
        human = cli("confirm-sign-in", "blue")
        ok(human)
        signed_in_as(cli, "alice")
        assert [call[0] for call in standin.trigger_calls].count("verify_auth_challenge") == 4
        has_credentials(cli)


def test_custom_challenges_on_a_terminal_are_asked_without_echo(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(**three_round_quiz(("s3cret-one", "s3cret-two")), identity_endpoint=moto_endpoint) as standin:
        alice(standin)
        cli = ClientAuthCli(standin.settings_toml(identity_pool_id=identity_pool_for(standin, moto_endpoint)), tmp_path)
        code, shown = on_terminal(
            cli,
            ["sign-in", "alice", "--custom"],
            [("Answer the challenge: ", b"s3cret-one\r"), ("Answer the challenge: ", b"s3cret-two\r")],
        )
        assert code == 0, shown
        assert "Question 1 of 2" in shown
        assert "Question 2 of 2" in shown
        assert "s3cret" not in shown  # never echoed
        signed_in_as(cli, "alice")
        has_credentials(cli)


def test_confirm_sign_up_then_sign_in_without_the_password_again(tmp_path: Path, moto_endpoint: str) -> None:
    with cognito_standin(identity_endpoint=moto_endpoint) as standin:
        cli = ClientAuthCli(standin.settings_toml(identity_pool_id=identity_pool_for(standin, moto_endpoint)), tmp_path)
        ok(cli("sign-up", "bob", "--email", "bob@example.com", "--password-stdin", stdin=PASSWORD + "\n"))
        code = standin.last_code("bob")
        run = ok(cli("confirm-sign-up", "bob", code, "--sign-in", "--json"))
        assert run.data["status"] == "signed_in"
        signed_in_as(cli, "bob")
        flows = [request.get("AuthFlow") for op, request in standin.calls if op == "InitiateAuth"]
        assert flows == ["USER_AUTH"]
        assert not any("PASSWORD" in json.dumps(r.get("AuthParameters", {})) for _, r in standin.calls)
        has_credentials(cli)


def test_bad_input_is_refused_before_any_call(tmp_path: Path) -> None:
    with cognito_standin() as standin:
        alice(standin)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        for args, message in (
            (["sign-in", "alice", "--factor", "email-otp", "--custom"], "not both"),
            (["sign-in", "alice", "--with-password"], "goes with --custom"),
            (["sign-in", "alice", "--factor", "email-otp", "--metadata", "no-equals-sign"], "not KEY=VALUE"),
            (["sign-in", "alice", "--factor", "telepathy"], "telepathy"),
        ):
            run = cli(*args)
            assert run.code == 2, (args, run.err)
            assert message in run.err, (args, run.err)
            assert "no-equals-sign" not in run.err
        assert standin.calls == []
        assert re.search(r"error: ", cli("sign-in", "alice", "--factor", "email-otp", "--password-stdin").err)
