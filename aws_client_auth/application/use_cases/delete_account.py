"""The user deletes their own Cognito account; what this configuration kept for it goes too."""

from __future__ import annotations

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.user_directory import account_of
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.events import OperationFailed, UserDeleted
from aws_client_auth.domain.tokens import COGNITO


class DeleteAccount:
    """``DeleteUser``, then the profile's session for this user pool is removed: its tokens, identity ids,
    cached credentials and remembered device belonged to the deleted user. Sessions of other configurations in
    the profile stay. Asking the person to confirm is the caller's part (the CLI prompts; ``--yes`` skips it)."""

    def __init__(
        self, providers: ProviderRegistry, sessions: Sessions, tokens: TokenKeeper, events: EventPublisher
    ) -> None:
        self._providers = providers
        self._sessions = sessions
        self._tokens = tokens
        self._events = events

    def execute(self) -> str | None:
        with failures_published(self._events, lambda e: OperationFailed.of("delete_account", e, COGNITO)):
            account = account_of(self._providers.directory(COGNITO))
            with self._sessions.lock():
                tokens = self._tokens.fresh(COGNITO)
                account.delete_user(tokens.access_token)
                self._sessions.clear()
        self._events.publish(UserDeleted(provider=COGNITO, username=tokens.username))
        return tokens.username
