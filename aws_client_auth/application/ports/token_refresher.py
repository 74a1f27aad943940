"""Renewal of a provider's tokens with its refresh token."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.tokens import Tokens


class TokenRefresher(Protocol):
    def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens from ``tokens.refresh_token``.

        The answer carries a new refresh token when the provider rotates them: it replaces the old one, which the
        provider accepts only for a short grace period after. Without one, keep the old refresh token.

        Raises SessionExpired when the refresh token is no longer accepted (expired, revoked, or already spent by
        a rotation whose grace period is over).
        """
        ...
