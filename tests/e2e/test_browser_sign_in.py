"""Browser sign-in end to end, in-process: the loopback listener, a browser that follows the authorize URL (login
page, cookies, redirects), the code exchange with PKCE, the ID token verified with the pool's keys and the nonce,
then everything a password sign-in allows: identity-pool credentials for the browser-obtained ID token (the
stand-in's identity pool verifies it), refresh, and sign-out that revokes the refresh token and, with
``--browser``, ends the managed-login session.

The adapters are wired as the container will wire them (``tests.managed_login.wire``), against the stand-in; the
CLI and ``ClientAuth`` calls are added once the facade restructuring lands (see the issue's wiring notes).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from aws_client_auth.adapters.oauth.browser import SystemBrowser
from aws_client_auth.application.ports.browser_sign_in import (
    BrowserSignInDenied,
    BrowserSignInTimeout,
    RedirectPortInUse,
    StateMismatch,
)
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import SignedIn as SignedInEvent
from aws_client_auth.domain.events import SignedOut, SignInFailed
from aws_client_auth.domain.tokens import COGNITO
from tests.fakes import RecordingEvents
from tests.managed_login import (
    CONFIDENTIAL_CLIENT,
    FakeBrowser,
    ManagedLogin,
    Person,
    Wired,
    loopback_redirect_uri,
    managed_login,
    wire,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


@pytest.fixture
def wired(server: ManagedLogin, tmp_path: Path) -> Wired:
    return wire(server, tmp_path, loopback_redirect_uri(server))


class Shown:
    """What the user was told: the URL, and whether a browser was asked to open it."""

    def __init__(self) -> None:
        self.urls: list[tuple[str, bool]] = []

    def __call__(self, url: str, opened: bool) -> None:
        self.urls.append((url, opened))


def sign_in(
    wired: Wired, browser: FakeBrowser | None = None, *, identity_provider: str | None = None
) -> tuple[FakeBrowser, Shown]:
    browser = browser or FakeBrowser()
    shown = Shown()
    try:
        wired.sign_in_with_browser.execute(
            wired.listener(), browser=browser, show=shown, timeout=20, identity_provider=identity_provider
        )
    finally:
        browser.wait()  # the page the browser was shown, also after a failure
    return browser, shown


def test_browser_sign_in_then_credentials_refresh_and_sign_out(wired: Wired, server: ManagedLogin) -> None:
    browser, shown = sign_in(wired)
    [(url, opened)] = shown.urls
    assert opened
    assert url.startswith(f"{server.url}/oauth2/authorize?")
    assert browser.pages[-1].status_code == 200
    assert "You are signed in" in browser.pages[-1].text
    assert browser.errors == []

    session = wired.sessions.load()
    tokens = session.tokens[COGNITO]
    assert tokens.username == "alice"
    assert tokens.subject == server.users["alice"].sub
    assert tokens.refresh_token is not None
    assert isinstance(wired.events, RecordingEvents)
    assert [event.username for event in wired.events.of(SignedInEvent)] == ["alice"]

    # the identity pool (which verifies the ID token's signature, issuer and audience) gives AWS credentials
    credentials = wired.credentials.get()
    assert credentials.authenticated
    assert credentials.identity_id == server.identities[server.users["alice"].sub]
    assert server.counts["GetCredentialsForIdentity"] == 1

    # refresh works as for a password sign-in
    refreshed = wired.tokens.refresh(COGNITO)
    assert refreshed.access_token != tokens.access_token
    assert refreshed.username == "alice"
    assert refreshed.refresh_token == tokens.refresh_token
    assert server.counts["GetTokensFromRefreshToken"] + server.counts["InitiateAuth"] >= 1

    # sign-out --browser: the refresh token revoked, the session here gone, the browser's session ended
    assert server.browser_sessions
    shown = Shown()
    names = wired.sign_out_of_browser.execute(wired.listener(), browser=browser, show=shown, timeout=20)
    browser.wait()
    assert names == (COGNITO,)
    assert server.counts["RevokeToken"] == 1
    assert tokens.refresh_token is not None
    assert server.refresh_tokens[tokens.refresh_token.reveal()].revoked
    assert wired.sessions.load().tokens == {}
    assert server.browser_sessions == {}
    assert "You are signed out" in browser.pages[-1].text
    assert [event.provider for event in wired.events.of(SignedOut)] == [COGNITO]
    [(logout_url, _)] = shown.urls
    assert logout_url.startswith(f"{server.url}/logout?")

    # the next browser sign-in asks for the password again
    logins = server.counts["login"]
    sign_in(wired, browser)
    assert server.counts["login"] == logins + 1


def test_the_users_browser_is_started_through_webbrowser_and_browser(
    wired: Wired, server: ManagedLogin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standard library's ``webbrowser`` runs the command in ``BROWSER`` with the URL (and waits for it, so
    the adapter starts it in the background): here a script that follows the URL as a browser would."""
    import sys
    import webbrowser

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m tests.managed_login browse %s")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read BROWSER afresh
    shown = Shown()
    wired.sign_in_with_browser.execute(wired.listener(), browser=SystemBrowser(), show=shown, timeout=30)
    assert shown.urls[0][1] is True
    assert wired.sessions.load().tokens[COGNITO].username == "alice"
    assert server.counts["login"] == 1


def test_a_browser_with_a_managed_login_session_comes_straight_back(wired: Wired, server: ManagedLogin) -> None:
    browser, _ = sign_in(wired)
    wired.sign_out.execute(COGNITO)  # signed out here only: the browser keeps its managed-login session
    logins = server.counts["login"]
    sign_in(wired, browser)
    assert server.counts["login"] == logins
    assert wired.sessions.load().tokens[COGNITO].username == "alice"


def test_a_federated_identity_provider(wired: Wired, server: ManagedLogin) -> None:
    _, shown = sign_in(wired, identity_provider="Google")
    assert parse_qs(urlsplit(shown.urls[0][0]).query)["identity_provider"] == ["Google"]
    tokens = wired.sessions.load().tokens[COGNITO]
    assert tokens.username == "Google_1170000001"
    assert server.counts["login"] == 0
    assert wired.credentials.get().authenticated


def test_an_unknown_identity_provider_is_the_servers_error(wired: Wired) -> None:
    with pytest.raises(e.ServiceError, match="managed login refused") as raised:
        sign_in(wired, identity_provider="Okta")
    assert raised.value.service_code == "invalid_request"
    assert "Okta is not a provider" in (raised.value.service_message or "")


def test_a_confidential_app_client(server: ManagedLogin, tmp_path: Path) -> None:
    wired = wire(server, tmp_path, loopback_redirect_uri(server, CONFIDENTIAL_CLIENT), client_id=CONFIDENTIAL_CLIENT)
    sign_in(wired)
    tokens = wired.sessions.load().tokens[COGNITO]
    assert jwt.decode(tokens.id_token.reveal(), options={"verify_signature": False})["aud"] == CONFIDENTIAL_CLIENT  # type: ignore[union-attr]
    assert wired.tokens.refresh(COGNITO).username == "alice"  # SECRET_HASH of the sub, or the client secret
    assert wired.credentials.get().authenticated


def test_a_redirect_with_another_state_is_refused(wired: Wired, server: ManagedLogin) -> None:
    browser = FakeBrowser(tamper=lambda url: re.sub(r"state=[^&]+", "state=forged", url))
    with pytest.raises(StateMismatch, match="does not belong to this sign-in"):
        sign_in(wired, browser)
    assert browser.pages[-1].status_code == 400
    assert "does not belong to this sign-in" in browser.pages[-1].text
    assert server.counts["token:authorization_code"] == 0  # the code was never used
    assert wired.sessions.load().tokens == {}
    assert isinstance(wired.events, RecordingEvents)
    [failure] = wired.events.of(SignInFailed)
    assert failure.error_code == "state_mismatch"


def test_a_redirect_without_state_is_refused(wired: Wired, server: ManagedLogin) -> None:
    browser = FakeBrowser(tamper=lambda url: re.sub(r"&?state=[^&]+", "", url))
    with pytest.raises(StateMismatch):
        sign_in(wired, browser)
    assert server.counts["token:authorization_code"] == 0


def test_a_cancelled_sign_in_is_denied_clearly(wired: Wired, server: ManagedLogin) -> None:
    browser = FakeBrowser(person=Person(cancels=True))
    with pytest.raises(BrowserSignInDenied, match="cancelled or refused in the browser") as raised:
        sign_in(wired, browser)
    assert raised.value.service_code == "access_denied"
    assert raised.value.service_message == "The user cancelled the sign-in"
    assert "cancelled or refused" in browser.pages[-1].text
    assert wired.sessions.load().tokens == {}


def test_a_wrong_password_stays_on_the_login_page_until_the_timeout(wired: Wired, server: ManagedLogin) -> None:
    browser = FakeBrowser(person=Person(password="wrong"))
    with pytest.raises(BrowserSignInTimeout, match="No answer came back from the browser within 1 s"):
        wired.sign_in_with_browser.execute(wired.listener(), browser=browser, show=Shown(), timeout=1)
    browser.wait()
    assert "Incorrect password" in browser.pages[-1].text


class Elsewhere:
    """``--no-browser``: the user opens the URL in a browser on another computer, signs in, and copies the address
    it ends on (that browser cannot reach this computer's listener)."""

    def __init__(self, server: ManagedLogin) -> None:
        self.server = server
        self.landed: list[str] = []

    def _divert(self, location: str) -> str:
        if location.startswith("http://127.0.0.1") and "/callback" in location:
            self.landed.append(location)
            return f"{self.server.url}/nowhere"
        return location

    def __call__(self, url: str, opened: bool) -> None:
        assert not opened
        FakeBrowser(tamper=self._divert).follow(url)

    def code(self) -> str:
        return parse_qs(urlsplit(self.landed[-1]).query)["code"][0]


def test_no_browser_the_redirected_address_is_pasted(wired: Wired, server: ManagedLogin) -> None:
    user = Elsewhere(server)
    wired.sign_in_with_browser.execute(wired.pasted_from(lambda: user.landed[-1]), browser=None, show=user, timeout=5)
    assert user.landed[-1].startswith(wired.redirect_uri)
    assert wired.sessions.load().tokens[COGNITO].username == "alice"


def test_no_browser_only_the_code_is_pasted(wired: Wired, server: ManagedLogin) -> None:
    user = Elsewhere(server)
    wired.sign_in_with_browser.execute(wired.pasted_from(user.code), browser=None, show=user, timeout=5)
    assert wired.sessions.load().tokens[COGNITO].username == "alice"


def test_a_pasted_address_with_another_state_is_refused(wired: Wired, server: ManagedLogin) -> None:
    user = Elsewhere(server)
    with pytest.raises(StateMismatch):
        wired.sign_in_with_browser.execute(
            wired.pasted_from(lambda: re.sub(r"state=[^&]+", "state=other", user.landed[-1])),
            browser=None,
            show=user,
            timeout=5,
        )
    assert server.counts["token:authorization_code"] == 0


def test_a_port_in_use_fails_before_the_browser_opens(wired: Wired) -> None:
    port = int(urlsplit(wired.redirect_uri).port or 0)
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen(1)
        browser = FakeBrowser()
        shown = Shown()
        with pytest.raises(RedirectPortInUse, match=f"Port {port} on 127.0.0.1 is in use"):
            wired.sign_in_with_browser.execute(wired.listener(), browser=browser, show=shown, timeout=5)
    assert browser.visited == []
    assert shown.urls == []


def test_a_browser_that_never_comes_back_times_out(wired: Wired) -> None:
    shown = Shown()
    with pytest.raises(BrowserSignInTimeout, match=r"within 0\.5 s"):
        wired.sign_in_with_browser.execute(wired.listener(), browser=None, show=shown, timeout=0.5)
    assert shown.urls[0][1] is False
    # the port is free again for the next sign-in
    sign_in(wired)


def test_a_sign_in_can_be_cancelled_while_it_waits(wired: Wired) -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with pytest.raises(e.Cancelled):
        wired.sign_in_with_browser.execute(wired.listener(), browser=None, show=Shown(), timeout=30, cancel=cancel)


def test_sign_out_of_the_browser_without_a_local_session_still_ends_the_browsers(
    wired: Wired, server: ManagedLogin
) -> None:
    browser, _ = sign_in(wired)
    wired.sign_out.execute(COGNITO)
    names = wired.sign_out_of_browser.execute(wired.listener(), browser=browser, show=Shown(), timeout=20)
    browser.wait()
    assert names == ()
    assert server.browser_sessions == {}


def test_sign_out_of_one_provider_with_the_browser(wired: Wired, server: ManagedLogin) -> None:
    browser, _ = sign_in(wired)
    names = wired.sign_out_of_browser.execute(
        wired.listener(), browser=browser, show=Shown(), provider=COGNITO, timeout=20
    )
    browser.wait()
    assert names == (COGNITO,)
    shown = Shown()
    assert wired.sign_out_of_browser.execute(None, browser=None, show=shown, provider=COGNITO) == ()
    assert shown.urls[0][0].startswith(f"{server.url}/logout?")  # not signed in here: the browser's session ends


def test_sign_out_with_no_browser_shows_the_logout_url(wired: Wired, server: ManagedLogin) -> None:
    sign_in(wired)
    shown = Shown()
    assert wired.sign_out_of_browser.execute(None, browser=None, show=shown) == (COGNITO,)
    [(url, opened)] = shown.urls
    assert url.startswith(f"{server.url}/logout?")
    assert not opened
    assert server.counts["RevokeToken"] == 1


def test_a_browser_logout_that_never_returns_says_the_session_may_be_open(wired: Wired, server: ManagedLogin) -> None:
    sign_in(wired)
    with pytest.raises(BrowserSignInTimeout, match="Signed out here, but the browser's managed-login session may"):
        wired.sign_out_of_browser.execute(wired.listener(), browser=None, show=Shown(), timeout=0.3)
    assert wired.sessions.load().tokens == {}


def test_the_callback_page_and_the_terminal_never_show_a_token(wired: Wired, server: ManagedLogin) -> None:
    browser, shown = sign_in(wired)
    tokens = wired.sessions.load().tokens[COGNITO]
    secrets = [tokens.access_token.reveal(), tokens.refresh_token.reveal()]  # type: ignore[union-attr]
    text = browser.pages[-1].text + " ".join(url for url, _ in shown.urls)
    assert not any(secret in text for secret in secrets)
    with pytest.raises(requests.ConnectionError):
        requests.get(wired.redirect_uri, timeout=2)
