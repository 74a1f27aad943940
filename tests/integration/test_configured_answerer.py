"""``[cognito] custom_challenge_answerer``: custom challenges answered by code the configuration names (the plug-in
pattern: ``package.module:function`` or an entry point), against the stand-in's scripted triggers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, SignedIn
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests import plugin_answerer
from tests.cognito_standin import CognitoStandIn, cognito_standin, three_round_quiz

QUIZ = ("red-Q1", "green-Q2", "blue-Q3")


@pytest.fixture
def standin() -> Iterator[CognitoStandIn]:
    with cognito_standin(**three_round_quiz(QUIZ)) as standin:
        standin.add_user("alice", "Passw0rd!-long", email="alice@example.com")
        yield standin
    plugin_answerer.ANSWERS.clear()
    plugin_answerer.SEEN.clear()


def auth_with(standin: CognitoStandIn, tmp_path: Path, answerer: str) -> ClientAuth:
    config = tmp_path / "client-auth.toml"
    text = standin.settings_toml().replace("[cognito]\n", f'[cognito]\ncustom_challenge_answerer = "{answerer}"\n', 1)
    config.write_text(text, encoding="utf-8")
    return ClientAuth.from_config(config, environ={"CLIENT_AUTH_HOME": str(tmp_path / "home")})


def test_every_round_is_answered_by_the_configured_code(standin: CognitoStandIn, tmp_path: Path) -> None:
    plugin_answerer.ANSWERS.update({f"Question {i} of 3": answer for i, answer in enumerate(QUIZ, 1)})
    auth = auth_with(standin, tmp_path, "tests.plugin_answerer:answer")
    step = auth.sign_in("alice", custom=True)
    assert isinstance(step, SignedIn)
    assert auth.pending() is None
    assert [seen["question"] for seen in plugin_answerer.SEEN] == [
        "Question 1 of 3",
        "Question 2 of 3",
        "Question 3 of 3",
    ]
    answers = [c["challengeAnswer"] for name, c in standin.trigger_calls if name == "verify_auth_challenge"]
    assert answers == list(QUIZ)


def test_a_round_the_code_cannot_answer_is_left_to_a_person(standin: CognitoStandIn, tmp_path: Path) -> None:
    plugin_answerer.ANSWERS.update({"Question 1 of 3": QUIZ[0]})
    auth = auth_with(standin, tmp_path, "tests.plugin_answerer:answer")
    step = auth.sign_in("alice", custom=True)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.CUSTOM
    assert step.public["question"] == "Question 2 of 3"
    auth.confirm_sign_in(QUIZ[1])  # the person answers round 2; the code could not answer round 3 either
    assert isinstance(auth.confirm_sign_in(QUIZ[2]), SignedIn)


def test_failing_or_missing_code_keeps_the_challenge_and_hides_its_text(
    standin: CognitoStandIn, tmp_path: Path
) -> None:
    auth = auth_with(standin, tmp_path, "tests.plugin_answerer:broken")
    with pytest.raises(e.ServiceError) as failed:
        auth.sign_in("alice", custom=True)
    assert "do-not-show-me" not in str(failed.value)
    assert isinstance(auth.pending(), Challenge)

    auth = auth_with(standin, tmp_path, "tests.no_such_module:answer")
    with pytest.raises(e.ConfigurationError, match="custom_challenge_answerer"):
        auth.sign_in("alice", custom=True)
    assert isinstance(auth.pending(), Challenge)  # a person can still answer it
    auth = auth_with(standin, tmp_path, "not an entry point")
    with pytest.raises(e.ConfigurationError, match="Unknown challenge answerer"):
        auth.sign_in("alice", custom=True)


def test_the_default_authenticator_gets_the_callers_prompts(tmp_path: Path) -> None:
    """fido2 by default; the facade's passkey_notice and passkey_pin reach it (the CLI's stderr and PIN prompt)."""
    from aws_client_auth.adapters.webauthn.fido2_authenticator import Fido2Authenticator
    from aws_client_auth.adapters.webauthn.guard import RelyingPartyGuard

    shown: list[str] = []

    def pin() -> str | None:
        return "1234"

    auth = ClientAuth.from_config(
        environ={"CLIENT_AUTH_HOME": str(tmp_path)}, passkey_notice=shown.append, passkey_pin=pin, passkeys={}
    )
    guard = auth.container.authenticator()
    assert isinstance(guard, RelyingPartyGuard)
    built = guard.inner
    assert isinstance(built, Fido2Authenticator)
    assert built.request_pin is pin
    built.notify("Touch your security key")
    assert shown == ["Touch your security key"]
