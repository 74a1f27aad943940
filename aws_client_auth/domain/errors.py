"""One hierarchy of typed errors. Every message says what happened and what to do; none holds a secret."""

from __future__ import annotations


class ClientAuthError(Exception):
    """Base of every error the library raises on purpose.

    ``code`` is stable and machine-readable; ``service_code`` / ``service_message`` keep what the remote
    service said (a Cognito exception name, an OAuth ``error`` and ``error_description``) and ``status`` its
    HTTP status, so that no detail is lost on the way to the user.
    """

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        service_code: str | None = None,
        service_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.service_code = service_code
        self.service_message = service_message
        self.status = status

    def __str__(self) -> str:
        details = [d for d in (self.service_code, self.service_message) if d and d not in self.message]
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        return f"{self.message} ({'; '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, service_code={self.service_code!r})"


class InvalidInput(ClientAuthError):
    code = "invalid_input"


class ConfigurationError(ClientAuthError):
    code = "configuration_error"


class ProviderNotConfigured(ConfigurationError):
    code = "provider_not_configured"


class UnknownProvider(ConfigurationError):
    code = "unknown_provider"


class StorageError(ClientAuthError):
    code = "storage_error"


class UserExists(ClientAuthError):
    code = "user_exists"


class UserNotFound(ClientAuthError):
    code = "user_not_found"


class UserNotConfirmed(ClientAuthError):
    code = "user_not_confirmed"


class NotAuthorized(ClientAuthError):
    """Wrong username or password, or an operation the user may not do."""

    code = "not_authorized"


class PasswordResetRequired(ClientAuthError):
    code = "password_reset_required"


class CodeMismatch(ClientAuthError):
    code = "code_mismatch"


class CodeExpired(ClientAuthError):
    code = "code_expired"


class InvalidPassword(ClientAuthError):
    """The password breaks the pool's policy; the message carries the policy's words."""

    code = "invalid_password"


class Throttled(ClientAuthError):
    code = "throttled"


class ServiceUnavailable(ClientAuthError):
    """The service could not be reached or failed after bounded retries; nothing local was changed."""

    code = "service_unavailable"


class ServiceError(ClientAuthError):
    """The service refused the request for a reason without a more specific type here."""

    code = "service_error"


class InvalidToken(ClientAuthError):
    """A token failed verification (signature, issuer, audience, use or expiry)."""

    code = "invalid_token"


class NotSignedIn(ClientAuthError):
    code = "not_signed_in"


class SessionExpired(ClientAuthError):
    """The stored session (refresh token or challenge session) is no longer accepted: sign in again."""

    code = "session_expired"


class NoPendingSignIn(ClientAuthError):
    code = "no_pending_sign_in"


class UnsupportedChallenge(ClientAuthError):
    code = "unsupported_challenge"


class MfaNotEnabled(ClientAuthError):
    code = "mfa_not_enabled"


class DeviceFlowPending(ClientAuthError):
    """A single poll found the user has not approved the device code yet."""

    code = "authorization_pending"


class DeviceFlowDenied(ClientAuthError):
    code = "access_denied"


class DeviceFlowExpired(ClientAuthError):
    code = "expired_token"


class Cancelled(ClientAuthError):
    code = "cancelled"


class UnknownIdentity(ClientAuthError):
    """The identity pool no longer knows a kept identity id (it was deleted)."""

    code = "unknown_identity"


class GuestAccessDisabled(ClientAuthError):
    code = "guest_access_disabled"


class CorruptSession(StorageError):
    """The stored session cannot be read back. A new sign-in replaces it (keeping the bad file aside)."""

    code = "corrupt_session"


class PasskeyError(ClientAuthError):
    """The authenticator could not make or use a passkey."""

    code = "passkey_error"


class NoAuthenticator(PasskeyError):
    """No authenticator is present to make or use a passkey."""

    code = "no_authenticator"
