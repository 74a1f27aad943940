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

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aws_client_auth.adapters.named import describe, load_named
from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.domain.errors import ClientAuthError, ConfigurationError
from aws_client_auth.domain.text import clean

GROUP = "aws_client_auth.authenticators"
DEFAULT = "fido2"
SETTING = "[passkeys] authenticator"

Notify = Callable[[str], None]
AuthenticatorFactory = Callable[[Mapping[str, str], Notify], Authenticator]

log = logging.getLogger(__name__)


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
    else:
        factory = load_named(chosen, group=GROUP, setting=SETTING, what="authenticator", builtin=(DEFAULT,))
    try:
        authenticator = factory(options, notify)
    except ClientAuthError:
        raise
    except Exception as error:
        raise ConfigurationError(
            f"The authenticator {clean(chosen, 120)!r} ({SETTING}) could not be set up: {describe(error)}."
        ) from error
    if not callable(getattr(authenticator, "create_credential", None)) or not callable(
        getattr(authenticator, "get_assertion", None)
    ):
        raise ConfigurationError(
            f"The authenticator {clean(chosen, 120)!r} ({SETTING}) is not one: its factory returned an object "
            "without create_credential and get_assertion."
        )
    return authenticator  # type: ignore[no-any-return]
