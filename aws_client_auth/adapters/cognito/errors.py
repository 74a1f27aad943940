"""Cognito's error codes as the domain's typed errors, keeping Cognito's code and message.

What Cognito (or whatever answers at the endpoint) says is kept as data: the message is redacted (an echoed
password, SECRET_HASH or token is masked) and cleaned (no escape sequence, control character or line break, and
a bounded length), the code too, before either reaches an error, a log or a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.text import clean

ErrorType = type[e.ClientAuthError]
CODE_LIMIT = 100
"""Cognito's exception names are short; anything longer is not one, and is cut."""

ERRORS: dict[str, tuple[ErrorType, str]] = {
    "UsernameExistsException": (e.UserExists, "That username is already taken: choose another or sign in."),
    "AliasExistsException": (e.UserExists, "That email or phone number already belongs to another user."),
    "UserNotFoundException": (e.UserNotFound, "No such user in the pool: check the username, or sign up."),
    "UserNotConfirmedException": (
        e.UserNotConfirmed,
        "The account is not confirmed: confirm it with the code you received (or ask for a new code).",
    ),
    "NotAuthorizedException": (e.NotAuthorized, "Incorrect username or password."),
    "PasswordResetRequiredException": (
        e.PasswordResetRequired,
        "A password reset is required: run forgot-password, then confirm it with the code you receive.",
    ),
    "CodeMismatchException": (e.CodeMismatch, "The code is wrong: check it and try again."),
    "ExpiredCodeException": (e.CodeExpired, "The code has expired: ask for a new one."),
    "EnableSoftwareTokenMFAException": (e.CodeMismatch, "The authenticator code is wrong: try the current one."),
    "InvalidPasswordException": (e.InvalidPassword, "The password does not meet the pool's password policy."),
    "InvalidParameterException": (e.InvalidInput, "Cognito rejected a value."),
    "LimitExceededException": (e.Throttled, "Too many attempts: wait a while before trying again."),
    "TooManyRequestsException": (e.Throttled, "Too many requests: wait a moment and try again."),
    "TooManyFailedAttemptsException": (e.Throttled, "Too many failed attempts: wait before trying again."),
    "ThrottlingException": (e.Throttled, "Requests are being throttled: wait a moment and try again."),
    "CodeDeliveryFailureException": (e.ServiceError, "Cognito could not deliver the code: check the address."),
    "SoftwareTokenMFANotFoundException": (e.MfaNotEnabled, "No authenticator app is set up: run enable-mfa --totp."),
    "MFAMethodNotFoundException": (e.MfaNotEnabled, "That MFA method is not set up for this user."),
    "ResourceNotFoundException": (
        e.ConfigurationError,
        "Cognito does not know this user pool or app client: check [cognito] user_pool_id and app_client_id.",
    ),
    "InvalidUserPoolConfigurationException": (e.ConfigurationError, "The user pool is not set up for this."),
    "UnsupportedOperationException": (e.ServiceError, "The user pool does not support this operation."),
    "UnsupportedTokenTypeException": (e.ServiceError, "Cognito cannot revoke this kind of token."),
    "UnauthorizedException": (e.NotAuthorized, "The app client may not do this (is token revocation enabled?)."),
    "ForbiddenException": (e.NotAuthorized, "The request was forbidden (AWS WAF or the app client's settings)."),
    "InternalErrorException": (e.ServiceUnavailable, "Cognito failed internally; try again later."),
    "InvalidLambdaResponseException": (e.ServiceError, "A Lambda trigger of the pool failed."),
    "UserLambdaValidationException": (e.ServiceError, "A Lambda trigger of the pool rejected the request."),
    "UnexpectedLambdaException": (e.ServiceError, "A Lambda trigger of the pool failed."),
    "RefreshTokenReuseException": (
        e.SessionExpired,
        "The refresh token was already exchanged for a new one and its grace period is over: sign in again.",
    ),
    "OperationNotEnabledException": (e.ConfigurationError, "The user pool or app client does not enable this."),
    "FeatureUnavailableInTierException": (e.ConfigurationError, "The user pool's feature plan does not include this."),
    "DeviceKeyExistsException": (e.ServiceError, "Cognito already knows this device: sign in again to make it anew."),
    "InvalidEmailRoleAccessPolicyException": (
        e.ConfigurationError,
        "The user pool cannot send email (its Amazon SES configuration): ask its administrator.",
    ),
    "InvalidSmsRoleAccessPolicyException": (
        e.ConfigurationError,
        "The user pool cannot send SMS (its SNS role): ask its administrator.",
    ),
    "InvalidSmsRoleTrustRelationshipException": (
        e.ConfigurationError,
        "The user pool cannot send SMS (its SNS role's trust): ask its administrator.",
    ),
}
ADAPTIVE_REFUSAL = (
    e.NotAuthorized,
    (
        "Cognito's threat protection refused this as a risky sign-in (adaptive authentication): try again from a "
        "known device or network, or ask the pool's administrator."
    ),
)
"""Pools with threat protection answer a blocked risky request with NotAuthorizedException and this reason."""
_ADAPTIVE_REASON = "security reasons"


@contextmanager
def cognito_errors(overrides: Mapping[str, tuple[ErrorType, str]] | None = None) -> Iterator[None]:
    """Translate botocore failures raised inside; ``overrides`` give a code its meaning in one operation."""
    try:
        yield
    except ClientError as error:
        raise translate(error, overrides or {}) from error
    except ParamValidationError as error:
        report = clean(redact(str(error.kwargs.get("report", ""))))  # botocore quotes some values it rejects
        raise e.InvalidInput(f"A value is not acceptable to Cognito: {report}") from error
    except BotoCoreError as error:
        raise e.ServiceUnavailable(
            f"Could not reach Cognito ({type(error).__name__}) after retrying: check the network and try again."
        ) from error


def translate(error: ClientError, overrides: Mapping[str, tuple[ErrorType, str]]) -> e.ClientAuthError:
    info = error.response.get("Error", {})
    code = clean(info.get("Code", "Unknown"), CODE_LIMIT)
    message = clean(redact(str(info.get("Message", ""))))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    refused = code == "NotAuthorizedException" and _ADAPTIVE_REASON in message.lower()
    kind, text = (ADAPTIVE_REFUSAL if refused else None) or overrides.get(code) or ERRORS.get(code) or (None, "")
    if kind is None:
        if status is not None and status >= 500:
            kind, text = e.ServiceUnavailable, "Cognito is unavailable; try again later."
        else:
            kind, text = e.ServiceError, "Cognito refused the request."
    if kind in (e.InvalidPassword, e.InvalidInput) and message:
        text = f"{text} {message}"
    return kind(text, service_code=code, service_message=message or None, status=status)


_UNKNOWN_CODES = frozenset(
    {"unknownoperationexception", "unknownoperation", "invalidaction", "notimplemented", "unsupported"}
)
_UNKNOWN_TEXT = re.compile(
    r"not (?:yet )?(?:been )?(?:implemented|emulated|supported)|unknown operation|unsupported (?:operation|feature)",
    re.IGNORECASE,
)


def is_unknown_operation(error: ClientError) -> bool:
    """Whether the service does not know the operation at all, as opposed to refusing this request.

    Recognised by meaning, whatever answers: AWS says ``UnknownOperationException``; a server without the
    operation, ``501 Not Implemented``; an emulator says so in words under a code of its own ("has not been
    implemented", "not yet emulated", cognito-local's ``CognitoLocal#Unsupported``); moto's server fails with a
    bare HTTP 500 page that names no error type (botocore then calls the error by its status). A Cognito error
    code of its own (``InvalidParameterException`` "... not supported ...") is a refusal, never this.
    """
    info = error.response.get("Error", {})
    raw_code = str(info.get("Code", ""))
    code = raw_code.rpartition("#")[2].lower()
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in _UNKNOWN_CODES or status == 501:
        return True
    if raw_code in ERRORS:
        return False
    if status == 500 and raw_code in ("", "500"):
        return True
    return _UNKNOWN_TEXT.search(str(info.get("Message", ""))) is not None
