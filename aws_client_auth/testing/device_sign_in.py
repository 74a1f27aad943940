"""A device-flow provider in memory, by the rules of RFC 8628."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_client_auth.application.ports.device_sign_in import Approved, DeviceSignIn, Pending, PollResult, SlowDown
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import Tokens
from aws_client_auth.testing.clock import FakeClock
from aws_client_auth.testing.user_pool import FakeUserPool


@dataclass
class DeviceGrant:
    """One device code as the provider keeps it, and what its user does about it."""

    expires_at: datetime
    interval: float
    last_poll: datetime | None = None
    approved_by: str | None = None
    answer_at: datetime | None = None
    """When the user approves (``approved_by`` set) or denies (not set); None while they have not acted."""


class FakeDeviceSignIn(DeviceSignIn, TokenRefresher):
    """A device-flow provider by the rules of RFC 8628, not a script of answers.

    Each start issues a fresh device code. A poll with a code it did not issue is ``invalid_grant``, after the
    code's expiry ``expired_token``, sooner than the interval after the previous poll ``slow_down`` (counted in
    ``too_soon``). The user answers at a moment of the fake clock (:meth:`user_approves`, :meth:`user_denies`);
    until then a poll is pending. :meth:`overload` makes the provider ask to slow down (and then expect the
    slower pace, as RFC 8628 says the client must keep it). Its users and tokens are ``pool``'s, which also
    answers refreshes.
    """

    USER_CODE = "WDJB-MJHT"

    def __init__(self, clock: FakeClock, pool: FakeUserPool, *, interval: int = 5, expires_in: int = 600) -> None:
        self.clock = clock
        self.pool = pool
        self.interval = interval
        self.expires_in = expires_in
        self.grants: dict[str, DeviceGrant] = {}
        self.serial = itertools.count(1)
        self.polls: list[datetime] = []
        self.too_soon = 0
        self._overloaded = 0

    # what the user and the provider's operators do
    def user_approves(self, username: str, *, after: float = 0) -> None:
        """The user approves the latest code ``after`` seconds from now."""
        if username not in self.pool.users:
            self.pool.add_user(username)
        grant = self._latest()
        grant.approved_by, grant.answer_at = username, self.clock.now() + timedelta(seconds=after)

    def user_denies(self, *, after: float = 0) -> None:
        grant = self._latest()
        grant.approved_by, grant.answer_at = None, self.clock.now() + timedelta(seconds=after)

    def overload(self, polls: int) -> None:
        """The next ``polls`` polls are answered ``slow_down``, each raising the expected interval by 5 s."""
        self._overloaded = polls

    def expire_codes(self) -> None:
        """The provider ends every code now, whatever expiry it announced."""
        for grant in self.grants.values():
            grant.expires_at = self.clock.now()

    def _latest(self) -> DeviceGrant:
        if not self.grants:
            raise AssertionError("No device code was requested yet: start the device sign-in first.")
        return list(self.grants.values())[-1]

    # DeviceSignIn
    def start(self) -> DeviceAuthorization:
        code = f"device-code-secret-{next(self.serial)}"
        expires_at = self.clock.now() + timedelta(seconds=self.expires_in)
        self.grants[code] = DeviceGrant(expires_at=expires_at, interval=self.interval)
        return DeviceAuthorization(
            provider=self.pool.provider,
            user_code=self.USER_CODE,
            verification_uri="https://example.com/device",
            verification_uri_complete=f"https://example.com/device?user_code={self.USER_CODE}",
            expires_at=expires_at,
            device_code=Secret(code),
            interval=self.interval,
        )

    def poll(self, authorization: DeviceAuthorization) -> PollResult:
        now = self.clock.now()
        self.polls.append(now)
        code = authorization.device_code.reveal()
        grant = self.grants.get(code)
        if grant is None:
            raise e.DeviceFlowExpired("The device code is not one this provider issued.", service_code="invalid_grant")
        if now >= grant.expires_at:
            del self.grants[code]
            raise e.DeviceFlowExpired("The device code expired.", service_code="expired_token")
        if self._slow_down(grant, now):
            return SlowDown()
        if grant.answer_at is None or now < grant.answer_at:
            return Pending()
        del self.grants[code]  # a code is good for one sign-in
        if grant.approved_by is None:
            raise e.DeviceFlowDenied("The user denied the sign-in.", service_code="access_denied")
        return Approved(self.pool.issue(grant.approved_by))

    def _slow_down(self, grant: DeviceGrant, now: datetime) -> bool:
        early = grant.last_poll is not None and (now - grant.last_poll).total_seconds() < grant.interval
        grant.last_poll = now
        self.too_soon += early
        if self._overloaded > 0:
            self._overloaded -= 1
            grant.interval += DeviceAuthorization.SLOW_DOWN_STEP
            return True
        return early

    # TokenRefresher
    def refresh(self, tokens: Tokens) -> Tokens:
        return self.pool.refresh(tokens)
