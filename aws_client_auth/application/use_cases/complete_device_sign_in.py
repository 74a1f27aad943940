from __future__ import annotations

from datetime import datetime

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.device_sign_in import Approved, DeviceSignIn, SlowDown
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.sleeper import Cancellation, Sleeper
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.sign_in import record_step
from aws_client_auth.domain.errors import (
    Cancelled,
    DeviceFlowDenied,
    DeviceFlowExpired,
    DeviceFlowPending,
    NoPendingSignIn,
)
from aws_client_auth.domain.events import SignInFailed
from aws_client_auth.domain.sign_in import DeviceAuthorization, SignedIn


class CompleteDeviceSignIn:
    """Poll for the user's approval of the pending device code, by the rules of RFC 8628.

    ``wait=False`` polls once and raises DeviceFlowPending when the user has not answered yet (the Gem's
    DeviceCodeGrantConfirmSignIn); otherwise it polls every ``interval`` seconds until approval, denial,
    expiry, ``timeout`` or cancellation. It never sleeps past the code's expiry: the last wait is cut short,
    and the expiry is reported then rather than a poll made with a dead code.
    """

    def __init__(
        self, providers: ProviderRegistry, sessions: Sessions, events: EventPublisher, clock: Clock, sleeper: Sleeper
    ) -> None:
        self._providers = providers
        self._sessions = sessions
        self._events = events
        self._clock = clock
        self._sleeper = sleeper

    def execute(
        self, *, wait: bool = True, timeout: float | None = None, cancel: Cancellation | None = None
    ) -> SignedIn:
        authorization = self._sessions.load().pending
        if not isinstance(authorization, DeviceAuthorization):
            raise NoPendingSignIn("No device sign-in is waiting: start one first.")
        with failures_published(
            self._events, lambda e: SignInFailed.of("complete_device_sign_in", e, authorization.provider)
        ):
            try:
                step = self._poll(self._providers.device(authorization.provider), authorization, wait, timeout, cancel)
            except (DeviceFlowDenied, DeviceFlowExpired):
                self._sessions.update(lambda session: session.without_pending(authorization.provider))
                raise
        record_step(self._sessions, self._events, step)
        return step

    def _poll(
        self,
        port: DeviceSignIn,
        authorization: DeviceAuthorization,
        wait: bool,
        timeout: float | None,
        cancel: Cancellation | None,
    ) -> SignedIn:
        started = self._clock.now()
        while True:
            if authorization.is_expired(self._clock.now()):
                raise DeviceFlowExpired("The device code expired before it was approved: start the sign-in again.")
            result = port.poll(authorization)
            if isinstance(result, Approved):
                return SignedIn(result.tokens)
            if isinstance(result, SlowDown):
                authorization = self._slow_down(authorization)
            if not wait:
                raise DeviceFlowPending(
                    f"Not approved yet: open {authorization.verification_uri} and enter {authorization.user_code}."
                )
            self._wait(authorization, started, timeout, cancel)

    def _slow_down(self, authorization: DeviceAuthorization) -> DeviceAuthorization:
        """The slower pace, kept with the pending code so that a later single poll keeps it too."""
        slower = authorization.slowed_down()
        self._sessions.update(lambda session: session.with_pending(slower))
        return slower

    def _wait(
        self, authorization: DeviceAuthorization, started: datetime, timeout: float | None, cancel: Cancellation | None
    ) -> None:
        """One interval before the next poll, cut short at the code's expiry (the loop then reports it); the
        caller's ``timeout`` (seconds since ``started``, as a float: ``inf`` is no limit) gives up instead."""
        now = self._clock.now()
        if timeout is not None and (now - started).total_seconds() + authorization.interval > timeout:
            raise DeviceFlowPending(f"Still not approved after {timeout:g} s: confirm the sign-in later.")
        self._sleeper.sleep(max(0.0, min(authorization.interval, authorization.seconds_left(now))), cancel)
        if cancel is not None and cancel.is_set():
            raise Cancelled("Device sign-in was cancelled; the code stays valid until it expires.")
