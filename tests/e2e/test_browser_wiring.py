"""Issue 16 as wired: browser sign-in, machine tokens and the HTTP helpers through ``ClientAuth`` (the container's
real bindings, against the managed-login stand-in), and through the ``client-auth`` console script as a
subprocess: ``--browser`` with ``BROWSER`` set to ``python -m tests.managed_login browse %s``, ``--no-browser``
with the redirected address on standard input, a wrong ``state``, a denied consent, identity-pool credentials
afterwards, ``token`` for the user's token, and ``token --client-credentials`` cached across runs and fetched
once for many concurrent processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from dependency_injector import providers

from aws_client_auth.adapters.oauth.token_cache import MemoryMachineTokenCache
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, MachineToken
from aws_client_auth.entrypoints.bootstrap import container_for
from aws_client_auth.entrypoints.cli.token import machine_token_data
from aws_client_auth.entrypoints.rpc.results import machine_token_shown
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.e2e.test_cli import BIN, ClientAuthCli, Run, ok
from tests.managed_login import (
    IDENTITY_POOL_ID,
    MACHINE_CLIENT,
    POOL_ID,
    PUBLIC_CLIENT,
    REGION,
    FakeBrowser,
    ManagedLogin,
    loopback_redirect_uri,
    managed_login,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


def settings_for(server: ManagedLogin, redirect_uri: str, **more: dict[str, Any]) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {
        "aws": {"region": REGION, "endpoint_url": server.url},
        "cognito": {
            "user_pool_id": POOL_ID,
            "app_client_id": PUBLIC_CLIENT,
            "identity_pool_id": IDENTITY_POOL_ID,
            "domain": server.url,
            "redirect_uri": redirect_uri,
            "scopes": "openid email",
        },
        "machine": {
            "client_id": MACHINE_CLIENT,
            "client_secret": server.clients[MACHINE_CLIENT].secret or "",
            "scopes": "games/read",
        },
        "storage": {"backend": "file"},
        "network": {"max_attempts": 1, "timeout_seconds": 10.0},
    }
    for section, keys in more.items():
        overrides.setdefault(section, {}).update(keys)
    return overrides


def as_toml(settings: dict[str, dict[str, Any]]) -> str:
    def value(v: Any) -> str:
        return json.dumps(v) if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)

    return "\n".join(
        f"[{section}]\n" + "".join(f"{key} = {value(v)}\n" for key, v in keys.items())
        for section, keys in settings.items()
    )


# --- the facade ----------------------------------------------------------------------------------------------


def facade_on(settings: dict[str, dict[str, Any]]) -> ClientAuth:
    """``ClientAuth.from_config(**settings)`` with no environment variables read."""
    loaded = load_settings(environ={}, overrides=settings)
    home = Path(loaded.get("storage", "path"))
    return ClientAuth.from_container(container_for(loaded, home=home))


@pytest.fixture
def auth(server: ManagedLogin, tmp_path: Path) -> Iterator[ClientAuth]:
    """The facade on the real container, its browser a :class:`FakeBrowser`."""
    settings = settings_for(server, loopback_redirect_uri(server), storage={"path": str(tmp_path)})
    facade = facade_on(settings)
    facade.container.browser.override(providers.Object(FakeBrowser()))
    yield facade
    facade.container.browser.reset_override()


def test_the_facade_signs_in_with_the_browser_and_serves_the_apis(auth: ClientAuth, server: ManagedLogin) -> None:
    shown: list[tuple[str, bool]] = []
    step = auth.sign_in_with_browser(show_url=lambda url, opened: shown.append((url, opened)), timeout=20)
    assert step.tokens.username == "alice"
    assert shown[0][1] is True
    assert auth.is_signed_in(COGNITO)
    assert auth.get_credentials().authenticated
    assert server.verify(auth.bearer_token().reveal(), use="access") is not None
    assert server.verify(auth.bearer_token("id").reveal(), use="id", audience=PUBLIC_CLIENT) is not None

    api = requests.Session()
    api.auth = auth.requests_auth()
    assert api.get(f"{server.url}/api/bearer/items", timeout=5).status_code == 200
    assert requests.get(f"{server.url}/api/bearer/id/x", auth=auth.requests_auth("id"), timeout=5).status_code == 200
    assert requests.get(f"{server.url}/api/sigv4/items", auth=auth.sigv4_auth(), timeout=5).status_code == 200

    machine = auth.machine_token()
    assert machine.scopes == {"games/read"}  # the [machine] scopes
    assert auth.machine_token("games/read").access_token == machine.access_token
    answer = requests.get(f"{server.url}/api/bearer/items", auth=auth.machine_requests_auth(), timeout=5)
    assert answer.json()["scope"] == "games/read"

    browser = auth.container.browser()
    assert isinstance(browser, FakeBrowser)
    assert auth.sign_out_of_browser(timeout=20) == (COGNITO,)
    browser.wait()
    assert server.browser_sessions == {}
    assert not auth.is_signed_in(COGNITO)


def test_reset_forgets_the_machine_tokens_too(auth: ClientAuth, server: ManagedLogin) -> None:
    first = auth.machine_token()
    auth.reset()
    assert auth.machine_token().access_token != first.access_token  # neither memory nor the file kept it
    assert server.counts["token:client_credentials"] == 2


def test_the_facade_without_a_browser_reads_the_pasted_address(auth: ClientAuth, server: ManagedLogin) -> None:
    landed: list[str] = []

    def elsewhere(url: str, opened: bool) -> None:
        def divert(location: str) -> str:
            if "/callback" in location:
                landed.append(location)
                return f"{server.url}/nowhere"
            return location

        FakeBrowser(tamper=divert).follow(url)

    step = auth.sign_in_with_browser(paste=lambda: landed[-1], show_url=elsewhere, timeout=5)
    assert step.tokens.username == "alice"
    browser = auth.container.browser()
    assert isinstance(browser, FakeBrowser)
    assert browser.visited == []  # no browser was opened here


def test_a_typo_in_the_token_kind_or_a_scope_fails_at_once(auth: ClientAuth) -> None:
    with pytest.raises(e.InvalidInput):
        auth.requests_auth("refresh")
    with pytest.raises(e.InvalidInput):
        auth.machine_requests_auth('"x"')
    with pytest.raises(e.InvalidInput):
        auth.bearer_token("refresh")


def test_unconfigured_browser_sign_in_and_machine_tokens_say_what_to_set(tmp_path: Path) -> None:
    auth = facade_on({"storage": {"path": str(tmp_path)}})
    with pytest.raises(e.ProviderNotConfigured, match=r"\[cognito\] domain, app_client_id, redirect_uri"):
        auth.sign_in_with_browser()
    with pytest.raises(e.ProviderNotConfigured, match=r"\[machine\] client_id, client_secret, token_url"):
        auth.machine_token()
    auth.reset()  # nothing configured for machine tokens: nothing to forget, no error


def test_the_machine_token_cache_follows_the_storage_backend(server: ManagedLogin, tmp_path: Path) -> None:
    memory = settings_for(server, "http://127.0.0.1:1/cb", storage={"backend": "memory", "path": str(tmp_path)})
    auth = facade_on(memory)
    assert isinstance(auth.container.machine_token_cache(), MemoryMachineTokenCache)
    auth.machine_token()
    assert not (tmp_path / "machine-tokens").exists()


def test_the_machine_token_shape_is_the_same_in_the_cli_and_over_json_rpc() -> None:
    moment = datetime(2030, 1, 1, 12, tzinfo=UTC)
    token = MachineToken(Secret("machine-shape-token"), moment, moment, frozenset({"b", "a"}))
    shown = machine_token_shown(token)
    assert shown.data == machine_token_data(token)
    assert shown.revealed == ("machine-shape-token",)


# --- the console script --------------------------------------------------------------------------------------


def console(server: ManagedLogin, home: Path, redirect_uri: str, **env: str) -> ClientAuthCli:
    """The CLI with these settings; its browser is the stand-in's browse script."""
    cli = ClientAuthCli(as_toml(settings_for(server, redirect_uri)), home)
    cli.env |= {
        "BROWSER": f"{sys.executable} -m tests.managed_login browse %s",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return cli


def last_json(text: str) -> dict[str, Any]:
    """The last JSON object line (the browse script, a child of the CLI, writes its own line to the same stderr)."""
    data: dict[str, Any] = json.loads([line for line in text.splitlines() if line.startswith("{")][-1])
    return data


def test_cli_sign_in_with_the_browser_then_credentials_and_tokens(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, loopback_redirect_uri(server))
    signed_in = ok(cli("--json", "sign-in", "--browser", "--timeout", "30"))
    assert last_json(signed_in.out)["username"] == "alice"
    assert "Your browser was opened" in signed_in.err
    assert f"{server.url}/oauth2/authorize?" in signed_in.err

    credentials = ok(cli("--json", "credentials")).data
    assert credentials["Authenticated"] is True  # the identity pool took the browser-obtained ID token
    assert credentials["IdentityId"]

    access = ok(cli("token")).out.strip()
    assert server.verify(access, use="access") is not None
    id_token = ok(cli("token", "--type", "id", "--provider", "cognito")).out.strip()
    assert server.verify(id_token, use="id", audience=PUBLIC_CLIENT) is not None
    data = ok(cli("--json", "token")).data
    assert data["token"] == access
    assert data["type"] == "access"
    refreshed = ok(cli("token", "--refresh")).out.strip()
    assert server.verify(refreshed, use="access") is not None


def test_cli_browser_usage_errors(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, loopback_redirect_uri(server))
    for args in (
        ("sign-in", "alice", "--browser"),
        ("sign-in", "--browser", "--provider", "lwa"),
        ("sign-in", "--browser", "--password-stdin"),
        ("sign-in", "--browser", "--no-wait"),
        ("token", "--client-credentials", "--type", "id"),
        ("token", "--scope", "games/read"),
    ):
        run = cli(*args, stdin="x\n")
        assert run.code == 2, (args, run.err)
    assert server.counts["authorize"] == 0


def test_cli_a_denied_consent_is_one_line_and_exit_1(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, loopback_redirect_uri(server), STAND_IN_CANCEL="1")
    run = cli("--json", "sign-in", "--browser", "--timeout", "30")
    assert run.code == 1, run.err
    assert last_json(run.err)["error"] == "access_denied"
    assert ok(cli("--json", "status")).data["providers"] == []


def paste_run(cli: ClientAuthCli, server: ManagedLogin, redirect_uri: str, forge_state: bool = False) -> Run:
    """``sign-in --browser --no-browser``: reads the address the CLI prints, signs in with a browser elsewhere,
    and pastes the address that browser ended on (its state changed when ``forge_state``)."""
    command = [str(BIN / "client-auth"), "--config", str(cli.config), "sign-in", "--browser", "--no-browser"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env, text=True
    ) as child:
        assert child.stderr is not None
        seen = ""
        while (found := re.search(r"(http://\S+/oauth2/authorize\?\S+)", seen)) is None:
            line = child.stderr.readline()
            assert line, seen
            seen += line
        landed: list[str] = []

        def divert(location: str) -> str:
            if location.startswith(redirect_uri):
                landed.append(location)
                return f"{server.url}/nowhere"
            return location

        FakeBrowser(tamper=divert).follow(found.group(1))
        address = landed[-1]
        if forge_state:
            parts = urlsplit(address)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"state": "forged-state"}
            address = urlunsplit(parts._replace(query=urlencode(query)))
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.write(address + "\n")
        child.stdin.close()
        err = child.stderr.read()  # the rest, after what was read line by line (communicate would skip the buffer)
        out = child.stdout.read()
        child.wait(60)
    return Run(child.returncode, out, seen + err)


def test_cli_no_browser_reads_the_redirected_address_on_stdin(server: ManagedLogin, tmp_path: Path) -> None:
    uri = loopback_redirect_uri(server)
    cli = console(server, tmp_path, uri)
    run = paste_run(cli, server, uri)
    assert run.code == 0, run.err
    assert "Signed in to cognito as alice." in run.out
    assert "paste that whole address here" in run.err
    assert ok(cli("--json", "credentials")).data["Authenticated"] is True


def test_cli_a_wrong_state_is_refused(server: ManagedLogin, tmp_path: Path) -> None:
    uri = loopback_redirect_uri(server)
    cli = console(server, tmp_path, uri)
    run = paste_run(cli, server, uri, forge_state=True)
    assert run.code == 1
    assert "does not belong to this sign-in" in run.err
    assert server.counts["token:authorization_code"] == 0  # the code was never exchanged
    assert ok(cli("--json", "status")).data["providers"] == []


def test_cli_sign_out_of_the_browser(server: ManagedLogin, tmp_path: Path) -> None:
    uri = loopback_redirect_uri(server)
    cli = console(server, tmp_path, uri)
    printed = ok(cli("sign-out", "--browser", "--no-browser"))
    assert "Nobody was signed in here" in printed.out
    logout = next(word for word in printed.err.split() if "/logout?" in word)
    assert parse_qs(urlsplit(logout).query)["client_id"] == [PUBLIC_CLIENT]
    assert server.counts["logout"] == 0

    ok(cli("sign-in", "--browser", "--timeout", "30"))
    signed_out = ok(cli("--json", "sign-out", "--browser"))
    assert signed_out.data["signed_out"] == ["cognito"]
    assert server.counts["logout"] == 1
    assert ok(cli("--json", "status")).data["providers"] == []


def test_cli_token_client_credentials_cached_across_runs(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, "http://127.0.0.1:1/cb")
    first = ok(cli("token", "--client-credentials"))
    token_text = first.out.strip()
    assert server.verify(token_text, use="access") is not None
    again = ok(cli("--json", "token", "--client-credentials", "--scope", "games/read")).data
    assert again["access_token"] == token_text  # cached across runs
    assert again["scopes"] == ["games/read"]
    both = ok(cli("--json", "token", "--client-credentials", "--scope", "games/read", "--scope", "games/write")).data
    assert both["access_token"] != token_text
    assert server.counts["token:client_credentials"] == 2
    forced = ok(cli("token", "--client-credentials", "--refresh")).out.strip()
    assert forced != token_text
    assert server.counts["token:client_credentials"] == 3
    ok(cli("reset"))
    ok(cli("token", "--client-credentials"))
    assert server.counts["token:client_credentials"] == 4  # reset forgot the cached one


def test_cli_token_client_credentials_one_fetch_for_many_processes(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, "http://127.0.0.1:1/cb")
    command = [str(BIN / "client-auth"), "--config", str(cli.config), "token", "--client-credentials"]
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env, text=True)
        for _ in range(8)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * 8, [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1
    assert server.counts["token:client_credentials"] == 1


def test_cli_token_without_a_session_says_so(server: ManagedLogin, tmp_path: Path) -> None:
    cli = console(server, tmp_path, "http://127.0.0.1:1/cb", CLIENT_AUTH_PROFILE="nobody")
    run = cli("token")
    assert run.code == 1
    assert run.out == ""
    assert run.err.startswith("error:")


def test_cancelling_an_async_browser_sign_out_frees_the_port_at_once(server: ManagedLogin, tmp_path: Path) -> None:
    """The JSON-RPC server's cancel (and shutdown) rely on it: a sign-out whose browser never comes back must not
    hold the redirect port (and the next browser sign-in) for its whole timeout."""
    import asyncio
    import contextlib
    import socket
    import time

    from aws_client_auth.entrypoints.aio import AsyncClientAuth

    class BrowserThatNeverComesBack:
        def open(self, url: str) -> bool:
            return True

    uri = loopback_redirect_uri(server)
    redirect = urlsplit(uri)
    auth = facade_on(settings_for(server, uri, storage={"path": str(tmp_path)}))
    auth.container.browser.override(providers.Object(BrowserThatNeverComesBack()))
    facade = AsyncClientAuth.from_container(auth.container)

    async def scenario() -> float:
        task = asyncio.ensure_future(
            facade.sign_out_of_browser(open_browser=True, show_url=lambda url, opened: None, timeout=60)
        )
        await asyncio.sleep(0.5)  # the listener is up and waiting for a browser that never comes
        task.cancel()
        started = time.monotonic()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for _ in range(50):
            with socket.socket() as probe:
                try:
                    probe.bind((redirect.hostname or "127.0.0.1", redirect.port or 0))
                except OSError:
                    await asyncio.sleep(0.1)
                    continue
                return time.monotonic() - started
        return float("inf")

    assert asyncio.run(scenario()) < 5
