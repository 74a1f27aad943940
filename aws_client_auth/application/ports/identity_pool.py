"""AWS credentials from a Cognito identity pool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.secret import Secret


class IdentityPool(Protocol):
    @property
    def pool_id(self) -> str: ...

    def get_id(self, logins: Mapping[str, Secret]) -> str:
        """The identity for these logins (a guest identity when empty). Raises GuestAccessDisabled."""
        ...

    def get_credentials(self, identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        """Credentials for the identity; their ``identity_id`` may differ when identities were merged.

        Raises UnknownIdentity when the pool no longer knows ``identity_id``.
        """
        ...
