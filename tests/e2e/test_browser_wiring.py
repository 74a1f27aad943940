"""The wiring of issue 16, written out and run before it moves into the composition root, the facade and the CLI
(those files are being restructured; this is what to paste there, tested end to end against the stand-in).

- :class:`Issue16Container`: the providers to add to ``entrypoints/container.py`` (everything below the aliases,
  as it stands).
- :class:`Issue16Auth`: the methods to add to ``ClientAuth`` in ``entrypoints/scripting.py``.
- :func:`browser_sign_in`, :func:`browser_sign_out` and :data:`token`: what ``sign-in --browser``, ``sign-out
  --browser`` and ``token --client-credentials`` run, for ``entrypoints/cli/session.py`` (and a ``token`` module).

Once moved, these tests call ``ClientAuth`` (``from_config``) and the real command tree (as a subprocess, with
``BROWSER`` set to ``python -m tests.managed_login browse %s``), and the classes and helpers above go.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
import pytest
import requests
from click.testing import CliRunner
from dependency_injector import providers

from aws_client_auth.adapters.http_auth import BearerAuth, SigV4Auth
from aws_client_auth.adapters.oauth.browser import SystemBrowser
from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
from aws_client_auth.adapters.oauth.client_credentials import ClientCredentialsClient
from aws_client_auth.adapters.oauth.loopback import LoopbackListener, PastedRedirect
from aws_client_auth.adapters.oauth.managed_login import ManagedLoginClient
from aws_client_auth.adapters.oauth.token_cache import FileMachineTokenCache, MemoryMachineTokenCache
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.settings.model import Settings
from aws_client_auth.adapters.settings.network import machine_token_url, managed_login_url
from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.application.use_cases.bearer_tokens import UserBearerToken, token_kind
from aws_client_auth.application.use_cases.browser_sign_in import DEFAULT_TIMEOUT, SignInWithBrowser, SignOutOfBrowser
from aws_client_auth.application.use_cases.machine_token import GetMachineToken
from aws_client_auth.domain.secret import Secret, remember
from aws_client_auth.domain.sign_in import SignedIn
from aws_client_auth.domain.tokens import COGNITO, MachineToken, ProviderName, scope_set
from aws_client_auth.entrypoints.cli.app import Cli, Group, pass_cli
from aws_client_auth.entrypoints.cli.output import when
from aws_client_auth.entrypoints.cli.session import report_step
from aws_client_auth.entrypoints.container import Container
from aws_client_auth.entrypoints.environment import session_scope
from aws_client_auth.entrypoints.scripting import ClientAuth
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

# --- the container: providers to add to Container ----------------------------------------------------------------


class Issue16Container(Container):
    # Aliases of Container's own providers: in Container itself these names are already in scope.
    settings = Container.settings
    profile = Container.profile
    home = Container.home
    timeout = Container.timeout
    max_attempts = Container.max_attempts
    app_client_id = Container.app_client_id
    pool_region = Container.pool_region
    clock = Container.clock
    sleeper = Container.sleeper
    events = Container.events
    sessions = Container.sessions
    tokens = Container.tokens
    id_token_verifier = Container.id_token_verifier
    sign_out = Container.sign_out

    # --- browser sign-in: Cognito's managed login (authorization code with PKCE) ------------------------------
    domain = providers.Callable(Settings.get, settings, "cognito", "domain")
    redirect_uri = providers.Callable(Settings.get, settings, "cognito", "redirect_uri")
    app_client_secret = providers.Callable(Settings.secret, settings, "cognito", "app_client_secret")
    managed_login = providers.Singleton(
        ManagedLoginClient,
        base_url=providers.Callable(managed_login_url, domain, pool_region),
        client_id=app_client_id,
        redirect_uri=redirect_uri,
        scopes=providers.Callable(Settings.get, settings, "cognito", "scopes"),
        transport=providers.Singleton(
            OAuthTransport,
            client=providers.Singleton(
                token_endpoint_http,
                app_client_id,
                app_client_secret,
                timeout=timeout,
                max_attempts=max_attempts,
                sleeper=sleeper,
            ),
        ),
        verifier=id_token_verifier,
        clock=clock,
        confidential=providers.Callable(bool, app_client_secret),
    )
    browser = providers.Singleton(SystemBrowser)
    loopback_listener = providers.Factory(LoopbackListener, redirect_uri)
    pasted_redirect = providers.Factory(PastedRedirect, redirect_uri=redirect_uri)
    """Called with ``read=``: what the user pastes (``--no-browser``)."""
    sign_in_with_browser = providers.Factory(SignInWithBrowser, login=managed_login, sessions=sessions, events=events)
    sign_out_of_browser = providers.Factory(SignOutOfBrowser, sign_out=sign_out, login=managed_login, events=events)

    # --- machine-to-machine tokens (client credentials) ------------------------------------------------------
    machine_client_id = providers.Callable(Settings.get, settings, "machine", "client_id")
    machine_client_secret = providers.Callable(Settings.secret, settings, "machine", "client_secret")
    machine_token_url = providers.Callable(
        machine_token_url, providers.Callable(Settings.get, settings, "machine", "token_url"), domain, pool_region
    )
    machine_token_cache = providers.Selector(
        providers.Callable(Settings.get, settings, "storage", "backend"),
        file=providers.Singleton(
            FileMachineTokenCache,
            home,
            profile,
            providers.Callable("{} {}".format, machine_token_url, machine_client_id),
        ),
        keyring=providers.Singleton(
            FileMachineTokenCache,
            home,
            profile,
            providers.Callable("{} {}".format, machine_token_url, machine_client_id),
        ),
        memory=providers.Singleton(MemoryMachineTokenCache),
    )
    machine_token = providers.Singleton(  # one per process: its lock and memory serve every thread
        GetMachineToken,
        source=providers.Singleton(
            ClientCredentialsClient,
            token_url=machine_token_url,
            client_id=machine_client_id,
            has_secret=providers.Callable(bool, machine_client_secret),
            transport=providers.Singleton(
                OAuthTransport,
                client=providers.Singleton(
                    token_endpoint_http,
                    machine_client_id,
                    machine_client_secret,
                    timeout=timeout,
                    max_attempts=max_attempts,
                    sleeper=sleeper,
                ),
            ),
            clock=clock,
        ),
        cache=machine_token_cache,
        clock=clock,
        events=events,
        default_scopes=providers.Callable(Settings.get, settings, "machine", "scopes"),
    )

    # --- the HTTP helpers ----------------------------------------------------------------------------------
    bearer_tokens = providers.Singleton(UserBearerToken, tokens=tokens, sessions=sessions)


def container_for(settings: Settings, *, profile: str = "default", home: Path | None = None) -> Issue16Container:
    """``bootstrap.container_for``, unchanged but for the class."""
    container = Issue16Container()
    container.settings.override(settings)
    container.profile.override(profile)
    container.home.override(home)
    container.scope.override(session_scope(settings))
    return container


# --- the facade: methods to add to ClientAuth ----------------------------------------------------------------------


def _logged(url: str, opened: bool) -> None:
    """A script's default: no printing from a library, but a warning when no browser could be opened."""
    if not opened:
        logging.getLogger("aws_client_auth").warning("Open this address in a browser to sign in: %s", url)


class Issue16Auth(ClientAuth):
    _c: Issue16Container

    # --- browser sign-in (authentication) ------------------------------------------------------------
    def sign_in_with_browser(
        self,
        *,
        identity_provider: str | None = None,
        open_browser: bool = True,
        paste: Callable[[], str] | None = None,
        show_url: Callable[[str, bool], None] = _logged,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: Cancellation | None = None,
    ) -> SignedIn:
        """Sign in to the user pool in a web browser (Cognito's managed login: its own page, identity providers
        federated through the pool, passkeys). ``show_url(url, opened)`` is told the address to visit; with
        ``paste`` (``--no-browser``) no browser is opened here and ``paste()`` returns the address the browser
        ended on, or only its code. The tokens are the ``cognito`` provider's."""
        c = self._c
        use_case = c.sign_in_with_browser()  # first: an unconfigured managed login says what to set
        receiver = c.pasted_redirect(read=paste) if paste is not None else c.loopback_listener()
        browser = c.browser() if open_browser and paste is None else None
        return use_case.execute(
            receiver,
            browser=browser,
            show=show_url,
            identity_provider=identity_provider,
            timeout=timeout,
            cancel=cancel,
        )

    def sign_out_of_browser(
        self,
        provider: str | None = None,
        *,
        globally: bool = False,
        open_browser: bool = True,
        show_url: Callable[[str, bool], None] = _logged,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> tuple[ProviderName, ...]:
        """:meth:`sign_out`, then the managed-login session ends in the browser (``/logout``); with
        ``open_browser=False`` the logout address is only shown."""
        c = self._c
        use_case = c.sign_out_of_browser()
        receiver = c.loopback_listener() if open_browser else None
        browser = c.browser() if open_browser else None
        return use_case.execute(
            receiver, browser=browser, show=show_url, provider=provider, globally=globally, timeout=timeout
        )

    # --- machine tokens and the HTTP helpers (authorization) ------------------------------------------
    def machine_token(self, scopes: str | Iterable[str] | None = None, *, force_refresh: bool = False) -> MachineToken:
        """An access token from the client credentials grant ([machine] settings), for ``scopes`` (default:
        ``[machine] scopes``), cached per profile and scope set until shortly before it expires."""
        return self._c.machine_token().execute(scopes, force=force_refresh)

    def requests_auth(self, token: str = "access", *, provider: str = COGNITO, scheme: str | None = "Bearer") -> Any:
        """A ``requests`` auth object: ``Authorization: Bearer`` with the signed-in user's ``token`` ("access" or
        "id"), refreshed ahead of expiry, and one retry with a refreshed token after a 401. ``scheme=None`` sends
        the bare token (AppSync's and API Gateway REST's Cognito authorizers)."""
        kind = token_kind(token)
        bearer = self._c.bearer_tokens()
        return BearerAuth(
            lambda: bearer.current(kind, provider),
            lambda rejected: bearer.replacing(rejected, kind, provider),
            scheme=scheme,
        )

    def machine_requests_auth(self, scopes: str | Iterable[str] | None = None, *, scheme: str | None = "Bearer") -> Any:
        """The same with the machine token for ``scopes``."""
        scope_set(scopes)  # refused now, not at the first request
        machine = self._c.machine_token()
        return BearerAuth(
            lambda: machine.execute(scopes).access_token,
            lambda rejected: machine.replacing(rejected, scopes).access_token,
            scheme=scheme,
        )

    def sigv4_auth(self, service: str = "execute-api", region: str | None = None) -> Any:
        """A ``requests`` auth object that signs with botocore's SigV4 signer and this profile's refreshing
        identity-pool credentials (API Gateway IAM authorization, AppSync, any AWS HTTP API)."""
        return SigV4Auth(self._credentials(), service=service, region=region or self._c.region())


# --- the CLI: what the new options run ----------------------------------------------------------------------------


def browser_url_shown(cli: Cli, pasting: bool) -> Callable[[str, bool], None]:
    """How the sign-in (or sign-out) address is put to the person: on stderr, whole. Nothing in it is a secret
    (the PKCE verifier never is in it), and it must survive the masking of secrets by value: a short password
    or code this process holds could otherwise mask a part of it (``response_type=code``) and break it."""

    def show(url: str, opened: bool) -> None:
        if pasting:
            text = (
                f"Open this address in a browser on any computer:\n  {url}\nWhen it is done, the browser ends on an "
                "address it cannot open: paste that whole address here (or only its code)."
            )
        elif opened:
            text = f"Your browser was opened. If it did not open, visit:\n  {url}"
        else:
            text = f"Open this address in a browser on this computer:\n  {url}"
        cli.show(text, err=True, revealed=[Secret(url)])

    return show


def read_pasted() -> str:
    """``--no-browser``: the address (or code) the user pastes, from a prompt or standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("Address (or code)", prompt_suffix=": "))
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError("--no-browser: nothing on standard input; paste the address the browser ended on.")
    return line


def browser_sign_in(cli: Cli, identity_provider: str | None, no_browser: bool, timeout: float | None) -> None:
    """``sign-in --browser [--identity-provider NAME] [--no-browser] [--timeout S]``: a USERNAME, --provider
    other than cognito, --password-stdin or --no-wait with --browser is a usage error (exit 2)."""
    auth: Issue16Auth = cli.auth  # type: ignore[assignment]  # ClientAuth, once the methods are there
    step = auth.sign_in_with_browser(
        identity_provider=identity_provider,
        paste=read_pasted if no_browser else None,
        show_url=browser_url_shown(cli, no_browser),
        timeout=timeout or DEFAULT_TIMEOUT,
    )
    report_step(cli, step)


def browser_sign_out(cli: Cli, provider: str | None, globally: bool, no_browser: bool) -> None:
    """``sign-out --browser [--no-browser]`` (with --provider, --all and --global as without --browser)."""
    auth: Issue16Auth = cli.auth  # type: ignore[assignment]
    names = auth.sign_out_of_browser(
        provider, globally=globally, open_browser=not no_browser, show_url=browser_url_shown(cli, False)
    )
    where = " everywhere" if globally else ""
    text = f"Signed out of {', '.join(names)}{where}." if names else "Nobody was signed in here."
    cli.say(f"{text} The browser's managed-login session is ended.", {"signed_out": list(names), "global": globally})


@click.command("token")
@click.option("--client-credentials", is_flag=True, help="A machine-to-machine token ([machine] settings).")
@click.option("--scope", "scopes", multiple=True, help="A scope to ask for (repeatable); default: [machine] scopes.")
@click.option("--refresh", is_flag=True, help="Fetch a new token even if the cached one is fresh.")
@pass_cli
def token(cli: Cli, client_credentials: bool, scopes: tuple[str, ...], refresh: bool) -> None:
    """Print an access token (this command shows a secret): with --client-credentials, the machine's own."""
    if not client_credentials:
        raise click.UsageError("Say which token: --client-credentials (a machine token, with no person signed in).")
    auth: Issue16Auth = cli.auth  # type: ignore[assignment]
    machine = auth.machine_token(scopes or None, force_refresh=refresh)
    if cli.json_output:
        data = {
            "access_token": machine.access_token.reveal(),
            "token_type": machine.token_type,
            "expires_at": when(machine.expires_at),
            "scopes": sorted(machine.scopes),
        }
        cli.say("", data, revealed=[machine.access_token])
    else:
        click.echo(machine.access_token.reveal())  # printable ASCII only: checked where it entered the program
    scopes_text = " ".join(sorted(machine.scopes)) or "the scopes the client is allowed"
    cli.note(f"{machine.token_type} token for {scopes_text}, until {when(machine.expires_at)}.")


# --- a command tree of these for the tests (the real one gains the options) ---------------------------------------


@dataclass
class Cli16(Cli):
    overrides: dict[str, dict[str, Any]] | None = None

    @property
    def auth(self) -> Issue16Auth:
        if self._auth is None:
            settings = load_settings(self.config, environ={}, overrides=self.overrides)
            home = Path(settings.get("storage", "path"))
            self._auth = Issue16Auth(container_for(settings, profile=self.profile or "default", home=home))
        return self._auth  # type: ignore[return-value]


def command_tree(overrides: dict[str, dict[str, Any]]) -> click.Group:
    @click.group(cls=Group)
    @click.option("--json", "json_output", is_flag=True)
    @click.pass_context
    def cli(ctx: click.Context, json_output: bool) -> None:
        ctx.obj = Cli16(json_output=json_output, overrides=overrides)

    @cli.command("sign-in")
    @click.option("--browser", "use_browser", is_flag=True)
    @click.option("--identity-provider")
    @click.option("--no-browser", is_flag=True)
    @click.option("--timeout", type=float)
    @pass_cli
    def sign_in(
        cli: Cli, use_browser: bool, identity_provider: str | None, no_browser: bool, timeout: float | None
    ) -> None:
        assert use_browser
        browser_sign_in(cli, identity_provider, no_browser, timeout)

    @cli.command("sign-out")
    @click.option("--provider")
    @click.option("--browser", "use_browser", is_flag=True)
    @click.option("--no-browser", is_flag=True)
    @click.option("--global", "globally", is_flag=True)
    @pass_cli
    def sign_out(cli: Cli, provider: str | None, use_browser: bool, no_browser: bool, globally: bool) -> None:
        assert use_browser
        browser_sign_out(cli, provider, globally, no_browser)

    cli.add_command(token)
    return cli


# --- tests ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


def settings_for(server: ManagedLogin, home: Path, redirect_uri: str, **more: dict[str, Any]) -> dict[str, Any]:
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
        "storage": {"backend": "file", "path": str(home)},
        "network": {"max_attempts": 1, "timeout_seconds": 10.0},
    }
    for section, keys in more.items():
        overrides.setdefault(section, {}).update(keys)
    return overrides


@pytest.fixture
def auth(server: ManagedLogin, tmp_path: Path) -> Iterator[Issue16Auth]:
    """The facade on the container with these bindings, its browser a :class:`FakeBrowser`."""
    settings = load_settings(environ={}, overrides=settings_for(server, tmp_path, loopback_redirect_uri(server)))
    container = container_for(settings, home=tmp_path)
    container.browser.override(providers.Object(FakeBrowser()))
    yield Issue16Auth(container)
    container.browser.reset_override()


def test_the_facade_signs_in_with_the_browser_and_serves_the_apis(auth: Issue16Auth, server: ManagedLogin) -> None:
    shown: list[tuple[str, bool]] = []
    step = auth.sign_in_with_browser(show_url=lambda url, opened: shown.append((url, opened)), timeout=20)
    assert step.tokens.username == "alice"
    assert shown[0][1] is True
    assert auth.is_signed_in(COGNITO)
    assert auth.get_credentials().authenticated

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


def test_the_facade_without_a_browser_reads_the_pasted_address(auth: Issue16Auth, server: ManagedLogin) -> None:
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


def test_a_typo_in_the_token_kind_or_a_scope_fails_at_once(auth: Issue16Auth) -> None:
    from aws_client_auth.domain import errors as e

    with pytest.raises(e.InvalidInput):
        auth.requests_auth("refresh")
    with pytest.raises(e.InvalidInput):
        auth.machine_requests_auth('"x"')


def test_unconfigured_browser_sign_in_and_machine_tokens_say_what_to_set(tmp_path: Path) -> None:
    from aws_client_auth.domain import errors as e

    auth = Issue16Auth(container_for(load_settings(environ={}), home=tmp_path))
    with pytest.raises(e.ProviderNotConfigured, match=r"\[cognito\] domain, app_client_id, redirect_uri"):
        auth.sign_in_with_browser()
    with pytest.raises(e.ProviderNotConfigured, match=r"\[machine\] client_id, client_secret, token_url"):
        auth.machine_token()


def test_the_machine_token_cache_follows_the_storage_backend(server: ManagedLogin, tmp_path: Path) -> None:
    memory = settings_for(server, tmp_path, "http://127.0.0.1:1/cb", storage={"backend": "memory"})
    auth = Issue16Auth(container_for(load_settings(environ={}, overrides=memory), home=None))
    assert isinstance(auth.container.machine_token_cache(), MemoryMachineTokenCache)
    auth.machine_token()
    assert not (tmp_path / "machine-tokens").exists()


# --- the CLI, in process (the subprocess tests come with the real command tree) ---------------------------------


def run(server: ManagedLogin, home: Path, redirect_uri: str, args: list[str], stdin: str = "") -> Any:
    tree = command_tree(settings_for(server, home, redirect_uri))
    return CliRunner().invoke(tree, args, input=stdin, catch_exceptions=False)


def test_cli_sign_in_with_browser_set_to_a_script(
    server: ManagedLogin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m tests.managed_login browse %s")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    uri = loopback_redirect_uri(server)
    result = run(server, tmp_path, uri, ["--json", "sign-in", "--browser", "--timeout", "30"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["username"] == "alice"
    assert "Your browser was opened" in result.stderr
    assert f"{server.url}/oauth2/authorize?" in result.stderr


def test_cli_sign_in_no_browser_reads_the_address_on_stdin(
    server: ManagedLogin, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = loopback_redirect_uri(server)

    class Person:
        """Reads the address printed, signs in with a browser on another computer, and pastes where it ended."""

        def isatty(self) -> bool:
            return False

        def readline(self) -> str:
            found = re.search(r"(http://\S+/oauth2/authorize\?\S+)", capsys.readouterr().err)
            assert found is not None
            landed: list[str] = []

            def divert(location: str) -> str:
                if location.startswith(uri):
                    landed.append(location)
                    return f"{server.url}/nowhere"
                return location

            FakeBrowser(tamper=divert).follow(found.group(1))
            return landed[-1] + "\n"

    monkeypatch.setattr(sys, "stdin", Person())
    remember(f"3A{urlsplit(uri).port}")  # a secret this process holds that also occurs in the URL (its port)
    browser_sign_in(Cli16(overrides=settings_for(server, tmp_path, uri)), None, True, 10)
    assert "Signed in to cognito as alice." in capsys.readouterr().out


def test_cli_a_denied_consent_is_one_line_and_exit_1(
    server: ManagedLogin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m tests.managed_login browse %s")
    monkeypatch.setenv("STAND_IN_CANCEL", "1")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    result = run(server, tmp_path, loopback_redirect_uri(server), ["--json", "sign-in", "--browser", "--timeout", "30"])
    assert result.exit_code == 1
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["error"] == "access_denied"


def test_cli_token_client_credentials(server: ManagedLogin, tmp_path: Path) -> None:
    uri = "http://127.0.0.1:1/cb"
    first = run(server, tmp_path, uri, ["token", "--client-credentials"])
    assert first.exit_code == 0, first.output
    token_text = first.stdout.strip()
    assert server.verify(token_text, use="access") is not None
    again = run(server, tmp_path, uri, ["--json", "token", "--client-credentials", "--scope", "games/read"])
    assert json.loads(again.stdout)["access_token"] == token_text  # cached across runs
    both = run(
        server,
        tmp_path,
        uri,
        ["--json", "token", "--client-credentials", "--scope", "games/read", "--scope", "games/write"],
    )
    assert json.loads(both.stdout)["access_token"] != token_text
    assert server.counts["token:client_credentials"] == 2
    refused = run(server, tmp_path, uri, ["token"])
    assert refused.exit_code == 2


def test_cli_sign_out_no_browser_prints_the_logout_address(server: ManagedLogin, tmp_path: Path) -> None:
    uri = loopback_redirect_uri(server)
    result = run(server, tmp_path, uri, ["sign-out", "--browser", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert f"{server.url}/logout?" in result.stderr
    assert "Nobody was signed in here" in result.stdout
    logout = next(word for word in result.stderr.split() if "/logout?" in word)
    assert parse_qs(urlsplit(logout).query)["client_id"] == [PUBLIC_CLIENT]
