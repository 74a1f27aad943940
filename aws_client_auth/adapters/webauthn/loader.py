"""The authenticator the configuration names (``[passkeys] authenticator``):

- ``"fido2"`` (the default): the built-in ``fido2`` adapter, a security key over USB or the Windows WebAuthn API;
- a name registered by an installed package in the ``aws_client_auth.authenticators`` entry-point group::

    [project.entry-points."aws_client_auth.authenticators"]
    my-key = "my_package.authenticator:make_authenticator"

- or ``"package.module:factory"``, imported by path.

A factory is called as ``factory(options, notify)``: ``options`` is the rest of the ``[passkeys]`` table (strings),
``notify`` shows a prompt to the user ("touch your key"). It returns an ``Authenticator``. The built-in adapter reads
``origin`` from the options (default ``https://<rp id>``).

Whatever goes wrong while loading is a ``ConfigurationError`` that names the setting and the cause, never a
traceback.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping
from functools import partial
from importlib import metadata
from typing import Any

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError
from aws_client_auth.domain.text import clean

GROUP = "aws_client_auth.authenticators"
DEFAULT = "fido2"
SETTING = "[passkeys] authenticator"

Notify = Callable[[str], None]
AuthenticatorFactory = Callable[[Mapping[str, str], Notify], Authenticator]

log = logging.getLogger(__name__)
_MODULE_PATH = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")


def fido2_factory(
    options: Mapping[str, str], notify: Notify, request_pin: Callable[[], str | None] | None = None
) -> Authenticator:
    from aws_client_auth.adapters.webauthn.fido2_authenticator import Fido2Authenticator

    return Fido2Authenticator(origin=options.get("origin") or None, notify=notify, request_pin=request_pin)


def load_authenticator(
    name: str,
    options: Mapping[str, str],
    notify: Notify,
    *,
    request_pin: Callable[[], str | None] | None = None,
) -> Authenticator:
    """The authenticator ``name`` selects, built with ``options`` and ``notify``. ``request_pin`` (asking the
    user for a security key's PIN, None when nobody can be asked) goes to the built-in adapter only."""
    chosen = (name or DEFAULT).strip()
    if chosen == DEFAULT:
        factory: Callable[..., Any] = partial(fido2_factory, request_pin=request_pin)
    elif ":" in chosen:
        factory = _by_path(chosen)
    else:
        factory = _by_entry_point(chosen)
    try:
        authenticator = factory(options, notify)
    except ClientAuthError:
        raise
    except Exception as error:
        raise ConfigurationError(
            f"The authenticator {clean(chosen, 120)!r} ({SETTING}) could not be set up: {_describe(error)}."
        ) from error
    if not callable(getattr(authenticator, "create_credential", None)) or not callable(
        getattr(authenticator, "get_assertion", None)
    ):
        raise ConfigurationError(
            f"The authenticator {clean(chosen, 120)!r} ({SETTING}) is not one: its factory returned an object "
            "without create_credential and get_assertion."
        )
    return authenticator  # type: ignore[no-any-return]


def _by_path(path: str) -> Callable[..., Any]:
    shown = clean(path, 120)
    if not _MODULE_PATH.match(path):
        raise ConfigurationError(f"{SETTING} = {shown!r} is not of the form package.module:factory.")
    module_name, _, attribute = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigurationError(
            f"{SETTING} = {shown!r}: the module {module_name} could not be imported ({_describe(error)}). "
            "Is its package installed in this environment?"
        ) from error
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ConfigurationError(f"{SETTING} = {shown!r}: {module_name} has no {attribute}.")
    if not callable(target):
        raise ConfigurationError(f"{SETTING} = {shown!r}: {attribute} is not callable.")
    return target  # type: ignore[no-any-return]


def _by_entry_point(name: str) -> Callable[..., Any]:
    shown = clean(name, 120)
    found = [entry for entry in metadata.entry_points(group=GROUP) if entry.name == name]
    if not found:
        installed = sorted({entry.name for entry in metadata.entry_points(group=GROUP)} | {DEFAULT})
        raise ConfigurationError(
            f"Unknown authenticator {shown!r} ({SETTING}): use one of {', '.join(map(repr, installed))}, "
            "or package.module:factory."
        )
    try:
        factory = found[0].load()
    except Exception as error:
        raise ConfigurationError(
            f"The authenticator {shown!r} ({SETTING}) could not be loaded: {_describe(error)}."
        ) from error
    if not callable(factory):
        raise ConfigurationError(f"The authenticator {shown!r} ({SETTING}) does not name a callable factory.")
    return factory  # type: ignore[no-any-return]


def _describe(error: BaseException) -> str:
    text = str(error)
    return clean(f"{type(error).__name__}: {text}" if text else type(error).__name__, 200)
