"""Form posts to OAuth endpoints: URL-encoded bodies through the shared HTTP client (timeouts, retries), and
every failure as a typed error carrying the provider's ``error``, ``error_description`` and HTTP status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aws_client_auth.adapters.http import HttpClient, json_object
from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError, ServiceError, ServiceUnavailable

E = TypeVar("E", bound=ClientAuthError)


@dataclass(frozen=True, slots=True)
class OAuthAnswer:
    status: int
    data: dict[str, Any]

    @property
    def error(self) -> str | None:
        value = self.data.get("error")
        return str(value) if value else None

    @property
    def description(self) -> str | None:
        value = self.data.get("error_description")
        return redact(str(value)) if value else None

    def failure(self, kind: type[E], message: str) -> E:
        """``kind`` carrying the provider's ``error``, ``error_description`` and HTTP status."""
        return kind(message, service_code=self.error, service_message=self.description, status=self.status)


class OAuthTransport:
    def __init__(self, client: HttpClient) -> None:
        self._client = client

    def post(self, url: str, form: Mapping[str, str], *, provider: str) -> OAuthAnswer:
        """POST ``form`` (requests URL-encodes it); answers with the JSON object, errors included.

        Branching on the ``error`` field is the caller's (RFC 8628 says so, not the HTTP status).
        """
        response = self._client.request("POST", url, data=dict(form), what=provider)
        data = json_object(response)
        if data is None:
            if response.status_code >= 500:
                raise ServiceUnavailable(f"{provider} failed; try again later.", status=response.status_code)
            raise ServiceError(
                f"{provider} answered with something that is not a JSON object.", status=response.status_code
            )
        answer = OAuthAnswer(response.status_code, data)
        if response.status_code >= 500 and answer.error is None:
            raise ServiceUnavailable(f"{provider} failed; try again later.", status=response.status_code)
        return answer


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
