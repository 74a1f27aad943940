"""What a failed step of choice-based sign-in leaves behind, on the shipped fakes: a step the user can still answer
is kept (whatever failed: a typed error, a plug-in's bug, Ctrl-C at "touch your key"); a step the provider ended
is not, nor an earlier one; a confirmation that stands is said to stand."""

from __future__ import annotations

from typing import Any

import pytest

from aws_client_auth.application.services import client_metadata
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.user import Username
from aws_client_auth.testing import FakeWorld, fake_world

PASSWORD = "Passw0rd!"


@pytest.fixture
def world() -> FakeWorld:
    world = fake_world({"alice": PASSWORD})
    world.pool.users["alice"].email = "alice@example.com"
    world.auth.sign_in("alice", PASSWORD)
    world.auth.register_passkey()
    world.auth.sign_out()
    return world


def pending_kind(world: FakeWorld) -> ChallengeKind | None:
    step = world.session.pending
    return step.kind if isinstance(step, Challenge) else None


@pytest.mark.parametrize("failure", [RuntimeError("a plug-in's bug"), KeyboardInterrupt()])
def test_a_passkey_step_survives_any_failure_of_the_authenticator(world: FakeWorld, failure: BaseException) -> None:
    world.authenticator.fail_next = failure  # type: ignore[assignment]
    with pytest.raises(type(failure)):
        world.auth.sign_in("alice", factor="passkey")
    assert pending_kind(world) is ChallengeKind.PASSKEY
    assert world.auth.confirm_sign_in("").done  # the retry the kept step allows


def test_a_sign_in_the_provider_ends_drops_the_earlier_pending_step(world: FakeWorld) -> None:
    world.auth.sign_in("alice", factor="email-otp")
    assert pending_kind(world) is ChallengeKind.EMAIL_CODE

    def ended(*_: Any, **__: Any) -> Any:
        raise e.SessionExpired("Cognito did not accept the answer and ended this sign-in: sign in again.")

    world.pool.answer_passkey = ended  # type: ignore[method-assign]
    with pytest.raises(e.SessionExpired):
        world.auth.sign_in("alice", factor="passkey")
    assert world.session.pending is None  # neither the ended passkey step nor the earlier email code


def test_a_confirmation_that_stands_is_said_to_stand_when_the_sign_in_after_it_fails(world: FakeWorld) -> None:
    world.auth.sign_up("bob", PASSWORD, email="bob@example.com")

    def refused(username: Username, session: Secret) -> Any:
        raise e.SessionExpired("The sign-in took too long and its session expired: sign in again.")

    world.pool.sign_in_after_sign_up = refused  # type: ignore[method-assign]
    with pytest.raises(e.SessionExpired, match="bob is confirmed, but signing in at once failed"):
        world.auth.confirm_sign_up("bob", world.pool.CODE, sign_in=True)
    assert world.pool.users["bob"].confirmed


def test_a_blank_custom_answer_is_refused_before_it_spends_a_try(world: FakeWorld) -> None:
    world.pool.custom_answers = ["a1"]
    step = world.auth.sign_in("alice", custom=True)
    assert isinstance(step, Challenge)
    before = list(world.pool.custom_received)
    with pytest.raises(e.InvalidInput, match="needs an answer"):
        world.auth.confirm_sign_in("   ")
    assert world.pool.custom_received == before
    assert world.auth.confirm_sign_in("a1").done


@pytest.mark.parametrize("metadata", [[("a", "b")], "a=b", 7])
def test_client_metadata_that_is_not_a_mapping_is_invalid_input(metadata: Any) -> None:
    with pytest.raises(e.InvalidInput, match="mapping of strings"):
        client_metadata.checked(metadata)


def test_invisible_format_characters_are_shown_escaped() -> None:
    assert clean("ab\ufeffc\u2060d") == "ab\\ufeffc\\u2060d"
