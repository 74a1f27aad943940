"""Property-based tests: malformed and hostile input never produces a traceback, only a typed error that
names the problem (or a correct result)."""

from __future__ import annotations

import base64
import json
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

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
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
    st.none() | st.integers() | st.text(max_size=12),
    lambda inner: st.dictionaries(o3de_keys, inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=15,
)


@FAST
@given(st.text(max_size=300))
def test_any_text_as_a_config_file(text: str) -> None:
    try:
        parse_text(text, "fuzz.toml")
    except e.ConfigurationError as error:
        assert "fuzz.toml" in str(error)


@FAST
@given(st.dictionaries(o3de_keys, o3de_like, min_size=1, max_size=4))
def test_any_o3de_shaped_json(data: dict[str, Any]) -> None:
    try:
        parse_text(json.dumps(data), "fuzz.setreg")
    except e.ConfigurationError as error:
        assert "fuzz.setreg" in str(error)


toml_sections = st.sampled_from(["aws", "cognito", "storage", "session", "network", "providers.google", "providers.x"])
toml_keys = st.sampled_from(
    [
        "region",
        "endpoint_url",
        "user_pool_id",
        "auth_flow",
        "backend",
        "timeout_seconds",
        "max_attempts",
        "app_client_secret",
        "scope",
        "refresh_skew_seconds",
        "bogus",
    ]
)
toml_values = st.one_of(
    st.text(alphabet=string.printable, max_size=15), st.integers(-5, 100), st.booleans(), st.floats(-1, 100)
)


@FAST
@given(st.dictionaries(toml_sections, st.dictionaries(toml_keys, toml_values, max_size=3), max_size=3))
def test_any_settings_values(layer: dict[str, dict[str, Any]]) -> None:
    try:
        load_settings(environ={}, overrides=layer)
    except e.ConfigurationError as error:
        assert "overrides" in str(error)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "CLIENT_AUTH_NETWORK__MAX_ATTEMPTS",
                "CLIENT_AUTH_COGNITO__AUTH_FLOW",
                "AWS_REGION",
                "CLIENT_AUTH_STORAGE__KEYRING_FALLBACK_TO_FILE",
                "CLIENT_AUTH_X__Y",
                "CLIENT_AUTH_NETWORK__TIMEOUT_SECONDS",
            ]
        ),
        st.text(alphabet=string.printable, max_size=10),
        max_size=4,
    )
)
def test_any_environment(environ: dict[str, str]) -> None:
    try:
        load_settings(environ=environ)
    except e.ConfigurationError as error:
        assert str(error)


@FAST
@given(st.text(max_size=80))
def test_value_objects_reject_or_accept_cleanly(text: str) -> None:
    for build in (Username, Email, PhoneNumber, verification_code):
        try:
            build(text)
        except e.InvalidInput as error:
            assert str(error)
    try:
        password(text)
    except e.InvalidInput as error:
        assert len(text) < 4 or text not in str(error)  # a rejected password is never echoed


class Keys:
    def __call__(self, url: str) -> dict[str, Any]:
        return {"keys": []}


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@FAST
@given(
    st.one_of(
        st.text(max_size=200),
        st.tuples(json_values, json_values, st.binary(max_size=40)).map(
            lambda t: f"{b64(t[0])}.{b64(t[1])}.{b64(t[2])}"
        ),
    )
)
def test_any_id_token(token: str) -> None:
    verifier = IdTokenVerifier(
        jwks_url="https://x/jwks",
        issuer="https://x",
        audience="a",
        leeway=timedelta(0),
        clock=FakeClock(),
        fetch=Keys(),
    )
    with pytest.raises(e.ClientAuthError):
        verifier.verify(token)


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


@FAST
@given(st.integers(100, 599), st.dictionaries(oauth_fields, json_values, max_size=6))
def test_any_oauth_answer(status: int, data: dict[str, Any]) -> None:
    section = {
        "app_client_id": "id",
        "client_secret": Secret("s"),
        "oauth_code_url": "https://c",
        "oauth_tokens_url": "https://t",
        "scope": "openid",
    }
    for profile in (login_with_amazon(section), google(section)):
        client = DeviceFlowClient(profile, ScriptedTransport(OAuthAnswer(status, data)), FakeClock())  # type: ignore[arg-type]
        auth = DeviceAuthorization(LOGIN_WITH_AMAZON, "U", "https://v", START, Secret("d"))
        for call in (
            client.start,
            partial(client.poll, auth),
            partial(client.refresh, Tokens(LOGIN_WITH_AMAZON, Secret("a"), START, refresh_token=Secret("r"))),
        ):
            try:
                call()
            except e.ClientAuthError as error:
                assert str(error)


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


@FAST
@given(st.dictionaries(cognito_fields, json_values | challenge_names, max_size=5))
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
            try:
                call()
            except e.ClientAuthError as error:
                assert str(error)


@FAST
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
    try:
        store.load()
    except e.StorageError as error:
        assert str(home) in str(error)


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


@FAST
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
