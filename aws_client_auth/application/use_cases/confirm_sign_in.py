from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.domain.errors import InvalidInput, NoPendingSignIn, SessionExpired
from aws_client_auth.domain.events import SignInFailed
from aws_client_auth.domain.sign_in import Answer, Challenge, SignInStep
from aws_client_auth.domain.user import Email, MfaType, password, verification_code


class ConfirmSignIn:
    """Answer the pending challenge: a code, a new password, or the MFA type to use."""

    def __init__(self, providers: ProviderRegistry, sessions: Sessions, events: EventPublisher) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events

    def execute(self, answer: str) -> SignInStep:
        pending = self._sessions.load().pending
        if pending is None:
            raise NoPendingSignIn("Nothing is waiting for an answer: sign in first.")
        if not isinstance(pending, Challenge):
            raise NoPendingSignIn("A device sign-in is waiting, not a challenge: complete the device sign-in.")
        with failures_published(self._events, lambda e: SignInFailed.of("confirm_sign_in", e, pending.provider)):
            try:
                step = self._answer(self._providers.password(pending.provider), pending, answer)
            except SessionExpired:
                self._sessions.update(lambda session: session.without_pending(pending.provider))
                raise
        return record_step(self._sessions, self._events, step, login=pending.username)

    @staticmethod
    def _answer(port: PasswordSignIn, challenge: Challenge, answer: str) -> SignInStep:
        """By what the challenge is answered with: a new password, an MFA method (to use, or to set up), the
        email address codes go to, or a code."""
        expected = challenge.answer
        if expected is Answer.NEW_PASSWORD:
            return port.answer_new_password(challenge, password(answer, what="New password"))
        if expected is Answer.EMAIL_ADDRESS:
            return port.answer_email(challenge, Email(answer.strip()))
        if expected is Answer.MFA_TYPE:
            choice = MfaType.parse(answer)
            if challenge.options and choice not in challenge.options:
                allowed = ", ".join(o.name.lower() for o in challenge.options)
                raise InvalidInput(f"MFA type {choice.name.lower()} is not offered here: choose one of {allowed}.")
            return port.answer_mfa_choice(challenge, choice)
        return port.answer_code(challenge, verification_code(answer))
