"""One call that builds a real :class:`ClientAuth` on the fakes: the container wires it as in production, with
the fakes in the adapters' places. Nothing reaches a network, a file or the system keyring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dependency_injector import providers

from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowProfile
from aws_client_auth.adapters.oauth.providers import GOOGLE_LOGIN_KEY, LWA_LOGIN_KEY
from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.tokens import GOOGLE, LOGIN_WITH_AMAZON
from aws_client_auth.entrypoints.bootstrap import container_for
from aws_client_auth.entrypoints.scripting import ClientAuth
from aws_client_auth.testing.authenticator import FakeAuthenticator
from aws_client_auth.testing.browser_sign_in import REDIRECT_URI, FakeMachineTokens, FakeManagedLogin
from aws_client_auth.testing.clock import FakeClock, FakeSleeper
from aws_client_auth.testing.device_sign_in import FakeDeviceSignIn
from aws_client_auth.testing.events import RecordingEvents
from aws_client_auth.testing.identity_pool import POOL_ID, FakeIdentityPool
from aws_client_auth.testing.store import CountingStore
from aws_client_auth.testing.user_pool import FakeUserPool

REGION = "us-west-2"
USER_POOL_ID = "us-west-2_Test"
COGNITO_KEY = endpoints.login_key(REGION, USER_POOL_ID)
"""The identity-pool login keys of the fake providers: Cognito's, Login with Amazon's and Google's."""
LWA_KEY = LWA_LOGIN_KEY
GOOGLE_KEY = GOOGLE_LOGIN_KEY


@dataclass
class FakeWorld:
    """A ``ClientAuth`` and the fakes behind it, for a test to arrange and inspect."""

    auth: ClientAuth
    clock: FakeClock
    """Moves only when told (``clock.advance(3600)``): tokens and credentials expire on it."""
    sleeper: FakeSleeper
    """Waits by moving the clock; ``slept`` lists the waits."""
    events: RecordingEvents
    """Every event published, in order (``events.of(SignedIn)``)."""
    store: CountingStore
    """The profile's session store, in memory."""
    pool: FakeUserPool
    """The Cognito user pool: its users (``pool.add_user``), codes (``FakeUserPool.CODE``) and tokens."""
    lwa: FakeUserPool
    """Login with Amazon's users and tokens; ``lwa_device`` is its device flow."""
    google: FakeUserPool
    """Google's users and tokens; ``google_device`` is its device flow."""
    lwa_device: FakeDeviceSignIn
    google_device: FakeDeviceSignIn
    identity_pool: FakeIdentityPool
    """The identity pool behind ``get_credentials`` (unused when built with ``identity_pool=False``)."""
    managed_login: FakeManagedLogin
    """Browser sign-in: the managed login, the browser and the redirect (``managed_login.user_denies()``)."""
    machine_tokens: FakeMachineTokens
    """The client credentials token endpoint behind ``machine_token`` (``machine_tokens.fetches``)."""
    authenticator: FakeAuthenticator
    """The passkey authenticator (a security key in memory) behind ``register_passkey`` and passkey sign-in."""

    @property
    def session(self) -> Session:
        """What the profile keeps now."""
        return self.store.load()


def fake_world(
    users: Mapping[str, str] | None = None,
    *,
    guest_access: bool = True,
    identity_pool: bool = True,
    token_lifetime: int = 3600,
    credential_lifetime: int = 3600,
    refresh_skew: int = 300,
    profile: str = "default",
) -> FakeWorld:
    """A ``ClientAuth`` configured with a Cognito user pool, Login with Amazon, Google and an identity pool, all
    fakes. ``users`` (name to password) are confirmed users of the user pool; tokens live ``token_lifetime``
    seconds, credentials ``credential_lifetime``; ``refresh_skew`` is ``[session] refresh_skew_seconds``.
    ``guest_access=False`` is a pool that refuses guests, ``identity_pool=False`` a configuration without one.
    """
    clock = FakeClock()
    pool = FakeUserPool(clock, lifetime=token_lifetime)
    for name, password in (users or {}).items():
        pool.add_user(name, password)
    lwa = FakeUserPool(clock, LOGIN_WITH_AMAZON, lifetime=token_lifetime)
    google = FakeUserPool(clock, GOOGLE, lifetime=token_lifetime)
    devices = {LOGIN_WITH_AMAZON: FakeDeviceSignIn(clock, lwa), GOOGLE: FakeDeviceSignIn(clock, google)}
    world_pool = FakeIdentityPool(clock, guest_allowed=guest_access, lifetime=credential_lifetime)
    settings = load_settings(
        environ={},
        overrides={
            "aws": {"region": REGION},
            "cognito": {
                "user_pool_id": USER_POOL_ID,
                "app_client_id": "fakeappclient1",
                "identity_pool_id": POOL_ID if identity_pool else "",
                "domain": "https://login.example.com",
                "redirect_uri": REDIRECT_URI,
            },
            "machine": {
                "client_id": "fakemachineclient",
                "client_secret": "fake-machine-secret",
                "scopes": "games/read",
            },
            "providers.login_with_amazon": {"app_client_id": "amzn1.application-oa2-client.fake"},
            "providers.google": {"app_client_id": "fake.apps.googleusercontent.com", "client_secret": "fake-secret"},
            "storage": {"backend": "memory"},
            "session": {"refresh_skew_seconds": refresh_skew},
        },
    )
    container = container_for(settings, profile=profile)

    def device_client(profile: DeviceFlowProfile) -> FakeDeviceSignIn:
        return devices[profile.name]

    store = CountingStore(profile)
    events = RecordingEvents()
    sleeper = FakeSleeper(clock)
    container.clock.override(clock)
    container.sleeper.override(sleeper)
    container.events.override(events)
    container.session_store.override(store)
    container.user_pool.override(pool)
    container.device_client.override(providers.Callable(device_client))
    container.identity_pool_adapter.override(world_pool)
    login = FakeManagedLogin(pool)
    machine_tokens = FakeMachineTokens(clock, allowed=frozenset({"games/read", "games/write"}))
    container.managed_login.override(login)
    container.browser.override(login)
    container.loopback_listener.override(login)
    container.machine_token_source.override(machine_tokens)
    authenticator = FakeAuthenticator()
    container.authenticator.override(authenticator)
    return FakeWorld(
        auth=ClientAuth.from_container(container),
        clock=clock,
        sleeper=sleeper,
        events=events,
        store=store,
        pool=pool,
        lwa=lwa,
        google=google,
        lwa_device=devices[LOGIN_WITH_AMAZON],
        google_device=devices[GOOGLE],
        identity_pool=world_pool,
        managed_login=login,
        machine_tokens=machine_tokens,
        authenticator=authenticator,
    )


def client_auth(users: Mapping[str, str] | None = None) -> ClientAuth:
    """A ``ClientAuth`` on fakes, with these confirmed users (name to password): see :func:`fake_world` for the
    fakes themselves and more settings."""
    return fake_world(users).auth
