"""An identity pool in memory, by Cognito's rules."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import timedelta

from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret
from aws_client_auth.testing.clock import FakeClock

POOL_ID = "us-west-2:00000000-0000-0000-0000-000000000000"


class FakeIdentityPool(IdentityPool):
    """Cognito's identity rules: an identity per set of linked logins, found again by any of them; several
    logins in one call link (and merge) their identities; guests get a fresh identity from each GetId.

    A login is read as the fakes write their tokens (``kind|provider|user|n``): the user is what the pool would
    find in a real token. ``fail_next`` makes the next call fail with that error; ``last_logins`` is what the
    last credential request sent.
    """

    def __init__(
        self, clock: FakeClock, *, guest_allowed: bool = True, lifetime: int = 3600, pool_id: str = POOL_ID
    ) -> None:
        self.clock = clock
        self.guest_allowed = guest_allowed
        self.lifetime = lifetime
        self._pool_id = pool_id
        self.links: dict[str, set[tuple[str, str]]] = {}
        self.merged: dict[str, str] = {}
        self.ids = itertools.count(1)
        self.get_id_calls = 0
        self.credential_calls = 0
        self.last_logins: dict[str, str] = {}
        self.fail_next: e.ClientAuthError | None = None

    @property
    def pool_id(self) -> str:
        return self._pool_id

    @staticmethod
    def _principals(logins: Mapping[str, Secret]) -> set[tuple[str, str]]:
        return {(key, token.reveal().split("|")[2]) for key, token in logins.items()}

    def _check(self, logins: Mapping[str, Secret]) -> None:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if not logins and not self.guest_allowed:
            raise e.GuestAccessDisabled("Unauthenticated access is not supported for this identity pool.")

    def _resolve(self, logins: Mapping[str, Secret]) -> str:
        principals = self._principals(logins)
        owners = [i for i, linked in self.links.items() if linked & principals]
        if not owners:
            identity = f"us-west-2:{next(self.ids):04d}"
            self.links[identity] = set()
            owners = [identity]
        keep, *others = owners
        for other in others:
            self.links[keep] |= self.links.pop(other)
            self.merged[other] = keep
        self.links[keep] |= principals
        return keep

    def get_id(self, logins: Mapping[str, Secret]) -> str:
        self.get_id_calls += 1
        self._check(logins)
        if not logins:
            identity = f"us-west-2:guest-{next(self.ids):04d}"
            self.links[identity] = set()
            return identity
        return self._resolve(logins)

    def get_credentials(self, identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        self.credential_calls += 1
        self.last_logins = {key: token.reveal() for key, token in logins.items()}
        self._check(logins)
        identity = self.merged.get(identity_id, identity_id)
        if identity not in self.links:
            raise e.UnknownIdentity("Identity not found.", service_code="ResourceNotFoundException")
        if logins:
            identity = self._resolve(logins)
        n = self.credential_calls
        return Credentials(
            access_key_id=f"ASIA{n:016d}",
            secret_key=Secret(f"secret-{n}"),
            session_token=Secret(f"session-{n}"),
            expiration=self.clock.now() + timedelta(seconds=self.lifetime),
            identity_id=identity,
            authenticated=bool(logins),
        )
