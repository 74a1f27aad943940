"""The process environment the entrypoints read, in one light module (no SDK, no DI framework)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from aws_client_auth.adapters.settings.model import Settings

ENV_HOME = "CLIENT_AUTH_HOME"
ENV_PROFILE = "CLIENT_AUTH_PROFILE"
ENV_O3DE_PROJECT = "CLIENT_AUTH_O3DE_PROJECT"
APP_NAME = "aws-client-auth"


def session_home(settings: Settings, environ: Mapping[str, str]) -> Path:
    """``[storage] path``, else CLIENT_AUTH_HOME, else the platform's user data directory."""
    configured = settings.get("storage", "path") or environ.get(ENV_HOME)
    if configured:
        return Path(configured).expanduser()
    return user_data_dir(environ)


def user_data_dir(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    """platformdirs' user data folder for this application. On Linux and macOS it is worked out here, as
    platformdirs does (the XDG rule; ~/Library/Application Support), because the credential_process path runs
    for every AWS CLI command and importing platformdirs costs it a sixth of its time; elsewhere platformdirs."""
    if platform.startswith("linux"):
        base = environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return Path(base) / APP_NAME
    if platform == "darwin":
        return Path(os.path.expanduser("~/Library/Application Support")) / APP_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def session_scope(settings: Settings) -> str:
    """Which sessions of a profile this configuration may use: those made with the same user pool, app client,
    identity pool and endpoint. Another configuration on the same profile has its own session there."""
    parts = (
        settings.get("cognito", "user_pool_id") or "-",
        settings.get("cognito", "app_client_id") or "-",
        settings.get("cognito", "identity_pool_id") or "-",
    )
    endpoint = settings.get("aws", "endpoint_url")
    return "/".join(parts) + (f"@{endpoint}" if endpoint else "")


def profile_name(explicit: str | None, environ: Mapping[str, str]) -> str:
    return explicit or environ.get(ENV_PROFILE) or "default"


def check_profile_name(name: str) -> str:
    """The file store's rule for a profile name (the name becomes a file name); InvalidInput if it breaks it."""
    from aws_client_auth.adapters.stores.file import check_profile

    return check_profile(name)
