"""Waiting, injected so that polling and backoff are testable without real sleeps."""

from __future__ import annotations

from typing import Protocol


class Cancellation(Protocol):
    """Anything with ``is_set`` and ``wait``, such as ``threading.Event``: setting it cancels a wait."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Sleeper(Protocol):
    def sleep(self, seconds: float, cancel: Cancellation | None = None) -> None:
        """Wait ``seconds``, returning early when ``cancel`` is set."""
        ...
