"""Every benchmark, one table and the same figures as JSON. Each figure is a ratio measured in this run
against a baseline measured in the same run, with its goal beside it (this machine is shared and noisy, so
no absolute time means anything here).

    python -m tests.bench            # full run
    python -m tests.bench --quick    # fewer repetitions (what the test suite runs to keep this working)
    python -m tests.bench --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


@dataclass
class Figure:
    name: str
    value: float
    goal: float
    unit: str
    detail: str
    lower_is_better: bool = True
    why: str = ""
    """Why the goal is missed, when it is (what the time goes to): printed after the verdict."""

    @property
    def met(self) -> bool:
        return self.value <= self.goal if self.lower_is_better else self.value >= self.goal

    def row(self) -> str:
        verdict = "met" if self.met else f"missed by {abs(self.value - self.goal):.2f}{self.unit}"
        goal = f"{'<=' if self.lower_is_better else '>='} {self.goal:g}{self.unit}"
        why = f"; why: {self.why}" if self.why and not self.met else ""
        return f"{self.name:<52} {self.value:>8.3f}{self.unit:<2} {goal:<9} {verdict:<18} {self.detail}{why}"


def srp_cpu(rounds: int, per_round: int) -> Figure:
    """Client-side CPU of one SRP sign-in (A = g^a, then the password claim) against pycognito's."""
    import secrets

    import pycognito.aws_srp as reference

    from aws_client_auth.adapters.cognito import srp

    pool_id, user, password = "us-west-2_BenchPool", "bench-user", "Correct-Horse-9"
    challenge = {
        "USER_ID_FOR_SRP": user,
        "USERNAME": user,
        "SALT": secrets.token_hex(16),
        "SRP_B": f"{pow(srp.G, secrets.randbits(1024), srp.N):x}",
        "SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
    }

    def ours() -> None:
        ephemeral = srp.new_ephemeral()
        srp.password_claim(
            ephemeral,
            pool_id=pool_id,
            user_id=user,
            password=password,
            salt_hex=challenge["SALT"],
            server_b_hex=challenge["SRP_B"],
            secret_block_b64=challenge["SECRET_BLOCK"],
            now=datetime.now(UTC),
        )

    def theirs() -> None:
        client = reference.AWSSRP(user, password, pool_id, "client", client=object())
        client.process_challenge(challenge, {"USERNAME": user})

    mine, base = _interleaved(ours, theirs, rounds, per_round, clock=time.process_time)
    return Figure(
        "SRP sign-in CPU vs pycognito",
        mine / base,
        0.35,
        "x",
        f"{mine * 1000:.1f} ms vs {base * 1000:.1f} ms CPU per sign-in (gmpy2, full-size ephemeral)",
    )


def cached_read(number: int) -> list[Figure]:
    """Reading fresh cached credentials against botocore's RefreshableCredentials.get_frozen_credentials()."""
    from botocore.credentials import RefreshableCredentials

    from tests.fakes import make_world

    world = make_world()
    world.credentials.get()
    calls_before = world.identity_pool.credential_calls + world.identity_pool.get_id_calls
    expiry = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    botocore_creds = RefreshableCredentials.create_from_metadata(
        {"access_key": "AK", "secret_key": "SK", "token": "T", "expiry_time": expiry},
        refresh_using=dict,
        method="bench",
    )
    mine, base = _interleaved(world.credentials.get, botocore_creds.get_frozen_credentials, 5, number)
    calls = world.identity_pool.credential_calls + world.identity_pool.get_id_calls - calls_before
    return [
        Figure(
            "cached credential read vs botocore's",
            mine / base,
            1.0,
            "x",
            f"{mine * 1e9:.0f} ns vs {base * 1e9:.0f} ns per read",
        ),
        Figure("network calls while reading cached credentials", float(calls), 0, "", f"{5 * number} reads"),
    ]


def facade_read(number: int) -> Figure:
    """Fresh cached credentials read through the public ``ClientAuth.get_credentials`` with the real clock (the
    store, the credential service's memory and the system clock), against botocore's frozen-credentials read."""
    from botocore.credentials import RefreshableCredentials

    from aws_client_auth.entrypoints.scripting import ClientAuth

    with cached_profile() as env:
        auth = ClientAuth.from_config(environ=env)
        auth.get_credentials()  # the first read comes from the file; the figure is about the reads after it
        expiry = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        botocore_creds = RefreshableCredentials.create_from_metadata(
            {"access_key": "AK", "secret_key": "SK", "token": "T", "expiry_time": expiry},
            refresh_using=dict,
            method="bench",
        )
        mine, base = _interleaved(auth.get_credentials, botocore_creds.get_frozen_credentials, 5, number)
    return Figure(
        "ClientAuth.get_credentials (real clock) vs botocore's",
        mine / base,
        1.0,
        "x",
        f"{mine * 1e9:.0f} ns vs {base * 1e9:.0f} ns per read",
        why="the facade's use case and service layers, and a system clock read, on every call",
    )


def aws_calls() -> list[Figure]:
    """AWS API calls per scenario, counted on the clients themselves against a local moto server."""
    import logging

    from moto.server import ThreadedMotoServer

    from aws_client_auth.entrypoints.bootstrap import build_container
    from aws_client_auth.entrypoints.local_stack import provision
    from tests.fakes import FakeClock

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        stack = provision(f"http://{host}:{port}")
        with tempfile.TemporaryDirectory() as home:

            def container(clock: FakeClock | None = None) -> tuple[Any, list[str]]:
                c = build_container(overrides=stack.settings(), environ={"CLIENT_AUTH_HOME": home})
                if clock is not None:
                    c.clock.override(clock)
                seen: list[str] = []
                for client in (c.cognito_idp(), c.cognito_identity()):
                    client.meta.events.register("before-call", lambda model, **_: seen.append(model.name))
                return c, seen

            first, _ = container()
            first.sign_up().execute("bench", "Passw0rd!", email="bench@example.com")
            first.confirm_sign_up().execute("bench", "123456")
            first, seen = container()
            first.sign_in().execute("bench", "Passw0rd!")
            first.get_credentials().execute()
            sign_in_calls = list(seen)
            cached, seen_cached = container()
            cached.get_credentials().execute()
            later, seen_later = container(FakeClock(datetime.now(UTC) + timedelta(seconds=120)))
            later.get_credentials().execute()
    finally:
        server.stop()
    return [
        Figure(
            "AWS calls: sign-in to first credentials",
            float(len(sign_in_calls)),
            4,
            "",
            " + ".join(sign_in_calls) + " (SRP: 2 sign-in calls)",
        ),
        Figure(
            "AWS calls: later run, identity id kept", float(len(seen_later)), 1, "", " + ".join(seen_later) or "none"
        ),
        Figure(
            "AWS calls: fresh cached credentials", float(len(seen_cached)), 0, "", " + ".join(seen_cached) or "none"
        ),
    ]


@contextmanager
def cached_profile() -> Iterator[dict[str, str]]:
    """A session home whose file store holds fresh credentials, as credential_process finds it."""
    from aws_client_auth.adapters.settings.loader import load_settings
    from aws_client_auth.adapters.stores.file import FileSessionStore
    from aws_client_auth.domain.credentials import Credentials
    from aws_client_auth.domain.secret import Secret
    from aws_client_auth.domain.session import Session
    from aws_client_auth.entrypoints.environment import session_scope

    scope = session_scope(load_settings(environ=os.environ))  # the configuration the benchmarked commands see
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as bytecode:
        now = datetime.now(UTC)
        creds = Credentials(
            "ASIABENCH", Secret("secret"), Secret("token"), now + timedelta(hours=1), "us-east-1:x", False, now
        )
        FileSessionStore(Path(home), scope=scope).save(Session().with_credentials(creds))
        yield as_installed({**os.environ, "CLIENT_AUTH_HOME": home}, bytecode)


def as_installed(env: dict[str, str], bytecode: str) -> dict[str, str]:
    """Every measured program (ours and the baselines alike) runs from bytecode, as after ``pip install``, which
    compiles it: under PYTHONDONTWRITEBYTECODE (set by some harnesses) an editable checkout's modules would be
    compiled on every run while boto3's and the AWS CLI's come from their installed bytecode. The bytecode goes
    to a temporary PYTHONPYCACHEPREFIX (nothing is written into the tree); each program runs once untimed first."""
    plain = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return plain | {"PYTHONPYCACHEPREFIX": bytecode}


PROCESS_WHY = (
    "the fast path reads the settings and the session with the standard library alone (no click, domain model, "
    "settings loader or platformdirs); what is left is the interpreter's start, site (an editable install's import "
    "finder ~10 ms), the package's __init__ (typing ~2 ms), json, datetime and tomllib when a TOML file is given"
)
CLI_WHY = (
    "only the invoked command's module is imported (a lazy group; --help lists the commands from a table), and "
    "credential reads and status take the standard-library settings pre-reader; what is left is click (~15 ms), "
    "cli/app.py with the secret registry's hashlib and redaction (~11 ms), and for status and credentials the "
    "session's domain model (domain.sign_in ~6 ms and domain.user ~5 ms of dataclass creation, tokens, the "
    "application queries)"
)


def process_latency(runs: int) -> Figure:
    with cached_profile() as env:
        ours = [str(BIN / "client-auth"), "credentials", "--format", "process"]
        boto3 = [sys.executable, "-c", "import boto3"]
        _warmed(ours, boto3, env=env)
        mine, base = [], []
        for _ in range(runs):
            mine.append(_wall(ours, env))
            base.append(_wall(boto3, env))
    a, b = statistics.median(mine), statistics.median(base)
    return Figure(
        "credential_process latency vs `import boto3`",
        a / b,
        0.2,
        "x",
        f"median {a * 1000:.0f} ms vs {b * 1000:.0f} ms over {runs} runs each",
        why=PROCESS_WHY,
    )


def process_latency_without_home(runs: int) -> Figure:
    """The same fast path when the session folder comes from the platform (no CLIENT_AUTH_HOME): platformdirs."""
    with cached_profile() as env, tempfile.TemporaryDirectory() as data_home:
        # The platform's folder is $XDG_DATA_HOME/aws-client-auth here; the cached file is put where it looks.
        folder = Path(data_home) / "aws-client-auth"
        folder.mkdir(mode=0o700)
        (folder / "default.json").write_bytes((Path(env["CLIENT_AUTH_HOME"]) / "default.json").read_bytes())
        (folder / "default.json").chmod(0o600)
        plain = {k: v for k, v in env.items() if k != "CLIENT_AUTH_HOME"} | {"XDG_DATA_HOME": data_home}
        ours = [str(BIN / "client-auth"), "credentials", "--format", "process"]
        boto3 = [sys.executable, "-c", "import boto3"]
        _warmed(ours, boto3, env=plain)
        mine, base = [], []
        for _ in range(runs):
            mine.append(_wall(ours, plain))
            base.append(_wall(boto3, plain))
    a, b = statistics.median(mine), statistics.median(base)
    return Figure(
        "credential_process (no CLIENT_AUTH_HOME) vs `import boto3`",
        a / b,
        0.2,
        "x",
        f"median {a * 1000:.0f} ms vs {b * 1000:.0f} ms over {runs} runs each",
        why=PROCESS_WHY,
    )


def cli_start(runs: int) -> list[Figure]:
    """Full-CLI start against the AWS CLI's: `--help` and `status` (no facade, no SDK) vs `aws --version`."""
    aws = BIN / "aws"
    if not aws.exists():
        return []
    figures = []
    with cached_profile() as env:
        for args in (["--help"], ["status"], ["credentials"]):
            _warmed([str(BIN / "client-auth"), *args], [str(aws), "--version"], env=env)
            mine, base = [], []
            for _ in range(runs):
                mine.append(_wall([str(BIN / "client-auth"), *args], env))
                base.append(_wall([str(aws), "--version"], env))
            a, b = statistics.median(mine), statistics.median(base)
            figures.append(
                Figure(
                    f"`client-auth {' '.join(args)}` vs `aws --version`",
                    a / b,
                    0.3,
                    "x",
                    f"median {a * 1000:.0f} ms vs {b * 1000:.0f} ms over {runs} runs each",
                    why=CLI_WHY,
                )
            )
    return figures


def peak_memory() -> list[Figure]:
    with cached_profile() as env:
        process = [str(BIN / "client-auth"), "credentials", "--format", "process"]
        _warmed([sys.executable, "-c", "import boto3"], [str(BIN / "client-auth"), "status"], process, env=env)
        base = _max_rss([sys.executable, "-c", "import boto3"], env)
        fast = _max_rss([str(BIN / "client-auth"), "credentials", "--format", "process"], env)
        full = _max_rss([str(BIN / "client-auth"), "status"], env)
    return [
        # Goals of our own: the fast path stays well under what boto3 alone costs; the full CLI, which loads
        # botocore, requests and the DI framework, stays within twice that.
        Figure(
            "peak memory: credential_process vs `import boto3`",
            fast / base,
            0.4,
            "x",
            f"{fast / 1024:.0f} MiB vs {base / 1024:.0f} MiB",
            why=PROCESS_WHY,
        ),
        Figure(
            "peak memory: full CLI (status) vs `import boto3`",
            full / base,
            2.0,
            "x",
            f"{full / 1024:.0f} MiB vs {base / 1024:.0f} MiB",
        ),
    ]


def _interleaved(
    ours: Callable[[], object],
    base: Callable[[], object],
    rounds: int,
    number: int,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, float]:
    """Median per-call cost of each, measured in alternating rounds so that machine noise hits both."""
    mine, theirs = [], []
    for _ in range(rounds):
        mine.append(timeit.Timer(ours, timer=clock).timeit(number) / number)
        theirs.append(timeit.Timer(base, timer=clock).timeit(number) / number)
    return statistics.median(mine), statistics.median(theirs)


def _warmed(*commands: list[str], env: dict[str, str]) -> None:
    """One untimed run of each: its bytecode is written (see :func:`as_installed`) and the files are cached."""
    for command in commands:
        subprocess.run(command, env=env, check=True, capture_output=True)


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _max_rss(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory (KiB) of one child, measured from a fresh wrapper so no other child counts."""
    probe = (
        "import resource,subprocess,sys; subprocess.run(sys.argv[1:],check=True,capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    quick = args.quick
    figures = [
        srp_cpu(rounds=3 if quick else 7, per_round=3 if quick else 10),
        *cached_read(number=2_000 if quick else 50_000),
        facade_read(number=2_000 if quick else 50_000),
        *aws_calls(),
        process_latency(runs=3 if quick else 15),
        process_latency_without_home(runs=3 if quick else 15),
        *cli_start(runs=3 if quick else 11),
        *peak_memory(),
    ]
    print(f"{'figure':<52} {'value':>10} {'goal':<9} {'verdict':<18} detail")
    for figure in figures:
        print(figure.row())
    report = {"figures": [asdict(f) | {"met": f.met} for f in figures], "all_met": all(f.met for f in figures)}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
