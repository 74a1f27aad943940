"""The session folder's default is platformdirs' user data folder, worked out without importing it where it can."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from aws_client_auth.entrypoints.environment import APP_NAME, user_data_dir


@pytest.mark.parametrize("xdg", [None, "", "  ", "/data/xdg"])
def test_linux_follows_platformdirs(monkeypatch: pytest.MonkeyPatch, xdg: str | None) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("platformdirs answers for this platform only")
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    import os

    expected = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert user_data_dir(dict(os.environ), "linux") == expected


def test_macos_and_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    assert user_data_dir({}, "darwin") == Path("/home/someone/Library/Application Support") / APP_NAME
    assert user_data_dir({}, "win32") == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
