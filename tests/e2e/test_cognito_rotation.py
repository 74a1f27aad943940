"""Refresh-token rotation through the console script, against the local Cognito stand-in: processes that refresh
at once take turns under the profile's lock, so no refresh token is ever spent twice."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cognito_standin import cognito_standin
from tests.e2e.test_cli import ClientAuthCli, ok

PASSWORD = "Passw0rd!"
pytestmark = pytest.mark.slow


def stored_refresh_token(cli: ClientAuthCli) -> str:
    document = json.loads((Path(cli.env["CLIENT_AUTH_HOME"]) / "default.json").read_text())
    (session,) = document["sessions"].values()
    return str(session["tokens"]["cognito"]["refresh_token"])


def test_two_processes_refreshing_at_once_spend_each_refresh_token_once(tmp_path: Path) -> None:
    # No grace period: a refresh token spent twice would sign one of the processes out.
    with cognito_standin(grace_seconds=0, refresh_delay=0.5) as standin:
        standin.add_user("alice", PASSWORD)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        first = stored_refresh_token(cli)

        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(lambda _: cli("refresh"), range(2)))
        for run in runs:
            ok(run)
            assert "Refreshed cognito" in run.out

        assert standin.exchanged[first] == 1
        assert sum(standin.exchanged.values()) == 2  # the second process refreshed with the first one's new token
        assert set(standin.exchanged.values()) == {1}
        latest = stored_refresh_token(cli)
        assert latest not in standin.exchanged  # the one kept is the newest, not yet spent
        ok(cli("refresh"))
        assert standin.exchanged[latest] == 1


def test_a_refresh_token_spent_elsewhere_after_its_grace_period_signs_out_cleanly(tmp_path: Path) -> None:
    with cognito_standin(grace_seconds=5) as standin:
        standin.add_user("alice", PASSWORD)
        cli = ClientAuthCli(standin.settings_toml(), tmp_path)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        session_file = Path(cli.env["CLIENT_AUTH_HOME"]) / "default.json"
        before = session_file.read_text()
        ok(cli("refresh"))
        session_file.write_text(before)  # as if another copy of the session had refreshed meanwhile
        standin.advance(6)

        refused = cli("refresh")
        assert refused.code != 0
        assert "grace period is over: sign in again" in refused.err
        assert "Traceback" not in refused.err
        assert "Signed in: nobody" in ok(cli("status")).out  # that provider signed out locally
