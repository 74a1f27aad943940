"""Renewal of a provider's tokens with its refresh token."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.tokens import Tokens


class TokenRefresher(Protocol):
    def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens from ``tokens.refresh_token``; the answer may lack a refresh token (keep the old one).

        Raises SessionExpired when the refresh token is no longer accepted (expired or revoked).
        """
        ...
