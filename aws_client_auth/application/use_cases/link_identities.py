from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.events import IdentitiesLinked, OperationFailed
from aws_client_auth.domain.identity import Identity


class LinkIdentities:
    """Link every signed-in provider into one identity: one identity-pool call carrying all their logins.

    Later sign-ins with any of them get that same identity back.
    """

    def __init__(
        self, credentials: CredentialService, sessions: Sessions, events: EventPublisher, pool_id: str
    ) -> None:
        self._credentials = credentials
        self._sessions = sessions
        self._events = events
        self._pool_id = pool_id

    def execute(self) -> Identity:
        with failures_published(self._events, lambda e: OperationFailed.of("link_identities", e)):
            providers = self._sessions.load().signed_in_providers
            if len(providers) < 2:
                raise InvalidInput("Linking needs at least two signed-in providers: sign in with another one first.")
            credentials = self._credentials.get(force=True)
        linked = self._sessions.load().linked_logins
        self._events.publish(IdentitiesLinked(identity_id=credentials.identity_id, providers=providers))
        return Identity(
            identity_pool_id=self._pool_id, identity_id=credentials.identity_id, logins=linked, authenticated=True
        )
