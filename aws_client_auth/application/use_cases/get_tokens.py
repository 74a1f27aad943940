from __future__ import annotations

from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.tokens import COGNITO, Tokens


class GetTokens:
    """The provider's tokens, refreshed first when they are about to expire (the Gem's GetTokensWithRefresh)."""

    def __init__(self, tokens: TokenKeeper) -> None:
        self._tokens = tokens

    def execute(self, provider: str = COGNITO) -> Tokens:
        return self._tokens.fresh(provider)
