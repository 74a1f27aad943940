"""An in-process event bus: the Python counterpart of the Gem's notification buses."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.domain.events import Event

log = logging.getLogger(__name__)
E = TypeVar("E", bound=Event)


class EventBus(EventPublisher):
    """Delivers each event to the handlers subscribed to its type or a base of it, in subscription order.

    Handlers run on the publishing thread; one that raises is logged and the others still run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[tuple[type[Event], Callable[[Event], None]]] = []

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        entry = (event_type, handler)
        with self._lock:
            self._handlers = [*self._handlers, entry]  # type: ignore[list-item]

        def unsubscribe() -> None:
            with self._lock:
                self._handlers = [h for h in self._handlers if h is not entry]

        return unsubscribe

    def publish(self, event: Event) -> None:
        log.debug("event %s", type(event).__name__)
        for event_type, handler in self._handlers:
            if isinstance(event, event_type):
                try:
                    handler(event)
                except Exception:
                    log.exception("An event handler for %s failed", type(event).__name__)
