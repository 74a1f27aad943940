"""Sign-in in a web browser: the OAuth 2.0 authorization code grant with PKCE (RFC 6749, RFC 7636), through
Cognito's managed login, with the browser's redirect received on this computer (RFC 8252)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import Tokens

# --- errors a person meets in this flow ----------------------------------------------------------------------


class StateMismatch(ClientAuthError):
    """The redirect's ``state`` is not this sign-in's: the answer belongs to another sign-in, or was forged."""

    code = "state_mismatch"


class BrowserSignInDenied(ClientAuthError):
    """The user cancelled, or the pool refused, the sign-in in the browser (``error=access_denied``)."""

    code = "access_denied"


class BrowserSignInTimeout(ClientAuthError):
    code = "timeout"


class RedirectPortInUse(ClientAuthError):
    """The loopback port of the redirect URI is taken (or may not be listened on by this user)."""

    code = "port_in_use"


class RedirectNotLoopback(ConfigurationError):
    """The redirect URI is not ``http`` to this computer, where the one-shot listener can receive it."""

    code = "redirect_not_loopback"


# --- values --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """One sign-in's authorization request: the URL the browser opens, and what only this client knows.

    ``state`` and ``nonce`` are in the URL the user is shown (and may copy), so they are not secrets: masked by
    value, they would make that URL useless. The verifier is: it is the proof that the code is this sign-in's.
    """

    url: str
    redirect_uri: str
    state: str
    """Sent in the URL and expected back unchanged: ties the redirect to this sign-in (CSRF, RFC 6749 10.12)."""
    nonce: str
    """Sent in the URL and expected in the ID token: ties the token to this sign-in (OpenID Connect)."""
    code_verifier: Secret
    """Never leaves this process until the code is exchanged: a code stolen on the way is useless (RFC 7636)."""


@dataclass(frozen=True, slots=True)
class Redirect:
    """What came back to the redirect URI: a code or an error, with the state the server echoed.

    Every field is text from outside: cleaned before anyone shows it.
    """

    code: Secret | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None
    complete: bool = True
    """False when the user pasted only the code: there is no state to compare (PKCE still binds the code to
    this sign-in's verifier, so a code from elsewhere cannot be exchanged)."""


# --- ports ---------------------------------------------------------------------------------------------------


class ManagedLogin(Protocol):
    """Cognito's managed login (hosted UI) for one app client."""

    @property
    def redirect_uri(self) -> str: ...

    def authorization(self, identity_provider: str | None = None) -> AuthorizationRequest:
        """A fresh authorization request (new state, nonce and PKCE verifier); ``identity_provider`` goes straight
        to a provider federated through the pool (``Google``, a SAML or OIDC provider's name)."""
        ...

    def exchange(self, request: AuthorizationRequest, code: Secret) -> Tokens:
        """The tokens for ``code`` (with the request's PKCE verifier), once the ID token is verified and carries
        the request's nonce. Raises SessionExpired when the code is refused (used, expired, or not ours)."""
        ...

    def logout_url(self) -> str:
        """Where the browser ends its managed-login session, then returns to the redirect URI."""
        ...


class RedirectReceiver(Protocol):
    """Where the browser's redirect arrives: a one-shot loopback listener, or what the user pastes."""

    def start(self) -> None:
        """Be ready before the browser is sent anywhere (a listener binds its port here: RedirectPortInUse)."""
        ...

    def receive(self, timeout: float, cancel: Cancellation | None = None) -> Redirect:
        """The first redirect to the redirect URI. Raises BrowserSignInTimeout after ``timeout`` seconds, Cancelled
        when ``cancel`` is set."""
        ...

    def answer(self, ok: bool, message: str) -> None:
        """What the browser shows once the redirect was handled (a listener answers the held request)."""
        ...

    def close(self) -> None: ...


class Browser(Protocol):
    def open(self, url: str) -> bool:
        """Ask the user's browser to open ``url`` without waiting for it; False when there is no browser to ask."""
        ...
