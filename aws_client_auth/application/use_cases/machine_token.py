"""Machine-to-machine access tokens (client credentials), cached per profile and scope set until shortly before
they expire, and fetched one at a time across threads and processes, as credentials are."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.machine_tokens import MachineTokenCache, MachineTokenSource
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.domain.events import OperationFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import MachineToken, scope_set

Scopes = str | Iterable[str] | None


class GetMachineToken:
    """Hands out a token from memory, then the cache, then the token endpoint.

    Build one per process (a singleton): threads wait on its lock and processes on the cache's, and each looks at
    the cache again once it holds them, so a crowd asking at once causes exactly one fetch.
    """

    def __init__(
        self,
        source: MachineTokenSource,
        cache: MachineTokenCache,
        clock: Clock,
        events: EventPublisher,
        default_scopes: Scopes = None,
    ) -> None:
        self._source = source
        self._cache = cache
        self._clock = clock
        self._events = events
        self._default = scope_set(default_scopes)
        self._lock = threading.RLock()
        self._memory: dict[frozenset[str], MachineToken] = {}

    def execute(self, scopes: Scopes = None, *, force: bool = False) -> MachineToken:
        """A token for ``scopes`` (the configured ``[machine] scopes`` when None) valid for a while yet."""
        key = self._key(scopes)
        remembered = self._memory.get(key)
        if not force and remembered is not None and remembered.is_fresh(self._clock.now()):
            return remembered
        with self._lock, self._cache.lock():
            if not force:
                cached = self._cache.load(key)
                if cached is not None and cached.is_fresh(self._clock.now()):
                    self._memory[key] = cached
                    return cached
            return self._fetch(key)

    def replacing(self, rejected: Secret, scopes: Scopes = None) -> MachineToken:
        """After an API refused ``rejected`` (HTTP 401): the token another thread or process fetched meanwhile,
        else a new one. Never ``rejected`` itself."""
        key = self._key(scopes)
        with self._lock, self._cache.lock():
            cached = self._cache.load(key)
            if cached is not None and cached.access_token != rejected and cached.is_fresh(self._clock.now()):
                self._memory[key] = cached
                return cached
            return self._fetch(key)

    def forget(self) -> None:
        """Drop every kept token of this profile and configuration (in memory and in the cache)."""
        with self._lock, self._cache.lock():
            self._memory.clear()
            self._cache.clear()

    def _key(self, scopes: Scopes) -> frozenset[str]:
        return self._default if scopes is None else scope_set(scopes)

    def _fetch(self, key: frozenset[str]) -> MachineToken:
        with failures_published(self._events, lambda e: OperationFailed.of("machine_token", e)):
            token = self._source.fetch(key)
            self._cache.save(key, token)
        self._memory[key] = token
        return token
