"""A signed-in user's token for the ``Authorization`` header of the APIs behind Cognito (API Gateway, AppSync):
fresh before it is sent, and replaced once when an API refuses it."""

from __future__ import annotations

from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, LoginToken, Tokens


def token_kind(value: str | LoginToken) -> LoginToken:
    """``"access"`` or ``"id"``."""
    try:
        return LoginToken(value)
    except ValueError:
        raise InvalidInput(f"Which token to send must be 'access' or 'id', not {str(value)[:20]!r}.") from None


def chosen(tokens: Tokens, kind: LoginToken) -> Secret:
    token = tokens.id_token if kind is LoginToken.ID else tokens.access_token
    if not token:
        raise InvalidInput(f"{tokens.provider} keeps no {kind.value} token: send its {LoginToken.ACCESS.value} token.")
    return token


class UserBearerToken:
    def __init__(self, tokens: TokenKeeper, sessions: Sessions) -> None:
        self._tokens = tokens
        self._sessions = sessions

    def current(self, kind: str | LoginToken = LoginToken.ACCESS, provider: str = COGNITO) -> Secret:
        """The token to send now: refreshed first when it is about to expire (the refresh skew)."""
        return chosen(self._tokens.fresh(provider), token_kind(kind))

    def replacing(
        self, rejected: Secret, kind: str | LoginToken = LoginToken.ACCESS, provider: str = COGNITO
    ) -> Secret:
        """After an API refused ``rejected`` (HTTP 401): the token another thread or process refreshed meanwhile,
        else a refreshed one. Raises SessionExpired (and signs the provider out) when the refresh is refused."""
        which = token_kind(kind)
        with self._sessions.lock():
            current = chosen(self._tokens.fresh(provider), which)
            if current != rejected:
                return current
            return chosen(self._tokens.refresh(provider), which)
