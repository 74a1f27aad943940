"""The light paths: ``client-auth credentials --format process`` (the AWS CLI runs it for every command) and the
stored session that ``status`` shows.

They read the file store with the settings loader and the store alone: no boto3, requests or dependency-injector
import. Anything else (other options, another backend, stale or missing credentials) returns None and the full
CLI runs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_client_auth.domain.session import Session

_GLOBAL_WITH_VALUE = {"--config", "--profile", "--o3de-project"}
_GLOBAL_FLAGS = {"--json"}  # the process answer is JSON either way; -v and --debug log, so the full CLI runs


def _parse(argv: list[str]) -> dict[str, list[str]] | None:
    """The global options with a value, wherever they are on the line (as the full CLI takes them), if the rest
    is exactly ``credentials --format process``; else None."""
    options: dict[str, list[str]] = {name: [] for name in _GLOBAL_WITH_VALUE}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _GLOBAL_WITH_VALUE:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            options[name].append(value)
        elif arg not in _GLOBAL_FLAGS:
            rest.append(arg)
        i += 1
    if rest not in (["credentials", "--format", "process"], ["credentials", "--format=process"]):
        return None
    return options


def cached_process_credentials(argv: list[str], environ: dict[str, str] | os._Environ[str]) -> str | None:
    options = _parse(argv)
    if options is None:
        return None
    from aws_client_auth.adapters.aws_sdk import (
        credential_process_json,  # light at import: boto3 is loaded only when used
    )
    from aws_client_auth.adapters.settings.loader import load_settings
    from aws_client_auth.adapters.stores.file import FileSessionStore
    from aws_client_auth.domain.errors import ClientAuthError
    from aws_client_auth.entrypoints.environment import (
        ENV_O3DE_PROJECT,
        profile_name,
        session_home,
        session_scope,
    )

    try:
        o3de = options["--o3de-project"][-1] if options["--o3de-project"] else environ.get(ENV_O3DE_PROJECT) or None
        settings = load_settings(options["--config"], environ=environ, o3de_project=o3de)
        if settings.get("storage", "backend") != "file":
            return None
        profile = profile_name(options["--profile"][-1] if options["--profile"] else None, environ)
        session = FileSessionStore(session_home(settings, environ), profile, session_scope(settings)).load()
    except ClientAuthError:
        return None  # the full CLI reports it properly
    creds = session.cached_credentials(datetime.now(UTC))  # the credential service's rule, without the service
    return None if creds is None else json.dumps(credential_process_json(creds))


def stored_session(
    config: tuple[str, ...], profile: str | None, o3de_project: str | None, environ: Mapping[str, str]
) -> tuple[str, Session] | None:
    """The profile's name and its stored session for this configuration, read without the facade; None when the
    sessions are not in the file store, or hold tokens of a provider that is not built in and enabled (a plugin,
    or one no longer configured): the facade then answers. Errors are the facade's own, typed."""
    from aws_client_auth.adapters.settings.loader import load_settings
    from aws_client_auth.adapters.stores.file import FileSessionStore
    from aws_client_auth.entrypoints.environment import ENV_O3DE_PROJECT, profile_name, session_home, session_scope

    settings = load_settings(config, environ=environ, o3de_project=o3de_project or environ.get(ENV_O3DE_PROJECT))
    if settings.get("storage", "backend") != "file":
        return None
    name = profile_name(profile, environ)
    session = FileSessionStore(session_home(settings, environ), name, session_scope(settings)).load()
    return None if set(session.tokens) - settings.builtin_providers() else (name, session)


def try_fast_path() -> bool:
    answer = cached_process_credentials(sys.argv[1:], os.environ)
    if answer is None:
        return False
    sys.stdout.write(answer + "\n")
    return True
