"""The README's first command: the whole mission on the embedded local default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_demo_runs_the_whole_mission_and_leaves_nothing_running(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            str(
                Path(sys.executable).parent / "client-auth",
            ),
            "demo",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for step in (
        "guest (unauthenticated)",
        "Sign in with SRP",
        "TOTP",
        "S3 bucket client-auth-demo holds ['hello.txt']",
        "Signed out of cognito everywhere",
        "The whole mission succeeded",
    ):
        assert step in out
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
    signed_up = next(line for line in out.splitlines() if line.startswith("Signed up demo-player."))
    assert "(email to p***@e***)" in signed_up  # signed up with an email: no code reported sent by SMS


def test_demo_with_json_prints_one_json_object_per_step(tmp_path: Path) -> None:
    import json

    done = subprocess.run(
        [str(Path(sys.executable).parent / "client-auth"), "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    steps = [json.loads(line) for line in done.stdout.splitlines()]
    assert [step["step"] for step in steps] == list(range(len(steps)))
    assert all(set(step) == {"step", "title", "commands", "notes"} for step in steps)
    assert "moto" in steps[0]["notes"][0]
    sign_up = steps[2]["commands"][0]
    assert sign_up["command"].startswith("client-auth sign-up demo-player --email")
    assert sign_up["exit_code"] == 0
    assert "email to" in sign_up["output"]
    assert "sms" not in sign_up["output"].lower()
    assert any("holds ['hello.txt']" in note for step in steps for note in step["notes"])
    assert steps[-1]["title"].startswith("The whole mission succeeded")


def test_demo_failure_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_client_auth.entrypoints import demo

    def broken(config: Path) -> object:
        return lambda args, stdin: (1, "error: boom\n")

    monkeypatch.setattr(demo, "in_process_runner", broken)
    lines: list[str] = []
    with pytest.raises(demo.DemoFailed, match="exited with 1, expected 0"):
        demo.run_demo(lines.append)
    assert any("error: boom" in line for line in lines)


def test_keep_running_prints_a_config_that_works_then_stops_on_ctrl_c(tmp_path: Path) -> None:
    import re
    import signal

    demo = subprocess.Popen(
        [str(Path(sys.executable).parent / "client-auth"), "demo", "--keep-running"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert demo.stdout is not None
    lines: list[str] = []
    try:
        for line in demo.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(lines)
        config = re.search(r"saved at (\S+):", text)
        assert config, text
        status = subprocess.run(
            [str(Path(sys.executable).parent / "client-auth"), "--config", config.group(1), "--json", "credentials"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert status.returncode == 0, status.stderr
        assert '"Authenticated": false' in status.stdout
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    assert demo.returncode == 0
