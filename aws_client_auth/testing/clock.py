"""Time that moves only when a test says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.sleeper import Cancellation, Sleeper

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
"""Where every fake clock starts, unless told otherwise."""


class FakeClock(Clock):
    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeSleeper(Sleeper):
    """Advances the fake clock instead of sleeping; ``on_sleep`` lets a test act while the caller waits.

    Like the real sleeper, a wait whose cancellation is set (before or while it waits) ends at once: the clock
    does not move and nothing is added to ``slept``, which holds the waits that ran their course.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self.cancelled = 0
        self.on_sleep: Callable[[], None] | None = None

    def sleep(self, seconds: float, cancel: Cancellation | None = None) -> None:
        if self.on_sleep is not None:
            self.on_sleep()
        if cancel is not None and cancel.is_set():
            self.cancelled += 1
            return
        self.slept.append(seconds)
        self.clock.advance(seconds)
