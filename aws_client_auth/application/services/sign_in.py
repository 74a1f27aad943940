"""What every sign-in path does with its outcome: keep the tokens or the pending challenge, and say so."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.services.providers import ChallengeAnswerer
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import ClientAuthError, ServiceError, SessionExpired, UnsupportedChallenge
from aws_client_auth.domain.events import ChallengeIssued, DeviceConfirmed, PreviousUserForgotten
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, SignInStep


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


MAX_ROUNDS_IN_CODE = 10
"""Custom challenges answered in code, at most: a pool whose triggers never issue tokens must not loop for ever."""


def passkey_request(challenge: Challenge) -> dict[str, Any]:
    """The request options a PASSKEY challenge carries (the adapter checked they are a JSON object)."""
    try:
        options = json.loads(challenge.passkey_request or "")
    except ValueError:
        options = None
    if not isinstance(options, dict):
        raise UnsupportedChallenge("This passkey challenge carries no request options: sign in again.")
    return options


def answered_in_code(
    step: SignInStep,
    port: PasswordSignIn,
    *,
    authenticator: Callable[[], Authenticator] | None,
    answerer: ChallengeAnswerer | None,
    keep: Callable[[Challenge], object],
) -> SignInStep:
    """Steps no person needs to type: a passkey challenge signed by the authenticator, custom challenges answered
    by the provider's answerer. When one fails the challenge is kept (``keep``) for ``confirm_sign_in`` to retry,
    unless the provider ended the sign-in."""
    for _ in range(MAX_ROUNDS_IN_CODE):
        if not isinstance(step, Challenge):
            return step
        challenge = step
        try:
            if challenge.kind is ChallengeKind.PASSKEY and authenticator is not None:
                assertion = authenticator().get_assertion(passkey_request(challenge))
                step = port.answer_passkey(challenge, assertion)
            elif challenge.kind is ChallengeKind.CUSTOM and answerer is not None:
                answer = _answer_of(answerer, challenge)
                if answer is None:
                    return challenge
                step = port.answer_custom(challenge, answer)
            else:
                return challenge
        except SessionExpired:
            raise
        except BaseException:  # a typed failure, a plug-in's bug, Ctrl-C at "touch your key": a retry stays possible
            keep(challenge)
            raise
    return step


def _answer_of(answerer: ChallengeAnswerer, challenge: Challenge) -> Secret | None:
    """The answerer's answer, held as a secret (a ticket is one); its failure as a typed error, never its trace."""
    try:
        answer = answerer(challenge)
    except ClientAuthError:
        raise
    except Exception as error:
        raise ServiceError(
            f"The custom challenge answerer failed ({type(error).__name__}): answer with confirm-sign-in."
        ) from error
    if answer is None:
        return None
    if not isinstance(answer, str) or not answer:
        raise ServiceError("The custom challenge answerer gave no text answer: answer with confirm-sign-in.")
    return Secret(answer)
