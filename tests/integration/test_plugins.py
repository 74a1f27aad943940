"""Provider plugins found through the aws_client_auth.providers entry-point group."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from aws_client_auth.adapters.plugins import discover


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    """A distribution whose entry points name ``names``, installed the way pip would."""
    dist = tmp_path / "hijack-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hijack\nVersion: 1.0\n")
    lines = "".join(f"{name} = tests.plugin_provider:make_provider\n" for name in names)
    (dist / "entry_points.txt").write_text("[aws_client_auth.providers]\n" + lines)
    monkeypatch.syspath_prepend(str(tmp_path))


def test_a_plugin_cannot_take_a_built_in_providers_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    install(tmp_path, monkeypatch, ["cognito", "Google", "lwa", "login_with_amazon", "example"])
    with caplog.at_level(logging.WARNING):
        found = discover()
    assert "example" in found
    assert not {"cognito", "Google", "lwa", "login_with_amazon"} & set(found)
    assert sum("belongs to a built-in provider" in r.getMessage() for r in caplog.records) == 4
