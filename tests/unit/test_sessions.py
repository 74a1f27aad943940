"""The session as every face reads it, and the one locked update every use case changes it through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.testing import START, CountingStore, fake_world

SIGNED_IN = Session(tokens={COGNITO: Tokens(COGNITO, Secret("a"), START + timedelta(hours=1))})


def credentials(*, authenticated: bool, lifetime: int = 3600, identity: str = "us-west-2:1") -> Credentials:
    return Credentials(
        access_key_id="ASIA0",
        secret_key=Secret("k"),
        session_token=Secret("t"),
        expiration=START + timedelta(seconds=lifetime),
        identity_id=identity,
        authenticated=authenticated,
        issued_at=START,
    )


def test_the_identity_in_use_is_the_authenticated_one_while_signed_in_else_the_guest_one() -> None:
    session = Session(authenticated_identity_id="us-west-2:alice", guest_identity_id="us-west-2:guest")
    assert session.current_identity_id == "us-west-2:guest"
    assert Session().current_identity_id is None
    signed_in = SIGNED_IN.with_identity_id("us-west-2:alice", authenticated=True)
    assert signed_in.with_identity_id("us-west-2:guest", authenticated=False).current_identity_id == "us-west-2:alice"


def test_cached_credentials_are_handed_out_only_while_fresh_and_of_the_right_kind() -> None:
    guest = Session().with_credentials(credentials(authenticated=False))
    assert guest.cached_credentials(START) is not None
    assert guest.cached_credentials(START + timedelta(minutes=46)) is None  # in the last quarter: refresh due
    assert guest.cached_credentials(START + timedelta(minutes=46), fresh=False) is not None  # still usable
    assert guest.cached_credentials(START + timedelta(minutes=56), fresh=False) is None  # inside the last 5 min
    # Guest credentials while someone is signed in (a session written by hand, or an older version) are not
    # served, nor authenticated ones to a guest.
    assert SIGNED_IN.with_credentials(credentials(authenticated=False)).cached_credentials(START) is None
    assert Session().with_credentials(credentials(authenticated=True)).cached_credentials(START) is None
    assert Session().cached_credentials(START) is None


def test_an_update_saves_the_changed_session_once_and_says_what_it_replaced() -> None:
    store = CountingStore()
    sessions = Sessions(store)
    updated = sessions.update(lambda session: session.with_identity_id("us-west-2:g", authenticated=False))
    assert updated.before == Session()
    assert updated.after == store.load() == Session(guest_identity_id="us-west-2:g")
    assert (store.saves, sessions.generation) == (1, 1)


def test_an_update_that_changes_nothing_writes_nothing() -> None:
    store = CountingStore()
    sessions = Sessions(store)
    sessions.update(lambda session: session.without_pending(COGNITO))
    assert (store.saves, sessions.generation) == (0, 0)


def test_a_change_that_fails_leaves_the_stored_session_alone() -> None:
    store = CountingStore()
    sessions = Sessions(store)

    def refused(session: Session) -> Session:
        raise e.NotSignedIn("nobody is signed in")

    with pytest.raises(e.NotSignedIn):
        sessions.update(refused)
    assert store.saves == 0


def test_updates_from_many_threads_are_never_lost() -> None:
    store = CountingStore()
    sessions = Sessions(store)
    barrier = threading.Barrier(16)

    def linked(key: str) -> Callable[[Session], Session]:
        return lambda session: session.with_linked(session.linked_logins | {key})

    def link(n: int) -> None:
        barrier.wait()
        for i in range(20):
            sessions.update(linked(f"{n}-{i}"))

    threads = [threading.Thread(target=link, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.load().linked_logins) == 16 * 20


def test_queries_answer_from_the_stored_session() -> None:
    world = fake_world({"alice": "Passw0rd!"})
    auth = world.auth
    assert (auth.is_signed_in(), auth.signed_in_providers(), auth.has_persisted_logins()) == (False, (), False)
    auth.sign_in("alice", "Passw0rd!")
    world.store.save(world.session.with_identity_id("us-west-2:alice", authenticated=True))
    assert (auth.is_signed_in(), auth.signed_in_providers(), auth.has_persisted_logins()) == (True, ("cognito",), True)
    assert auth.is_signed_in("lwa") is False
    assert auth.identity_id() == "us-west-2:alice"
    status = auth.status()
    assert status.profile == "default"
    assert status.authenticated_identity_id == "us-west-2:alice"
    assert status.pending is None
