"""Build the container from configuration: the one place that reads the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapters.settings.loader import load_settings
from adapters.settings.model import Settings
from entrypoints.container import Container

ENV_HOME = "CLIENT_AUTH_HOME"
ENV_PROFILE = "CLIENT_AUTH_PROFILE"
ENV_O3DE_PROJECT = "CLIENT_AUTH_O3DE_PROJECT"
APP_NAME = "aws-client-auth"


def session_home(settings: Settings, environ: Mapping[str, str]) -> Path:
    """``[storage] path``, else CLIENT_AUTH_HOME, else the platform's user data directory."""
    configured = settings.get("storage", "path") or environ.get(ENV_HOME)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def build_container(
    *config_paths: str | os.PathLike[str],
    profile: str | None = None,
    o3de_project: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Container:
    env = os.environ if environ is None else environ
    project = o3de_project if o3de_project is not None else env.get(ENV_O3DE_PROJECT) or None
    settings = load_settings(config_paths, environ=env, o3de_project=project, overrides=overrides)
    return container_for(
        settings, profile=profile or env.get(ENV_PROFILE) or "default", home=session_home(settings, env)
    )


def container_for(settings: Settings, *, profile: str = "default", home: Path | None = None) -> Container:
    container = Container()
    container.config.from_dict(settings.as_config())
    container.profile.override(profile)
    container.home.override(home)
    return container
