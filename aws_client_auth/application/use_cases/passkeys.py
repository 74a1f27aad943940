"""The signed-in user's passkeys (register, list, delete) and the sign-in factors they have."""

from __future__ import annotations

from collections.abc import Callable

from aws_client_auth.application.ports.authenticator import Authenticator
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.passkeys import PasskeyAccount, passkeys_of
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import InvalidInput, PasskeyError
from aws_client_auth.domain.events import OperationFailed, PasskeyDeleted, PasskeyRegistered
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Passkey
from aws_client_auth.domain.tokens import COGNITO

MAX_CREDENTIAL_ID = 1024


class _PasskeyUseCase:
    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def _account(self) -> tuple[PasskeyAccount, Secret]:
        account = passkeys_of(self._providers.directory(COGNITO))
        return account, self._tokens.fresh(COGNITO).access_token


class RegisterPasskey(_PasskeyUseCase):
    """The pool's creation options, the authenticator's new credential (the user touches the key), registered."""

    def __init__(
        self,
        providers: ProviderRegistry,
        tokens: TokenKeeper,
        events: EventPublisher,
        authenticator: Callable[[], Authenticator],
    ) -> None:
        super().__init__(providers, tokens, events)
        self._authenticator = authenticator

    def execute(self) -> str:
        """The new passkey's credential id."""
        with failures_published(self._events, lambda e: OperationFailed.of("register_passkey", e, COGNITO)):
            authenticator = self._authenticator()  # first: an unusable configuration says so before any call
            account, access_token = self._account()
            options = account.start_passkey_registration(access_token)
            credential = authenticator.create_credential(options)
            credential_id = credential.get("id")
            if not isinstance(credential_id, str) or not credential_id:
                raise PasskeyError("The authenticator answered without a credential id.")
            account.complete_passkey_registration(access_token, credential)
        self._events.publish(PasskeyRegistered(credential_id=credential_id))
        return credential_id


class ListPasskeys(_PasskeyUseCase):
    def execute(self) -> tuple[Passkey, ...]:
        with failures_published(self._events, lambda e: OperationFailed.of("list_passkeys", e, COGNITO)):
            account, access_token = self._account()
            return account.list_passkeys(access_token)


class DeletePasskey(_PasskeyUseCase):
    def execute(self, credential_id: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("delete_passkey", e, COGNITO)):
            checked = credential_id.strip()
            if not checked or len(checked) > MAX_CREDENTIAL_ID or not checked.isprintable():
                raise InvalidInput("Give the passkey's credential id, as client-auth passkeys list shows it.")
            account, access_token = self._account()
            account.delete_passkey(access_token, checked)
        self._events.publish(PasskeyDeleted(credential_id=checked))


class AuthFactors(_PasskeyUseCase):
    def execute(self) -> tuple[AuthFactor, ...]:
        with failures_published(self._events, lambda e: OperationFailed.of("auth_factors", e, COGNITO)):
            account, access_token = self._account()
            return account.auth_factors(access_token)
