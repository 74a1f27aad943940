"""The CLI asks the facade and lets the use cases enforce the rules: what it says when a rule is broken is the
use case's own message, in one line, with exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aws_client_auth.entrypoints.cli.commands import cli


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "client-auth.toml"
    path.write_text('[storage]\nbackend = "memory"\n[cognito]\nuser_pool_id = "us-west-2_Test"\napp_client_id = "c1"\n')
    return path


def run(config: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=stdin)


def test_confirm_sign_in_with_nothing_pending_is_the_use_cases_answer(config: Path) -> None:
    result = run(config, "confirm-sign-in", "123456")
    assert result.exit_code == 1
    assert result.stderr == "error: Nothing is waiting for an answer: sign in first.\n"
    result = run(config, "confirm-sign-in", "--answer-stdin", stdin="")
    assert result.exit_code == 1  # nothing pending: stdin is not read for an answer nobody asked for
    assert "Nothing is waiting" in result.stderr


@pytest.mark.parametrize("contact", [[], ["--email", "a@example.com", "--phone", "+14155550100"]])
def test_sign_up_needs_exactly_one_contact_as_the_use_case_says(config: Path, contact: list[str]) -> None:
    result = run(config, "sign-up", "alice", *contact, "--password-stdin", stdin="Passw0rd!\n")
    assert result.exit_code == 1
    assert "Give exactly one of an email address or a phone number" in result.stderr


def test_sign_in_asks_the_facade_how_a_provider_signs_in(config: Path) -> None:
    result = run(config, "sign-in", "--provider", "lwa")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: Provider 'lwa' is not configured: set [providers.login_with_amazon] app_client_id.\n"
    )
    result = run(config, "sign-in", "--provider", "okta")
    assert result.exit_code == 1
    assert "Unknown provider 'okta'" in result.stderr
    result = run(config, "sign-in")
    assert result.exit_code == 2  # cognito signs in with a user name
    assert "cognito signs in with a username" in result.stderr
