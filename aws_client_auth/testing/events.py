"""An event bus that remembers what was published."""

from __future__ import annotations

from typing import TypeVar

from aws_client_auth.adapters.events import EventBus
from aws_client_auth.domain.events import Event

E = TypeVar("E", bound=Event)


class RecordingEvents(EventBus):
    """The real bus (subscribers are called as in production), keeping every event in ``events``."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)
        super().publish(event)

    def of(self, kind: type[E]) -> list[E]:
        """The events of ``kind``, in order (typed as that kind)."""
        return [event for event in self.events if isinstance(event, kind)]
