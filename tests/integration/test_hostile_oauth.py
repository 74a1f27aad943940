"""A hostile OAuth provider: escape sequences in every field it sends, bodies larger than anything a client
should hold, answers trickled a byte at a time, absurd numbers, and echoes of the secrets it was sent.

Each case ends in a clean one-line ClientAuthError or a cleaned value, never a traceback, and never a changed
stored session. ``responses`` plays the provider where bytes are enough; a real server on 127.0.0.1
(``tests.oauth_server``) where time and size on the wire matter.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from aws_client_auth.adapters.http import MAX_BODY, HttpClient, JsonFetcher, http_session
from aws_client_auth.adapters.oauth import checks
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient
from aws_client_auth.adapters.oauth.providers import login_with_amazon
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.application.ports.device_sign_in import Approved, Pending
from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.use_cases.complete_device_sign_in import CompleteDeviceSignIn
from aws_client_auth.application.use_cases.start_device_sign_in import StartDeviceSignIn
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import DeviceCodeIssued
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import GOOGLE, LOGIN_WITH_AMAZON, LoginToken, Tokens
from tests.fakes import LWA_KEY, START, CountingStore, FakeClock, FakeSleeper, RecordingEvents
from tests.oauth_server import Flood, HangUp, OAuthServer, Raw, Trickle, oauth_server

CODE_URL = "https://api.amazon.com/auth/o2/create/codepair"
TOKEN_URL = "https://api.amazon.com/auth/o2/token"
DEVICE_CODE = "dc-echo-7f3a"  # short and plain: only redaction by value can catch it
GOOD = {
    "device_code": DEVICE_CODE,
    "user_code": "WDJB-MJHT",
    "verification_uri": "https://amazon.com/us/code",
    "expires_in": 600,
    "interval": 5,
}
ESCAPES = [
    "\x1b]8;;https://evil.example/\x07https://amazon.com/code\x1b]8;;\x07",  # a hyperlink hiding its target
    "\x1b[2K\x1b[1A\u2714 Signed in as admin",  # rewrite the line above
    "\x1b[2J\x1b[H",  # clear the screen
    "\x9b2J",  # the same, as an 8-bit control
    "WDJB\r\nSigned in",  # forge a line
    "WDJB\u202eNIGEB",  # reverse the text that follows
]
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --- a device flow with a real adapter, the use cases and a stored session ---------------------------------


@dataclass
class Rig:
    clock: FakeClock
    sleeper: FakeSleeper
    store: CountingStore
    events: RecordingEvents
    client: DeviceFlowClient
    before: Session

    @property
    def sessions(self) -> Sessions:
        return Sessions(self.store)

    def registry(self) -> ProviderRegistry:
        lwa = AuthProvider(LOGIN_WITH_AMAZON, LWA_KEY, LoginToken.ACCESS, refresher=self.client, device=self.client)
        return ProviderRegistry([lwa])

    def start(self) -> DeviceAuthorization:
        return StartDeviceSignIn(self.registry(), self.sessions, self.events).execute("lwa")

    def complete(self, *, wait: bool = False) -> object:
        use_case = CompleteDeviceSignIn(self.registry(), self.sessions, self.events, self.clock, self.sleeper)
        return use_case.execute(wait=wait)

    def unchanged(self) -> bool:
        return self.store.load() == self.before and self.store.saves == 0

    def keep(self) -> None:
        """What is stored now becomes what must not change."""
        self.before, self.store.saves = self.store.load(), 0


def rig(code_url: str = CODE_URL, token_url: str = TOKEN_URL, *, timeout: float = 5, attempts: int = 3) -> Rig:
    clock = FakeClock()
    sleeper = FakeSleeper(clock)
    http = HttpClient(http_session(), timeout=timeout, max_attempts=attempts, sleeper=sleeper)
    section = {"app_client_id": "amzn1.app", "oauth_code_url": code_url, "oauth_tokens_url": token_url}
    client = DeviceFlowClient(login_with_amazon({**section, "scope": "profile"}), OAuthTransport(http), clock)
    store = CountingStore()
    google = Tokens(GOOGLE, Secret("ya29-kept"), START + timedelta(hours=1), username="alice", subject="g-1")
    store.save(Session(tokens={GOOGLE: google}))
    store.saves = 0
    return Rig(clock, sleeper, store, RecordingEvents(), client, store.load())


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def assert_clean(error: BaseException, *absent: str) -> None:
    """A message fit for a terminal: one line, no control character or escape, none of ``absent``."""
    assert isinstance(error, e.ClientAuthError)
    text = str(error)
    assert text
    assert "\n" not in text
    assert not CONTROL.search(text), text
    assert "Traceback" not in text
    assert len(text) < 1000
    for value in absent:
        assert value not in text, text


def failure(call: Callable[[], object]) -> e.ClientAuthError:
    with pytest.raises(e.ClientAuthError) as raised:
        call()
    return raised.value


# --- escape sequences and malformed strings in what is shown -------------------------------------------------


@pytest.mark.parametrize("hostile", ESCAPES)
@pytest.mark.parametrize(
    ("field", "prefix"),
    [
        ("user_code", ""),
        ("verification_uri", "https://amazon.com/code"),
        ("verification_uri_complete", "https://amazon.com/code?c="),
        ("verification_url", "https://amazon.com/code"),
    ],
)
def test_escape_sequences_in_a_shown_field_stop_the_sign_in_before_anything_is_kept(
    mocked: responses.RequestsMock, field: str, prefix: str, hostile: str
) -> None:
    answer: dict[str, Any] = {**GOOD, field: prefix + hostile}
    if field == "verification_url":
        del answer["verification_uri"]
    mocked.post(CODE_URL, json=answer)
    r = rig()
    error = failure(r.start)
    assert isinstance(error, e.ServiceError)
    assert "Login with Amazon" in str(error)
    assert_clean(error, "evil", "Signed in", DEVICE_CODE)
    assert r.unchanged()
    assert not r.events.of(DeviceCodeIssued)


@pytest.mark.parametrize(
    "uri",
    [
        "http://amazon.com/code",
        "http://127.0.0.1.evil.example/code",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "ftp://amazon.com/code",
        "amazon.com/code",
        "https://",
        "https:///code",
        "https://amazon.com@evil.example/code",
        "https://amazon.com:99999/code",
        "https://[::1/code",
        "https://amazon.com/ code",
        "https://xn--mazon-wqa.com/\u00e4",
        "https://amazon.com/" + "a" * 2048,
        "",
        5,
        ["https://amazon.com/code"],
        {"href": "https://amazon.com/code"},
    ],
)
def test_a_verification_uri_must_be_https_or_loopback_http_and_a_real_url(uri: object) -> None:
    with pytest.raises(e.ServiceError, match=r"^Okta sent a verification URL that ") as raised:
        checks.verification_uri(uri, "Okta")
    assert_clean(raised.value)


@pytest.mark.parametrize(
    "uri",
    [
        "https://amazon.com/us/code",
        "https://www.google.com/device",
        "HTTPS://Amazon.COM/code",
        "http://127.0.0.1:8080/code",
        "http://127.8.9.1/code",
        "http://localhost/code",
        "http://LOCALHOST:9/code",
        "http://[::1]:9/code",
        "https://amazon.com/" + "a" * 2028,
    ],
)
def test_https_and_loopback_http_uris_are_kept_as_sent(uri: str) -> None:
    assert checks.verification_uri(uri, "Okta") == uri


@pytest.mark.parametrize(
    "code", ["", "A" * 65, "A" * 100_000, "WDJB-MJHT\x00", "\u00c4BCD", "-ABC", "AB<b>CD", "AB\tCD", 12345, ["A"]]
)
def test_a_user_code_must_be_short_letters_and_digits(mocked: responses.RequestsMock, code: object) -> None:
    mocked.post(CODE_URL, json={**GOOD, "user_code": code})
    r = rig()
    error = failure(r.start)
    assert_clean(error, "A" * 65)
    assert r.unchanged()


@pytest.mark.parametrize("code", ["WDJB-MJHT", "A" * 64, "ABCD EFGH", "abc.def_1", "123456"])
def test_ordinary_user_codes_are_kept(mocked: responses.RequestsMock, code: str) -> None:
    mocked.post(CODE_URL, json={**GOOD, "user_code": code})
    assert rig().start().user_code == code


@pytest.mark.parametrize("code", ["", "d" * 5000, "dc with spaces", "dc\x1b[2J", 42])
def test_an_unusable_device_code_is_refused_without_being_shown(mocked: responses.RequestsMock, code: object) -> None:
    mocked.post(CODE_URL, json={**GOOD, "device_code": code})
    r = rig()
    error = failure(r.start)
    assert_clean(error, "d" * 100)
    assert r.unchanged()


def test_error_and_description_are_cleaned_and_the_secrets_they_echo_masked(mocked: responses.RequestsMock) -> None:
    mocked.post(CODE_URL, json=GOOD)
    r = rig()
    r.start()
    r.keep()
    echoed = {
        "error": f"\x1b]8;;https://evil.example/\x07{DEVICE_CODE}\x1b]8;;\x07",
        "error_description": (
            f"\x1b[2K\x1b[1A\u2714 Signed in\r\nas root; you sent {DEVICE_CODE[:4]}\x1b[0m{DEVICE_CODE[4:]}"
        ),
    }
    mocked.post(TOKEN_URL, status=400, json=echoed)
    error = failure(r.complete)
    assert_clean(error, DEVICE_CODE, "evil")
    assert error.service_code is not None
    assert error.service_message is not None
    assert "Signed in as root" in error.service_message  # the words stay, as data on one line
    assert r.unchanged()  # the pending code stays for another try


def test_an_echoed_refresh_token_is_masked(mocked: responses.RequestsMock) -> None:
    refresh = "Atzr|r-9c1"
    mocked.post(
        TOKEN_URL, status=400, json={"error": f"bad {refresh}", "error_description": f"token {refresh} unknown"}
    )
    tokens = Tokens(LOGIN_WITH_AMAZON, Secret("Atza|a"), START, refresh_token=Secret(refresh))
    error = failure(lambda: rig().client.refresh(tokens))
    assert_clean(error, refresh)


def test_a_secret_inside_a_registered_error_code_does_not_hide_it(mocked: responses.RequestsMock) -> None:
    Secret("rization_pen")  # a short secret this process holds, inside "authorization_pending"
    mocked.post(TOKEN_URL, status=400, json={"error": "authorization_pending"})
    auth = DeviceAuthorization(LOGIN_WITH_AMAZON, "WDJB", "https://x", START + timedelta(hours=1), Secret("d-123"))
    assert isinstance(rig().client.poll(auth), Pending)


@pytest.mark.parametrize("value", [["x", "y"], {"nested": "\x1b[2J"}, 42, "x" * 100_000, "\x00" * 10])
def test_error_fields_of_any_shape_give_a_clean_message(mocked: responses.RequestsMock, value: object) -> None:
    mocked.post(TOKEN_URL, status=400, json={"error": value, "error_description": value})
    auth = DeviceAuthorization(LOGIN_WITH_AMAZON, "WDJB", "https://x", START + timedelta(hours=1), Secret("d-123"))
    assert_clean(failure(lambda: rig().client.poll(auth)))


# --- absurd numbers ------------------------------------------------------------------------------------------

ABSURD = [1e8, 1e12, 1e308, 10**400, -1, 0, -0.0, 0.2, "inf", "-inf", "nan", "Infinity", "1e999", "soon", "", True]
ABSURD += [None, [], {}, [5], {"s": 5}]


@pytest.mark.parametrize("value", ABSURD, ids=repr)
def test_absurd_device_code_numbers_are_clamped(mocked: responses.RequestsMock, value: object) -> None:
    mocked.post(CODE_URL, json={**GOOD, "interval": value, "expires_in": value})
    authorization = rig().start()
    assert 1 <= authorization.interval <= 60
    assert START + timedelta(seconds=1) <= authorization.expires_at <= START + timedelta(hours=1)


@pytest.mark.parametrize(
    "raw", [b"Infinity", b"-Infinity", b"NaN", b"1e400", b"-1e400", b"9" * 4000], ids=lambda raw: raw[:12].decode()
)
def test_non_standard_json_numbers_are_clamped(mocked: responses.RequestsMock, raw: bytes) -> None:
    body = json.dumps({**GOOD, "interval": 0, "expires_in": 0}).encode()
    body = body.replace(b'"interval": 0', b'"interval": ' + raw).replace(b'"expires_in": 0', b'"expires_in": ' + raw)
    mocked.post(CODE_URL, body=body, content_type="application/json")
    authorization = rig().start()
    assert 1 <= authorization.interval <= 60
    assert authorization.expires_at <= START + timedelta(hours=1)


def test_an_integer_too_long_to_read_is_not_json(mocked: responses.RequestsMock) -> None:
    body = json.dumps(GOOD).encode().replace(b'"interval": 5', b'"interval": ' + b"9" * 5000)
    mocked.post(CODE_URL, body=body, content_type="application/json")
    r = rig()
    assert_clean(failure(r.start))
    assert r.unchanged()


@pytest.mark.parametrize("value", [1e12, 10**400, "inf", "nan", -1, "soon"], ids=repr)
def test_absurd_token_lifetimes_are_clamped(mocked: responses.RequestsMock, value: object) -> None:
    mocked.post(TOKEN_URL, json={"access_token": "Atza|a", "expires_in": value})
    auth = DeviceAuthorization(LOGIN_WITH_AMAZON, "WDJB", "https://x", START + timedelta(hours=1), Secret("d-123"))
    result = rig().client.poll(auth)
    assert isinstance(result, Approved)
    assert START < result.tokens.expires_at <= START + timedelta(days=1)


def test_an_interval_of_1e8_neither_hangs_nor_outlives_the_code(mocked: responses.RequestsMock) -> None:
    mocked.post(CODE_URL, json={**GOOD, "interval": 1e8, "expires_in": 100})
    mocked.post(TOKEN_URL, status=400, json={"error": "authorization_pending"})
    r = rig()
    r.start()
    with pytest.raises(e.DeviceFlowExpired):
        r.complete(wait=True)
    assert r.sleeper.slept == [60, 40]


# --- sizes and time on the wire ------------------------------------------------------------------------------


def server_rig(server: OAuthServer, *, timeout: float = 5, attempts: int = 3) -> Rig:
    return rig(f"{server.url}/codepair", f"{server.url}/token", timeout=timeout, attempts=attempts)


def test_a_body_announced_as_huge_is_not_read() -> None:
    with oauth_server() as server:
        server.answer("/codepair", Flood(300 * 1024 * 1024, announce=True))
        r = server_rig(server)
        error = failure(r.start)
        assert server.wait_idle(10)
    assert isinstance(error, e.ServiceError)
    assert_clean(error)
    assert "larger than 1024 KiB" in str(error)
    assert server.sent < 32 * 1024 * 1024  # the client hung up; the server only filled socket buffers
    assert r.unchanged()


def test_an_unannounced_huge_body_is_cut_at_the_cap_in_bounded_memory() -> None:
    with oauth_server() as server:
        server.answer("/codepair", Flood(256 * 1024 * 1024, announce=False))
        r = server_rig(server)
        tracemalloc.start()
        try:
            error = failure(r.start)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert server.wait_idle(10)
    assert "larger than 1024 KiB" in str(error)
    assert peak < 8 * MAX_BODY
    assert server.sent < 64 * 1024 * 1024
    assert r.unchanged()


def test_a_compressed_bomb_is_cut_at_the_cap_once_inflated() -> None:
    bomb = gzip.compress(b'{"device_code": "' + b"0" * (64 * 1024 * 1024) + b'"}', compresslevel=9)
    assert len(bomb) < MAX_BODY
    with oauth_server() as server:
        server.answer("/codepair", Raw(200, bomb, {"Content-Encoding": "gzip"}))
        r = server_rig(server)
        error = failure(r.start)
    assert "larger than 1024 KiB" in str(error)
    assert r.unchanged()


def test_a_body_that_cannot_be_inflated_is_a_clean_error() -> None:
    with oauth_server() as server:
        server.answer("/codepair", Raw(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
        r = server_rig(server)
        error = failure(r.start)
    assert isinstance(error, e.ServiceUnavailable)
    assert "could not be decoded" in str(error)
    assert_clean(error)
    assert r.unchanged()


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_trickled_answer_is_cut_at_the_deadline_and_the_post_not_repeated(in_headers: bool) -> None:
    """One byte every 0.3 s never trips a 1 s socket timeout; the whole answer would take a minute."""
    with oauth_server() as server:
        server.answer("/codepair", Trickle(GOOD, every=0.3, headers=in_headers))
        r = server_rig(server, timeout=1, attempts=3)
        began = time.monotonic()
        error = failure(r.start)
        took = time.monotonic() - began
        assert server.count("/codepair") == 1
    assert isinstance(error, e.ServiceUnavailable)
    assert_clean(error)
    assert "did not answer within 1 s" in str(error)
    assert took < 3
    assert r.unchanged()


def test_a_trickled_key_set_is_cut_at_each_attempts_deadline() -> None:
    with oauth_server() as server:
        server.answer("/jwks", Trickle({"keys": ["x" * 200]}, every=0.3))
        sleeper = FakeSleeper(FakeClock())
        fetch = JsonFetcher(HttpClient(http_session(), timeout=1, max_attempts=2, sleeper=sleeper))
        began = time.monotonic()
        error = failure(lambda: fetch(f"{server.url}/jwks"))
        took = time.monotonic() - began
        assert server.count("/jwks") == 2  # a GET is repeated: it changes nothing on the server
    assert "did not answer within 1 s, 2 times" in str(error)
    assert took < 5


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_the_deadline_holds_over_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_headers: bool) -> None:
    """Shutting the socket under a TLS read ends it as cleanly as a plain one."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "server.pem"))  # how a user trusts their own CA
    with oauth_server(tls=tmp_path) as server:
        server.answer("/codepair", (200, GOOD), Trickle(GOOD, every=0.3, headers=in_headers))
        r = server_rig(server, timeout=1)
        assert r.start().user_code == "WDJB-MJHT"  # the certificate is trusted: TLS works
        began = time.monotonic()
        error = failure(r.start)
        took = time.monotonic() - began
    assert isinstance(error, e.ServiceUnavailable)
    assert "did not answer within 1 s" in str(error)
    assert took < 3


def test_the_deadline_holds_through_a_proxy() -> None:
    with oauth_server() as proxy:
        target = "http://provider.invalid/jwks"
        proxy.answer(target, Trickle({"keys": []}, every=0.3, headers=True))  # a proxy sees the whole URL
        session = http_session()
        session.proxies = {"http": proxy.url}
        client = HttpClient(session, timeout=1, max_attempts=1, sleeper=FakeSleeper(FakeClock()))
        began = time.monotonic()
        error = failure(lambda: client.get_json(target, what="The key set"))
        took = time.monotonic() - began
        assert proxy.count(target) == 1
    assert "did not answer within 1 s" in str(error)
    assert took < 3


def test_a_poll_whose_connection_drops_after_sending_is_not_repeated() -> None:
    with oauth_server() as server:
        server.answer("/codepair", (200, GOOD))
        server.answer("/token", HangUp())
        r = server_rig(server, attempts=4)
        r.start()
        r.keep()
        error = failure(r.complete)
        assert server.count("/token") == 1
    assert isinstance(error, e.ServiceUnavailable)
    assert_clean(error, DEVICE_CODE)
    assert r.unchanged()


# --- the command line: a clean line on stderr, never a traceback ---------------------------------------------


def run_cli(home: Path, server: OAuthServer, *args: str) -> subprocess.CompletedProcess[str]:
    config = home / "client-auth.toml"
    config.write_text(
        f'[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
        f'oauth_code_url = "{server.url}/codepair"\noauth_tokens_url = "{server.url}/token"\n'
        "[network]\ntimeout_seconds = 1.0\nmax_attempts = 2\n"
    )
    env = {**os.environ, "CLIENT_AUTH_HOME": str(home / "sessions")}
    env.pop("CLIENT_AUTH_PROFILE", None)
    command = [str(Path(sys.executable).parent / "client-auth"), "--config", str(config), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer",
    [
        (200, {**GOOD, "verification_uri": ESCAPES[0]}),
        (200, {**GOOD, "user_code": ESCAPES[1]}),
        (400, {"error": "\x1b[2Jinvalid_scope", "error_description": ESCAPES[1]}),
        Flood(4 * MAX_BODY, announce=False),
        Trickle(GOOD, every=0.3),
    ],
    ids=["uri", "user_code", "error", "flood", "trickle"],
)
def test_the_command_line_reports_a_hostile_answer_in_one_clean_line(tmp_path: Path, answer: Any) -> None:
    with oauth_server() as server:
        server.answer("/codepair", answer)
        done = run_cli(tmp_path, server, "sign-in", "--provider", "lwa", "--no-wait")
    assert done.returncode not in (0, 3), done.stderr  # neither signed in nor pending
    assert "Traceback" not in done.stderr
    assert not CONTROL.search(done.stdout + done.stderr.rstrip("\n")), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "evil" not in done.stderr
    sessions = tmp_path / "sessions"
    assert not sessions.exists() or not any(p.is_file() and "session" in p.name for p in sessions.rglob("*"))
