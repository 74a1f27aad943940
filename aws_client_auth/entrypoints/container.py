"""The composition root: the only module that knows every adapter. It reads like a table of bindings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from aws_client_auth.adapters.aws_sdk import lazy_client
from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.cognito.app_client import context_provider
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.events import EventBus
from aws_client_auth.adapters.http import HttpClient, JsonFetcher, http_session
from aws_client_auth.adapters.identity_pool import CognitoIdentityPool
from aws_client_auth.adapters.oauth.browser import SystemBrowser
from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
from aws_client_auth.adapters.oauth.client_credentials import ClientCredentialsClient
from aws_client_auth.adapters.oauth.device_flow import DeviceFlowClient
from aws_client_auth.adapters.oauth.loopback import LoopbackListener, PastedRedirect
from aws_client_auth.adapters.oauth.managed_login import ManagedLoginClient
from aws_client_auth.adapters.oauth.token_cache import FileMachineTokenCache, MemoryMachineTokenCache
from aws_client_auth.adapters.oauth.transport import OAuthTransport
from aws_client_auth.adapters.plugins import ProviderContext, custom_factories
from aws_client_auth.adapters.settings import network
from aws_client_auth.adapters.settings.model import Settings
from aws_client_auth.adapters.stores.file import FileSessionStore
from aws_client_auth.adapters.stores.keyring_store import keyring_store
from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.adapters.system import SystemClock, SystemSleeper
from aws_client_auth.application.queries import Queries
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.application.use_cases.attributes import (
    DeleteAttributes,
    ListAttributes,
    SendAttributeCode,
    UpdateAttributes,
    VerifyAttribute,
)
from aws_client_auth.application.use_cases.bearer_tokens import UserBearerToken
from aws_client_auth.application.use_cases.browser_sign_in import SignInWithBrowser, SignOutOfBrowser
from aws_client_auth.application.use_cases.change_password import ChangePassword
from aws_client_auth.application.use_cases.complete_device_sign_in import CompleteDeviceSignIn
from aws_client_auth.application.use_cases.confirm_forgot_password import ConfirmForgotPassword
from aws_client_auth.application.use_cases.confirm_sign_in import ConfirmSignIn
from aws_client_auth.application.use_cases.confirm_sign_up import ConfirmSignUp
from aws_client_auth.application.use_cases.delete_account import DeleteAccount
from aws_client_auth.application.use_cases.devices import ForgetDevice, ListDevices, RememberDevice
from aws_client_auth.application.use_cases.forgot_password import ForgotPassword
from aws_client_auth.application.use_cases.get_credentials import GetCredentials
from aws_client_auth.application.use_cases.get_tokens import GetTokens
from aws_client_auth.application.use_cases.link_identities import LinkIdentities
from aws_client_auth.application.use_cases.machine_token import GetMachineToken
from aws_client_auth.application.use_cases.mfa_preference import (
    DisableMfaMethod,
    EnableMfaMethod,
    GetMfaPreference,
    SetMfaPreference,
)
from aws_client_auth.application.use_cases.passkeys import AuthFactors, DeletePasskey, ListPasskeys, RegisterPasskey
from aws_client_auth.application.use_cases.refresh_tokens import RefreshTokens
from aws_client_auth.application.use_cases.resend_confirmation_code import ResendConfirmationCode
from aws_client_auth.application.use_cases.reset import Reset
from aws_client_auth.application.use_cases.sign_in import SignIn
from aws_client_auth.application.use_cases.sign_out import SignOut
from aws_client_auth.application.use_cases.sign_up import SignUp
from aws_client_auth.application.use_cases.start_device_sign_in import StartDeviceSignIn
from aws_client_auth.application.use_cases.verify_mfa import VerifyMfa
from aws_client_auth.entrypoints import wiring


def setting(settings: providers.Provider[Settings], section: str, key: str) -> providers.Provider[Any]:
    """One value of the typed settings, read when a provider that needs it is built."""
    return providers.Callable(Settings.get, settings, section, key)


class Container(containers.DeclarativeContainer):
    settings: providers.Object[Settings] = providers.Object(Settings())
    """The validated settings, as one typed object (bootstrap puts the loaded ones here)."""
    profile = providers.Object("default")
    scope = providers.Object("")
    """Which of the profile's sessions this configuration uses (``environment.session_scope``)."""
    home: providers.Object[Path | None] = providers.Object(None)
    extra_providers = providers.Dict()
    """Custom providers registered in code: name -> factory of an AuthProvider."""
    context_data: providers.Object[Any] = providers.Object(None)
    """A script's context-data provider for threat protection (``ClientAuth.from_config(context_data=...)``)."""

    # --- the settings the bindings below share ---------------------------------------------------------
    region = setting(settings, "aws", "region")
    endpoint_url = setting(settings, "aws", "endpoint_url")
    timeout = setting(settings, "network", "timeout_seconds")
    max_attempts = setting(settings, "network", "max_attempts")
    user_pool_id = setting(settings, "cognito", "user_pool_id")
    app_client_id = setting(settings, "cognito", "app_client_id")
    identity_pool_id = setting(settings, "cognito", "identity_pool_id")
    pool_region = providers.Singleton(endpoints.pool_region, user_pool_id, region)
    """The user pool's region (from its id), computed once for its client, its token issuer and its login key."""

    # --- the machine -----------------------------------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    sleeper = providers.Singleton(SystemSleeper)
    events = providers.Singleton(EventBus)
    http = providers.Singleton(
        HttpClient, providers.Singleton(http_session), timeout=timeout, max_attempts=max_attempts, sleeper=sleeper
    )
    fetch_json = providers.Singleton(JsonFetcher, client=http)

    # --- storage ---------------------------------------------------------------------------------------
    session_store = providers.Selector(
        setting(settings, "storage", "backend"),
        file=providers.ThreadSafeSingleton(FileSessionStore, directory=home, profile=profile, scope=scope),
        memory=providers.ThreadSafeSingleton(MemorySessionStore, profile=profile),
        keyring=providers.ThreadSafeSingleton(
            keyring_store,
            home=home,
            profile=profile,
            fallback_to_file=setting(settings, "storage", "keyring_fallback_to_file"),
            scope=scope,
        ),
    )
    # Thread-safe where a copy holds a lock or memory: threads that first ask at once must get one object.
    sessions = providers.ThreadSafeSingleton(Sessions, store=session_store)

    aws_client = providers.Factory(lazy_client, endpoint_url=endpoint_url, timeout=timeout, max_attempts=max_attempts)
    """A client of one Cognito API (its name and region given), unsigned, with bounded time and retries; boto3
    builds it on first use, so a command answered from the store never does."""

    # --- Cognito user pool -----------------------------------------------------------------------------
    cognito_idp = providers.Singleton(aws_client, "cognito-idp", region=pool_region)
    id_token_verifier = providers.Singleton(
        IdTokenVerifier,
        jwks_url=providers.Callable(
            endpoints.jwks_url, pool_region, user_pool_id, endpoint_url, setting(settings, "cognito", "jwks_url")
        ),
        issuer=providers.Callable(endpoints.issuer, pool_region, user_pool_id),
        audience=app_client_id,
        leeway=providers.Callable(wiring.seconds, setting(settings, "cognito", "id_token_leeway_seconds")),
        clock=clock,
        fetch=fetch_json,
    )
    user_pool = providers.Singleton(
        CognitoUserPool,
        client=cognito_idp,
        pool_id=user_pool_id,
        client_id=app_client_id,
        client_secret=providers.Callable(Settings.secret, settings, "cognito", "app_client_secret"),
        auth_flow=setting(settings, "cognito", "auth_flow"),
        verifier=id_token_verifier,
        clock=clock,
        revoke_on_sign_out=setting(settings, "cognito", "revoke_on_sign_out"),
        context_data=providers.Callable(
            context_provider, setting(settings, "cognito", "user_context_ip"), context_data
        ),
        device_name=setting(settings, "cognito", "device_name"),
        client_metadata=settings.provided.client_metadata,
    )
    cognito_login_key = providers.Callable(endpoints.login_key, pool_region, user_pool_id)

    # --- Cognito identity pool -------------------------------------------------------------------------
    cognito_identity = providers.Singleton(aws_client, "cognito-identity", region=region)
    identity_pool_adapter = providers.Singleton(
        CognitoIdentityPool,
        client=cognito_identity,
        pool_id=identity_pool_id,
        clock=clock,
        account_id=setting(settings, "aws", "account_id"),
    )
    identity_pool = providers.Singleton(wiring.identity_pool, identity_pool_id, identity_pool_adapter.provider)

    # --- OAuth device flow: Login with Amazon, Google, custom providers ---------------------------------
    oauth_transport = providers.Singleton(OAuthTransport, client=http)
    device_client = providers.Factory(DeviceFlowClient, transport=oauth_transport, clock=clock)
    provider_context = providers.Singleton(ProviderContext, transport=oauth_transport, clock=clock)
    plugin_providers = providers.Singleton(
        custom_factories, settings.provided.custom_providers, provider_context.provider
    )

    # --- providers and shared services -----------------------------------------------------------------
    provider_registry = providers.ThreadSafeSingleton(  # its providers are built once, whichever thread asks first
        wiring.provider_registry,
        settings,
        cognito_login_key=cognito_login_key,
        cognito=user_pool.provider,
        device_client=device_client.provider,
        extra=providers.Callable(wiring.merged, plugin_providers, extra_providers),
    )
    tokens = providers.ThreadSafeSingleton(
        TokenKeeper,
        sessions=sessions,
        providers=provider_registry,
        clock=clock,
        events=events,
        skew=providers.Callable(wiring.seconds, setting(settings, "session", "refresh_skew_seconds")),
    )
    credentials = providers.ThreadSafeSingleton(
        CredentialService,
        sessions=sessions,
        providers=provider_registry,
        tokens=tokens,
        identity_pool=identity_pool,
        clock=clock,
        events=events,
    )
    queries = providers.Singleton(Queries, sessions=sessions, providers=provider_registry)

    # --- passkeys (issue 15): the authenticator [passkeys] names, built on first use -------------------------
    passkey_notice: providers.Object[Any] = providers.Object(None)
    """Shows the authenticator's prompts ("touch your security key"); the CLI writes them to stderr."""
    passkey_pin: providers.Object[Any] = providers.Object(None)
    """Asks the person for a security key's PIN (None: nobody to ask); the CLI asks without echo on a terminal."""
    authenticator = providers.ThreadSafeSingleton(wiring.authenticator, settings, passkey_notice, passkey_pin)

    # --- use cases -------------------------------------------------------------------------------------
    sign_up = providers.Factory(SignUp, providers=provider_registry, events=events, sessions=sessions, clock=clock)
    confirm_sign_up = providers.Factory(
        ConfirmSignUp, providers=provider_registry, events=events, sessions=sessions, clock=clock
    )
    resend_confirmation_code = providers.Factory(ResendConfirmationCode, providers=provider_registry, events=events)
    forgot_password = providers.Factory(ForgotPassword, providers=provider_registry, events=events)
    confirm_forgot_password = providers.Factory(ConfirmForgotPassword, providers=provider_registry, events=events)
    sign_in = providers.Factory(
        SignIn, providers=provider_registry, sessions=sessions, events=events, authenticator=authenticator.provider
    )
    confirm_sign_in = providers.Factory(
        ConfirmSignIn,
        providers=provider_registry,
        sessions=sessions,
        events=events,
        authenticator=authenticator.provider,
    )
    start_device_sign_in = providers.Factory(
        StartDeviceSignIn, providers=provider_registry, sessions=sessions, events=events
    )
    complete_device_sign_in = providers.Factory(
        CompleteDeviceSignIn,
        providers=provider_registry,
        sessions=sessions,
        events=events,
        clock=clock,
        sleeper=sleeper,
    )
    enable_mfa = providers.Factory(EnableMfaMethod, providers=provider_registry, tokens=tokens, events=events)
    verify_mfa = providers.Factory(VerifyMfa, providers=provider_registry, tokens=tokens, events=events)
    disable_mfa = providers.Factory(DisableMfaMethod, providers=provider_registry, tokens=tokens, events=events)
    change_password = providers.Factory(ChangePassword, providers=provider_registry, tokens=tokens, events=events)
    refresh_tokens = providers.Factory(RefreshTokens, tokens=tokens)
    get_tokens = providers.Factory(GetTokens, tokens=tokens)
    sign_out = providers.Factory(SignOut, providers=provider_registry, sessions=sessions, events=events)
    get_credentials = providers.Factory(GetCredentials, credentials=credentials)
    link_identities = providers.Factory(
        LinkIdentities, credentials=credentials, sessions=sessions, events=events, pool_id=identity_pool_id
    )
    reset = providers.Factory(Reset, sessions=sessions, credentials=credentials, events=events)

    # --- account and devices (issue 14) -----------------------------------------------------------------
    mfa_preference = providers.Factory(GetMfaPreference, providers=provider_registry, tokens=tokens, events=events)
    set_mfa_preference = providers.Factory(SetMfaPreference, providers=provider_registry, tokens=tokens, events=events)
    list_attributes = providers.Factory(ListAttributes, providers=provider_registry, tokens=tokens, events=events)
    update_attributes = providers.Factory(UpdateAttributes, providers=provider_registry, tokens=tokens, events=events)
    send_attribute_code = providers.Factory(
        SendAttributeCode, providers=provider_registry, tokens=tokens, events=events
    )
    verify_attribute = providers.Factory(VerifyAttribute, providers=provider_registry, tokens=tokens, events=events)
    delete_attributes = providers.Factory(DeleteAttributes, providers=provider_registry, tokens=tokens, events=events)
    remember_device = providers.Factory(
        RememberDevice, providers=provider_registry, sessions=sessions, tokens=tokens, events=events
    )
    list_devices = providers.Factory(
        ListDevices, providers=provider_registry, sessions=sessions, tokens=tokens, events=events
    )
    forget_device = providers.Factory(
        ForgetDevice, providers=provider_registry, sessions=sessions, tokens=tokens, events=events
    )
    delete_account = providers.Factory(
        DeleteAccount, providers=provider_registry, sessions=sessions, tokens=tokens, events=events
    )
    register_passkey = providers.Factory(
        RegisterPasskey, providers=provider_registry, tokens=tokens, events=events, authenticator=authenticator.provider
    )
    list_passkeys = providers.Factory(ListPasskeys, providers=provider_registry, tokens=tokens, events=events)
    delete_passkey = providers.Factory(DeletePasskey, providers=provider_registry, tokens=tokens, events=events)
    auth_factors = providers.Factory(AuthFactors, providers=provider_registry, tokens=tokens, events=events)

    # --- browser sign-in and machine tokens (issue 16) --------------------------------------------------
    # Browser sign-in: Cognito's managed login, authorization code with PKCE.
    domain = setting(settings, "cognito", "domain")
    redirect_uri = setting(settings, "cognito", "redirect_uri")
    app_client_secret = providers.Callable(Settings.secret, settings, "cognito", "app_client_secret")
    managed_login = providers.Singleton(
        ManagedLoginClient,
        base_url=providers.Callable(network.managed_login_url, domain, pool_region),
        client_id=app_client_id,
        redirect_uri=redirect_uri,
        scopes=setting(settings, "cognito", "scopes"),
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

    # Machine-to-machine tokens: the client credentials grant, cached per profile, configuration and scope set.
    machine_client_id = setting(settings, "machine", "client_id")
    machine_client_secret = providers.Callable(Settings.secret, settings, "machine", "client_secret")
    machine_token_url = providers.Callable(
        network.machine_token_url, setting(settings, "machine", "token_url"), domain, pool_region
    )
    machine_token_file = providers.Singleton(
        FileMachineTokenCache, home, profile, providers.Callable("{} {}".format, machine_token_url, machine_client_id)
    )
    machine_token_cache = providers.Selector(
        setting(settings, "storage", "backend"),
        file=machine_token_file,
        keyring=machine_token_file,  # short-lived tokens a fetch replaces: in the session folder with keyring too
        memory=providers.Singleton(MemoryMachineTokenCache),
    )
    machine_token_source = providers.Singleton(
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
    )
    machine_token = providers.ThreadSafeSingleton(  # one per process: its lock and memory serve every thread
        GetMachineToken,
        source=machine_token_source,
        cache=machine_token_cache,
        clock=clock,
        events=events,
        default_scopes=setting(settings, "machine", "scopes"),
    )

    reset.add_kwargs(machine_tokens=machine_token_cache)  # reset forgets this profile's machine tokens too

    # The HTTP helpers: a signed-in user's token for the Authorization header.
    bearer_tokens = providers.Singleton(UserBearerToken, tokens=tokens, sessions=sessions)
