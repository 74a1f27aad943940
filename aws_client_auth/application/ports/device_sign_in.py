"""Sign-in through the OAuth 2.0 device authorization grant (RFC 8628)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import Tokens


@dataclass(frozen=True, slots=True)
class Pending:
    """``authorization_pending``: the user has not answered yet."""


@dataclass(frozen=True, slots=True)
class SlowDown:
    """``slow_down``: poll less often (RFC 8628 says: 5 seconds more, from now on)."""


@dataclass(frozen=True, slots=True)
class Approved:
    tokens: Tokens


PollResult = Pending | SlowDown | Approved


class DeviceSignIn(Protocol):
    def start(self) -> DeviceAuthorization:
        """Request a device and user code pair."""
        ...

    def poll(self, authorization: DeviceAuthorization) -> PollResult:
        """Ask the token endpoint once. Raises DeviceFlowDenied or DeviceFlowExpired when the flow is over."""
        ...
