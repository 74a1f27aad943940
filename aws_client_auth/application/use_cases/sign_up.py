from __future__ import annotations

from dataclasses import replace

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import ClientAuthError, InvalidInput
from aws_client_auth.domain.events import OperationFailed, SignedUp
from aws_client_auth.domain.sign_in import SignUpResult, SignUpSession
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Email, PhoneNumber, Username, password


class SignUp:
    """Create a user in the pool with an email address or a phone number (the Gem's EmailSignUp / PhoneSignUp).
    The pool's sign-up session, when it gives one, is kept for ``confirm-sign-up --sign-in``."""

    def __init__(
        self,
        providers: ProviderRegistry,
        events: EventPublisher,
        sessions: Sessions | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._providers = providers
        self._events = events
        self._sessions = sessions
        self._clock = clock

    def execute(
        self, username: str, secret: str, *, email: str | None = None, phone: str | None = None
    ) -> SignUpResult:
        with failures_published(self._events, lambda e: OperationFailed.of("sign_up", e, COGNITO)):
            if (email is None) == (phone is None):
                raise InvalidInput("Give exactly one of an email address or a phone number to sign up with.")
            user = Username(username)
            result = self._providers.directory(COGNITO).sign_up(
                user,
                password(secret),
                email=Email(email) if email is not None else None,
                phone_number=PhoneNumber(phone) if phone is not None else None,
            )
        self._keep(user.value, result)
        self._events.publish(SignedUp(username=user.value, user_sub=result.user_sub, delivery=result.delivery))
        return result

    def _keep(self, username: str, result: SignUpResult) -> None:
        """The sign-up happened: keeping its session is a convenience, so a store that fails does not undo it."""
        if result.session is None or self._sessions is None or self._clock is None:
            return
        kept = SignUpSession(username, result.session, self._clock.now())
        try:
            self._sessions.update(lambda session: replace(session, sign_up=kept), replace_corrupt=True)
        except ClientAuthError:
            return
