"""The benchmark report keeps working: run quickly, it prints every figure with its goal. No timing is
asserted here (the machine is shared); the figures are read in the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXPECTED = {
    "SRP sign-in CPU vs pycognito",
    "cached credential read vs botocore's",
    "network calls while reading cached credentials",
    "AWS calls: sign-in to first credentials",
    "AWS calls: later run, identity id kept",
    "AWS calls: fresh cached credentials",
    "credential_process latency vs `import boto3`",
    "credential_process (no CLIENT_AUTH_HOME) vs `import boto3`",
    "`client-auth --help` vs `aws --version`",
    "`client-auth status` vs `aws --version`",
    "`client-auth credentials` vs `aws --version`",
    "ClientAuth.get_credentials (real clock) vs botocore's",
    "peak memory: credential_process vs `import boto3`",
    "peak memory: full CLI (status) vs `import boto3`",
}


def test_quick_benchmark_report(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert {f["name"] for f in report["figures"]} == EXPECTED
    by_name = {f["name"]: f for f in report["figures"]}
    # Counts are exact, not timings: these must hold on any machine.
    assert by_name["AWS calls: sign-in to first credentials"]["value"] == 4
    assert by_name["AWS calls: later run, identity id kept"]["value"] == 1
    assert by_name["AWS calls: fresh cached credentials"]["value"] == 0
    assert by_name["network calls while reading cached credentials"]["value"] == 0
    assert "goal" in done.stdout
