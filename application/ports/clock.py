"""Time, injected so that expiry, refresh windows and polling are testable without waiting."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class Cancellation(Protocol):
    """Anything with ``is_set`` and ``wait``, such as ``threading.Event``: setting it cancels a wait."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Sleeper(Protocol):
    def sleep(self, seconds: float, cancel: Cancellation | None = None) -> None:
        """Wait ``seconds``, returning early when ``cancel`` is set."""
        ...
