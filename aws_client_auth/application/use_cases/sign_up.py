from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.events import OperationFailed, SignedUp
from aws_client_auth.domain.sign_in import SignUpResult
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Email, PhoneNumber, Username, password


class SignUp:
    """Create a user in the pool with an email address or a phone number (the Gem's EmailSignUp / PhoneSignUp)."""

    def __init__(self, providers: ProviderRegistry, events: EventPublisher) -> None:
        self._providers = providers
        self._events = events

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
        self._events.publish(SignedUp(username=user.value, user_sub=result.user_sub, delivery=result.delivery))
        return result
