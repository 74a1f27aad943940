"""What every sign-in path does with its outcome: keep the tokens or the pending challenge, and say so."""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import ChallengeIssued, PreviousUserForgotten
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.sign_in import Challenge, SignInStep


def record_step(sessions: Sessions, events: EventPublisher, step: SignInStep) -> SignInStep:
    """Stores a sign-in's outcome. A corrupt stored session is replaced (the store keeps the bad copy aside):
    a sign-in starts a session afresh, so it must not be blocked by one that cannot be read."""
    if isinstance(step, Challenge):
        sessions.update(lambda session: session.with_pending(step), replace_corrupt=True)
        events.publish(ChallengeIssued(provider=step.provider, kind=step.kind, delivery=step.delivery))
        return step
    tokens = step.tokens
    previous_user = sessions.update(lambda s: s.signed_in(tokens), replace_corrupt=True).before.previous_user(tokens)
    if previous_user is not None:
        events.publish(PreviousUserForgotten(provider=tokens.provider, previous_user=previous_user))
    events.publish(SignedInEvent(provider=tokens.provider, username=tokens.username))
    return step
