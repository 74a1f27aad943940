from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import answered_in_code, record_step
from aws_client_auth.domain.errors import ClientAuthError, InvalidInput, SessionExpired, UnsupportedChallenge
from aws_client_auth.domain.events import SignInFailed
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, SignInStep
from aws_client_auth.domain.tokens import COGNITO, ProviderName
from aws_client_auth.domain.user import RememberedDevice, Username, password


class SignIn:
    """Sign-in with a password (the configured flow), a chosen first factor (a password, a one-time code by email
    or SMS, a passkey, or the provider's offer of them), or custom challenges. Returns the next step: signed in,
    or a challenge to answer with ConfirmSignIn. A passkey challenge is answered at once by the authenticator, and
    custom challenges by the provider's answerer when it has one."""

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

    def execute(
        self,
        username: str,
        secret: str | None = None,
        *,
        provider: str = COGNITO,
        factor: str | AuthFactor | None = None,
        custom: bool = False,
    ) -> SignInStep:
        """``secret`` alone: the configured flow. ``factor``: that first factor (``password`` needs ``secret``),
        no ``secret`` and no ``factor``: the provider offers the user's factors. ``custom``: custom challenges,
        after proving ``secret`` when it is given."""
        name = ProviderName(provider)
        try:
            with failures_published(self._events, lambda e: SignInFailed.of("sign_in", e, name)):
                user = Username(username)
                chosen = _factor(factor, secret, custom)
                given = password(secret) if secret is not None else None
                port, device = self._providers.password(name), self._remembered_device(name, username)
                # A provider without device tracking may not take the keyword: it is only passed with a device.
                kept = {"device": device} if device else {}
                if custom:
                    step = _able(port, "sign_in_custom", name, "custom challenges")(user, given, **kept)
                elif chosen is not None or given is None:
                    start = _able(port, "sign_in_with_factor", name, "a choice of sign-in factor (give a password)")
                    step = start(user, chosen, given, **kept)
                else:
                    step = port.sign_in(user, given, **kept)
        except ClientAuthError:
            self._abandon_pending(name)
            raise
        try:
            with failures_published(self._events, lambda e: SignInFailed.of("sign_in", e, name)):
                step = self._in_code(name, port, step, username)  # a failure here keeps the challenge for a retry
        except SessionExpired:  # the provider ended this sign-in: nothing of it, or of an earlier one, stays pending
            self._abandon_pending(name)
            raise
        return record_step(self._sessions, self._events, step, login=username)

    def _in_code(self, name: ProviderName, port: PasswordSignIn, step: SignInStep, login: str) -> SignInStep:
        def keep(challenge: Challenge) -> None:
            record_step(self._sessions, self._events, challenge, login=login)

        return answered_in_code(
            step, port, authenticator=self._authenticator, answerer=self._providers.answerer(name), keep=keep
        )

    def _remembered_device(self, name: ProviderName, login: str) -> RememberedDevice | None:
        """This machine as ``login``'s device, kept from an earlier sign-in (a session that cannot be read has
        none: the sign-in replaces it)."""
        try:
            return self._sessions.load().device_for(name, login)
        except ClientAuthError:
            return None

    def _abandon_pending(self, name: ProviderName) -> None:
        """A new sign-in abandons the previous one's challenge, even when it fails itself."""
        with suppress(ClientAuthError):  # the sign-in's own error is the one to report (a corrupt session too)
            self._sessions.update(lambda session: session.without_pending(name))


def _able(port: PasswordSignIn, method: str, name: ProviderName, what: str) -> Callable[..., SignInStep]:
    """``port``'s ``method``, or UnsupportedChallenge when the provider (a plug-in written before it) has none."""
    found: Callable[..., SignInStep] | None = getattr(port, method, None)
    if found is None:
        raise UnsupportedChallenge(f"Provider {name!r} has no {what}.")
    return found


def _factor(factor: str | AuthFactor | None, secret: str | None, custom: bool) -> AuthFactor | None:
    """The chosen factor, checked against what was given (before any network call)."""
    if factor is None:
        return None
    if custom:
        raise InvalidInput("Custom challenges and a sign-in factor exclude each other: give one.")
    chosen = factor if isinstance(factor, AuthFactor) else AuthFactor.parse(factor)
    if chosen is AuthFactor.PASSWORD and secret is None:
        raise InvalidInput("The password factor needs the password.")
    if chosen is not AuthFactor.PASSWORD and secret is not None:
        raise InvalidInput(f"The {chosen.value} factor takes no password: leave it out.")
    return chosen
