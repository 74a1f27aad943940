"""Sign-in in a web browser through Cognito's managed login, and the end of that browser session.

The only client path to the managed login's own pages, to identity providers federated through the user pool
(Google, Apple, Facebook, SAML, OIDC) and to passkeys set up there. The tokens are stored as the ``cognito``
provider's, so identity-pool credentials, refresh and sign-out work as after a password sign-in.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Final

from aws_client_auth.application.ports.browser_sign_in import (
    AuthorizationRequest,
    Browser,
    BrowserSignInDenied,
    ManagedLogin,
    Redirect,
    RedirectReceiver,
    StateMismatch,
)
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.application.use_cases.sign_out import SignOut
from aws_client_auth.domain.errors import ClientAuthError, NotSignedIn, ServiceError
from aws_client_auth.domain.events import OperationFailed, SignInFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import SignedIn
from aws_client_auth.domain.tokens import COGNITO, ProviderName

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 300.0
"""Seconds to wait for the browser: long enough to type a password and an MFA code, or to pick an account."""
SIGNED_IN_PAGE: Final = "You are signed in. You can close this tab and return to the terminal."
SIGNED_OUT_PAGE: Final = "You are signed out. You can close this tab."

ShowUrl = Callable[[str, bool], None]
"""Told the URL the user must visit, and whether a browser was asked to open it (if not, the user opens it)."""


class SignInWithBrowser:
    """Authorization code with PKCE: the browser signs in at the managed login, comes back to the redirect URI
    with a code, and the code becomes tokens (see :class:`ManagedLogin`)."""

    def __init__(self, login: ManagedLogin, sessions: Sessions, events: EventPublisher) -> None:
        self._login = login
        self._sessions = sessions
        self._events = events

    def execute(
        self,
        receiver: RedirectReceiver,
        *,
        browser: Browser | None,
        show: ShowUrl,
        identity_provider: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: Cancellation | None = None,
    ) -> SignedIn:
        """``receiver`` is the loopback listener, or the pasted redirect (``--no-browser``: ``browser`` None)."""
        with failures_published(self._events, lambda e: SignInFailed.of("sign_in_with_browser", e, COGNITO)):
            request = self._login.authorization(identity_provider)
            try:
                receiver.start()
                show(request.url, browser.open(request.url) if browser is not None else False)
                redirect = receiver.receive(timeout, cancel)
                step = SignedIn(self._login.exchange(request, code_of(request, redirect)))
                record_step(self._sessions, self._events, step)
                receiver.answer(True, SIGNED_IN_PAGE)
            except ClientAuthError as error:
                receiver.answer(False, str(error))
                raise
            finally:
                receiver.close()  # tells a browser still waiting (after any other failure) to look at the terminal
        return step


def code_of(request: AuthorizationRequest, redirect: Redirect) -> Secret:
    """The redirect's code, once the redirect is known to answer ``request``.

    The state is compared first (also for an error answer): a redirect with another state belongs to another
    sign-in, or was made up by a page that wants this client to sign in as someone else.
    """
    if redirect.complete and (
        redirect.state is None or not hmac.compare_digest(redirect.state.encode("utf-8"), request.state.encode("utf-8"))
    ):
        raise StateMismatch(
            "The browser's answer does not belong to this sign-in (its state does not match), so it was not used: "
            "sign in again. If this happens again, another page may be trying to sign you in to another account."
        )
    if redirect.error == "access_denied":
        raise BrowserSignInDenied(
            "The sign-in was cancelled or refused in the browser: sign in again to retry.",
            service_code=redirect.error,
            service_message=redirect.error_description,
        )
    if redirect.error is not None:
        raise ServiceError(
            "Cognito's managed login refused the sign-in.",
            service_code=redirect.error,
            service_message=redirect.error_description,
        )
    if redirect.code is None:
        raise ServiceError("The browser came back without a code or an error: sign in again.")
    return redirect.code


class SignOutOfBrowser:
    """``sign-out --browser``: sign out here as :class:`SignOut` does (refresh tokens revoked where the provider
    can), then end the managed-login session in the browser (``/logout``), so the next browser sign-in asks for
    the password again instead of signing the same person in at once."""

    def __init__(self, sign_out: SignOut, login: ManagedLogin, events: EventPublisher) -> None:
        self._sign_out = sign_out
        self._login = login
        self._events = events

    def execute(
        self,
        receiver: RedirectReceiver | None,
        *,
        browser: Browser | None,
        show: ShowUrl,
        provider: str | None = None,
        globally: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: Cancellation | None = None,
    ) -> tuple[ProviderName, ...]:
        """``provider`` None signs out of every provider (as ``sign-out`` does); ``receiver`` None
        (``--no-browser``): the logout URL is only shown, for a browser elsewhere."""
        try:
            names = self._sign_out.execute(provider, globally=globally)
        except NotSignedIn:
            names = ()  # the browser may still hold a managed-login session: end it all the same
        url = self._login.logout_url()
        if receiver is None:
            show(url, False)
            return names
        with failures_published(self._events, lambda e: OperationFailed.of("sign_out_of_browser", e, COGNITO)):
            try:
                receiver.start()
                show(url, browser.open(url) if browser is not None else False)
                receiver.receive(timeout, cancel)
                receiver.answer(True, SIGNED_OUT_PAGE)
            except ClientAuthError as error:
                receiver.answer(False, str(error))
                raise type(error)(
                    f"Signed out here, but the browser's managed-login session may still be open ({error.message}): "
                    f"open {url} to end it.",
                    service_code=error.service_code,
                    service_message=error.service_message,
                    status=error.status,
                ) from None
            finally:
                receiver.close()
        return names
