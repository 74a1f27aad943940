from __future__ import annotations

from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.tokens import COGNITO, Tokens


class RefreshTokens:
    """Refresh a provider's tokens now. A refused refresh token signs that provider out (SessionExpired)."""

    def __init__(self, tokens: TokenKeeper) -> None:
        self._tokens = tokens

    def execute(self, provider: str = COGNITO) -> Tokens:
        return self._tokens.refresh(provider)
