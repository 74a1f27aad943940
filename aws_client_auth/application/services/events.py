"""Publishing the failure of a use case the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.domain.errors import ClientAuthError
from aws_client_auth.domain.events import Event


@contextmanager
def failures_published(events: EventPublisher, make: Callable[[ClientAuthError], Event]) -> Iterator[None]:
    """Publish ``make(error)`` for any typed error raised inside, then let the error go on."""
    try:
        yield
    except ClientAuthError as error:
        events.publish(make(error))
        raise
