"""One ``requests.Session`` for the whole run: a timeout on every request, bounded retries with backoff."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from domain.errors import ServiceError, ServiceUnavailable

RETRY_STATUSES = (500, 502, 503, 504)


def http_session(max_attempts: int = 4, backoff: float = 0.5) -> requests.Session:
    """Retries connection errors and 5xx answers (POST included: token requests are safe to repeat)."""
    retry = Retry(
        total=max_attempts - 1,
        connect=max_attempts - 1,
        read=max_attempts - 1,
        status=max_attempts - 1,
        backoff_factor=backoff,
        backoff_max=8,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "aws-client-auth"
    return session


def get_json(session: requests.Session, url: str, timeout: float) -> dict[str, Any]:
    """GET a JSON object, turning every transport or format failure into a typed error."""
    try:
        response = session.get(url, timeout=timeout)
    except requests.RequestException as error:
        raise ServiceUnavailable(f"Could not reach {url}: {type(error).__name__}; try again later.") from error
    if response.status_code >= 500:
        raise ServiceUnavailable(f"{url} failed; try again later.", status=response.status_code)
    if response.status_code != 200:
        raise ServiceError(f"{url} answered with an error.", status=response.status_code)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ServiceError(f"{url} did not answer with a JSON object.", status=response.status_code)
    return data


class JsonFetcher:
    """``fetch(url) -> dict`` over the shared session, with the configured timeout."""

    def __init__(self, session: requests.Session, timeout: float) -> None:
        self._session = session
        self._timeout = timeout

    def __call__(self, url: str) -> dict[str, Any]:
        return get_json(self._session, url, self._timeout)
