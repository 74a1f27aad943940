"""``requests`` auth objects for the APIs behind Cognito: a bearer token (a user's, or a machine token) and
SigV4 with this profile's identity-pool credentials (API Gateway IAM authorization, AppSync, any AWS HTTP API).

    api = requests.Session()
    api.auth = auth.requests_auth()                 # Authorization: Bearer <access token>
    api.get("https://abc.execute-api.us-west-2.amazonaws.com/prod/items", timeout=10)

Both sign each request as it is sent (a token fresh at that moment, credentials not about to expire). The
bearer auth retries once after a 401 with a replaced token, only to the origin the token was first sent to and
only when the body can be sent again; a redirect elsewhere never carries the token (``requests`` drops the
header, and no retry follows).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import requests
from requests.cookies import extract_cookies_to_jar

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import Secret

log = logging.getLogger(__name__)

_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31}$")
SIGNED_HEADERS: Final = frozenset({"host", "content-type", "content-md5"})
"""Headers signed besides every ``x-amz-*`` (and ``host``, from the URL when the request sets none): those a proxy
or the HTTP library may change on the way (Connection, Accept-Encoding, User-Agent) are left out, so that the
signature survives them."""
_NOT_COPIED: Final = frozenset({"authorization", "x-amz-date", "x-amz-security-token"})
_UNRESERVED: Final = "-_.~"
"""Besides letters and digits, what SigV4 leaves unencoded (RFC 3986's unreserved characters)."""


def _origin(url: str | None) -> tuple[str, str, int | None]:
    parts = urlsplit(url or "")
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _replayable(body: object) -> bool:
    return body is None or isinstance(body, bytes | str)


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>`` with the token ``current()`` gives as each request is sent; after a 401,
    one retry with ``replacing(rejected)``'s token.

    ``scheme=None`` sends the bare token, which AppSync's and API Gateway REST's Cognito authorizers expect.
    """

    def __init__(
        self, current: Callable[[], Secret], replacing: Callable[[Secret], Secret], *, scheme: str | None = "Bearer"
    ) -> None:
        if scheme is not None and not _SCHEME.match(scheme):
            raise InvalidInput(f"{scheme[:40]!r} is not an HTTP authorization scheme (such as Bearer).")
        self._current = current
        self._replacing = replacing
        self._scheme = scheme

    def _header(self, token: Secret) -> str:
        return f"{self._scheme} {token.reveal()}" if self._scheme else token.reveal()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._current()
        request.headers["Authorization"] = self._header(token)
        hook = partial(self._on_response, token=token, origin=_origin(request.url))
        request.register_hook("response", hook)  # type: ignore[no-untyped-call]
        return request

    def _on_response(
        self, response: requests.Response, *, token: Secret, origin: tuple[str, str, int | None], **kwargs: Any
    ) -> requests.Response:
        if response.status_code != 401:
            return response
        sent = response.request
        if _origin(sent.url) != origin or not _replayable(sent.body):
            return response
        replacement = self._replacing(token)
        log.info("The API refused the token (HTTP 401): retrying once with a refreshed one")
        response.content  # noqa: B018 - read the answer, so that its connection goes back to the pool
        response.close()
        retry = sent.copy()
        jar = retry._cookies  # type: ignore[attr-defined]  # requests' own, as its digest auth uses it
        extract_cookies_to_jar(jar, sent, response.raw)  # type: ignore[no-untyped-call]
        retry.prepare_cookies(jar)
        retry.headers["Authorization"] = self._header(replacement)
        again: requests.Response = response.connection.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        return again

    def __repr__(self) -> str:
        return f"BearerAuth(scheme={self._scheme!r})"


class SigV4Auth(requests.auth.AuthBase):
    """Signs each request with botocore's SigV4 signer and the credentials ``credentials()`` gives at that moment
    (the credential service: refreshed ahead of expiry, once for all threads)."""

    def __init__(self, credentials: Callable[[], Credentials], *, service: str = "execute-api", region: str) -> None:
        if not service or not region:
            raise InvalidInput("SigV4 signing needs a service name (such as execute-api) and a region.")
        self._credentials = credentials
        self._service = service
        self._region = region

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        from botocore.auth import SigV4Auth as Signer
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import ReadOnlyCredentials

        body = _whole_body(request)
        request.url = _canonical_query(request.url or "")
        headers = {
            name: value
            for name, value in request.headers.items()
            if (name.lower() in SIGNED_HEADERS or name.lower().startswith("x-amz-")) and name.lower() not in _NOT_COPIED
        }
        unsigned = AWSRequest(method=request.method, url=request.url, data=body, headers=headers)
        current = self._credentials()
        frozen = ReadOnlyCredentials(
            current.access_key_id, current.secret_key.reveal(), current.session_token.reveal() or None
        )
        Signer(frozen, self._service, self._region).add_auth(unsigned)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            request.headers.pop(name, None)
            value = unsigned.headers.get(name)
            if value is not None:
                request.headers[name] = value
        return request

    def __repr__(self) -> str:
        return f"SigV4Auth(service={self._service!r}, region={self._region!r})"


def _whole_body(request: requests.PreparedRequest) -> bytes:
    """The body as the bytes that will be sent (text as UTF-8): SigV4 hashes the payload, so a stream or file
    that can be read only once is refused."""
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        encoded = body.encode("utf-8")
        request.body = encoded
        request.headers["Content-Length"] = str(len(encoded))
        return encoded
    if isinstance(body, bytes):
        return body
    raise InvalidInput("SigV4 signs the whole body: pass bytes, text, a form or JSON, not a stream or a file.")


def _canonical_query(url: str) -> str:
    """``url`` with its query written as SigV4 canonicalises it (RFC 3986 unreserved characters kept, all else
    percent-encoded: a space is %20, not ``+``), so that what is signed is exactly what is sent."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{quote(name, safe=_UNRESERVED)}={quote(value, safe=_UNRESERVED)}" for name, value in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
