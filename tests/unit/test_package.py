"""The package's top level: the facades on first use, nothing heavy at import."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_importing_the_package_loads_no_facade_and_no_sdk() -> None:
    code = (
        "import sys, aws_client_auth; "
        "heavy = [m for m in ('aws_client_auth.entrypoints.scripting', 'boto3', 'botocore', 'requests', "
        "'dependency_injector') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_facades_are_there_on_first_use() -> None:
    import aws_client_auth
    from aws_client_auth.entrypoints.aio import AsyncClientAuth
    from aws_client_auth.entrypoints.scripting import ClientAuth

    assert aws_client_auth.ClientAuth is ClientAuth
    assert aws_client_auth.AsyncClientAuth is AsyncClientAuth
    with pytest.raises(AttributeError, match="no attribute 'Sessions'"):
        _ = aws_client_auth.Sessions
