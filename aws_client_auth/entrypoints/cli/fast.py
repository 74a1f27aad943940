"""The light paths: ``client-auth credentials --format process`` (the AWS CLI runs it for every command), and the
stored session that ``status``, ``token``, ``credentials`` and a local ``sign-out`` answer from.

``credentials --format process`` is read with the standard library alone, before click or any other module of
the package is imported: a pre-reader of the settings (TOML files, CLIENT_AUTH_* variables, the profile, the
session folder) and of the session file, under the file store's safety rules and the credential service's
freshness rule. Whatever it does not recognise (an O3DE project, a JSON file, another backend, a value it cannot
vouch for, a version-1 or corrupt file, credentials due for a refresh) returns None, and the full CLI runs. The
other light answers read the file store through the settings loader and the store: no boto3, requests or
dependency-injector import.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from aws_client_auth.adapters.json_limits import SESSION_MAX_BYTES, SESSION_MAX_DEPTH, too_deep  # stdlib only

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


def cached_process_credentials(argv: list[str], environ: Mapping[str, str]) -> str | None:
    """The ``credential_process`` answer read with the standard library alone, or None for the full CLI.

    The settings, the session file and the freshness rule are read as the full path reads them (a pre-reader of
    the common case, see :func:`process_settings`, :func:`read_session_entry` and :func:`fresh_credentials`):
    anything they do not recognise, or recognise as broken, is the full path's to answer or report.
    """
    options = _parse(argv)
    if options is None or environ.get(NO_FAST_PATH):
        return None
    found = process_settings(options["--config"], options["--profile"], options["--o3de-project"], environ)
    if found is None:
        return None
    entry = read_session_entry(found[0], found[1])
    if entry is None:
        return None
    answer = fresh_credentials(entry, datetime.now(UTC))
    return None if answer is None else json.dumps(answer)


# --- the standard-library pre-reader of the settings, the session file and the freshness rule -----------------
# What each mirrors is named. tests/integration/test_fast_path_freshness.py holds them to the full path's answers
# (codec.decode and Session.cached_credentials, load_settings and session_home) on tables and generated sessions,
# and tests/e2e/test_fast_process_stdlib.py compares whole runs with CLIENT_AUTH_NO_FAST_PATH's.

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_ENV_PREFIX = "CLIENT_AUTH_"
_ENV_CONFIG = "CLIENT_AUTH_CONFIG"
_ENV_HOME = "CLIENT_AUTH_HOME"
_ENV_PROFILE = "CLIENT_AUTH_PROFILE"
_ENV_O3DE_PROJECT = "CLIENT_AUTH_O3DE_PROJECT"
_APP_NAME = "aws-client-auth"
_PROFILE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"  # adapters.stores.file._PROFILE
_PROVIDER = r"^[a-z][a-z0-9_-]{0,31}$"  # domain.tokens._PROVIDER
_LWA = "providers.login_with_amazon"
_GOOGLE = "providers.google"
_ANY = "any"
_UNSET = "unset"
"""Checks: _ANY (any value of the kind), _UNSET (only the default or empty: the full loader checks more, such as
URLs and their endpoint policy, so a set value sends the command to the full path), a regex, a tuple of choices,
a (low, high) range, or a callable."""


def plain_profile(name: str) -> bool:
    """Whether the file store takes ``name`` as a profile name (``check_profile``), checked without importing it."""
    import re

    return re.match(_PROFILE, name) is not None


def _pattern(regex: str) -> Callable[[Any], bool]:
    import re

    return lambda value: value == "" or re.match(regex, value) is not None


def _local_or_https_url(value: str) -> bool:
    """An endpoint URL both url_problem and the endpoint policy accept without a warning: https to a plain host
    name, or http(s) to this machine (localhost, 127.0.0.0/8, [::1]); anything else is the full loader's."""
    import re

    if value == "":
        return True
    match = re.fullmatch(r"(https?)://([A-Za-z0-9.-]+|\[::1\])(?::(\d{1,5}))?(/[A-Za-z0-9._~/-]*)?", value)
    if match is None or (match.group(3) is not None and int(match.group(3)) > 65535):
        return False
    host = match.group(2).lower()
    octet = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    local = host in ("localhost", "[::1]") or re.fullmatch(rf"127\.{octet}\.{octet}\.{octet}", host) is not None
    return local or (match.group(1) == "https" and any(c.isalpha() for c in host))


def _device_name(value: str) -> bool:
    return len(value) <= 64 and all(ch.isprintable() for ch in value)


_KEYS: dict[str, dict[str, tuple[type, Any, object]]] = {
    # section -> key -> (kind, default, check): adapters.settings.model.SCHEMA, the checks as strict or stricter
    "aws": {
        "region": (str, "us-west-2", r"^[a-z]{2}(-[a-z]+)+-\d+$"),
        "endpoint_url": (str, "", _local_or_https_url),
        "account_id": (str, "", r"^\d{12}$"),
    },
    "cognito": {
        "user_pool_id": (str, "", r"^[\w-]+_[0-9a-zA-Z]+$"),
        "app_client_id": (str, "", r"^[\w+]+$"),
        "app_client_secret": (str, "", _ANY),
        "identity_pool_id": (str, "", r"^[\w-]+:[0-9a-fA-F-]+$"),
        "auth_flow": (str, "USER_SRP_AUTH", ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")),
        "custom_challenge_answerer": (str, "", _ANY),
        "id_token_leeway_seconds": (int, 60, (0, 300)),
        "jwks_url": (str, "", _UNSET),
        "revoke_on_sign_out": (bool, True, _ANY),
        "domain": (str, "", _UNSET),
        "redirect_uri": (str, "", _UNSET),
        "scopes": (str, "", _UNSET),
        "device_name": (str, "", _device_name),
        "user_context_ip": (str, "", _UNSET),
    },
    "machine": {
        "client_id": (str, "", r"^[\w+]+$"),
        "client_secret": (str, "", _ANY),
        "scopes": (str, "", _UNSET),
        "token_url": (str, "", _UNSET),
    },
    _LWA: {
        "app_client_id": (str, "", _ANY),
        "oauth_code_url": (str, "https://api.amazon.com/auth/o2/create/codepair", _UNSET),
        "oauth_tokens_url": (str, "https://api.amazon.com/auth/o2/token", _UNSET),
        "scope": (str, "profile", _ANY),
    },
    _GOOGLE: {
        "app_client_id": (str, "", _ANY),
        "client_secret": (str, "", _ANY),
        "oauth_code_url": (str, "https://oauth2.googleapis.com/device/code", _UNSET),
        "oauth_tokens_url": (str, "https://oauth2.googleapis.com/token", _UNSET),
        "scope": (str, "openid email profile", _ANY),
    },
    "storage": {
        "backend": (str, "file", ("file", "keyring", "memory")),
        "path": (str, "", _ANY),
        "keyring_fallback_to_file": (bool, False, _ANY),
    },
    "session": {"refresh_skew_seconds": (int, 300, (0, 86_400))},
    "network": {
        "timeout_seconds": (float, 10.0, (0, 600)),
        "max_attempts": (int, 4, (1, 10)),
        "allow_insecure_http": (bool, False, _ANY),
        "allow_custom_provider_urls": (bool, False, _ANY),
    },
}


class _Unknown(Exception):
    """Something the pre-reader does not recognise, or recognises as broken: the full path answers."""


def _accepted(section: str, name: str, value: Any) -> Any:
    """``value`` as the loader keeps it (``_checked``), or _Unknown."""
    found = _KEYS.get(section, {}).get(name)
    if found is None:
        raise _Unknown
    kind, default, check = found
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _Unknown
    if check is _ANY:
        ok = True
    elif check is _UNSET:
        ok = value in ("", default)
    elif isinstance(check, str):
        ok = _pattern(check)(value)
    elif isinstance(check, tuple) and isinstance(check[0], str):
        ok = value in check
    elif isinstance(check, tuple):
        low, high = check
        ok = (low < value <= high) if kind is float else (low <= value <= high)
    else:
        ok = bool(check(value))  # type: ignore[operator]
    if not ok:
        raise _Unknown
    return value


def _from_text(section: str, name: str, text: str) -> Any:
    """An environment variable's value as the loader types it (``_from_text``)."""
    found = _KEYS.get(section, {}).get(name)
    if found is None:
        raise _Unknown
    kind = found[0]
    if kind is str:
        return text
    if kind is bool:
        if text.lower() not in _TRUE | _FALSE:
            raise _Unknown
        return text.lower() in _TRUE
    try:
        return kind(text)
    except ValueError:
        raise _Unknown from None


def _toml_layer(path: str) -> dict[str, dict[str, Any]]:
    """A TOML settings file (``read_file``, ``parse_text``, ``_toml_layer``); JSON (O3DE) files are not read here."""
    try:
        with open(path, encoding="utf-8") as file:  # as Path.read_text: universal newlines
            text = file.read()
    except (OSError, UnicodeDecodeError, ValueError):
        raise _Unknown from None
    if text.lstrip().startswith("{"):
        raise _Unknown
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise _Unknown from None
    layer: dict[str, dict[str, Any]] = {}
    for section, keys in data.items():
        if not isinstance(keys, dict):
            raise _Unknown
        if section == "providers":
            for name, provider_keys in keys.items():
                if not isinstance(provider_keys, dict):
                    raise _Unknown
                layer[f"providers.{name}"] = dict(provider_keys)
        else:
            layer[section] = dict(keys)
    return layer


def _metadata_ok(table: Any) -> bool:
    """``[cognito.client_metadata]`` as ``client_metadata`` accepts it."""
    return (
        isinstance(table, dict)
        and len(table) <= 50
        and all(isinstance(v, str) and 0 < len(k) <= 1024 and len(v) <= 1024 for k, v in table.items())
    )


def process_settings(
    config: list[str], profiles: list[str], o3de: list[str], environ: Mapping[str, str]
) -> tuple[str, str] | None:
    """The session file and the scope the full path would read for these global options and environment, as
    ``load_settings``, ``session_home``, ``session_scope`` and ``profile_name`` work them out; None for anything
    this pre-reader leaves to them (an O3DE project, a JSON file, another backend, a value it cannot vouch for)."""
    found = pre_read_settings(config, profiles, o3de, environ)
    return None if found is None else (os.path.join(found.home, f"{found.profile}.json"), found.scope)


class PreRead(NamedTuple):
    values: dict[str, dict[str, Any]]
    """Every key of the sections the pre-reader knows, as ``Settings.values`` holds them (secrets unwrapped)."""
    home: str
    profile: str
    scope: str

    def get(self, section: str, key: str) -> Any:
        """``Settings.get`` (a secret is its plain text here)."""
        return self.values[section][key]

    def builtin_providers(self) -> frozenset[str]:
        """``Settings.builtin_providers``."""
        lwa, google, cognito = self.values[_LWA], self.values[_GOOGLE], self.values["cognito"]
        enabled = {
            "cognito": bool(cognito["user_pool_id"] and cognito["app_client_id"]),
            "lwa": bool(lwa["app_client_id"]),
            "google": bool(google["app_client_id"] and google["client_secret"]),
        }
        return frozenset(name for name, on in enabled.items() if on)


def pre_read_settings(
    config: list[str], profiles: list[str], o3de: list[str], environ: Mapping[str, str]
) -> PreRead | None:
    """The settings, session folder, profile and scope (see :func:`process_settings`), or None."""
    if o3de or _ENV_O3DE_PROJECT in environ:
        return None
    import re

    try:
        files = config or [p for p in environ.get(_ENV_CONFIG, "").split(os.pathsep) if p]
        values = _merged([*(_toml_layer(path) for path in files), _environment_layer(environ)])
    except _Unknown:
        return None
    if values["storage"]["backend"] != "file":
        return None
    profile = (profiles[-1] if profiles else None) or environ.get(_ENV_PROFILE) or "default"
    if (profiles and not re.match(_PROFILE, profiles[-1])) or not re.match(_PROFILE, profile):
        return None
    home = _session_home(values["storage"]["path"], environ)
    if home is None:
        return None
    cognito = values["cognito"]
    scope = "/".join(cognito[key] or "-" for key in ("user_pool_id", "app_client_id", "identity_pool_id"))
    endpoint = values["aws"]["endpoint_url"]
    return PreRead(values, home, profile, scope + (f"@{endpoint}" if endpoint else ""))


def _environment_layer(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``read_environment``: the AWS variables, then CLIENT_AUTH_<SECTION>__<KEY>."""
    layer: dict[str, dict[str, Any]] = {}
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        layer.setdefault("aws", {})["region"] = region
    if environ.get("AWS_ENDPOINT_URL"):
        layer.setdefault("aws", {})["endpoint_url"] = environ["AWS_ENDPOINT_URL"]
    for variable, text in environ.items():
        if not variable.startswith(_ENV_PREFIX) or "__" not in variable:
            continue
        *sections, name = variable.removeprefix(_ENV_PREFIX).lower().split("__")
        section = ".".join(sections)
        layer.setdefault(section, {})[name] = _from_text(section, name, text)
    return layer


def _merged(layers: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The defaults, then each layer's values, each checked as ``load_settings`` checks it (later layers win)."""
    values = {section: {name: key[1] for name, key in keys.items()} for section, keys in _KEYS.items()}
    for layer in layers:
        for section, keys in layer.items():
            for name, raw in keys.items():
                if section == "cognito" and name == "client_metadata":
                    _require(_metadata_ok(raw))
                elif section == "passkeys":
                    _require(isinstance(raw, str))
                else:
                    values[section][name] = _accepted(section, name, raw)
    return values


def _session_home(configured: str, environ: Mapping[str, str]) -> str | None:
    """``environment.session_home`` and ``user_data_dir`` on Linux and macOS; None elsewhere (platformdirs)."""
    configured = configured or environ.get(_ENV_HOME, "")
    if configured:
        home = os.path.expanduser(configured)
        return None if home.startswith("~") else home
    if sys.platform.startswith("linux"):
        base = environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        return None
    return None if base.startswith("~") else os.path.join(base, _APP_NAME)


def read_session_entry(path: str, scope: str) -> dict[str, Any] | None:
    """The scope's entry of the profile's session file, read under the file store's rules (``load``,
    ``check_directory``, ``read_own_file``, ``too_deep``, ``codec.read_scoped``); None when the store would find
    no session, refuse the folder or the file, or call it corrupt or of version 1."""
    data = _read_own(path)
    if data is None or len(data) > SESSION_MAX_BYTES:
        return None
    try:
        text = data.decode("utf-8")
        if too_deep(text, SESSION_MAX_DEPTH):
            return None
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("version") == 1 or document.get("version") != 2:
        return None
    sessions = document.get("sessions")
    entry = sessions.get(scope) if isinstance(sessions, dict) else None
    return entry if isinstance(entry, dict) else None


def _read_own(path: str) -> bytes | None:
    """At most one byte more than the store's cap, when the folder passes ``check_directory`` and the file
    ``read_own_file`` (no symbolic link, a regular file of this user); None otherwise."""
    import stat

    uid: int | None = getattr(os, "geteuid", lambda: None)()  # None on Windows (ACLs): the full path reads it
    try:
        folder = os.stat(os.path.dirname(path) or ".") if uid is not None else None
    except OSError:
        return None
    if folder is None or not stat.S_ISDIR(folder.st_mode) or folder.st_uid != uid or folder.st_mode & 0o022:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= SESSION_MAX_BYTES:
            chunk = os.read(fd, SESSION_MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _single_session_file(path: str) -> bool:
    """Whether ``path`` holds a version-1 document (what :func:`read_session_entry` leaves to the codec)."""
    data = _read_own(path)
    try:
        document = (
            json.loads(data) if data is not None and not too_deep(data.decode("utf-8"), SESSION_MAX_DEPTH) else None
        )
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("version") == 1


_ENTRY_KEYS = {
    "tokens",
    "pending",
    "authenticated_identity_id",
    "guest_identity_id",
    "credentials",
    "linked_logins",
    "devices",
}
_TOKEN_KEYS = {"access_token", "id_token", "refresh_token", "expires_at", "username", "subject", "device"}
_DEVICE_KEYS = {"key", "group_key", "password", "remembered"}
_CREDENTIAL_KEYS = {
    "access_key_id",
    "secret_key",
    "session_token",
    "expiration",
    "identity_id",
    "authenticated",
    "issued_at",
}


def fresh_credentials(entry: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """The ``credential_process`` answer (``aws_sdk.credential_process_json``) for a stored session entry, when
    ``Session.cached_credentials(now)`` of the decoded entry (``codec.decode``) would hand its credentials out;
    None when it would not, or when the entry is not exactly what this version of the codec writes (a field
    it does not know, a pending step, a value the decoder might refuse)."""
    fresh = _fresh(entry, now)
    if fresh is None:
        return None
    creds, expiration, _ = fresh
    return {
        "Version": 1,
        "AccessKeyId": creds["access_key_id"],
        "SecretAccessKey": creds["secret_key"],
        "SessionToken": creds["session_token"],
        "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _fresh(entry: dict[str, Any], now: datetime) -> tuple[dict[str, Any], datetime, datetime | None] | None:
    """The stored credentials, their expiration and issue time (UTC), when :func:`fresh_credentials` serves them."""
    try:
        if set(entry) - _ENTRY_KEYS or entry.get("pending") is not None or "tokens" not in entry:
            raise _Unknown
        tokens = entry["tokens"]
        _require(isinstance(tokens, dict))
        for name, stored in tokens.items():
            _check_tokens(name, stored)
        for key in ("authenticated_identity_id", "guest_identity_id"):
            _require(entry.get(key) is None or isinstance(entry[key], str))
        _require(isinstance(entry.get("linked_logins", []), list))
        devices = entry.get("devices", {})
        _require(isinstance(devices, dict) and all(_device_ok(d) for d in devices.values()))
        creds: dict[str, Any] = entry.get("credentials") or {}
        _require(isinstance(creds, dict) and bool(creds) and not set(creds) - _CREDENTIAL_KEYS)
        for key in ("access_key_id", "secret_key", "session_token", "identity_id"):
            _require(isinstance(creds.get(key), str))
        _require(isinstance(creds.get("authenticated"), bool))
        expiration = _utc(creds.get("expiration"))
        issued_text = creds.get("issued_at")
        _require(issued_text is None or isinstance(issued_text, str))
        issued = _utc(issued_text) if issued_text else None
        now = _as_utc(now)
    except _Unknown:
        return None
    # Session.cached_credentials, with Credentials.is_fresh
    if creds["authenticated"] != bool(tokens):
        return None
    lifetime = timedelta(hours=1) if issued is None or issued >= expiration else expiration - issued
    if not expiration - now > min(timedelta(minutes=15), lifetime / 4):
        return None
    return creds, expiration, issued


def _require(condition: bool) -> None:
    if not condition:
        raise _Unknown


def _as_utc(moment: datetime) -> datetime:
    _require(moment.tzinfo is not None and moment.utcoffset() is not None)
    return moment.astimezone(UTC)


def _utc(text: Any) -> datetime:
    """``codec._time`` then ``as_utc``."""
    _require(isinstance(text, str))
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise _Unknown from None


def _check_tokens(name: Any, stored: Any) -> None:
    """``codec._read_tokens`` would decode these (``ProviderName``, ``Tokens``)."""
    import re

    _require(isinstance(name, str) and re.match(_PROVIDER, name) is not None)
    _require(isinstance(stored, dict) and not set(stored) - _TOKEN_KEYS and isinstance(stored.get("access_token"), str))
    for key in ("id_token", "refresh_token", "username", "subject"):
        _require(stored.get(key) is None or isinstance(stored[key], str))
    _utc(stored.get("expires_at"))
    _require(stored.get("device") is None or _device_ok(stored["device"]))


def _device_ok(device: Any) -> bool:
    """``codec._read_device`` would decode it into a ``RememberedDevice`` (its key printable ASCII, no space)."""
    if not isinstance(device, dict) or set(device) - _DEVICE_KEYS:
        return False
    key = device.get("key")
    return (
        isinstance(device.get("remembered", False), bool)
        and isinstance(key, str)
        and bool(key)
        and all("!" <= ch <= "~" for ch in key)
        and isinstance(device.get("group_key"), str)
        and isinstance(device.get("password"), str)
    )


def stored_session(
    config: tuple[str, ...], profile: str | None, o3de_project: str | None, environ: Mapping[str, str]
) -> tuple[str, Session] | None:
    """The profile's name and its stored session for this configuration, read without the facade; None when the
    sessions are not in the file store, or hold tokens of a provider that is not built in and enabled (a plugin,
    or one no longer configured): the facade then answers. Errors are the facade's own, typed."""
    from aws_client_auth.adapters.stores.file import FileSessionStore

    if environ.get(NO_FAST_PATH):
        return None
    profiles = [profile] if profile is not None else []
    quick = pre_read_settings(list(config), profiles, [o3de_project] if o3de_project else [], environ)
    enabled: frozenset[str]
    if quick is not None:  # the settings read without the loader, where the pre-reader vouches for them
        from pathlib import Path

        name = quick.profile
        store = FileSessionStore(Path(quick.home), name, quick.scope)
        enabled = quick.builtin_providers()
    else:
        from aws_client_auth.adapters.settings.loader import load_settings
        from aws_client_auth.entrypoints.environment import ENV_O3DE_PROJECT, profile_name, session_home, session_scope

        project = o3de_project or environ.get(ENV_O3DE_PROJECT)
        settings = load_settings(config, environ=environ, o3de_project=project)
        if settings.get("storage", "backend") != "file":
            return None
        name = profile_name(profile, environ)
        store = FileSessionStore(session_home(settings, environ), name, session_scope(settings))
        enabled = settings.builtin_providers()
    if _single_session_file(str(store.path)):
        return None  # the codec logs its verdict on a version-1 file: once, on the full path
    session = store.load()
    return None if set(session.tokens) - enabled else (name, session)


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
        """The settings (pre-read where the pre-reader vouches for them, else loaded) and the file store."""
        from aws_client_auth.adapters.stores.file import FileSessionStore

        environ = self._environ
        if environ.get(NO_FAST_PATH):
            return None
        profiles = [self._profile] if self._profile is not None else []
        projects = [self._o3de_project] if self._o3de_project else []
        quick = pre_read_settings(list(self._config), profiles, projects, environ)
        settings: _Settings
        if quick is not None:
            from pathlib import Path

            settings, store = quick, FileSessionStore(Path(quick.home), quick.profile, quick.scope)
        else:
            from aws_client_auth.adapters.settings.loader import load_settings
            from aws_client_auth.entrypoints.environment import (
                ENV_O3DE_PROJECT,
                profile_name,
                session_home,
                session_scope,
            )

            project = self._o3de_project or environ.get(ENV_O3DE_PROJECT) or None
            loaded = load_settings(self._config, environ=environ, o3de_project=project)
            if loaded.get("storage", "backend") != "file":
                return None
            name = profile_name(self._profile, environ)
            settings, store = loaded, FileSessionStore(session_home(loaded, environ), name, session_scope(loaded))
        # A version-1 file is the codec's to judge, and it logs its verdict: once, on the full path, not twice.
        return None if _single_session_file(str(store.path)) else (settings, store)

    def credentials(self) -> Credentials | None:
        """The cached credentials, when the credential service would hand them out without asking anyone: read by
        the standard-library reader of credential_process where it can vouch for them, else through the store."""
        from aws_client_auth.domain.errors import ClientAuthError

        quick = self._read_quickly()
        if quick is not None:
            return quick
        try:
            found = self._store()
            if found is None:
                return None
            session = found[1].load()
        except ClientAuthError:
            return None
        return session.cached_credentials(datetime.now(UTC))

    def _read_quickly(self) -> Credentials | None:
        """:func:`fresh_credentials`' reading, as the domain's Credentials (what ``codec`` would decode)."""
        if self._environ.get(NO_FAST_PATH):
            return None
        profiles = [self._profile] if self._profile is not None else []
        projects = [self._o3de_project] if self._o3de_project is not None else []
        found = process_settings(list(self._config), profiles, projects, self._environ)
        entry = None if found is None else read_session_entry(*found)
        fresh = None if entry is None else _fresh(entry, datetime.now(UTC))
        if fresh is None:
            return None
        from aws_client_auth.domain.credentials import Credentials
        from aws_client_auth.domain.secret import Secret

        creds, expiration, issued = fresh
        secret, token = Secret(creds["secret_key"]), Secret(creds["session_token"])
        return Credentials(
            creds["access_key_id"], secret, token, expiration, creds["identity_id"], creds["authenticated"], issued
        )

    def tokens(self, provider: str) -> Tokens | None:
        """The provider's tokens when no refresh is due (valid beyond the refresh skew), read under the store's
        lock as the token keeper reads them."""
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
