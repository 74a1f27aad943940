"""The browser's side of a browser sign-in: PKCE values, the redirect URI's rules, the one-shot loopback listener
(RFC 8252) and the pasted redirect of ``--no-browser``. Real sockets on 127.0.0.1 (and ::1 where there is one)."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests

from aws_client_auth.adapters.oauth import pkce
from aws_client_auth.adapters.oauth.browser import SystemBrowser
from aws_client_auth.adapters.oauth.loopback import (
    IDLE,
    LoopbackListener,
    PastedRedirect,
    loopback_redirect,
    redirect_of,
)
from aws_client_auth.adapters.settings.network import loopback_redirect_problem
from aws_client_auth.application.ports.browser_sign_in import (
    BrowserSignInTimeout,
    Redirect,
    RedirectNotLoopback,
    RedirectPortInUse,
)
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@contextmanager
def listening(uri: str | None = None) -> Iterator[tuple[LoopbackListener, str]]:
    uri = uri or f"http://127.0.0.1:{free_port()}/callback"
    listener = LoopbackListener(uri)
    listener.start()
    try:
        yield listener, uri
    finally:
        listener.close()


def get_later(url: str, **kwargs: object) -> Future[requests.Response]:
    """A browser's request, in the background: the listener answers it only once the redirect was handled."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(requests.get, url, timeout=10, **kwargs)  # type: ignore[arg-type]
    pool.shutdown(wait=False)
    return future


# --- PKCE ----------------------------------------------------------------------------------------------------


def test_s256_challenge_is_rfc_7636s_example() -> None:
    # RFC 7636, appendix B.
    assert pkce.code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_verifiers_state_and_nonce_are_long_unreserved_and_fresh() -> None:
    verifiers = {pkce.code_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    values = {pkce.random_value() for _ in range(50)}
    assert len(values) == 50
    assert all(len(base64.urlsafe_b64decode(v + "=")) == pkce.VALUE_BYTES for v in values)


def test_challenge_is_the_hash_of_the_verifier() -> None:
    verifier = pkce.code_verifier()
    digest = base64.urlsafe_b64decode(pkce.code_challenge(verifier) + "=")
    assert digest == hashlib.sha256(verifier.encode()).digest()


# --- the redirect URI -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://localhost:53682/callback", "plain http"),
        ("http://example.com:53682/callback", "not this computer"),
        ("http://192.168.1.10:53682/callback", "not this computer"),
        ("http://[::ffff:127.0.0.1]:53682/callback", "not this computer"),
        ("http://localhost/callback", "must name its port"),
        ("http://localhost:0/callback", "must name its port"),
        ("http://localhost:53682/callback?x=1", "query"),
        ("http://localhost:53682/callback#top", "fragment"),
        ("http://user@localhost:53682/callback", "user name"),
        ("http://localhost:99999/callback", "not a URL"),
        ("http://localhost:53682/call back", "spaces"),
        ("myapp://callback", "plain http"),
    ],
)
def test_a_redirect_uri_that_is_not_this_computer_is_refused_with_the_forms_to_use(uri: str, problem: str) -> None:
    found = loopback_redirect_problem(uri)
    assert found is not None
    assert problem in found
    assert "http://localhost:PORT/path" in found
    with pytest.raises(RedirectNotLoopback, match=r"\[cognito\] redirect_uri"):
        loopback_redirect(uri)


@pytest.mark.parametrize(
    ("uri", "addresses"),
    [
        ("http://localhost:53682/callback", ["127.0.0.1", "::1"]),
        ("http://LOCALHOST:53682/", ["127.0.0.1", "::1"]),
        ("http://127.0.0.1:53682/cb", ["127.0.0.1"]),
        ("http://127.0.0.2:53682/cb", ["127.0.0.2"]),
        ("http://[::1]:53682/cb", ["::1"]),
    ],
)
def test_loopback_redirect_uris_are_listened_on_each_address_they_name(uri: str, addresses: list[str]) -> None:
    assert loopback_redirect_problem(uri) is None
    assert [address for _, address in loopback_redirect(uri).addresses] == addresses


def test_an_unset_redirect_uri_says_what_to_set() -> None:
    with pytest.raises(RedirectNotLoopback, match=r"redirect_uri is not set: .* http://localhost:53682/callback"):
        loopback_redirect("")


# --- the listener ------------------------------------------------------------------------------------------------


def test_the_redirect_is_received_and_the_browser_is_told_the_outcome() -> None:
    with listening() as (listener, uri):
        browser = get_later(f"{uri}?code=abc-123&state=s1")
        redirect = listener.receive(5)
        assert redirect == Redirect(code=Secret("abc-123"), state="s1")
        assert not browser.done()  # held until the sign-in is done
        listener.answer(True, "You are signed in.")
        page = browser.result()
    assert page.status_code == 200
    assert "You are signed in." in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "<script" not in page.text
    assert "<a " not in page.text


def test_the_listener_is_one_shot() -> None:
    with listening() as (listener, uri):
        browser = get_later(f"{uri}?code=c&state=s")
        listener.receive(5)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{uri}?code=again&state=s", timeout=5)
        listener.answer(True, "ok")
        assert browser.result().status_code == 200
        with pytest.raises(e.InvalidInput, match="received its redirect already"):
            listener.receive(5)


def test_a_failure_is_shown_escaped_and_cleaned() -> None:
    with listening() as (listener, uri):
        browser = get_later(f"{uri}?error=access_denied&state=s")
        redirect = listener.receive(5)
        assert redirect.error == "access_denied"
        listener.answer(False, "<script>alert(1)</script>\x1b[2J cancelled")
        page = browser.result()
    assert page.status_code == 400
    assert "Sign-in failed" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "\x1b" not in page.text


def test_a_listener_closed_without_an_answer_tells_the_browser_to_look_at_the_terminal() -> None:
    with listening() as (listener, uri):
        browser = get_later(f"{uri}?code=c&state=s")
        listener.receive(5)
    page = browser.result()
    assert page.status_code == 400
    assert "see the terminal" in page.text


def test_other_paths_and_methods_are_answered_and_the_wait_goes_on() -> None:
    with listening() as (listener, uri), ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(listener.receive, 10)
        base = uri.rsplit("/", 1)[0]
        assert requests.get(f"{base}/favicon.ico", timeout=5).status_code == 404
        assert requests.post(f"{uri}?code=c&state=s", timeout=5).status_code == 405
        assert requests.get(f"{uri}x?code=c&state=s", timeout=5).status_code == 404
        assert not waiting.done()
        browser = get_later(f"{uri}?code=real-code-16&state=s")
        redirect = waiting.result()
        listener.answer(True, "ok")
    assert redirect.code == Secret("real-code-16")
    assert browser.result().status_code == 200


def test_a_silent_speculative_connection_does_not_hold_up_the_redirect() -> None:
    with listening() as (listener, uri):
        port = int(uri.split(":")[2].split("/")[0])
        idle = socket.create_connection(("127.0.0.1", port))
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(b"GET /callback?code=never")  # a head that never ends
        try:
            browser = get_later(f"{uri}?code=real-code-16&state=s")
            started = time.monotonic()
            redirect = listener.receive(IDLE + 5)
            assert time.monotonic() - started < IDLE / 2
            listener.answer(True, "ok")
        finally:
            idle.close()
            half.close()
    assert redirect.code == Secret("real-code-16")
    assert browser.result().status_code == 200


def test_an_endless_request_head_is_refused_without_ending_the_wait() -> None:
    with listening() as (listener, uri):
        port = int(uri.split(":")[2].split("/")[0])
        flood = socket.create_connection(("127.0.0.1", port))
        flood.sendall(b"GET /callback?" + b"a" * 40_000)
        flood.settimeout(5)
        browser = get_later(f"{uri}?code=real-code-16&state=s")
        redirect = listener.receive(5)
        listener.answer(True, "ok")
        try:
            answer = flood.recv(100)
        except ConnectionResetError:
            answer = b""  # unread bytes dropped at the close may reset the connection before the 431 is read
        finally:
            flood.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431")
    assert redirect.code == Secret("real-code-16")
    assert browser.result().status_code == 200


def test_a_malformed_redirect_ends_the_sign_in_clearly() -> None:
    with listening() as (listener, uri):
        browser = get_later(f"{uri}?code=a&code=b&state=s")
        with pytest.raises(e.ServiceError, match="'code' more than once"):
            listener.receive(5)
    assert browser.result().status_code == 400


def test_a_code_that_is_not_printable_ascii_is_refused() -> None:
    with pytest.raises(e.ServiceError, match="malformed code"):
        redirect_of("code=%1b%5b31m&state=s")
    with pytest.raises(e.ServiceError, match="malformed code"):
        redirect_of("code=" + "a" * 3000)


def test_the_error_description_is_cleaned_and_the_error_code_kept_exact() -> None:
    redirect = redirect_of("error=access_denied&error_description=%1b%5b2JUser+cancelled%0aforged+line&state=s")
    assert redirect.error == "access_denied"
    assert redirect.error_description == "User cancelled forged line"


def test_no_answer_within_the_timeout_is_a_clear_error() -> None:
    with listening() as (listener, _), pytest.raises(BrowserSignInTimeout, match=r"within 0\.3 s"):
        listener.receive(0.3)


def test_a_cancelled_wait_ends_at_once() -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with listening() as (listener, _), pytest.raises(e.Cancelled):
        listener.receive(30, cancel)
    assert time.monotonic() - started < 5


def test_a_port_in_use_is_reported_before_any_browser_is_opened() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        listener = LoopbackListener(f"http://127.0.0.1:{port}/callback")
        with pytest.raises(RedirectPortInUse, match=f"Port {port} on 127.0.0.1 is in use by another program"):
            listener.start()
        assert listener.listening == ()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")
def test_localhost_is_listened_on_both_loopback_addresses() -> None:
    port = free_port()
    with listening(f"http://localhost:{port}/callback") as (listener, _):
        assert sorted(address for address, _ in listener.listening) == ["127.0.0.1", "::1"]
        browser = get_later(f"http://[::1]:{port}/callback?code=six-code-16&state=s")
        assert listener.receive(5).code == Secret("six-code-16")
        listener.answer(True, "ok")
        assert browser.result().status_code == 200


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")
def test_localhost_with_its_ipv6_port_taken_is_a_port_in_use() -> None:
    with socket.socket(socket.AF_INET6) as other:
        other.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        other.bind(("::1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        with pytest.raises(RedirectPortInUse, match="in use"):
            LoopbackListener(f"http://localhost:{port}/callback").start()


def test_the_port_can_be_listened_on_again_at_once_after_a_sign_in() -> None:
    uri = f"http://127.0.0.1:{free_port()}/callback"
    for _ in range(2):
        with listening(uri) as (listener, _):
            browser = get_later(f"{uri}?code=c&state=s")
            listener.receive(5)
            listener.answer(True, "ok")
            assert browser.result().status_code == 200


# --- pasted ------------------------------------------------------------------------------------------------------


def pasted(text: str, uri: str = "http://localhost:53682/callback") -> Redirect:
    receiver = PastedRedirect(lambda: text, uri)
    receiver.start()
    try:
        return receiver.receive(1)
    finally:
        receiver.answer(True, "ignored")
        receiver.close()


def test_the_pasted_redirect_address_is_read_with_its_state() -> None:
    redirect = pasted("  http://localhost:53682/callback?code=c0de&state=st4te\n")
    assert redirect == Redirect(code=Secret("c0de"), state="st4te", complete=True)


def test_only_the_code_may_be_pasted() -> None:
    assert pasted("c0de-1234") == Redirect(code=Secret("c0de-1234"), complete=False)


def test_a_pasted_error_is_read() -> None:
    redirect = pasted("http://localhost:53682/callback?error=access_denied&state=x")
    assert redirect.error == "access_denied"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Nothing was pasted"),
        ("https://evil.example/callback?code=c&state=s", "not the redirect URI"),
        ("http://localhost:53682/other?code=c&state=s", "not the redirect URI"),
        ("http://localhost:1/callback?code=c&state=s", "not the redirect URI"),
        ("two words", "neither the redirect address nor a code"),
        ("x" * 20_000, "longer than"),
    ],
)
def test_what_is_not_the_redirect_is_refused(text: str, message: str) -> None:
    with pytest.raises(e.InvalidInput, match=message):
        pasted(text)


# --- the browser -------------------------------------------------------------------------------------------------


def test_the_browser_is_opened_in_the_background() -> None:
    started = threading.Event()
    release = threading.Event()

    def slow_browser(url: str) -> bool:  # a BROWSER command that waits on the listener, as webbrowser runs it
        started.set()
        return release.wait(5)

    browser = SystemBrowser(environ={"BROWSER": "x"}, opener=slow_browser)
    assert browser.open("http://127.0.0.1:1/oauth2/authorize") is True
    assert started.wait(5)
    release.set()


def test_no_text_browser_takes_over_a_terminal_without_a_display() -> None:
    opened: list[str] = []

    def record(url: str) -> bool:
        opened.append(url)
        return True

    browser = SystemBrowser(environ={}, opener=record)
    if browser.open("http://127.0.0.1:1/x"):
        pytest.skip("this platform always has a graphical browser")
    assert opened == []


def test_a_browser_that_fails_to_start_leaves_the_url_to_the_user(caplog: pytest.LogCaptureFixture) -> None:
    done = threading.Event()

    def broken(url: str) -> bool:
        done.set()
        raise OSError("no such browser")

    assert SystemBrowser(environ={"DISPLAY": ":0"}, opener=broken).open("http://127.0.0.1:1/x")
    assert done.wait(5)
    time.sleep(0.1)
    assert "open the URL shown by hand" in caplog.text
