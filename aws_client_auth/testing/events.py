"""An event bus that remembers what was published."""

from __future__ import annotations

from aws_client_auth.adapters.events import EventBus
from aws_client_auth.domain.events import Event


class RecordingEvents(EventBus):
    """The real bus (subscribers are called as in production), keeping every event in ``events``."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)
        super().publish(event)

    def of(self, kind: type[Event]) -> list[Event]:
        return [event for event in self.events if isinstance(event, kind)]
