"""A value that must never be shown: passwords, tokens, secret keys, challenge sessions, device codes."""

from __future__ import annotations

import hmac
import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Final, final

MASK: Final = "**********"
_REMEMBERED: Final = 512
"""How many distinct secret values :func:`scrub` remembers (the most recent ones; tokens rotate)."""
_SHORTEST: Final = 3
"""Shorter values are not remembered: masking every "a" in a message would hide the message, not a secret."""


class _KnownSecrets:
    """The secret values this process holds or sent, most recent last, for redaction by value."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._longest_first: list[str] | None = []

    def remember(self, value: str) -> None:
        if len(value) < _SHORTEST:
            return
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            self._values[value] = None
            if len(self._values) > _REMEMBERED:
                self._values.popitem(last=False)
            self._longest_first = None

    def forget_all(self) -> None:
        with self._lock:
            self._values.clear()
            self._longest_first = []

    def longest_first(self) -> list[str]:
        with self._lock:
            if self._longest_first is None:
                self._longest_first = sorted(self._values, key=len, reverse=True)
            return self._longest_first


_known = _KnownSecrets()


def remember(value: str) -> None:
    """Registers a secret value so that :func:`scrub` masks it wherever it is echoed back."""
    _known.remember(value)


def forget_remembered() -> None:
    """Forgets every remembered value: for test suites that run many independent scenarios in one process (a value
    remembered by one, "refresh" say, would otherwise be masked in the next one's ordinary words)."""
    _known.forget_all()


def scrub(text: str) -> str:
    """``text`` with every secret value this process holds or sent replaced by the mask.

    Redaction by value: a service or proxy that echoes the password, a token or a device code in an error
    message is caught whatever the value looks like. Longest values first, so a secret containing another is
    masked whole.
    """
    for value in _known.longest_first():
        if value in text:
            text = text.replace(value, MASK)
    return text


@final
class Secret:
    """Holds a secret string; ``repr`` and ``str`` show only a mask. Call :meth:`reveal` at the boundary."""

    __slots__ = ("_value",)

    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        object.__setattr__(self, "_value", value)
        remember(value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


def scrub_except(text: str, revealed: Collection[str] = ()) -> str:
    """:func:`scrub` everywhere but in the ``revealed`` values, which are shown on purpose (the TOTP secret to copy,
    the credentials ``client-auth credentials`` exists to print)."""
    kept = sorted({value for value in revealed if value}, key=len, reverse=True)
    if not kept:
        return scrub(text)
    parts = re.split("(" + "|".join(map(re.escape, kept)) + ")", text)
    # re.split with one group alternates: text between revealed values, then a revealed value.
    return "".join(part if index % 2 else scrub(part) for index, part in enumerate(parts))
