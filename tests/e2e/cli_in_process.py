"""The console script's ``main`` run in a fresh interpreter, reporting which of the watched modules it loaded: how
the start-time tests see what a command imports (a module or any of its submodules counts as loaded)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import NamedTuple

SCRIPT = """
import json, sys
report, watched = sys.argv[1], json.loads(sys.argv[3])
sys.argv = ["client-auth", *json.loads(sys.argv[2])]
from aws_client_auth.entrypoints.cli.main import main
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
sys.stdout.flush()
loaded = [w for w in watched if any(m == w or m.startswith(w + ".") for m in list(sys.modules))]
with open(report, "w") as out:
    json.dump({"code": code, "loaded": loaded}, out)
"""


class Ran(NamedTuple):
    code: object
    stdout: str
    stderr: str
    loaded: list[str]
    """The watched modules the run loaded, in the order they were watched."""


def run_main(args: list[str], env: dict[str, str], folder: Path, watched: list[str] | tuple[str, ...]) -> Ran:
    report = folder / f"report-{uuid.uuid4().hex}.json"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(report), json.dumps(args), json.dumps(list(watched))],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert report.exists(), done.stderr
    result = json.loads(report.read_text())
    report.unlink()
    return Ran(result["code"], done.stdout, done.stderr, result["loaded"])
