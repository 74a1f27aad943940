"""What every sign-in path does with its outcome: keep the tokens or the pending challenge, and say so."""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import ChallengeIssued, DeviceConfirmed, PreviousUserForgotten
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, SignInStep


def record_step(
    sessions: Sessions, events: EventPublisher, step: SignInStep, *, login: str | None = None
) -> SignInStep:
    """Stores a sign-in's outcome. A corrupt stored session is replaced (the store keeps the bad copy aside):
    a sign-in starts a session afresh, so it must not be blocked by one that cannot be read.

    ``login`` is the name typed at sign-in: the device the signed-in tokens carry is kept for it (or what was
    kept dropped, when they carry none), so the next sign-in with that name starts from it."""
    if isinstance(step, Challenge):
        sessions.update(lambda session: session.with_pending(step), replace_corrupt=True)
        events.publish(ChallengeIssued(provider=step.provider, kind=step.kind, delivery=step.delivery))
        return step
    tokens = step.tokens

    def signed_in(session: Session) -> Session:
        session = session.signed_in(tokens)
        return session if login is None else session.with_device_for(tokens.provider, login, tokens.device)

    before = sessions.update(signed_in, replace_corrupt=True).before
    previous_user = before.previous_user(tokens)
    if previous_user is not None:
        events.publish(PreviousUserForgotten(provider=tokens.provider, previous_user=previous_user))
    events.publish(SignedInEvent(provider=tokens.provider, username=tokens.username))
    device = tokens.device
    if device is not None and all(kept.key != device.key for kept in before.devices.values()):
        events.publish(DeviceConfirmed(provider=tokens.provider, device_key=device.key, remembered=device.remembered))
    return step
