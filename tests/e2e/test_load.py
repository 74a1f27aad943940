"""Load: a crowd of processes on expired cached credentials, and threads through a stretch of repeated expiry.
Calls are counted inside the local server (it runs in this process), not guessed from outside."""

from __future__ import annotations

import json
import math
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from moto.cognitoidentity.models import CognitoIdentityBackend

from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.entrypoints.bootstrap import build_container
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.e2e.test_cli import BIN, ClientAuthCli

PASSWORD = "Passw0rd!"


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


@pytest.fixture
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    seen: list[float] = []
    original = CognitoIdentityBackend.get_credentials_for_identity

    def counting(self: CognitoIdentityBackend, identity_id: str) -> str:
        seen.append(time.monotonic())
        return original(self, identity_id)

    monkeypatch.setattr(CognitoIdentityBackend, "get_credentials_for_identity", counting)
    return seen


def test_sixteen_processes_on_expired_credentials_cause_one_fetch(
    stack: LocalStack, tmp_path: Path, fetches: list[float]
) -> None:
    cli = ClientAuthCli(stack, tmp_path)
    cli("sign-up", "alice", "--email", "a@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    cli("confirm-sign-up", "alice", "123456")
    assert cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 0
    assert cli("credentials").code == 0
    session_file = Path(cli.env["CLIENT_AUTH_HOME"]) / "default.json"
    data = json.loads(session_file.read_text())
    (session,) = data["sessions"].values()
    session["credentials"]["expiration"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    session_file.write_text(json.dumps(data))
    fetches.clear()

    command = [str(BIN / "client-auth"), "--config", str(cli.config), "credentials", "--format", "process"]
    crowd = [
        subprocess.Popen(command, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(16)
    ]
    answers = [p.communicate(timeout=180) for p in crowd]
    assert [p.returncode for p in crowd] == [0] * 16, [err for _, err in answers]
    keys = {json.loads(out)["AccessKeyId"] + json.loads(out)["Expiration"] for out, _ in answers}
    assert len(keys) == 1
    assert len(fetches) == 1


class FastClock(Clock):
    """Real time, sped up: a stretch of repeated expiry in a few seconds. The identity-pool adapter moves
    each expiry onto this clock (from the answer's Date header), as it would for a skewed device clock."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.start = datetime.now(UTC)
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


def test_threads_and_boto3_clients_through_repeated_expiry(
    stack: LocalStack, tmp_path: Path, fetches: list[float]
) -> None:
    container = build_container(overrides=stack.settings(), environ={"CLIENT_AUTH_HOME": str(tmp_path)})
    clock = FastClock(speed=30)
    container.clock.override(clock)
    auth = ClientAuth.from_container(container)
    auth.sign_up("bob", PASSWORD, email="bob@example.com")
    auth.confirm_sign_up("bob", "123456")
    auth.sign_in("bob", PASSWORD)
    session = auth.boto3_session()
    sts = session.client("sts")
    fetches.clear()
    started = clock.now()
    failures: list[BaseException] = []
    stop = time.monotonic() + 10  # 10 s real = 5 minutes of credential time

    def work(use_boto3: bool) -> None:
        try:
            while time.monotonic() < stop:
                if use_boto3:
                    sts.get_caller_identity()
                else:
                    creds = auth.get_credentials()
                    assert creds.is_usable(clock.now())
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i % 2 == 0,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    simulated = (clock.now() - started).total_seconds()
    lifetime = 90  # the local server's identity-pool credentials
    refresh_every = lifetime - lifetime / 4  # refreshed once inside the last quarter of their life
    expected = math.ceil(simulated / refresh_every)
    assert 2 <= len(fetches) <= expected + 1, (len(fetches), simulated)
