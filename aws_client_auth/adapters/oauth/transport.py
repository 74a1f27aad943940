"""Form posts to OAuth endpoints: URL-encoded bodies through the shared HTTP client (size and time bounds, safe
retries), and every failure as a typed error carrying the provider's ``error``, ``error_description`` and HTTP
status, both cleaned of escape sequences and secrets (:func:`checks.said`) before any message holds them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aws_client_auth.adapters.http import HttpClient
from aws_client_auth.adapters.oauth.checks import error_code, said
from aws_client_auth.domain.errors import (
    ClientAuthError,
    ConfigurationError,
    ServiceError,
    ServiceUnavailable,
    Throttled,
)

E = TypeVar("E", bound=ClientAuthError)


@dataclass(frozen=True, slots=True)
class OAuthAnswer:
    status: int
    data: dict[str, Any]

    @property
    def error(self) -> str | None:
        return error_code(self.data.get("error"))

    @property
    def description(self) -> str | None:
        return said(self.data.get("error_description"))

    def failure(self, kind: type[E], message: str) -> E:
        """``kind`` carrying the provider's ``error``, ``error_description`` and HTTP status."""
        return kind(message, service_code=self.error, service_message=self.description, status=self.status)


class OAuthPoster(Protocol):
    """How providers reach their OAuth endpoints: the port the device flow and provider plugins depend on."""

    def post(self, url: str, form: Mapping[str, str], *, provider: str) -> OAuthAnswer:
        """POST ``form`` to ``url``; the answer's JSON object, OAuth errors included. ``provider`` names it in
        error messages."""
        ...


class OAuthTransport(OAuthPoster):
    def __init__(self, client: HttpClient) -> None:
        self._client = client

    def post(self, url: str, form: Mapping[str, str], *, provider: str) -> OAuthAnswer:
        """POST ``form`` (requests URL-encodes it); answers with the JSON object, errors included.

        Branching on the ``error`` field is the caller's (RFC 8628 says so, not the HTTP status).
        """
        response = self._client.request("POST", url, data=dict(form), what=provider)
        data = response.json_object()
        answer = OAuthAnswer(response.status, data if data is not None else {})
        if answer.error is None:
            _raise_for_status(provider, response.status)
        if data is None:
            raise ServiceError(f"{provider} answered with something that is not a JSON object.", status=response.status)
        return answer


def _raise_for_status(provider: str, status: int) -> None:
    """A failure the answer does not explain with an OAuth error: the server's, or a rate limit. Not retried
    here: a token request may have been acted on (see :mod:`aws_client_auth.adapters.http`)."""
    if status >= 500:
        raise ServiceUnavailable(f"{provider} failed; try again later.", status=status)
    if status == 429:
        raise Throttled(f"{provider} is limiting requests; try again in a minute.", status=status)


def provider_error(provider: str, answer: OAuthAnswer, what: str) -> ServiceError | ConfigurationError:
    """An error answer nothing more specific applies to; ``invalid_client`` means our configuration is wrong."""
    if answer.error in ("invalid_client", "unauthorized_client", "invalid_scope"):
        return ConfigurationError(
            f"{provider} refused the app's {what}: check its client id, secret and scope in the configuration.",
            service_code=answer.error,
            service_message=answer.description,
            status=answer.status,
        )
    return ServiceError(
        f"{provider} refused the {what}.",
        service_code=answer.error,
        service_message=answer.description,
        status=answer.status,
    )
