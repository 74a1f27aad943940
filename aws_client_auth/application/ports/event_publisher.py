"""Where use cases announce what happened."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.events import Event


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Deliver ``event`` to subscribers; never raises because a subscriber failed."""
        ...
