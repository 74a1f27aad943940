"""What the quick commands load: `--help`, `status` and a cached `credential_process` answer build no facade and
import neither the AWS SDK, requests nor the DI framework (speed is measured by tests/bench.py, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "boto3",
    "botocore",
    "requests",
    "dependency_injector",
    "aws_client_auth.entrypoints.container",
    "aws_client_auth.entrypoints.scripting",
)
RUN = """
import json, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["client-auth", *json.loads(sys.argv[1])]
from aws_client_auth.entrypoints.cli.main import main
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
print(json.dumps({"code": code, "heavy": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def loaded(args: list[str], home: Path) -> tuple[int, list[str]]:
    env = {**os.environ, "CLIENT_AUTH_HOME": str(home)}
    env.pop("CLIENT_AUTH_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(args), json.dumps(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["heavy"]


@pytest.mark.parametrize("args", [["--help"], ["status"], ["status", "--json"], ["sign-in", "--help"]])
def test_quick_commands_load_no_sdk_and_no_facade(tmp_path: Path, args: list[str]) -> None:
    code, heavy = loaded(args, tmp_path / "sessions")
    assert code in (0, None)
    assert heavy == []


def test_a_command_that_calls_a_service_does_load_them(tmp_path: Path) -> None:
    """The check above can fail: a command that needs the facade shows up in it."""
    _, heavy = loaded(["credentials"], tmp_path / "sessions")
    assert "aws_client_auth.entrypoints.scripting" in heavy
