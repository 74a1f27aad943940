from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.domain.events import SessionReset


class Reset:
    """Forget everything this profile holds: tokens, pending steps, identity ids and credentials."""

    def __init__(self, sessions: Sessions, credentials: CredentialService, events: EventPublisher) -> None:
        self._sessions = sessions
        self._credentials = credentials
        self._events = events

    def execute(self) -> None:
        self._sessions.clear()
        self._credentials.invalidate()
        self._events.publish(SessionReset())
