"""The Cognito clients talk to the configured endpoint only: botocore's own endpoint settings would bypass the
check that the configuration's endpoint is https (or http to this machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws_client_auth.adapters.aws_sdk import unsigned_client


def test_botocore_endpoint_variables_and_config_files_are_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[default]\nendpoint_url = http://attacker.example\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://attacker.example")
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "http://attacker.example")
    client = unsigned_client("cognito-idp", region="eu-west-1", endpoint_url="", timeout=5, max_attempts=1)
    assert client.meta.endpoint_url == "https://cognito-idp.eu-west-1.amazonaws.com"


def test_the_configured_endpoint_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY", "http://attacker.example")
    client = unsigned_client(
        "cognito-identity", region="eu-west-1", endpoint_url="http://127.0.0.1:5000", timeout=5, max_attempts=1
    )
    assert client.meta.endpoint_url == "http://127.0.0.1:5000"
