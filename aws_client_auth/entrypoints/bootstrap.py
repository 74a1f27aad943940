"""Build the container from configuration and the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.settings.model import Settings
from aws_client_auth.entrypoints.container import Container
from aws_client_auth.entrypoints.environment import ENV_O3DE_PROJECT, profile_name, session_home, session_scope


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
    return container_for(settings, profile=profile_name(profile, env), home=session_home(settings, env))


def container_for(settings: Settings, *, profile: str = "default", home: Path | None = None) -> Container:
    container = Container()
    container.settings.override(settings)
    container.profile.override(profile)
    container.home.override(home)
    container.scope.override(session_scope(settings))
    return container
