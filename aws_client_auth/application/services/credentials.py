"""AWS credentials for whoever is signed in: cached, refreshed ahead of expiry, fetched once at a time."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import ClientAuthError, ProviderNotConfigured, UnknownIdentity
from aws_client_auth.domain.events import CredentialsFailed, CredentialsObtained
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session

log = logging.getLogger(__name__)


class CredentialService:
    """Hands out credentials from memory, then the session store, then the identity pool.

    One fetch at a time: threads wait on a lock and processes on the store's lock, and each re-reads the
    store once it holds them, so a crowd asking for expired credentials causes exactly one fetch.
    """

    def __init__(
        self,
        sessions: Sessions,
        providers: ProviderRegistry,
        tokens: TokenKeeper,
        identity_pool: IdentityPool | None,
        clock: Clock,
        events: EventPublisher,
    ) -> None:
        self._sessions = sessions
        self._providers = providers
        self._tokens = tokens
        self._pool = identity_pool
        self._clock = clock
        self._events = events
        self._lock = threading.Lock()
        self._memory: tuple[int, Credentials] | None = None

    def get(self, *, force: bool = False) -> Credentials:
        remembered = None if force else self._remembered()
        if remembered is not None:
            return remembered
        with self._lock:
            # Another thread may have fetched them while this one waited: memory first, then the store.
            remembered = None if force else self._remembered()
            if remembered is not None:
                return remembered
            return self._get_locked(force)

    def _remembered(self) -> Credentials | None:
        """The credentials in memory, while fresh and nothing in this process has changed the session since."""
        memory = self._memory
        if memory is not None and memory[0] == self._sessions.generation and memory[1].is_fresh(self._clock.now()):
            return memory[1]
        return None

    def _get_locked(self, force: bool) -> Credentials:
        with self._sessions.lock():
            session = self._sessions.load()
            fresh = session.cached_credentials(self._clock.now())
            if not force and fresh is not None:
                return self._remember(fresh)
            try:
                fetched = self._fetch()
            except ClientAuthError as error:
                self._events.publish(CredentialsFailed.of("get_credentials", error))
                kept = self._kept_after_failure(session)
                if force or kept is None:
                    raise
                log.warning("Credential refresh failed, keeping the current ones until they expire: %s", error)
                return self._remember(kept)
        self._events.publish(
            CredentialsObtained(
                identity_id=fetched.identity_id, authenticated=fetched.authenticated, expiration=fetched.expiration
            )
        )
        return fetched

    def logins(self) -> dict[str, Secret]:
        """The identity-pool logins of every signed-in provider, each refreshed first if about to expire."""
        logins: dict[str, Secret] = {}
        for name in self._sessions.load().signed_in_providers:
            provider = self._providers.get(name)
            logins[provider.login_key] = self._tokens.fresh(name).login(provider.login_token)
        return logins

    def _kept_after_failure(self, before: Session) -> Credentials | None:
        """The credentials held before a failed fetch, while still usable, unless the failure changed the logins
        (a refused refresh token signs its provider out: that user's credentials go with it)."""
        kept = before.cached_credentials(self._clock.now(), fresh=False)
        return kept if kept is not None and self._sessions.load().credentials == kept else None

    def invalidate(self) -> None:
        self._memory = None

    def _fetch(self) -> Credentials:
        pool = self._pool
        if pool is None:
            raise ProviderNotConfigured(
                "No identity pool is configured: set [cognito] identity_pool_id to get AWS credentials."
            )
        logins = self.logins()
        session = self._sessions.load()  # a token refresh above may have changed it
        authenticated = bool(logins)
        kept = session.authenticated_identity_id if authenticated else session.guest_identity_id
        identity_id = kept or self._new_identity(pool, logins)
        try:
            answer = pool.get_credentials(identity_id, logins)
        except UnknownIdentity:
            if kept is None:
                raise
            log.info("The kept identity is gone from the pool; asking for a new one")
            answer = pool.get_credentials(self._new_identity(pool, logins), logins)
        credentials = replace(answer, authenticated=authenticated, issued_at=self._clock.now())
        linked = frozenset(logins)

        def keep(session: Session) -> Session:
            session = session.with_credentials(credentials)
            return session.with_linked(session.linked_logins | linked) if authenticated else session

        self._sessions.update(keep)
        return self._remember(credentials)

    def _new_identity(self, pool: IdentityPool, logins: dict[str, Secret]) -> str:
        identity_id = pool.get_id(logins)
        # Kept at once: a later failure must not cost another GetId (and, for guests, another identity).
        self._sessions.update(lambda session: session.with_identity_id(identity_id, authenticated=bool(logins)))
        return identity_id

    def _remember(self, credentials: Credentials) -> Credentials:
        self._memory = (self._sessions.generation, credentials)
        return credentials
