"""The managed-login adapter against the stand-in (``tests.managed_login``) over real HTTP: the authorization
request, the code exchange with PKCE, the ID token and its nonce, client authentication, hostile token answers,
and the settings browser sign-in reads (under the endpoint policy)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives.asymmetric import rsa

from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.http import HttpClient, JsonFetcher, http_session
from aws_client_auth.adapters.oauth import pkce
from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
from aws_client_auth.adapters.oauth.managed_login import MAX_TOKEN, ManagedLoginClient
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.settings.network import machine_token_url, managed_login_url
from aws_client_auth.adapters.system import SystemClock, SystemSleeper
from aws_client_auth.application.ports.browser_sign_in import AuthorizationRequest, RedirectNotLoopback
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret, scrub
from aws_client_auth.domain.tokens import COGNITO
from tests.managed_login import (
    CONFIDENTIAL_CLIENT,
    ISSUER,
    KID,
    POOL_ID,
    PUBLIC_CLIENT,
    REDIRECT_URI,
    SIGNING_KEY,
    ManagedLogin,
    managed_login,
)


@pytest.fixture(scope="module")
def server() -> Iterator[ManagedLogin]:
    with managed_login() as stand_in:
        yield stand_in


def http() -> HttpClient:
    return HttpClient(http_session(), timeout=5, max_attempts=2, sleeper=SystemSleeper())


def verifier(server_url: str, audience: str = PUBLIC_CLIENT) -> IdTokenVerifier:
    return IdTokenVerifier(
        jwks_url=f"{server_url}/{POOL_ID}/.well-known/jwks.json",
        issuer=ISSUER,
        audience=audience,
        leeway=timedelta(seconds=60),
        clock=SystemClock(),
        fetch=JsonFetcher(http()),
    )


def client(
    server: ManagedLogin,
    *,
    client_id: str = PUBLIC_CLIENT,
    scopes: str = "openid email",
    secret: str | None = None,
    base_url: str | None = None,
) -> ManagedLoginClient:
    transport = OAuthTransport(
        token_endpoint_http(
            client_id, Secret(secret) if secret else None, timeout=5, max_attempts=2, sleeper=SystemSleeper()
        )
    )
    return ManagedLoginClient(
        base_url=base_url or server.url,
        client_id=client_id,
        redirect_uri=REDIRECT_URI,
        scopes=scopes,
        transport=transport,
        verifier=verifier(server.url, client_id),
        clock=SystemClock(),
        confidential=secret is not None,
    )


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def code_for(request: AuthorizationRequest, username: str = "alice", password: str = "Passw0rd!") -> str:
    """What a browser would bring back to the redirect URI: the code, after signing in on the login page."""
    browser = requests.Session()
    page = browser.get(request.url, allow_redirects=False, timeout=5)
    if not page.is_redirect:
        form = re.search(r"name='request' value='([^']+)'", page.text)
        assert form is not None, page.text
        base = urlsplit(request.url)
        page = browser.post(
            f"{base.scheme}://{base.netloc}/login",
            data={"request": form.group(1), "username": username, "password": password, "action": "sign_in"},
            allow_redirects=False,
            timeout=5,
        )
    location = page.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    answer = query(location)
    assert answer["state"] == request.state
    return answer["code"]


# --- the authorization request ------------------------------------------------------------------------------


def test_the_authorization_url_carries_pkce_state_nonce_and_scopes(server: ManagedLogin) -> None:
    request = client(server).authorization()
    sent = query(request.url)
    assert request.url.startswith(f"{server.url}/oauth2/authorize?")
    assert sent == {
        "response_type": "code",
        "client_id": PUBLIC_CLIENT,
        "redirect_uri": REDIRECT_URI,
        "state": request.state,
        "nonce": request.nonce,
        "code_challenge": pkce.code_challenge(request.code_verifier.reveal()),
        "code_challenge_method": "S256",
        "scope": "email openid",
    }
    assert request.code_verifier.reveal() not in request.url
    assert scrub(request.url) == request.url  # shown to the user whole: nothing in it is masked as a secret


def test_every_authorization_is_new(server: ManagedLogin) -> None:
    login = client(server)
    first, second = login.authorization(), login.authorization()
    assert first.state != second.state
    assert first.nonce != second.nonce
    assert first.code_verifier != second.code_verifier


def test_no_scopes_configured_lets_the_app_client_decide(server: ManagedLogin) -> None:
    assert "scope" not in query(client(server, scopes="").authorization().url)


def test_an_identity_provider_is_sent_url_encoded(server: ManagedLogin) -> None:
    request = client(server).authorization("Okta&SAML=1")
    assert query(request.url)["identity_provider"] == "Okta&SAML=1"


@pytest.mark.parametrize("name", ["", "two words", "x" * 33, "bad\x1bname"])
def test_an_impossible_identity_provider_name_is_refused(server: ManagedLogin, name: str) -> None:
    with pytest.raises(e.InvalidInput, match="Identity provider names"):
        client(server).authorization(name)


def test_missing_settings_are_named() -> None:
    with pytest.raises(e.ProviderNotConfigured, match=r"\[cognito\] domain, redirect_uri"):
        ManagedLoginClient(
            base_url="",
            client_id="abc",
            redirect_uri="",
            scopes="",
            transport=OAuthTransport(http()),
            verifier=verifier("http://127.0.0.1:1"),
            clock=SystemClock(),
        )


def test_a_redirect_uri_elsewhere_is_refused_before_anything_is_sent(server: ManagedLogin) -> None:
    with pytest.raises(RedirectNotLoopback, match="not this computer"):
        ManagedLoginClient(
            base_url=server.url,
            client_id=PUBLIC_CLIENT,
            redirect_uri="http://attacker.example:53682/callback",
            scopes="",
            transport=OAuthTransport(http()),
            verifier=verifier(server.url),
            clock=SystemClock(),
        )


def test_the_logout_url_returns_to_the_redirect_uri(server: ManagedLogin) -> None:
    assert query(client(server).logout_url()) == {"client_id": PUBLIC_CLIENT, "logout_uri": REDIRECT_URI}


# --- the code exchange ----------------------------------------------------------------------------------------


def test_the_code_becomes_verified_cognito_tokens(server: ManagedLogin) -> None:
    login = client(server)
    request = login.authorization()
    tokens = login.exchange(request, Secret(code_for(request)))
    assert tokens.provider == COGNITO
    assert tokens.username == "alice"
    assert tokens.subject == server.users["alice"].sub
    assert tokens.refresh_token is not None
    assert tokens.id_token is not None
    claims = jwt.decode(tokens.id_token.reveal(), options={"verify_signature": False})
    assert claims["nonce"] == request.nonce
    form = server.token_forms[-1]
    assert form["code_verifier"] == request.code_verifier.reveal()
    assert form["client_id"] == PUBLIC_CLIENT
    assert form["redirect_uri"] == REDIRECT_URI


def test_a_wrong_verifier_is_refused_by_the_server(server: ManagedLogin) -> None:
    login = client(server)
    request = login.authorization()
    code = code_for(request)
    forged = AuthorizationRequest(
        request.url, request.redirect_uri, request.state, request.nonce, Secret(pkce.code_verifier())
    )
    with pytest.raises(e.SessionExpired, match="sign-in code was not accepted") as raised:
        login.exchange(forged, Secret(code))
    assert raised.value.service_code == "invalid_grant"


def test_a_code_is_exchanged_once(server: ManagedLogin) -> None:
    login = client(server)
    request = login.authorization()
    code = Secret(code_for(request))
    login.exchange(request, code)
    with pytest.raises(e.SessionExpired):
        login.exchange(request, code)


def test_an_id_token_without_this_sign_ins_nonce_is_refused(server: ManagedLogin) -> None:
    login = client(server)
    request = login.authorization()
    code = code_for(request)
    other = AuthorizationRequest(request.url, request.redirect_uri, request.state, "another", request.code_verifier)
    with pytest.raises(e.InvalidToken, match="nonce does not match"):
        login.exchange(other, Secret(code))


def test_a_confidential_client_authenticates_with_http_basic(server: ManagedLogin) -> None:
    secret = server.clients[CONFIDENTIAL_CLIENT].secret
    assert secret is not None
    login = client(server, client_id=CONFIDENTIAL_CLIENT, secret=secret)
    request = login.authorization()
    tokens = login.exchange(request, Secret(code_for(request)))
    assert tokens.username == "alice"
    assert "client_id" not in server.token_forms[-1]
    assert "client_secret" not in server.token_forms[-1]


def test_a_wrong_client_secret_is_a_configuration_error_that_never_shows_it(server: ManagedLogin) -> None:
    login = client(server, client_id=CONFIDENTIAL_CLIENT, secret="not-the-secret-16")
    request = login.authorization()
    with pytest.raises(e.ConfigurationError, match="check its client id, secret") as raised:
        login.exchange(request, Secret(code_for(request)))
    assert "not-the-secret-16" not in str(raised.value)
    # the Basic header's value is masked by value wherever a server would echo it
    header = "Y29uZmlkZW50aWFsY2xpZW50MTY6bm90LXRoZS1zZWNyZXQtMTY="
    assert scrub(f"echo {header}") == "echo **********"


# --- hostile or broken token answers --------------------------------------------------------------------------

OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
STUB = "https://auth.example.com"


def stub_client() -> tuple[ManagedLoginClient, AuthorizationRequest]:
    def keys(url: str) -> dict[str, Any]:
        return ManagedLogin().jwks

    login = ManagedLoginClient(
        base_url=STUB,
        client_id=PUBLIC_CLIENT,
        redirect_uri=REDIRECT_URI,
        scopes="",
        transport=OAuthTransport(http()),
        verifier=IdTokenVerifier(
            jwks_url="https://keys.example/jwks.json",
            issuer=ISSUER,
            audience=PUBLIC_CLIENT,
            leeway=timedelta(seconds=60),
            clock=SystemClock(),
            fetch=keys,
        ),
        clock=SystemClock(),
    )
    return login, login.authorization()


def id_token(request: AuthorizationRequest, *, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
    now = int(SystemClock().now().timestamp())
    payload = {
        "iss": ISSUER,
        "aud": PUBLIC_CLIENT,
        "sub": "sub-1",
        "token_use": "id",
        "cognito:username": "alice",
        "iat": now,
        "exp": now + 3600,
        "nonce": request.nonce,
        **claims,
    }
    return jwt.encode(payload, key or SIGNING_KEY, algorithm="RS256", headers={"kid": KID})


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        ({"access_token": "a"}, e.ServiceError, "without an ID token: the app client must allow the openid scope"),
        ({"id_token": "ID"}, e.ServiceError, "without an access token"),
        ({"access_token": "a" * (MAX_TOKEN + 1), "id_token": "ID"}, e.ServiceError, "cannot use"),
        ({"access_token": ["a"], "id_token": "ID"}, e.ServiceError, "cannot use"),
        ({"access_token": "a\x1b[2Jb", "id_token": "ID"}, e.ServiceError, "cannot use"),
        ({"access_token": "a", "id_token": "ID", "token_type": "mac"}, e.ServiceError, "other than Bearer"),
        ({"access_token": "a", "id_token": "FORGED"}, e.InvalidToken, "signature does not match"),
        ({"access_token": "a", "id_token": "NO_NONCE"}, e.InvalidToken, "nonce does not match"),
    ],
)
def test_token_answers_that_cannot_be_trusted_are_refused(
    answer: dict[str, Any], error: type[e.ClientAuthError], message: str
) -> None:
    login, request = stub_client()
    values = {
        "ID": id_token(request),
        "FORGED": id_token(request, key=OTHER_KEY),
        "NO_NONCE": id_token(request, nonce=None),
    }
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in answer.items()}
    with responses.RequestsMock() as mocked:
        mocked.post(f"{STUB}/oauth2/token", json=body)
        with pytest.raises(error, match=message):
            login.exchange(request, Secret("stub-code-16"))


def test_a_token_answer_that_is_not_json_is_refused() -> None:
    login, request = stub_client()
    with responses.RequestsMock() as mocked:
        mocked.post(f"{STUB}/oauth2/token", body="<html>maintenance</html>", status=200)
        with pytest.raises(e.ServiceError, match="not a JSON object"):
            login.exchange(request, Secret("stub-code-16"))


def test_an_absurd_lifetime_is_clamped_to_a_day() -> None:
    login, request = stub_client()
    with responses.RequestsMock() as mocked:
        mocked.post(
            f"{STUB}/oauth2/token", json={"access_token": "a", "id_token": id_token(request), "expires_in": 1e300}
        )
        tokens = login.exchange(request, Secret("stub-code-16"))
    assert tokens.expires_at - SystemClock().now() <= timedelta(days=1)


def test_a_server_error_description_is_cleaned_and_redacted() -> None:
    login, request = stub_client()
    with responses.RequestsMock() as mocked:
        mocked.post(
            f"{STUB}/oauth2/token",
            status=400,
            json={"error": "invalid_request", "error_description": f"\x1b[31mbad {request.code_verifier.reveal()}"},
        )
        with pytest.raises(e.ServiceError) as raised:
            login.exchange(request, Secret("stub-code-16"))
    text = str(raised.value)
    assert "\x1b" not in text
    assert request.code_verifier.reveal() not in text
    assert raised.value.service_code == "invalid_request"


def test_a_redirect_from_the_token_endpoint_is_not_followed() -> None:
    login, request = stub_client()
    with responses.RequestsMock() as mocked:
        mocked.post(f"{STUB}/oauth2/token", status=307, headers={"Location": "https://evil.example/token"})
        with pytest.raises(e.ServiceError):
            login.exchange(request, Secret("stub-code-16"))
        assert len(mocked.calls) == 1


# --- settings --------------------------------------------------------------------------------------------------


def test_the_managed_login_domain_forms() -> None:
    assert managed_login_url("myapp", "eu-west-1") == "https://myapp.auth.eu-west-1.amazoncognito.com"
    assert managed_login_url("Auth.Example.com", "eu-west-1") == "https://auth.example.com"
    assert managed_login_url("https://auth.example.com/", "eu-west-1") == "https://auth.example.com"
    assert managed_login_url("http://127.0.0.1:9000", "eu-west-1") == "http://127.0.0.1:9000"
    assert managed_login_url("", "eu-west-1") == ""
    assert machine_token_url("", "myapp", "us-east-1") == "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/token"
    assert machine_token_url("https://t.example/token", "myapp", "us-east-1") == "https://t.example/token"
    assert machine_token_url("", "", "us-east-1") == ""


def test_browser_sign_in_settings_load() -> None:
    settings = load_settings(
        environ={"CLIENT_AUTH_MACHINE__CLIENT_SECRET": "machine-secret"},
        overrides={
            "cognito": {
                "user_pool_id": "eu-west-1_AbC",
                "domain": "myapp",
                "redirect_uri": "http://localhost:53682/callback",
                "scopes": "openid email https://api.example.com/read",
            },
            "machine": {"client_id": "abc123", "scopes": "games/read"},
        },
    )
    assert settings.get("cognito", "domain") == "myapp"
    assert settings.secret("machine", "client_secret") == Secret("machine-secret")
    assert "machine-secret" not in repr(settings.values["machine"])


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("cognito", "redirect_uri", "https://localhost:53682/callback", r"\[cognito\] redirect_uri.*plain http"),
        ("cognito", "redirect_uri", "http://example.com:53682/cb", r"\[cognito\] redirect_uri.*not this computer"),
        ("cognito", "domain", "http://auth.example.com", r"\[cognito\] domain is plain http to auth.example.com"),
        ("cognito", "domain", "https://auth.example.com/login", r"\[cognito\] domain.*without a path"),
        ("cognito", "domain", "my_app!", r"\[cognito\] domain.*domain prefix"),
        ("cognito", "domain", "https://user:pw@auth.example.com", r"\[cognito\] domain.*user name or password"),
        ("cognito", "scopes", 'openid "email"', r"\[cognito\] scopes.*not a valid OAuth scope"),
        ("machine", "token_url", "http://token.example.com/oauth2/token", r"\[machine\] token_url is plain http"),
        ("machine", "scopes", "a\\b", r"\[machine\] scopes"),
        ("machine", "client_id", "has space", r"\[machine\] client_id"),
    ],
)
def test_browser_and_machine_settings_are_checked(section: str, key: str, value: str, message: str) -> None:
    with pytest.raises(e.ConfigurationError, match=message):
        load_settings(environ={}, overrides={section: {key: value}})


def test_a_local_stand_in_domain_is_allowed() -> None:
    settings = load_settings(environ={}, overrides={"cognito": {"domain": "http://127.0.0.1:9000"}})
    assert settings.get("cognito", "domain") == "http://127.0.0.1:9000"


def test_plain_http_to_a_remote_domain_needs_the_explicit_opt_in(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        environ={},
        overrides={"cognito": {"domain": "http://auth.example.com"}, "network": {"allow_insecure_http": True}},
    )
    assert settings.get("cognito", "domain") == "http://auth.example.com"
    assert "unencrypted" in caplog.text


def test_the_stand_in_publishes_its_keys_where_the_client_looks(server: ManagedLogin) -> None:
    keys = json.loads(requests.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json", timeout=5).text)
    assert keys["keys"][0]["kid"] == KID
