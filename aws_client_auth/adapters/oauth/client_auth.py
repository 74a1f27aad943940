"""How a confidential client proves itself at a token endpoint: HTTP Basic with its id and secret
(``client_secret_basic``, RFC 6749 section 2.3.1), which Cognito's ``/oauth2/token`` takes for every grant."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import requests

from aws_client_auth.adapters.http import HttpClient, http_session
from aws_client_auth.application.ports.sleeper import Sleeper
from aws_client_auth.domain.secret import Secret, remember


class ClientSecretBasic(requests.auth.AuthBase):
    """``Authorization: Basic base64(urlencode(id) ":" urlencode(secret))``; the header value is remembered as a
    secret, so a server echoing it back is masked by value like the secret itself."""

    def __init__(self, client_id: str, client_secret: Secret) -> None:
        pair = f"{quote_plus(client_id)}:{quote_plus(client_secret.reveal())}"
        self._value = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        remember(self._value)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Basic {self._value}"
        return request

    def __repr__(self) -> str:
        return "ClientSecretBasic(**********)"


def token_endpoint_http(
    client_id: str, client_secret: Secret | None, *, timeout: float, max_attempts: int, sleeper: Sleeper
) -> HttpClient:
    """An HTTP client for one token endpoint: the shared bounds (deadline, body cap, safe retries, no redirects),
    on a session of its own that authenticates as the client when it has a secret (and sends nothing extra when
    it has none: a public client names itself in the form)."""
    session = http_session()
    if client_secret:
        session.auth = ClientSecretBasic(client_id, client_secret)
    return HttpClient(session, timeout=timeout, max_attempts=max_attempts, sleeper=sleeper)
