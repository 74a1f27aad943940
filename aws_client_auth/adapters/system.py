"""The real clock and sleeper."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.sleeper import Cancellation, Sleeper


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class SystemSleeper(Sleeper):
    def sleep(self, seconds: float, cancel: Cancellation | None = None) -> None:
        if cancel is None:
            time.sleep(seconds)
        else:
            cancel.wait(seconds)
