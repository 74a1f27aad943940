from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.machine_tokens import MachineTokenCache
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import SessionReset


class Reset:
    """Forget everything this profile holds: tokens, pending steps, identity ids, credentials and machine tokens."""

    def __init__(
        self,
        sessions: Sessions,
        credentials: CredentialService,
        events: EventPublisher,
        machine_tokens: MachineTokenCache | None = None,
    ) -> None:
        self._sessions = sessions
        self._credentials = credentials
        self._events = events
        self._machine_tokens = machine_tokens

    def execute(self) -> None:
        self._sessions.clear()
        self._credentials.invalidate()
        if self._machine_tokens is not None:
            self._machine_tokens.clear()
        self._events.publish(SessionReset())
