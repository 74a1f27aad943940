"""Client metadata: key-value pairs a call hands to the provider's own code (Cognito's Lambda triggers: a game's
store ticket check, a sign-up validator). The configured pairs go with every call that takes them; a caller adds
its own for the calls made inside :func:`using` (this thread or task only)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from aws_client_auth.domain.errors import InvalidInput

MAX_PAIRS = 50
MAX_TEXT = 1024
_EMPTY: Mapping[str, str] = MappingProxyType({})
_current: ContextVar[Mapping[str, str]] = ContextVar("client_metadata", default=_EMPTY)


def current() -> Mapping[str, str]:
    """The pairs given by the callers of this call (innermost wins on a clash)."""
    return _current.get()


def checked(metadata: Mapping[str, str] | None) -> Mapping[str, str]:
    """``metadata`` as string pairs within the bounds, or InvalidInput saying what to fix (before any call)."""
    if not metadata:
        return _EMPTY
    if not isinstance(metadata, Mapping):
        raise InvalidInput("Client metadata must be a mapping of strings to strings.")
    if len(metadata) > MAX_PAIRS:
        raise InvalidInput(f"Client metadata has more than {MAX_PAIRS} keys.")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidInput("Client metadata keys and values must be strings.")
        if not key or len(key) > MAX_TEXT or len(value) > MAX_TEXT:
            raise InvalidInput(f"Client metadata keys and values must be 1 to {MAX_TEXT} characters.")
    return MappingProxyType(dict(metadata))


@contextmanager
def using(metadata: Mapping[str, str] | None) -> Iterator[None]:
    """Send ``metadata`` (on top of any an outer call gave) with the calls made inside."""
    pairs = checked(metadata)
    if not pairs:
        yield
        return
    token = _current.set(MappingProxyType({**_current.get(), **pairs}))
    try:
        yield
    finally:
        _current.reset(token)


def parse_pairs(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``KEY=VALUE`` words (a command line's ``--metadata``) as pairs; InvalidInput for a word without ``=``."""
    out: dict[str, str] = {}
    for number, pair in enumerate(pairs, 1):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():  # the word is not echoed: a value may be a ticket or a secret
            raise InvalidInput(f"Metadata item {number} is not KEY=VALUE.")
        out[key.strip()] = value
    return dict(checked(out))
