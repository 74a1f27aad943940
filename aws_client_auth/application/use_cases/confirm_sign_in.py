from __future__ import annotations

from collections.abc import Callable

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import answered_in_code, passkey_request, record_step
from aws_client_auth.domain.errors import InvalidInput, NoPendingSignIn, NotAuthorized, SessionExpired
from aws_client_auth.domain.events import SignInFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Answer, AuthFactor, Challenge, ChallengeKind, SignInStep
from aws_client_auth.domain.user import Email, MfaType, password, verification_code

_CHOICE_ANSWERS = frozenset({Answer.FACTOR, Answer.PASSWORD, Answer.CUSTOM, Answer.PASSKEY})


class ConfirmSignIn:
    """Answer the pending challenge: a code, a new password, the MFA type or sign-in factor to use, the password,
    a custom challenge's answer, or (with nothing typed) a passkey."""

    def __init__(
        self,
        providers: ProviderRegistry,
        sessions: Sessions,
        events: EventPublisher,
        authenticator: Callable[[], Authenticator] | None = None,
    ) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events
        self._authenticator = authenticator

    def execute(self, answer: str) -> SignInStep:
        pending = self._sessions.load().pending
        if pending is None:
            raise NoPendingSignIn("Nothing is waiting for an answer: sign in first.")
        if not isinstance(pending, Challenge):
            raise NoPendingSignIn("A device sign-in is waiting, not a challenge: complete the device sign-in.")
        with failures_published(self._events, lambda e: SignInFailed.of("confirm_sign_in", e, pending.provider)):
            port = self._providers.password(pending.provider)
            try:
                step = self._answer(port, pending, answer)
                step = answered_in_code(
                    step,
                    port,
                    authenticator=self._authenticator,
                    answerer=self._providers.answerer(pending.provider),
                    keep=lambda challenge: record_step(self._sessions, self._events, challenge, login=pending.username),
                )
            except SessionExpired:
                self._sessions.update(lambda session: session.without_pending(pending.provider))
                raise
            except NotAuthorized:
                if pending.kind is ChallengeKind.PASSWORD:  # a refused password ends the sign-in (its session too)
                    self._sessions.update(lambda session: session.without_pending(pending.provider))
                raise
        return record_step(self._sessions, self._events, step, login=pending.username)

    def _answer(self, port: PasswordSignIn, challenge: Challenge, answer: str) -> SignInStep:
        """By what the challenge is answered with: a new password, an MFA method (to use, or to set up), the
        email address codes go to, a sign-in factor, the password, a custom answer, a passkey, or a code."""
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
        if expected in _CHOICE_ANSWERS:
            return self._choice_answer(port, challenge, answer)
        return port.answer_code(challenge, verification_code(answer))

    def _choice_answer(self, port: PasswordSignIn, challenge: Challenge, answer: str) -> SignInStep:
        """Choice-based sign-in and custom challenges: a factor, the password, a custom answer, or a passkey."""
        expected = challenge.answer
        if expected is Answer.FACTOR:
            factor = AuthFactor.parse(answer)
            if challenge.factors and factor not in challenge.factors:
                allowed = ", ".join(f.value for f in challenge.factors)
                raise InvalidInput(f"{factor.value} is not offered for this sign-in: choose one of {allowed}.")
            return port.answer_factor(challenge, factor)
        if expected is Answer.PASSWORD:
            return port.answer_password(challenge, password(answer))
        if expected is Answer.CUSTOM:
            if not answer.strip():  # a blank answer would spend one of the pool's allowed wrong answers
                raise InvalidInput("The custom challenge needs an answer.")
            return port.answer_custom(challenge, Secret(answer))
        return self._passkey(port, challenge, answer)

    def _passkey(self, port: PasswordSignIn, challenge: Challenge, answer: str) -> SignInStep:
        if answer.strip():
            raise InvalidInput("A passkey challenge is answered by the authenticator: give no answer.")
        if self._authenticator is None:
            raise InvalidInput("No passkey authenticator is configured here: set [passkeys] authenticator.")
        return port.answer_passkey(challenge, self._authenticator().get_assertion(passkey_request(challenge)))
