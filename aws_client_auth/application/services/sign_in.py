"""What every sign-in path does with its outcome: keep the tokens or the pending challenge, and say so."""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import ChallengeIssued
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.sign_in import Challenge, SignedIn, SignInStep


def record_step(sessions: Sessions, events: EventPublisher, step: SignInStep) -> SignInStep:
    with sessions.lock():
        session = sessions.load()
        if isinstance(step, SignedIn):
            sessions.save(session.with_tokens(step.tokens))
        else:
            sessions.save(session.with_pending(step))
    if isinstance(step, Challenge):
        events.publish(ChallengeIssued(provider=step.provider, kind=step.kind, delivery=step.delivery))
    else:
        events.publish(SignedInEvent(provider=step.tokens.provider, username=step.tokens.username))
    return step
