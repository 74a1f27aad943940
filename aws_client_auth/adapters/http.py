"""HTTP for the OAuth providers and the JWKS: one ``requests.Session``, a timeout on every request, and
bounded retries with exponential backoff on connection errors, timeouts, 429 and 5xx answers."""

from __future__ import annotations

import random
from typing import Any

import requests

from aws_client_auth.application.ports.sleeper import Sleeper
from aws_client_auth.domain.errors import ServiceError, ServiceUnavailable

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "aws-client-auth"
    return session


class HttpClient:
    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: float,
        max_attempts: int,
        sleeper: Sleeper,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ) -> None:
        self._session = session
        self.timeout = timeout
        self._attempts = max(1, max_attempts)
        self._sleeper = sleeper
        self._backoff = backoff
        self._max_backoff = max_backoff

    def request(self, method: str, url: str, *, what: str, data: dict[str, str] | None = None) -> requests.Response:
        """The answer, once it is not a retryable failure or the attempts are used up.

        Raises ServiceUnavailable when the last attempt could not connect or timed out.
        """
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._session.request(
                    method, url, data=data, timeout=self.timeout, headers={"Accept": "application/json"}
                )
            except requests.Timeout as error:
                if attempt == self._attempts:
                    raise ServiceUnavailable(
                        f"{what} did not answer within {self.timeout:g} s, {attempt} times; try again later."
                    ) from error
            except requests.RequestException as error:
                if attempt == self._attempts:
                    raise ServiceUnavailable(
                        f"Could not reach {what} ({type(error).__name__}), {attempt} times: check the network."
                    ) from error
            else:
                if response.status_code not in RETRY_STATUSES or attempt == self._attempts:
                    return response
            self._sleeper.sleep(self._delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to the exponential bound, so that many clients do not retry in step."""
        return random.uniform(0, min(self._max_backoff, self._backoff * 2 ** (attempt - 1)))  # noqa: S311

    def get_json(self, url: str, *, what: str) -> dict[str, Any]:
        response = self.request("GET", url, what=what)
        if response.status_code >= 500:
            raise ServiceUnavailable(f"{what} failed; try again later.", status=response.status_code)
        if response.status_code != 200:
            raise ServiceError(f"{what} answered with an error.", status=response.status_code)
        data = json_object(response)
        if data is None:
            raise ServiceError(f"{what} did not answer with a JSON object.", status=response.status_code)
        return data


def json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class JsonFetcher:
    """``fetch(url) -> dict`` for the ID-token verifier's JWKS."""

    def __init__(self, client: HttpClient) -> None:
        self._client = client

    def __call__(self, url: str) -> dict[str, Any]:
        return self._client.get_json(url, what=f"The key set at {url}")
