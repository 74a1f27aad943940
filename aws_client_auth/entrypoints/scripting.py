"""``ClientAuth``: the facade scripts and editor tooling call. Methods return domain values and raise the
domain's typed errors; everything goes through the use cases, so events fire as the Gem's buses did.

    auth = ClientAuth.from_config("client-auth.toml")
    step = auth.sign_in("alice", password)
    if not step.done:
        step = auth.confirm_sign_in(input(step.kind.prompt + ": "))
    s3 = auth.boto3_session().client("s3")
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_client_auth.adapters import aws_sdk
from aws_client_auth.adapters.http_auth import BearerAuth, SigV4Auth
from aws_client_auth.application.ports.sleeper import Cancellation
from aws_client_auth.application.queries import ProviderStatus, Status
from aws_client_auth.application.services import client_metadata as metadata
from aws_client_auth.application.services.providers import AuthProvider, SignInMethod
from aws_client_auth.application.use_cases.bearer_tokens import token_kind
from aws_client_auth.application.use_cases.browser_sign_in import DEFAULT_TIMEOUT
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import Event
from aws_client_auth.domain.identity import Identity
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Pending
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    CodeDelivery,
    ContextDataProvider,
    DeviceAuthorization,
    MfaSetup,
    Passkey,
    SignedIn,
    SignInStep,
    SignUpResult,
)
from aws_client_auth.domain.text import SHOWN_ON_PURPOSE
from aws_client_auth.domain.tokens import COGNITO, MachineToken, ProviderName, Tokens, scope_set
from aws_client_auth.domain.user import MfaPreferences, MfaType, RememberedDevice, TrackedDevice
from aws_client_auth.entrypoints.bootstrap import build_container
from aws_client_auth.entrypoints.container import Container

__all__ = ["ClientAuth", "ProviderStatus", "SignInMethod", "Status"]

E = TypeVar("E", bound=Event)


class ClientAuth:
    """The one door: the CLI, scripts and every other face call these methods, and nothing behind them."""

    def __init__(self, container: Container) -> None:
        self._c = container

    @classmethod
    def from_config(
        cls,
        *paths: str | os.PathLike[str],
        profile: str | None = None,
        o3de_project: str | os.PathLike[str] | None = None,
        environ: dict[str, str] | None = None,
        context_data: ContextDataProvider | None = None,
        passkey_notice: Callable[[str], None] | None = None,
        passkey_pin: Callable[[], str | None] | None = None,
        **overrides: dict[str, Any],
    ) -> ClientAuth:
        """Settings from ``paths`` (TOML, O3DE resource mapping or setreg), then sections given as keywords:
        ``ClientAuth.from_config(cognito={"user_pool_id": ..., "app_client_id": ...})``.

        ``context_data`` is called with the user name before every Cognito call that takes ``UserContextData``
        (pools with threat protection); ``[cognito] user_context_ip`` fills in an address it leaves out.
        ``passkey_notice`` shows the authenticator's prompts ("touch your security key"); by default they are logged.
        ``passkey_pin`` asks the person for a security key's PIN (returns None when they cannot be asked)."""
        container = build_container(
            *paths, profile=profile, o3de_project=o3de_project, overrides=overrides, environ=environ
        )
        if context_data is not None:
            container.context_data.override(context_data)
        if passkey_notice is not None:
            container.passkey_notice.override(passkey_notice)
        if passkey_pin is not None:
            container.passkey_pin.override(passkey_pin)
        return cls(container)

    @classmethod
    def from_container(cls, container: Container) -> ClientAuth:
        """For tooling that overrides the container's providers (a custom store, an adapter of its own). Tests
        of a tool build one on fakes with :func:`aws_client_auth.testing.client_auth` instead."""
        return cls(container)

    @property
    def container(self) -> Container:
        """The composition this facade runs on, for tests that set up state behind it; no face uses it."""
        return self._c

    # --- user management (the Gem's user management bus) --------------------------------------------
    def sign_up(
        self,
        username: str,
        password: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        with metadata.using(client_metadata):
            return self._c.sign_up().execute(username, password, email=email, phone=phone)

    def confirm_sign_up(
        self, username: str, code: str, *, sign_in: bool = False, client_metadata: Mapping[str, str] | None = None
    ) -> SignInStep | None:
        """Confirm the account. With ``sign_in``, sign the user in at once with the session Cognito returns (an
        app client with choice-based sign-in): the step, or None when Cognito gave no session (sign in as usual)."""
        with metadata.using(client_metadata):
            return self._c.confirm_sign_up().execute(username, code, sign_in=sign_in)

    def resend_confirmation_code(self, username: str) -> CodeDelivery | None:
        return self._c.resend_confirmation_code().execute(username)

    def forgot_password(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDelivery | None:
        with metadata.using(client_metadata):
            return self._c.forgot_password().execute(username)

    def confirm_forgot_password(
        self, username: str, code: str, new_password: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> None:
        with metadata.using(client_metadata):
            self._c.confirm_forgot_password().execute(username, code, new_password)

    def change_password(self, old_password: str, new_password: str) -> None:
        self._c.change_password().execute(old_password, new_password)

    def enable_mfa(self, mfa_type: str | MfaType = MfaType.SMS) -> MfaSetup | None:
        """Turn on ``sms``, ``email`` (at once, and preferred) or ``totp`` (its secret returned: on once
        :meth:`verify_mfa` checks a code from the authenticator app)."""
        return self._c.enable_mfa().execute(mfa_type)

    def verify_mfa(self, code: str) -> None:
        self._c.verify_mfa().execute(code)

    def disable_mfa(self, mfa_type: str | MfaType | None = None) -> MfaPreferences:
        """Turn off one MFA method, or every one (``None``); returns what is left."""
        return self._c.disable_mfa().execute(mfa_type)

    # --- account and devices (issue 14) ---------------------------------------------------------------
    def mfa_preference(self) -> MfaPreferences:
        """The MFA methods enabled and the preferred one."""
        return self._c.mfa_preference().execute()

    def set_mfa_preference(self, mfa_type: str | MfaType) -> MfaPreferences:
        """Prefer one of the enabled MFA methods."""
        return self._c.set_mfa_preference().execute(mfa_type)

    def attributes(self) -> Mapping[str, str]:
        """The signed-in user's attributes, standard and ``custom:``."""
        return self._c.list_attributes().execute()

    def update_attributes(
        self, values: Mapping[str, str], *, client_metadata: Mapping[str, str] | None = None
    ) -> tuple[CodeDelivery, ...]:
        """Set attributes; returns where verification codes went (a changed email or phone number)."""
        with metadata.using(client_metadata):
            return self._c.update_attributes().execute(values)

    def send_attribute_code(self, name: str) -> CodeDelivery | None:
        return self._c.send_attribute_code().execute(name)

    def verify_attribute(self, name: str, code: str) -> None:
        self._c.verify_attribute().execute(name, code)

    def delete_attributes(self, *names: str) -> tuple[str, ...]:
        return self._c.delete_attributes().execute(names)

    def remember_device(self) -> RememberedDevice:
        """Remember this machine (pools where users opt in), so that its sign-ins may skip MFA."""
        return self._c.remember_device().execute()

    def devices(self) -> tuple[TrackedDevice, ...]:
        """The user's tracked devices, this machine marked ``this_device``."""
        return self._c.list_devices().execute()

    def forget_device(self, key: str | None = None) -> str:
        """Forget a device (this machine when ``key`` is None, its keys dropped here too); returns its key."""
        return self._c.forget_device().execute(key)

    def delete_account(self) -> str | None:
        """Delete the signed-in Cognito user, then this configuration's session; returns the user name.
        Irreversible: ask the person first."""
        return self._c.delete_account().execute()

    # --- authentication (the Gem's authentication provider bus) --------------------------------------
    def sign_in_method(self, provider: str = COGNITO) -> SignInMethod:
        """How ``provider`` signs in: ``PASSWORD`` (:meth:`sign_in`) or ``DEVICE`` (:meth:`start_device_sign_in`)."""
        return self._c.queries().sign_in_method(provider)

    def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        provider: str = COGNITO,
        factor: str | AuthFactor | None = None,
        custom: bool = False,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        """Sign in. With ``password`` alone: the configured flow. With ``factor`` (``password``, ``email-otp``,
        ``sms-otp``, ``passkey``): that first factor of choice-based sign-in (only ``password`` takes the password);
        with neither, Cognito offers the user's factors (a ``select_factor`` step). ``custom``: the pool's custom
        challenges (after proving ``password``, when given). A passkey step is answered at once by the configured
        authenticator, and custom challenges by an answerer set with :meth:`answer_custom_challenges`.
        ``client_metadata`` goes to the pool's Lambda triggers with each call of this sign-in."""
        with metadata.using(client_metadata):
            return self._c.sign_in().execute(username, password, provider=provider, factor=factor, custom=custom)

    def confirm_sign_in(self, answer: str = "", *, client_metadata: Mapping[str, str] | None = None) -> SignInStep:
        """Answer the pending step (a passkey step takes no answer: the authenticator signs)."""
        with metadata.using(client_metadata):
            return self._c.confirm_sign_in().execute(answer)

    def answer_custom_challenges(
        self, answerer: Callable[[Challenge], str | None] | None, *, provider: str = COGNITO
    ) -> None:
        """Answer ``provider``'s custom challenges in code: ``answerer(challenge)`` returns the answer (a store
        ticket, a signed console token), or None to leave the challenge to a person. None removes it."""
        self._c.provider_registry().answer_custom_challenges(provider, answerer)

    @contextmanager
    def client_metadata(self, pairs: Mapping[str, str]) -> Iterator[None]:
        """``ClientMetadata`` for every Cognito call made inside (on top of ``[cognito.client_metadata]``), in this
        thread or task: ``with auth.client_metadata({"ticket": t}): auth.update_attributes(...)``."""
        with metadata.using(pairs):
            yield

    # --- passkeys and sign-in factors (issue 15) -----------------------------------------------------
    def register_passkey(self) -> str:
        """Make a passkey for the signed-in user with the configured authenticator (the user touches the key) and
        register it with the pool; returns its credential id."""
        return self._c.register_passkey().execute()

    def passkeys(self) -> tuple[Passkey, ...]:
        return self._c.list_passkeys().execute()

    def delete_passkey(self, credential_id: str) -> None:
        self._c.delete_passkey().execute(credential_id)

    def auth_factors(self) -> tuple[AuthFactor, ...]:
        """The first factors the signed-in user can sign in with."""
        return self._c.auth_factors().execute()

    def start_device_sign_in(self, provider: str) -> DeviceAuthorization:
        return self._c.start_device_sign_in().execute(provider)

    def complete_device_sign_in(
        self, *, wait: bool = True, timeout: float | None = None, cancel: Cancellation | None = None
    ) -> SignedIn:
        return self._c.complete_device_sign_in().execute(wait=wait, timeout=timeout, cancel=cancel)

    def register_provider(self, name: str, factory: Callable[[], AuthProvider]) -> None:
        """Add a custom provider in code (the Gem's provider pattern); it signs in like the built-in ones."""
        self._c.provider_registry().register(name, factory)

    def pending(self) -> Pending | None:
        """The challenge or device code waiting for an answer, kept between runs."""
        return self._c.queries().pending()

    def refresh_tokens(self, provider: str = COGNITO) -> Tokens:
        return self._c.refresh_tokens().execute(provider)

    def get_tokens(self, provider: str = COGNITO) -> Tokens:
        return self._c.get_tokens().execute(provider)

    def is_signed_in(self, provider: str = COGNITO) -> bool:
        return self._c.queries().is_signed_in(provider)

    def signed_in_providers(self) -> tuple[ProviderName, ...]:
        return self._c.queries().signed_in_providers()

    def sign_out(self, provider: str | None = None, *, globally: bool = False) -> tuple[ProviderName, ...]:
        return self._c.sign_out().execute(provider, globally=globally)

    # --- authorization (the Gem's authorization bus) -------------------------------------------------
    def get_credentials(self, *, force_refresh: bool = False) -> Credentials:
        return self._c.get_credentials().execute(force_refresh=force_refresh)

    def link_identities(self) -> Identity:
        return self._c.link_identities().execute()

    def identity_id(self) -> str | None:
        """The identity id in use: the authenticated one while signed in, else the guest one (if any yet)."""
        return self._c.queries().identity_id()

    def has_persisted_logins(self) -> bool:
        return self._c.queries().has_persisted_logins()

    def reset(self) -> None:
        """Forget everything this profile holds, machine tokens included."""
        self._c.reset().execute()
        self._c.machine_token.reset()  # this process's copies in memory go with the cache

    def boto3_session(self, region: str | None = None) -> Any:
        """A boto3 Session whose clients share this profile's refreshing credentials."""
        return aws_sdk.boto3_session(self._credentials(), region or self._c.region(), self._c.endpoint_url())

    def botocore_credential_provider(self) -> Any:
        """A credential provider for a botocore session of your own; insert it with
        ``session.get_component("credential_provider").insert_before("env", provider)``."""
        return aws_sdk.credential_provider(self._credentials())

    def credential_process(self) -> dict[str, Any]:
        """What ``credential_process`` prints for the AWS CLI and SDKs."""
        return aws_sdk.credential_process_json(self.get_credentials())

    def _credentials(self) -> Callable[[], Credentials]:
        """What SDK clients call before each request: the same use case as :meth:`get_credentials`."""
        return self._c.get_credentials().execute

    # --- browser sign-in, machine tokens and the HTTP helpers (issue 16) ----------------------------
    def sign_in_with_browser(
        self,
        *,
        identity_provider: str | None = None,
        open_browser: bool = True,
        paste: Callable[[], str] | None = None,
        show_url: Callable[[str, bool], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: Cancellation | None = None,
    ) -> SignedIn:
        """Sign in to the user pool in a web browser (Cognito's managed login: its own page, identity providers
        federated through the pool, passkeys), with the authorization code grant and PKCE. ``show_url(url,
        opened)`` is told the address to visit (by default a warning is logged when no browser could be opened);
        with ``paste`` (``--no-browser``) no browser is opened here and ``paste()`` returns the address the
        browser ended on, or only its code. The tokens are the ``cognito`` provider's."""
        c = self._c
        use_case = c.sign_in_with_browser()  # first: an unconfigured managed login says what to set
        receiver = c.pasted_redirect(read=paste) if paste is not None else c.loopback_listener()
        browser = c.browser() if open_browser and paste is None else None
        return use_case.execute(
            receiver,
            browser=browser,
            show=show_url or _logged,
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
        show_url: Callable[[str, bool], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: Cancellation | None = None,
    ) -> tuple[ProviderName, ...]:
        """:meth:`sign_out`, then the managed-login session ends in the browser (``/logout``); with
        ``open_browser=False`` the logout address is only shown. ``cancel`` stops the wait for the browser."""
        c = self._c
        use_case = c.sign_out_of_browser()
        receiver = c.loopback_listener() if open_browser else None
        browser = c.browser() if open_browser else None
        return use_case.execute(
            receiver,
            browser=browser,
            show=show_url or _logged,
            provider=provider,
            globally=globally,
            timeout=timeout,
            cancel=cancel,
        )

    def bearer_token(self, token: str = "access", *, provider: str = COGNITO) -> Secret:
        """The signed-in user's ``token`` ("access" or "id") for an ``Authorization`` header, refreshed first when
        it is about to expire (``client-auth token``)."""
        return self._c.bearer_tokens().current(token_kind(token), provider)

    def machine_token(self, scopes: str | Iterable[str] | None = None, *, force_refresh: bool = False) -> MachineToken:
        """An access token from the client credentials grant ([machine] settings), for ``scopes`` (default:
        ``[machine] scopes``), cached per profile and scope set until shortly before it expires; one fetch at a
        time across threads and processes."""
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
        """:meth:`requests_auth` with the machine token for ``scopes``."""
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

    # --- events -------------------------------------------------------------------------------------
    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for each event of ``event_type`` (or a subtype); returns the unsubscribe call."""
        return self._c.events().subscribe(event_type, handler)

    def status(self) -> Status:
        return self._c.queries().status()


def _logged(url: str, opened: bool) -> None:
    """A script's default for the sign-in address: no printing from a library, but a warning when no browser could
    be opened (the person must open the address themselves)."""
    if not opened:
        # Shown on purpose: the address holds no secret (state, nonce and the PKCE challenge are public), but they
        # look like tokens, so log handlers mask it by value only (see the redacting filters of the faces).
        logging.getLogger("aws_client_auth").warning(
            "Open this address in a browser: %s", url, extra={SHOWN_ON_PURPOSE: True}
        )
