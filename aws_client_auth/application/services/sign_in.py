"""What every sign-in path does with its outcome: keep the tokens or the pending challenge, and say so."""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import CorruptSession
from aws_client_auth.domain.events import ChallengeIssued, PreviousUserForgotten
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, SignedIn, SignInStep
from aws_client_auth.domain.tokens import ProviderName


def record_step(sessions: Sessions, events: EventPublisher, step: SignInStep) -> SignInStep:
    """Stores a sign-in's outcome. A corrupt stored session is replaced (the store keeps the bad copy aside):
    a sign-in starts a session afresh, so it must not be blocked by one that cannot be read."""
    previous_user: str | None = None
    with sessions.lock():
        session = _load_replaceable(sessions)
        if isinstance(step, SignedIn):
            previous_user = session.previous_user(step.tokens)
            sessions.save(session.signed_in(step.tokens))
        else:
            sessions.save(session.with_pending(step))
    if isinstance(step, Challenge):
        events.publish(ChallengeIssued(provider=step.provider, kind=step.kind, delivery=step.delivery))
    else:
        if previous_user is not None:
            events.publish(PreviousUserForgotten(provider=step.tokens.provider, previous_user=previous_user))
        events.publish(SignedInEvent(provider=step.tokens.provider, username=step.tokens.username))
    return step


def forget_pending(sessions: Sessions, provider: ProviderName) -> None:
    """After a failed sign-in: no stale challenge of ``provider`` is left to answer or to show in status."""
    with sessions.lock():
        try:
            session = sessions.load()
        except CorruptSession:
            return
        if session.pending is not None and session.pending.provider == provider:
            sessions.save(session.without_pending(provider))


def _load_replaceable(sessions: Sessions) -> Session:
    try:
        return sessions.load()
    except CorruptSession:
        return Session()
