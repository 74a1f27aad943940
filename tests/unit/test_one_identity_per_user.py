"""One identity per user: who signs in decides what of the stored session may be reused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import PreviousUserForgotten, SignedIn
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind
from aws_client_auth.domain.sign_in import SignedIn as SignedInStep
from aws_client_auth.domain.tokens import COGNITO, LOGIN_WITH_AMAZON, ProviderName, Tokens
from aws_client_auth.testing import FakeWorld, RecordingEvents, fake_world

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def tokens(provider: str = COGNITO, *, username: str | None = "alice", subject: str | None = "sub-a") -> Tokens:
    return Tokens(
        provider=ProviderName(provider),
        access_token=Secret(f"access-{provider}-{username}-{subject}"),
        expires_at=NOW + timedelta(hours=1),
        username=username,
        subject=subject,
    )


def alices_session() -> Session:
    return Session(
        tokens={COGNITO: tokens(), LOGIN_WITH_AMAZON: tokens(LOGIN_WITH_AMAZON, username=None, subject=None)},
        authenticated_identity_id="us-west-2:alice",
        guest_identity_id="us-west-2:guest",
        linked_logins=frozenset({"cognito-idp", "www.amazon.com"}),
    )


def test_another_subject_drops_everything_of_the_previous_user_but_the_guest_identity() -> None:
    bob = tokens(username="bob", subject="sub-b")
    session = alices_session()
    assert session.previous_user(bob) == "alice"
    assert session.signed_in(bob) == Session(tokens={COGNITO: bob}, guest_identity_id="us-west-2:guest")


def test_the_same_subject_under_another_alias_keeps_the_identity_and_other_providers() -> None:
    again = tokens(username="alice@example.com", subject="sub-a")
    session = alices_session()
    assert session.previous_user(again) is None
    after = session.signed_in(again)
    assert after.tokens[COGNITO] == again
    assert LOGIN_WITH_AMAZON in after.tokens
    assert after.authenticated_identity_id == "us-west-2:alice"
    assert after.linked_logins == session.linked_logins


def test_without_subjects_user_names_tell_users_apart() -> None:
    session = Session(tokens={COGNITO: tokens(subject=None)}, authenticated_identity_id="us-west-2:alice")
    assert session.previous_user(tokens(username="bob", subject=None)) == "alice"
    assert session.previous_user(tokens(username="ALICE", subject=None)) is None


def test_an_unknown_user_never_inherits_the_stored_identity() -> None:
    session = Session(
        tokens={LOGIN_WITH_AMAZON: tokens(LOGIN_WITH_AMAZON, username=None, subject=None)},
        authenticated_identity_id="us-west-2:someone",
        linked_logins=frozenset({"www.amazon.com"}),
    )
    again = tokens(LOGIN_WITH_AMAZON, username=None, subject=None)
    after = session.signed_in(again)
    assert session.previous_user(again) is None
    assert after.authenticated_identity_id is None  # asked again: the pool answers the same one for the same user
    assert after.linked_logins == frozenset()


def test_a_refresh_keeps_the_identity() -> None:
    session = alices_session()
    after = session.with_tokens(tokens(LOGIN_WITH_AMAZON, username=None, subject=None))
    assert after.authenticated_identity_id == "us-west-2:alice"
    assert after.credentials is None


@pytest.fixture
def world() -> FakeWorld:
    return fake_world({"alice": "Passw0rd!", "bob": "Passw0rd!"})


def sign_in(world: FakeWorld, user: str, password: str = "Passw0rd!") -> object:
    return world.auth.sign_in(user, password)


def test_bob_after_alice_gets_his_own_identity_and_the_switch_is_announced(world: FakeWorld) -> None:
    sign_in(world, "alice")
    alice = world.auth.get_credentials()
    sign_in(world, "bob")
    (forgotten,) = world.events.of(PreviousUserForgotten)
    assert forgotten == PreviousUserForgotten(provider=COGNITO, previous_user="alice")
    bob = world.auth.get_credentials()
    assert bob.identity_id != alice.identity_id
    assert "bob" in next(iter(world.identity_pool.last_logins.values()))
    assert world.session.authenticated_identity_id == bob.identity_id


def test_a_failed_sign_in_abandons_the_pending_challenge(world: FakeWorld) -> None:
    challenge = Challenge(
        provider=COGNITO, kind=ChallengeKind.TOTP_CODE, username="alice", session=Secret("challenge-session")
    )
    world.store.save(Session().with_pending(challenge))
    with pytest.raises(e.UserNotFound):
        sign_in(world, "nobody")
    assert world.session.pending is None


def test_a_failed_sign_in_keeps_another_providers_pending_step(world: FakeWorld) -> None:
    authorization = world.lwa_device.start()
    world.store.save(Session().with_pending(authorization))
    with pytest.raises(e.NotAuthorized):
        sign_in(world, "alice", "wrong-password")
    assert world.session.pending == authorization


class CorruptStore:
    """A store whose stored session cannot be read, as a file store over a corrupt file."""

    profile = "default"

    def __init__(self) -> None:
        self.saved: list[Session] = []

    def load(self) -> Session:
        if self.saved:
            return self.saved[-1]
        raise e.CorruptSession("corrupt: run 'client-auth reset'")

    def save(self, session: Session) -> None:
        self.saved.append(session)

    def lock(self) -> object:
        from contextlib import nullcontext

        return nullcontext()

    def clear(self) -> None:
        self.saved.clear()


def test_a_sign_in_replaces_a_corrupt_session_but_other_reads_still_report_it() -> None:
    from aws_client_auth.application.services.sessions import Sessions

    store = CorruptStore()
    sessions = Sessions(store)  # type: ignore[arg-type]
    events = RecordingEvents()
    with pytest.raises(e.CorruptSession):
        sessions.load()
    with pytest.raises(e.CorruptSession):
        sessions.update(lambda session: session.with_pending(None))
    step = SignedInStep(tokens())
    record_step(sessions, events, step)
    assert store.saved[-1].tokens[COGNITO] == step.tokens
    assert events.of(SignedIn) == [SignedIn(COGNITO, "alice")]
    assert events.of(PreviousUserForgotten) == []


def test_a_sign_in_over_another_user_announces_who_was_forgotten_once() -> None:
    from aws_client_auth.application.services.sessions import Sessions
    from aws_client_auth.testing import CountingStore

    store = CountingStore()
    store.save(alices_session())
    events = RecordingEvents()
    record_step(Sessions(store), events, SignedInStep(tokens(username="bob", subject="sub-b")))
    assert events.of(PreviousUserForgotten) == [PreviousUserForgotten(provider=COGNITO, previous_user="alice")]
    assert store.load().authenticated_identity_id is None
