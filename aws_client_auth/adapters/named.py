"""Code a configuration names: an installed package's entry point, or ``package.module:attribute`` imported by
path. Whatever goes wrong while loading is a ConfigurationError naming the setting and the cause, never a
traceback (the configuration file is trusted as ``~/.aws/config``'s ``credential_process`` is: it names code)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from importlib import metadata
from typing import Any

from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.text import clean

_MODULE_PATH = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")


def load_named(name: str, *, group: str, setting: str, what: str, builtin: tuple[str, ...] = ()) -> Callable[..., Any]:
    """The callable ``name`` names: ``package.module:attribute``, or an entry point of ``group``."""
    return by_path(name, setting) if ":" in name else by_entry_point(name, group, setting, what, builtin)


def by_path(path: str, setting: str) -> Callable[..., Any]:
    shown = clean(path, 120)
    if not _MODULE_PATH.match(path):
        raise ConfigurationError(f"{setting} = {shown!r} is not of the form package.module:factory.")
    module_name, _, attribute = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigurationError(
            f"{setting} = {shown!r}: the module {module_name} could not be imported ({describe(error)}). "
            "Is its package installed in this environment?"
        ) from error
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ConfigurationError(f"{setting} = {shown!r}: {module_name} has no {attribute}.")
    if not callable(target):
        raise ConfigurationError(f"{setting} = {shown!r}: {attribute} is not callable.")
    return target  # type: ignore[no-any-return]


def by_entry_point(name: str, group: str, setting: str, what: str, builtin: tuple[str, ...] = ()) -> Callable[..., Any]:
    shown = clean(name, 120)
    found = [entry for entry in metadata.entry_points(group=group) if entry.name == name]
    if not found:
        installed = sorted({entry.name for entry in metadata.entry_points(group=group)} | set(builtin))
        choices = ", ".join(map(repr, installed))
        raise ConfigurationError(
            f"Unknown {what} {shown!r} ({setting}): use {f'one of {choices}, or ' if choices else ''}"
            "package.module:factory."
        )
    try:
        loaded = found[0].load()
    except Exception as error:
        raise ConfigurationError(f"The {what} {shown!r} ({setting}) could not be loaded: {describe(error)}.") from error
    if not callable(loaded):
        raise ConfigurationError(f"The {what} {shown!r} ({setting}) does not name a callable.")
    return loaded  # type: ignore[no-any-return]


def describe(error: BaseException) -> str:
    text = str(error)
    return clean(f"{type(error).__name__}: {text}" if text else type(error).__name__, 200)
