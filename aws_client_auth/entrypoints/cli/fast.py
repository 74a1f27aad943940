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
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aws_client_auth.adapters.stores.file import FileSessionStore
    from aws_client_auth.domain.credentials import Credentials
    from aws_client_auth.domain.session import Session
    from aws_client_auth.domain.tokens import ProviderName, Tokens
    from aws_client_auth.entrypoints.cli.app import Cli

NO_FAST_PATH = "CLIENT_AUTH_NO_FAST_PATH"
"""Set (to anything but empty) to make every command take the full path: the tests compare the two answers."""

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
    if options is None or environ.get(NO_FAST_PATH):
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

    if environ.get(NO_FAST_PATH):
        return None
    settings = load_settings(config, environ=environ, o3de_project=o3de_project or environ.get(ENV_O3DE_PROJECT))
    if settings.get("storage", "backend") != "file":
        return None
    name = profile_name(profile, environ)
    session = FileSessionStore(session_home(settings, environ), name, session_scope(settings)).load()
    return None if set(session.tokens) - settings.builtin_providers() else (name, session)


class _Settings(Protocol):
    """What the light answers read of the loaded settings."""

    def get(self, section: str, key: str) -> Any: ...

    def builtin_providers(self) -> frozenset[str]: ...


class Light:
    """The file store of a command's configuration, for the commands that can answer from it alone: cached
    credentials, a fresh token, a sign-out that revokes nothing. Each answer is None whenever the full path
    might answer otherwise (another backend, an unreadable or missing session, a refresh or a revocation due):
    the facade then runs, and reports any error in its own words."""

    def __init__(
        self, config: tuple[str, ...], profile: str | None, o3de_project: str | None, environ: Mapping[str, str]
    ) -> None:
        self._config = config
        self._profile = profile
        self._o3de_project = o3de_project
        self._environ = environ

    @classmethod
    def of(cls, cli: Cli) -> Light:
        """For the running command's global options and this process's environment."""
        return cls(cli.config, cli.profile, cli.o3de_project, os.environ)

    def _store(self) -> tuple[_Settings, FileSessionStore] | None:
        from aws_client_auth.adapters.settings.loader import load_settings
        from aws_client_auth.adapters.stores.file import FileSessionStore
        from aws_client_auth.entrypoints.environment import (
            ENV_O3DE_PROJECT,
            profile_name,
            session_home,
            session_scope,
        )

        environ = self._environ
        if environ.get(NO_FAST_PATH):
            return None
        project = self._o3de_project or environ.get(ENV_O3DE_PROJECT) or None
        settings = load_settings(self._config, environ=environ, o3de_project=project)
        if settings.get("storage", "backend") != "file":
            return None
        name = profile_name(self._profile, environ)
        return settings, FileSessionStore(session_home(settings, environ), name, session_scope(settings))

    def credentials(self) -> Credentials | None:
        """The cached credentials, when the credential service would hand them out without asking anyone."""
        from aws_client_auth.domain.errors import ClientAuthError

        try:
            found = self._store()
            if found is None:
                return None
            session = found[1].load()
        except ClientAuthError:
            return None
        return session.cached_credentials(datetime.now(UTC))

    def tokens(self, provider: str) -> Tokens | None:
        """The provider's tokens when no refresh is due (valid beyond the refresh skew), read under the store's
        lock as the token keeper reads them."""
        from datetime import timedelta

        from aws_client_auth.domain.errors import ClientAuthError
        from aws_client_auth.domain.tokens import ProviderName

        try:
            found = self._store()
            if found is None:
                return None
            settings, store = found
            with store.lock():
                tokens = store.load().tokens.get(ProviderName(provider))
        except ClientAuthError:
            return None
        skew = timedelta(seconds=settings.get("session", "refresh_skew_seconds"))
        return tokens if tokens is not None and tokens.is_valid(datetime.now(UTC), skew) else None

    def sign_out(self, provider: str | None) -> tuple[ProviderName, ...] | None:
        """A local sign-out (not global, not in the browser) that revokes nothing, done here: the names signed
        out of. None when a revocation would be tried (the user pool's refresh token, with ``revoke_on_sign_out``),
        when a provider is not a built-in one enabled by the settings (a plugin, or one no longer configured,
        which the facade reports), or when the provider is not signed in (the facade's error)."""
        from aws_client_auth.application.services.sessions import Sessions
        from aws_client_auth.domain.errors import ClientAuthError
        from aws_client_auth.domain.tokens import COGNITO, ProviderName

        try:
            found = self._store()
            if found is None:
                return None
            settings, store = found
            sessions = Sessions(store)
            with sessions.lock():  # held from the decision to the change, as the sign-out use case holds it
                session = sessions.load()
                if provider is None:
                    names = session.signed_in_providers
                else:
                    names = (ProviderName(provider),)
                    if names[0] not in session.tokens:
                        return None
                enabled = settings.builtin_providers()
                revoking = bool(settings.get("cognito", "revoke_on_sign_out"))
                for name in names:
                    if name not in enabled:
                        return None
                    if name == COGNITO and revoking and session.tokens[name].refresh_token is not None:
                        return None
                sessions.update(lambda stored: stored.without_providers(names))
        except ClientAuthError:
            return None
        return names


def try_fast_path() -> bool:
    answer = cached_process_credentials(sys.argv[1:], os.environ)
    if answer is None:
        return False
    sys.stdout.write(answer + "\n")
    return True
