"""Property-based tests: malformed and hostile input never produces a traceback, only the domain's typed error
with a one-line message that names the problem (or a correct result).

Numbers include inf, nan, and integers and floats far beyond any sane value: JSON parsers produce all of them
(``1e400`` is inf, ``NaN`` is accepted), and TOML has ``inf`` and ``nan`` literals.
"""

from __future__ import annotations

import base64
import json
import math
import string
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient
from aws_client_auth.adapters.oauth.providers import google, login_with_amazon
from aws_client_auth.adapters.oauth.transport import OAuthAnswer
from aws_client_auth.adapters.settings.loader import load_settings, parse_text
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, DeviceAuthorization
from aws_client_auth.domain.tokens import COGNITO, LOGIN_WITH_AMAZON, Tokens
from aws_client_auth.domain.user import Email, PhoneNumber, Username, password, verification_code
from tests.fakes import START, FakeClock
from tests.integration.test_id_token_verifier import CLIENT_ID, ISSUER, KID, LEEWAY, NOW, PRIVATE_KEY, Jwks, claims

_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
THOROUGH = settings(max_examples=400, deadline=None, suppress_health_check=_HEALTH)
"""Cheap properties: enough examples to reach inf, nan and huge numbers in nested answers."""
COSTLY = settings(max_examples=120, deadline=None, suppress_health_check=_HEALTH)
"""Properties whose every example touches files or runs the CLI."""

absurd_numbers = st.sampled_from(
    [math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, 10**12, 10**30, -(10**30), 2**63, 2**64 + 1, -1, 0]
)
numbers = st.integers() | st.floats() | absurd_numbers
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def outcome(call: Callable[[], object]) -> e.ClientAuthError | None:
    """The domain error ``call`` raised, or None; any other exception fails the test, naming what escaped."""
    try:
        call()
    except e.ClientAuthError as error:
        return error
    except Exception as error:  # the property under test: nothing else escapes
        pytest.fail(f"{type(error).__name__} escaped instead of a ClientAuthError: {error!r}")
    return None


def assert_clear(error: e.ClientAuthError | None, *names: str) -> None:
    """A typed error (a subclass with its own code) whose message is one non-empty line naming one of ``names``."""
    if error is None:
        return
    message = str(error)
    assert error.code != e.ClientAuthError.code, f"untyped error: {error!r}"
    assert message.strip(), f"empty message: {error!r}"
    assert "\n" not in message, f"not one line: {message!r}"
    assert "\r" not in message, f"not one line: {message!r}"
    if names:
        assert any(name.lower() in message.lower() for name in names), f"names none of {names}: {message!r}"


o3de_keys = st.sampled_from(
    [
        "AWSResourceMappings",
        "AWS",
        "Amazon",
        "Region",
        "AccountId",
        "AWSCore",
        "Google",
        "LoginWithAmazon",
        "AppClientId",
        "Name/ID",
        "ResourceMappingConfigFileName",
        "AWSClientAuth.CognitoUserPoolId",
        "ClientSecret",
        "OAuthCodeURL",
    ]
)
o3de_like = st.recursive(
    st.none() | numbers | st.text(max_size=12),
    lambda inner: st.dictionaries(o3de_keys, inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=15,
)


@THOROUGH
@given(st.text(max_size=300))
def test_any_text_as_a_config_file(text: str) -> None:
    error = outcome(partial(parse_text, text, "fuzz.toml"))
    assert error is None or isinstance(error, e.ConfigurationError), repr(error)
    assert_clear(error, "fuzz.toml: ")


@THOROUGH
@given(st.dictionaries(o3de_keys, o3de_like, min_size=1, max_size=4))
def test_any_o3de_shaped_json(data: dict[str, Any]) -> None:
    error = outcome(partial(parse_text, json.dumps(data), "fuzz.setreg"))
    assert error is None or isinstance(error, e.ConfigurationError), repr(error)
    assert_clear(error, "fuzz.setreg: ")


toml_sections = st.sampled_from(
    [
        "aws",
        "cognito",
        "storage",
        "session",
        "network",
        "providers.google",
        "providers.login_with_amazon",
        "providers.x",
    ]
)
toml_keys = st.sampled_from(
    [
        "region",
        "endpoint_url",
        "jwks_url",
        "oauth_tokens_url",
        "user_pool_id",
        "auth_flow",
        "backend",
        "timeout_seconds",
        "max_attempts",
        "id_token_leeway_seconds",
        "app_client_secret",
        "scope",
        "refresh_skew_seconds",
        "allow_insecure_http",
        "bogus",
    ]
)
urls = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.sampled_from(["127.0.0.1:5000", "localhost", "[::1]", "evil.example", "api.amazon.com", "a@b", "x\\@y"]),
    st.sampled_from(["", "/", "/token?x=1"]),
)
toml_values = st.one_of(
    st.text(alphabet=string.printable, max_size=15), urls, numbers, st.booleans(), st.floats(-1, 100)
)


@THOROUGH
@given(st.dictionaries(toml_sections, st.dictionaries(toml_keys, toml_values, max_size=3), max_size=3))
def test_any_settings_values(layer: dict[str, dict[str, Any]]) -> None:
    error = outcome(partial(load_settings, environ={}, overrides=layer))
    assert error is None or isinstance(error, e.ConfigurationError), repr(error)
    named = [name for keys in layer.values() for name in keys] + list(layer)
    assert_clear(error, *named)
    assert error is None or "overrides: " in str(error)


environment_names = st.sampled_from(
    [
        "CLIENT_AUTH_NETWORK__MAX_ATTEMPTS",
        "CLIENT_AUTH_NETWORK__TIMEOUT_SECONDS",
        "CLIENT_AUTH_NETWORK__ALLOW_INSECURE_HTTP",
        "CLIENT_AUTH_COGNITO__AUTH_FLOW",
        "CLIENT_AUTH_COGNITO__ID_TOKEN_LEEWAY_SECONDS",
        "CLIENT_AUTH_SESSION__REFRESH_SKEW_SECONDS",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "CLIENT_AUTH_STORAGE__KEYRING_FALLBACK_TO_FILE",
        "CLIENT_AUTH_PROVIDERS__LWA__TOKEN_URL",
        "CLIENT_AUTH_X__Y",
    ]
)
environment_values = st.text(alphabet=string.printable, max_size=10) | numbers.map(str) | urls


@THOROUGH
@given(st.dictionaries(environment_names, environment_values, max_size=4))
def test_any_environment(environ: dict[str, str]) -> None:
    error = outcome(partial(load_settings, environ=environ))
    assert error is None or isinstance(error, e.ConfigurationError), repr(error)
    assert_clear(error, "environment", *environ)


@THOROUGH
@given(
    st.dictionaries(
        st.sampled_from(["timeout_seconds", "max_attempts", "refresh_skew_seconds", "id_token_leeway_seconds"]),
        numbers,
        min_size=1,
    )
)
def test_numbers_in_settings_are_finite_and_bounded(values: dict[str, Any]) -> None:
    """A setting accepted is usable: no inf timeout, no 10**30 retries, no skew that overflows a timedelta."""
    sections = {"id_token_leeway_seconds": "cognito", "refresh_skew_seconds": "session"}
    layer: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        layer.setdefault(sections.get(key, "network"), {})[key] = value
    error = outcome(partial(load_settings, environ={}, overrides=layer))
    assert_clear(error, *values)
    if error is None:
        loaded = load_settings(environ={}, overrides=layer)
        for key in values:
            number = loaded.get(sections.get(key, "network"), key)
            assert math.isfinite(number)
            assert 0 <= number <= 86400
            assert timedelta(seconds=number) >= timedelta(0)


@THOROUGH
@given(st.text(max_size=80))
def test_value_objects_reject_or_accept_cleanly(text: str) -> None:
    for build in (Username, Email, PhoneNumber, verification_code):
        error = outcome(partial(build, text))
        assert error is None or isinstance(error, e.InvalidInput), repr(error)
        assert_clear(error)
    error = outcome(partial(password, text))
    assert error is None or isinstance(error, e.InvalidInput), repr(error)
    assert_clear(error, "password")
    assert error is None or len(text) < 4 or text not in str(error)  # a rejected password is never echoed


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signed_as_is(payload: dict[str, Any]) -> str:
    """Signed by the pool's key, the payload encoded as given: PyJWT's encoder would refuse a non-string iss, and
    ``json.dumps`` writes inf and nan as the ``Infinity`` and ``NaN`` that JSON parsers accept."""
    header = b64({"alg": "RS256", "kid": KID, "typ": "JWT"})
    signing_input = f"{header}.{b64(payload)}".encode()
    return f"{signing_input.decode()}.{b64(RSAAlgorithm(RSAAlgorithm.SHA256).sign(signing_input, PRIVATE_KEY))}"


times = (
    st.integers(NOW - 7200, NOW + 7200)
    | st.floats(NOW - 7200, NOW + 7200)
    | numbers
    | st.sampled_from(["inf", "nan", str(NOW), None, [NOW]])
)
claim_changes = st.one_of(
    st.tuples(st.just("iss"), st.sampled_from([ISSUER + "/", "https://evil.example", None, 1, [ISSUER]])),
    st.tuples(st.just("aud"), st.sampled_from(["other", [CLIENT_ID], None, 0])),
    st.tuples(st.just("sub"), st.sampled_from([None, 5, ["sub-1"]])),
    st.tuples(st.just("token_use"), st.sampled_from(["access", "ID", None, 1])),
    st.tuples(st.sampled_from(["exp", "iat", "nbf"]), times),
)
hostile_claims = st.lists(claim_changes, max_size=2).map(lambda changes: claims(**dict(changes)))
"""A valid ID token's claims with one or two of them changed: each change alone decides the outcome."""
id_tokens = st.one_of(
    st.text(max_size=200),
    st.tuples(json_values, json_values, st.binary(max_size=40)).map(lambda t: f"{b64(t[0])}.{b64(t[1])}.{b64(t[2])}"),
    hostile_claims.map(signed_as_is),
    hostile_claims.map(signed_as_is),  # twice: half the tokens reach the claim checks
)


@THOROUGH
@given(id_tokens)
def test_any_id_token(token: str) -> None:
    """Any token, forged or signed by the pool's own key with hostile claims: refused with InvalidToken, or
    accepted only when every rule holds."""
    verifier = IdTokenVerifier(
        jwks_url="https://x/jwks", issuer=ISSUER, audience=CLIENT_ID, leeway=LEEWAY, clock=FakeClock(), fetch=Jwks()
    )
    accepted: list[dict[str, Any]] = []
    error = outcome(lambda: accepted.append(verifier.verify(token)))
    assert error is None or isinstance(error, e.InvalidToken), repr(error)
    assert_clear(error, "token")
    for payload in accepted:
        assert (payload["iss"], payload["aud"], payload["token_use"]) == (ISSUER, CLIENT_ID, "id")
        leeway = LEEWAY.total_seconds()
        for name in ("exp", "iat", "nbf"):
            value = payload.get(name, NOW)
            assert type(value) in (int, float), f"{name}={value!r} accepted"
            assert math.isfinite(value), f"{name}={value!r} accepted"
        assert payload["exp"] + leeway > NOW
        assert payload["iat"] - leeway <= NOW
        assert payload.get("nbf", NOW) - leeway <= NOW


class ScriptedTransport:
    def __init__(self, answer: OAuthAnswer) -> None:
        self.answer = answer

    def post(self, url: str, form: Any, *, provider: str) -> OAuthAnswer:
        return self.answer


oauth_fields = st.sampled_from(
    [
        "access_token",
        "id_token",
        "refresh_token",
        "expires_in",
        "interval",
        "error",
        "error_description",
        "device_code",
        "user_code",
        "verification_uri",
        "verification_url",
    ]
)


@THOROUGH
@given(st.integers(100, 599), st.dictionaries(oauth_fields, json_values | absurd_numbers, max_size=6))
def test_any_oauth_answer(status: int, data: dict[str, Any]) -> None:
    section = {
        "app_client_id": "id",
        "client_secret": Secret("s"),
        "oauth_code_url": "https://c",
        "oauth_tokens_url": "https://t",
        "scope": "openid",
    }
    for profile in (login_with_amazon(section), google(section)):
        client = DeviceFlowClient(profile, ScriptedTransport(OAuthAnswer(status, data)), FakeClock())
        auth = DeviceAuthorization(LOGIN_WITH_AMAZON, "U", "https://v", START, Secret("d"))
        for call in (
            client.start,
            partial(client.poll, auth),
            partial(client.refresh, Tokens(LOGIN_WITH_AMAZON, Secret("a"), START, refresh_token=Secret("r"))),
        ):
            assert_clear(outcome(call), profile.display, "provider")


class ScriptedCognito:
    """A cognito-idp client answering every call with the same (possibly malformed) dict."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    def __getattr__(self, name: str) -> Any:
        return lambda **_: self.answer


class Claims:
    def verify(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str):
            raise e.InvalidToken("not a token")
        return {}


cognito_fields = st.sampled_from(
    [
        "AuthenticationResult",
        "ChallengeName",
        "ChallengeParameters",
        "Session",
        "AccessToken",
        "IdToken",
        "ExpiresIn",
        "SecretCode",
        "Status",
        "UserSub",
        "UserConfirmed",
        "CodeDeliveryDetails",
        "Username",
        "UserAttributes",
    ]
)
challenge_names = st.sampled_from(
    [
        "PASSWORD_VERIFIER",
        "SMS_MFA",
        "SOFTWARE_TOKEN_MFA",
        "SELECT_MFA_TYPE",
        "MFA_SETUP",
        "NEW_PASSWORD_REQUIRED",
        "EMAIL_OTP",
        "CUSTOM_CHALLENGE",
        "",
    ]
)
authentication_results = st.fixed_dictionaries(
    {"AccessToken": st.just("a"), "IdToken": st.just("i")},
    optional={"ExpiresIn": numbers | st.text(max_size=5) | st.none(), "RefreshToken": st.just("r")},
)
cognito_answers = st.dictionaries(cognito_fields, json_values | challenge_names, max_size=5) | st.builds(
    lambda result: {"AuthenticationResult": result}, authentication_results
)


@THOROUGH
@given(cognito_answers)
def test_any_cognito_answer(answer: dict[str, Any]) -> None:
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        pool = CognitoUserPool(
            cast(Any, ScriptedCognito(answer)),
            pool_id="us-west-2_P",
            client_id="c",
            client_secret=None,
            auth_flow=flow,
            verifier=cast(Any, Claims()),
            clock=FakeClock(),
        )
        challenge = Challenge(COGNITO, ChallengeKind.MFA_SETUP, "alice", Secret("s" * 20))
        tokens = Tokens(COGNITO, Secret("a"), START, refresh_token=Secret("r"))
        calls: list[Callable[[], object]] = [
            partial(pool.sign_in, Username("alice"), Secret("p")),
            partial(pool.answer_code, challenge, "123456"),
            partial(pool.refresh, tokens),
            partial(pool.get_user, Secret("a")),
            partial(pool.sign_up, Username("a"), Secret("p"), email=None, phone_number=None),
            partial(pool.start_totp_setup, Secret("a")),
            partial(pool.forgot_password, Username("a")),
        ]
        for call in calls:
            assert_clear(outcome(call))


@COSTLY
@given(
    st.one_of(
        st.binary(max_size=200),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(
            st.sampled_from(["version", "tokens", "pending", "credentials", "linked_logins"]),
            json_values | st.just(1),
            max_size=5,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_any_session_file(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    home = tmp_path_factory.mktemp("store")
    store = FileSessionStore(home)
    store.path.write_bytes(content)
    error = outcome(store.load)
    assert error is None or isinstance(error, e.StorageError), repr(error)
    assert_clear(error, str(home))


words = st.sampled_from(
    [
        "sign-in",
        "sign-up",
        "confirm-sign-in",
        "confirm-sign-up",
        "status",
        "credentials",
        "--format",
        "process",
        "env",
        "json",
        "--provider",
        "lwa",
        "google",
        "cognito",
        "sign-out",
        "--global",
        "--all",
        "refresh",
        "enable-mfa",
        "--sms",
        "--totp",
        "verify-mfa",
        "--json",
        "--email",
        "a@b.co",
        "--phone",
        "+14155550100",
        "x",
        "",
        "--password-stdin",
        "reset",
        "link-identities",
        "forgot-password",
        "resend-code",
        "--profile",
        "p",
        "--no-wait",
        "-h",
    ]
)


@COSTLY
@given(st.lists(words | st.text(alphabet=string.printable, max_size=8), max_size=6))
def test_any_command_line(tmp_path_factory: pytest.TempPathFactory, argv: list[str]) -> None:
    from aws_client_auth.entrypoints.cli.commands import cli

    home = tmp_path_factory.mktemp("cli")
    config = Path(home) / "c.toml"
    config.write_text('[storage]\nbackend = "memory"\n')
    if "demo" in argv:
        return
    result = CliRunner().invoke(cli, ["--config", str(config), *argv], input="", catch_exceptions=True)
    assert result.exit_code in (0, 1, 2, 3), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "Unexpected failure" not in result.output  # the CLI's last line of defence caught a non-domain error
