"""The HTTP helpers against the stand-in's APIs: a bearer API that checks the token it issued (refusing withdrawn
ones with 401), and a SigV4 API that recomputes the signature with botocore from the credentials its identity
pool issued. The user's tokens come from a browser sign-in; the machine's from the client credentials grant."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from aws_client_auth.adapters.http_auth import BearerAuth, SigV4Auth
from aws_client_auth.application.use_cases.bearer_tokens import token_kind
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, LoginToken
from tests.managed_login import REGION, FakeBrowser, ManagedLogin, Wired, loopback_redirect_uri, managed_login, wire


@pytest.fixture
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


@pytest.fixture
def wired(server: ManagedLogin, tmp_path: Path) -> Wired:
    """Signed in through the browser."""
    wired = wire(server, tmp_path, loopback_redirect_uri(server))
    browser = FakeBrowser()
    wired.sign_in_with_browser.execute(wired.listener(), browser=browser, show=lambda url, opened: None, timeout=20)
    browser.wait()
    return wired


def user_auth(wired: Wired, kind: str = "access", scheme: str | None = "Bearer") -> BearerAuth:
    """What ``ClientAuth.requests_auth(token=kind)`` returns."""
    return BearerAuth(
        lambda: wired.bearer.current(kind),
        lambda rejected: wired.bearer.replacing(rejected, kind),
        scheme=scheme,
    )


def machine_auth(wired: Wired) -> BearerAuth:
    """What ``ClientAuth.machine_requests_auth()`` returns."""
    return BearerAuth(
        lambda: wired.machine.execute().access_token,
        lambda rejected: wired.machine.replacing(rejected).access_token,
    )


def refreshes(server: ManagedLogin) -> int:
    return server.counts["GetTokensFromRefreshToken"] + server.counts["InitiateAuth"]


# --- bearer ------------------------------------------------------------------------------------------------------


def test_the_access_token_is_sent_as_a_bearer_token(wired: Wired, server: ManagedLogin) -> None:
    answer = requests.get(f"{server.url}/api/bearer/items", auth=user_auth(wired), timeout=5)
    assert answer.status_code == 200
    assert answer.json()["sub"] == server.users["alice"].sub
    access = wired.sessions.load().tokens[COGNITO].access_token.reveal()
    assert server.authorizations == [f"Bearer {access}"]


def test_the_id_token_can_be_sent_instead(wired: Wired, server: ManagedLogin) -> None:
    answer = requests.get(f"{server.url}/api/bearer/id/items", auth=user_auth(wired, "id"), timeout=5)
    assert answer.status_code == 200
    assert answer.json()["token_use"] == "id"


def test_a_bare_token_for_authorizers_that_want_no_scheme(wired: Wired, server: ManagedLogin) -> None:
    answer = requests.get(f"{server.url}/api/bearer/id/items", auth=user_auth(wired, "id", None), timeout=5)
    assert answer.status_code == 200
    id_token = wired.sessions.load().tokens[COGNITO].id_token
    assert id_token is not None
    assert server.authorizations == [id_token.reveal()]


def test_a_refused_token_is_refreshed_and_the_request_sent_once_more(wired: Wired, server: ManagedLogin) -> None:
    old = wired.sessions.load().tokens[COGNITO]
    server.withdraw(old.access_token.reveal())
    with requests.Session() as api:
        api.auth = user_auth(wired)
        answer = api.post(f"{server.url}/api/bearer/items", json={"name": "sword"}, timeout=5)
    assert answer.status_code == 200
    assert [r.status_code for r in answer.history] == [401]
    assert refreshes(server) == 1
    new = wired.sessions.load().tokens[COGNITO]
    assert new.access_token != old.access_token
    assert server.authorizations[-1] == f"Bearer {new.access_token.reveal()}"


def test_a_token_about_to_expire_is_refreshed_before_it_is_sent(wired: Wired, server: ManagedLogin) -> None:
    from dataclasses import replace

    with wired.sessions.lock():
        session = wired.sessions.load()
        soon = replace(session.tokens[COGNITO], expires_at=wired.clock.now())
        wired.sessions.save(session.with_tokens(soon))
    answer = requests.get(f"{server.url}/api/bearer/items", auth=user_auth(wired), timeout=5)
    assert answer.status_code == 200
    assert answer.history == []
    assert refreshes(server) == 1


def test_a_second_refusal_is_returned_not_retried_again(wired: Wired, server: ManagedLogin) -> None:
    server.refuse_all = True
    answer = requests.get(f"{server.url}/api/bearer/items", auth=user_auth(wired), timeout=5)
    assert answer.status_code == 401
    assert server.counts["api:bearer"] == 2
    assert refreshes(server) == 1


def test_a_refusal_after_a_redirect_elsewhere_is_not_retried(wired: Wired, server: ManagedLogin) -> None:
    with managed_login() as other:
        target = f"{other.url}/api/bearer/items"
        answer = requests.get(f"{server.url}/api/redirect?to={target}", auth=user_auth(wired), timeout=5)
        assert answer.status_code == 401
        assert other.authorizations == [None]  # requests dropped the token at the other origin, and no retry
    assert refreshes(server) == 0


def test_a_body_that_cannot_be_sent_again_is_not_retried(wired: Wired, server: ManagedLogin) -> None:
    server.withdraw(wired.sessions.load().tokens[COGNITO].access_token.reveal())
    chunks = iter([b"a", b"b"])
    answer = requests.post(f"{server.url}/api/bearer/items", data=chunks, auth=user_auth(wired), timeout=5)
    assert answer.status_code == 401
    assert refreshes(server) == 0


def test_threads_refused_together_refresh_once(wired: Wired, server: ManagedLogin) -> None:
    server.withdraw(wired.sessions.load().tokens[COGNITO].access_token.reveal())
    auth = user_auth(wired)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def call() -> None:
        barrier.wait()
        codes.append(requests.get(f"{server.url}/api/bearer/items", auth=auth, timeout=10).status_code)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200] * 4
    assert refreshes(server) == 1


def test_a_refused_refresh_signs_out_and_says_so(wired: Wired, server: ManagedLogin) -> None:
    tokens = wired.sessions.load().tokens[COGNITO]
    assert tokens.refresh_token is not None
    server.refresh_tokens[tokens.refresh_token.reveal()].revoked = True
    server.withdraw(tokens.access_token.reveal())
    with pytest.raises(e.SessionExpired, match="sign in again"):
        requests.get(f"{server.url}/api/bearer/items", auth=user_auth(wired), timeout=5)
    assert wired.sessions.load().tokens == {}


def test_the_machine_token_is_sent_and_replaced_once_after_a_refusal(wired: Wired, server: ManagedLogin) -> None:
    auth = machine_auth(wired)
    first = requests.get(f"{server.url}/api/bearer/items", auth=auth, timeout=5)
    assert first.status_code == 200
    assert first.json()["scope"] == "games/read"
    server.withdraw(wired.machine.execute().access_token.reveal())
    second = requests.get(f"{server.url}/api/bearer/items", auth=auth, timeout=5)
    assert second.status_code == 200
    assert [r.status_code for r in second.history] == [401]
    assert server.counts["token:client_credentials"] == 2
    third = requests.get(f"{server.url}/api/bearer/items", auth=auth, timeout=5)
    assert third.history == []
    assert server.counts["token:client_credentials"] == 2


def test_which_token_is_checked(wired: Wired) -> None:
    assert token_kind("id") is LoginToken.ID
    with pytest.raises(e.InvalidInput, match="'access' or 'id'"):
        token_kind("refresh")
    with pytest.raises(e.InvalidInput, match="not an HTTP authorization scheme"):
        BearerAuth(lambda: Secret("x"), lambda rejected: Secret("y"), scheme="Bearer\r\nX-Evil: 1")


def test_the_auth_objects_never_show_a_token(wired: Wired) -> None:
    auth = user_auth(wired)
    shown = repr(auth) + repr(SigV4Auth(wired.credentials.get, region=REGION))
    assert wired.sessions.load().tokens[COGNITO].access_token.reveal() not in shown


# --- SigV4 -------------------------------------------------------------------------------------------------------


def sigv4(wired: Wired) -> SigV4Auth:
    """What ``ClientAuth.sigv4_auth(service="execute-api")`` returns."""
    return SigV4Auth(wired.credentials.get, service="execute-api", region=REGION)


def test_a_get_is_signed_with_the_identity_pools_credentials(wired: Wired, server: ManagedLogin) -> None:
    answer = requests.get(
        f"{server.url}/api/sigv4/items", params={"b": "2", "a": "hello world", "c": "ä/~"}, auth=sigv4(wired), timeout=5
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "identity": wired.credentials.get().identity_id,
        "service": "execute-api",
        "region": REGION,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"json": {"name": "sword", "level": 3}},
        {"data": "naïve text ☃"},
        {"data": b"\x00\x01binary"},
        {"data": {"form": "field value", "x": "1"}},
        {},
    ],
)
def test_bodies_are_signed_as_sent(wired: Wired, server: ManagedLogin, body: dict[str, object]) -> None:
    answer = requests.post(f"{server.url}/api/sigv4/items", auth=sigv4(wired), timeout=5, **body)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text


def test_a_host_header_of_the_callers_is_signed_as_sent(wired: Wired, server: ManagedLogin) -> None:
    """A private API reached through a VPC endpoint is named in Host, not in the URL."""
    host = server.url.replace("http://127.0.0.1", "localhost")
    answer = requests.get(f"{server.url}/api/sigv4/items", headers={"Host": host}, auth=sigv4(wired), timeout=5)
    assert answer.status_code == 200, answer.text


def test_the_signature_covers_the_request(wired: Wired, server: ManagedLogin) -> None:
    with requests.Session() as api:
        prepared = api.prepare_request(
            requests.Request("POST", f"{server.url}/api/sigv4/items?x=1", data=b"one", auth=sigv4(wired))
        )
        prepared.body = b"two"
        assert api.send(prepared, timeout=5).status_code == 403
        prepared = api.prepare_request(requests.Request("GET", f"{server.url}/api/sigv4/items?x=1", auth=sigv4(wired)))
        prepared.url = f"{server.url}/api/sigv4/items?x=2"
        assert api.send(prepared, timeout=5).status_code == 403


def test_credentials_are_asked_for_at_each_request(wired: Wired, server: ManagedLogin) -> None:
    auth = sigv4(wired)
    requests.get(f"{server.url}/api/sigv4/items", auth=auth, timeout=5)
    wired.credentials.get(force=True)
    assert server.counts["GetCredentialsForIdentity"] == 2
    answer = requests.get(f"{server.url}/api/sigv4/items", auth=auth, timeout=5)
    assert answer.status_code == 200
    assert server.counts["GetCredentialsForIdentity"] == 2  # the new ones, from memory


def test_a_stream_cannot_be_signed(wired: Wired, server: ManagedLogin) -> None:
    with pytest.raises(e.InvalidInput, match="not a stream or a file"):
        requests.post(f"{server.url}/api/sigv4/items", data=iter([b"a"]), auth=sigv4(wired), timeout=5)


def test_signing_needs_a_region(wired: Wired) -> None:
    with pytest.raises(e.InvalidInput, match="region"):
        SigV4Auth(wired.credentials.get, service="execute-api", region="")
