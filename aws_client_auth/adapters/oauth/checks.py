"""What a provider sends is data: each field of a device-code or token answer is checked where it enters the
program, before anything is stored or shown.

A hostile or broken provider sent terminal escape sequences as its verification URL (the terminal showed a
forged one), a 5 MB user code (stored in the session) and intervals of 1e8 seconds (the client slept past the
code's expiry). Strings that are shown must be short and plain, URIs must be ``https`` (plain ``http`` only
to this computer, for local test servers) and numbers are kept within sane bounds.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.errors import ServiceError
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.text import LIMIT, clean

OAUTH_ERRORS: Final = frozenset(
    {
        # RFC 6749, sections 4.1.2.1 and 5.2
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "unsupported_response_type",
        "invalid_scope",
        "access_denied",
        "server_error",
        "temporarily_unavailable",
        # RFC 8628, section 3.5
        "authorization_pending",
        "slow_down",
        "expired_token",
    }
)
"""The registered error codes: branched on, so never altered by cleaning."""

MAX_USER_CODE: Final = 64
MAX_URI: Final = 2048
MAX_DEVICE_CODE: Final = 4096
MAX_ERROR_CODE: Final = 100
"""Characters of an OAuth ``error`` code kept (RFC 6749 codes are a few words joined by underscores)."""

_USER_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")
_PRINTABLE_ASCII: Final = re.compile(r"[!-~]+")
"""A URI as RFC 3986 writes it (non-ASCII percent-encoded), and a device code as RFC 6749 allows it."""
_UNCUT: Final = 4096
"""Characters kept while escape sequences are removed, before redaction: enough to find every secret a short
message could hold, few enough to bound the work on a megabyte of text."""


def user_code(value: object, provider: str) -> str:
    """The code the user types: short, letters and digits (with ``-``, ``.``, ``_`` or spaces between)."""
    if not isinstance(value, str) or len(value) > MAX_USER_CODE or not _USER_CODE.fullmatch(value):
        raise ServiceError(
            f"{provider} sent a user code that is not a short code of letters and digits (at most "
            f"{MAX_USER_CODE}): it is not shown, and the sign-in stops."
        )
    return value


def device_code(value: object, provider: str) -> Secret:
    """The secret the client polls with: sent in every poll and kept in the session, so bounded too."""
    if not isinstance(value, str) or len(value) > MAX_DEVICE_CODE or not _PRINTABLE_ASCII.fullmatch(value):
        raise ServiceError(
            f"{provider} sent a device code this client cannot use (empty, longer than {MAX_DEVICE_CODE} "
            f"characters, or not printable ASCII): the sign-in stops."
        )
    return Secret(value)


def verification_uri(value: object, provider: str) -> str:
    """A URL the user is told to open: it must parse, name a host, and be ``https`` (or ``http`` to this
    computer). A URL with user info (``https://google.com@evil.example``) is refused: it reads as another host.
    """
    problem = _uri_problem(value) if isinstance(value, str) else "is not text"
    if problem is not None:
        raise ServiceError(
            f"{provider} sent a verification URL that {problem}: it is not shown, and the sign-in stops."
        )
    return str(value)


def _uri_problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if len(value) > MAX_URI:
        return f"is longer than {MAX_URI} characters"
    if not _PRINTABLE_ASCII.fullmatch(value):
        return "holds spaces, control characters or escape sequences"
    return _url_problem(value)


def _url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port  # .port raises on a port that is not a number in range
    except ValueError:
        return "is not a URL"
    if not host or parts.scheme not in ("https", "http"):
        return "is not an http(s) URL with a host"
    if "@" in parts.netloc:
        return "holds user info before its host"
    if parts.scheme == "http" and not is_loopback(host):
        return "is plain http to another computer (https is required)"
    return None


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1: a server on this computer, where plain http crosses no network."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def seconds(data: Mapping[str, Any], key: str, *, default: float, low: float, high: float) -> float:
    """``data[key]`` as a number of seconds within ``[low, high]``.

    ``default`` when it is absent or not a finite positive number (a bool, a list, "soon", inf, nan, zero or
    less, an integer too large for a float): a broken answer gets the protocol's default, not an error.
    """
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return default
    if not math.isfinite(number) or number <= 0:
        return default
    return min(max(number, low), high)


def said(value: object, limit: int = LIMIT) -> str | None:
    """What a provider said (``error``, ``error_description``), fit for a message: escape sequences and control
    characters out first (so that a secret split by one is whole again), then every secret this process holds
    and any token-like run masked, then capped at ``limit`` characters. None when it said nothing."""
    if value is None or value == "":
        return None
    return clean(redact(clean(value, _UNCUT)), limit) or None


def error_code(value: object) -> str | None:
    """An OAuth ``error`` code to branch on and to show: one of the registered codes exactly as sent (cleaning
    could otherwise mask one that holds a short secret's value), anything else cleaned like a description."""
    if isinstance(value, str) and value in OAUTH_ERRORS:
        return value
    return said(value, MAX_ERROR_CODE)
