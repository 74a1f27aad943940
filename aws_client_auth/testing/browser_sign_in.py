"""Cognito's managed login, the browser and the loopback redirect in memory (browser sign-in), and a client
credentials token endpoint in memory (machine tokens)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from urllib.parse import urlencode

from aws_client_auth.application.ports.browser_sign_in import (
    AuthorizationRequest,
    Browser,
    BrowserSignInTimeout,
    ManagedLogin,
    Redirect,
    RedirectReceiver,
)
from aws_client_auth.application.ports.machine_tokens import MachineTokenSource
from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import MachineToken, Tokens
from aws_client_auth.testing.clock import FakeClock
from aws_client_auth.testing.user_pool import FakeUserPool

LOGIN_URL = "https://login.example.com"
REDIRECT_URI = "http://localhost:53682/callback"


class FakeManagedLogin(ManagedLogin, Browser, RedirectReceiver):
    """The managed login, the user's browser and the loopback listener at once, by the rules of the real flow.

    Each authorization has its own state and PKCE verifier; a code is good once, for the request it was issued
    to (another verifier is refused as the token endpoint refuses it). What the person in the browser does is
    set beforehand: :meth:`user_signs_in` (the default: the pool's first user), :meth:`user_denies`,
    :meth:`user_walks_away` (the listener times out), or :meth:`forge_state` (another page's answer). ``opened``
    lists the addresses the browser was asked to open; ``browser_available=False`` is a machine without one.
    """

    def __init__(self, pool: FakeUserPool) -> None:
        self.pool = pool
        self.opened: list[str] = []
        self.browser_available = True
        self.signed_out = 0
        self.answers: list[tuple[bool, str]] = []
        self._serial = itertools.count(1)
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (verifier, username)
        self._request: AuthorizationRequest | None = None
        self._user: str | None = None
        self._action = "sign_in"

    # what the person in the browser does
    def user_signs_in(self, username: str) -> None:
        if username not in self.pool.users:
            self.pool.add_user(username)
        self._user, self._action = username, "sign_in"

    def user_denies(self) -> None:
        self._action = "deny"

    def user_walks_away(self) -> None:
        self._action = "away"

    def forge_state(self) -> None:
        self._action = "forge"

    # ManagedLogin
    @property
    def redirect_uri(self) -> str:
        return REDIRECT_URI

    def authorization(self, identity_provider: str | None = None) -> AuthorizationRequest:
        n = next(self._serial)
        state, nonce = f"state-{n}", f"nonce-{n}"
        query = {"response_type": "code", "state": state, "nonce": nonce, "redirect_uri": REDIRECT_URI}
        if identity_provider:
            query["identity_provider"] = identity_provider
        self._request = AuthorizationRequest(
            url=f"{LOGIN_URL}/oauth2/authorize?{urlencode(query)}",
            redirect_uri=REDIRECT_URI,
            state=state,
            nonce=nonce,
            code_verifier=Secret(f"fake-pkce-verifier-{n}"),
        )
        return self._request

    def exchange(self, request: AuthorizationRequest, code: Secret) -> Tokens:
        issued = self._codes.pop(code.reveal(), None)
        if issued is None or issued[0] != request.code_verifier.reveal():
            raise e.SessionExpired("The authorization code was refused (used, expired, or not this sign-in's).")
        return self.pool.issue(issued[1])

    def logout_url(self) -> str:
        return f"{LOGIN_URL}/logout?{urlencode({'logout_uri': REDIRECT_URI})}"

    # Browser
    def open(self, url: str) -> bool:
        if not self.browser_available:
            return False
        self.opened.append(url)
        if url.startswith(f"{LOGIN_URL}/logout"):
            self.signed_out += 1
        return True

    # RedirectReceiver: the loopback listener
    def start(self) -> None:
        pass

    def receive(self, timeout: float, cancel: Cancellation | None = None) -> Redirect:
        request = self._request
        if self._action == "away" or request is None:
            raise BrowserSignInTimeout(f"No answer from the browser within {timeout:g} seconds.")
        if self._action == "deny":
            return Redirect(error="access_denied", error_description="The user cancelled.", state=request.state)
        code = f"fake-authorization-code-{next(self._serial)}"
        user = self._user or next(iter(self.pool.users), "alice")
        if user not in self.pool.users:
            self.pool.add_user(user)
        self._codes[code] = (request.code_verifier.reveal(), user)
        state = "forged-state" if self._action == "forge" else request.state
        return Redirect(code=Secret(code), state=state)

    def answer(self, ok: bool, message: str) -> None:
        self.answers.append((ok, message))

    def close(self) -> None:
        pass


class FakeMachineTokens(MachineTokenSource):
    """A client credentials token endpoint: a new token per fetch (counted in ``fetches``), granting the scopes
    asked for that are in ``allowed`` (every allowed scope for the empty set); another scope is refused."""

    def __init__(self, clock: FakeClock, *, allowed: frozenset[str] = frozenset(), lifetime: int = 3600) -> None:
        self.clock = clock
        self.allowed = allowed
        self.lifetime = lifetime
        self.fetches: list[frozenset[str]] = []

    def fetch(self, scopes: frozenset[str]) -> MachineToken:
        unknown = scopes - self.allowed if self.allowed else frozenset()
        if unknown:
            raise e.ServiceError("The machine token endpoint refused the scopes.", service_code="invalid_scope")
        self.fetches.append(scopes)
        now = self.clock.now()
        return MachineToken(
            access_token=Secret(f"fake-machine-token-{len(self.fetches)}"),
            expires_at=now + timedelta(seconds=self.lifetime),
            issued_at=now,
            scopes=scopes or self.allowed,
        )
