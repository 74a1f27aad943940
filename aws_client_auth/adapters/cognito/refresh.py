"""Token refresh for a Cognito app client, with or without refresh-token rotation.

``GetTokensFromRefreshToken`` is the refresh that works for every app client, and the only one for clients
with rotation on (their ``REFRESH_TOKEN_AUTH`` is disabled): its answer may carry a new refresh token, which
replaces the old one, accepted only for the client's grace period after. Services that predate it (moto,
other emulators, older private endpoints) do not know the operation; there the refresh falls back to
``InitiateAuth REFRESH_TOKEN_AUTH``, and this adapter remembers the answer so it asks once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito.app_client import TOKEN_REVOKED, AppClient
from aws_client_auth.adapters.cognito.errors import CODE_LIMIT, cognito_errors, is_unknown_operation
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import clean
from aws_client_auth.domain.tokens import Tokens

log = logging.getLogger(__name__)
_REFUSED = {"NotAuthorizedException": TOKEN_REVOKED}


class CognitoRefresher(TokenRefresher):
    def __init__(self, app: AppClient) -> None:
        self._app = app
        self._legacy = False
        """The service does not know GetTokensFromRefreshToken: refresh with REFRESH_TOKEN_AUTH."""
        self._lock = threading.Lock()

    @property
    def rotation_api(self) -> bool:
        """Whether refreshes go through GetTokensFromRefreshToken (until the service says it does not know it)."""
        return not self._legacy

    @checked_answers("Cognito")
    def refresh(self, tokens: Tokens) -> Tokens:
        refresh_token = tokens.refresh_token
        if refresh_token is None:
            raise e.SessionExpired("No Cognito refresh token is kept: sign in again.")
        if not self._legacy:
            answer = self._get_tokens(tokens, refresh_token)
            if answer is not None:
                return self._merged(tokens, answer)
        return self._merged(tokens, self._refresh_token_auth(tokens, refresh_token))

    def _get_tokens(self, tokens: Tokens, refresh_token: Secret) -> Mapping[str, Any] | None:
        """GetTokensFromRefreshToken's answer; None when the service does not know the operation."""
        device: dict[str, Any] = {"DeviceKey": tokens.device.key} if tokens.device else {}
        try:
            with cognito_errors(_REFUSED):
                try:
                    answer: Mapping[str, Any] = self._app.client.get_tokens_from_refresh_token(
                        RefreshToken=refresh_token.reveal(),
                        ClientId=self._app.client_id,
                        **self._app.client_secret_argument(),
                        **device,
                    )
                except ClientError as error:
                    if not is_unknown_operation(error):
                        raise
                    self._fall_back(clean(error.response.get("Error", {}).get("Code", "unknown"), CODE_LIMIT))
                    return None
        except NotImplementedError:  # an in-process emulator (moto's mock_aws) raises it for operations it lacks
            self._fall_back("NotImplementedError")
            return None
        return answer

    def _fall_back(self, why: str) -> None:
        with self._lock:
            if not self._legacy:
                log.info(
                    "Cognito does not know GetTokensFromRefreshToken (%s): refreshing with REFRESH_TOKEN_AUTH.", why
                )
            self._legacy = True

    def _refresh_token_auth(self, tokens: Tokens, refresh_token: Secret) -> Mapping[str, Any]:
        params: dict[str, str] = {"REFRESH_TOKEN": refresh_token.reveal()}
        # Cognito wants the hash of the user's sub here, not of the alias typed at sign-in.
        params |= self._app.secret_hash(tokens.subject or tokens.username or "", "SECRET_HASH")
        if tokens.device:
            params["DEVICE_KEY"] = tokens.device.key
        with cognito_errors(_REFUSED):
            answer: Mapping[str, Any] = self._app.client.initiate_auth(
                ClientId=self._app.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            )
        return answer

    def _merged(self, old: Tokens, answer: Mapping[str, Any]) -> Tokens:
        result = answer.get("AuthenticationResult")
        if not result:
            raise e.ServiceError("Cognito answered a refresh without tokens.")
        return self._app.tokens(result, device=old.device)
