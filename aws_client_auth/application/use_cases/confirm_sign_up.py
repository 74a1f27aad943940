from __future__ import annotations

from contextlib import suppress
from dataclasses import replace

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import OperationFailed, SignInFailed, SignUpConfirmed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import SignInStep
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import Username, verification_code


class ConfirmSignUp:
    """Confirm a new account with its code; with ``sign_in``, sign the user in at once with the session the pool
    returns (choice-based sign-in, as Amplify's auto sign-in does), so the password is not typed again."""

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

    def execute(self, username: str, code: str, *, sign_in: bool = False) -> SignInStep | None:
        """None when not signing in, or when the pool gave no session to sign in with (its app client does not
        allow choice-based sign-in): then sign in as usual."""
        with failures_published(self._events, lambda e: OperationFailed.of("confirm_sign_up", e, COGNITO)):
            user = Username(username)
            kept = self._kept_session(user.value) if sign_in else None
            session = self._providers.directory(COGNITO).confirm_sign_up(
                user, verification_code(code), **({"session": kept} if kept is not None else {})
            )
        self._forget_kept(user.value)
        self._events.publish(SignUpConfirmed(username=user.value))
        if not sign_in or session is None or self._sessions is None:
            return None
        try:
            with failures_published(self._events, lambda e: SignInFailed.of("sign_in", e, COGNITO)):
                step = self._providers.password(COGNITO).sign_in_after_sign_up(user, session)
        except ClientAuthError as error:  # the confirmation stands: say so, or the user would confirm again
            error.message = f"{user.value} is confirmed, but signing in at once failed: {error.message} Sign in."
            raise
        return record_step(self._sessions, self._events, step, login=username)

    def _kept_session(self, username: str) -> Secret | None:
        """The session of this user's sign-up, while it may still sign them in (a few minutes)."""
        if self._sessions is None or self._clock is None:
            return None
        try:
            kept = self._sessions.load().sign_up
        except ClientAuthError:
            return None
        return kept.session if kept is not None and kept.usable_for(username, self._clock.now()) else None

    def _forget_kept(self, username: str) -> None:
        if self._sessions is None:
            return
        with suppress(ClientAuthError):  # confirmed: the kept sign-up session is of no further use
            self._sessions.update(
                lambda s: replace(s, sign_up=None) if s.sign_up is not None and s.sign_up.username == username else s
            )
