"""A user pool in memory, by Cognito's rules."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta

from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserAccount, UserDevices, UserDirectory
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import (
    Challenge,
    ChallengeKind,
    CodeDelivery,
    MfaSetup,
    SignedIn,
    SignInStep,
    SignUpResult,
)
from aws_client_auth.domain.tokens import COGNITO, ProviderName, Tokens
from aws_client_auth.domain.user import (
    Email,
    MfaPreferences,
    MfaType,
    PhoneNumber,
    RememberedDevice,
    TrackedDevice,
    User,
    Username,
)
from aws_client_auth.testing.clock import FakeClock


@dataclass
class FakeUser:
    username: str
    password: str
    sub: str
    email: str | None = None
    phone: str | None = None
    confirmed: bool = False
    mfa_enabled: set[MfaType] = field(default_factory=set)
    preferred: MfaType | None = None
    totp_pending: bool = False
    must_change_password: bool = False
    attributes: dict[str, str] = field(default_factory=dict)
    """Attributes beyond the user name, email and phone number (``given_name``, ``custom:team``)."""
    unverified: set[str] = field(default_factory=set)
    """Attributes changed and waiting for the code sent to them (``email``, ``phone_number``)."""
    devices: dict[str, TrackedDevice] = field(default_factory=dict)
    """The devices the pool tracks for the user, by key: a test adds them (sign-ins here track none)."""


class FakeUserPool(UserDirectory, UserAccount, UserDevices, PasswordSignIn, TokenRefresher):
    """A user pool by Cognito's rules, not a script of answers.

    Every code it sends is ``CODE``, and the authenticator app of every user shows ``CODE`` too. Codes are
    checked; challenges follow each user's MFA preferences and are answered once; a refresh answer carries no
    refresh token; revoking a refresh token revokes the access tokens issued with it, and a global sign-out or
    the deletion of the account every token of the user; a changed email or phone number is unverified until
    its code comes back. Tokens read ``kind|provider|user|n``, which :class:`FakeIdentityPool` reads back.
    ``fail_next`` makes the next call fail with that error; ``calls`` and ``refreshes`` count what was asked.
    """

    CODE = "123456"
    TOTP_SECRET = "JBSWY3DPEHPK3PXP"

    def __init__(self, clock: FakeClock, provider: ProviderName = COGNITO, lifetime: int = 3600) -> None:
        self.clock = clock
        self.provider = provider
        self.lifetime = lifetime
        self.users: dict[str, FakeUser] = {}
        self.access: dict[str, str] = {}
        """Valid access tokens, each to its user."""
        self.refresh_tokens: dict[str, str] = {}
        """Valid refresh tokens, each to its user."""
        self.issued_with: dict[str, str] = {}
        """Access tokens to the refresh token they were issued with (at sign-in, or by a refresh)."""
        self.sessions: dict[str, str] = {}
        """Challenge sessions waiting for an answer, each to its user."""
        self.serial = itertools.count(1)
        self.fail_next: e.ClientAuthError | None = None
        self.calls = 0
        self.refreshes = 0

    # what a test sets up
    def add_user(self, username: str, password: str = "Passw0rd!", **attributes: object) -> FakeUser:
        """A confirmed user; ``attributes`` set any other :class:`FakeUser` field (``preferred=MfaType.TOTP``)."""
        user = FakeUser(username=username, password=password, sub=f"sub-{username}", confirmed=True)
        for key, value in attributes.items():
            setattr(user, key, value)
        self.users[username] = user
        return user

    def issue(self, username: str, *, with_refresh: bool = True, refreshed_from: str | None = None) -> Tokens:
        """New tokens for ``username``, as a sign-in (with a refresh token) or a refresh (``refreshed_from``)."""
        n = next(self.serial)
        access = f"access|{self.provider}|{username}|{n}"
        self.access[access] = username
        refresh = f"refresh|{self.provider}|{username}|{n}" if with_refresh else None
        if refresh is not None:
            self.refresh_tokens[refresh] = username
        origin = refresh or refreshed_from
        if origin is not None:
            self.issued_with[access] = origin
        return Tokens(
            provider=self.provider,
            access_token=Secret(access),
            id_token=Secret(f"id|{self.provider}|{username}|{n}"),
            refresh_token=Secret(refresh) if refresh else None,
            expires_at=self.clock.now() + timedelta(seconds=self.lifetime),
            username=username,
            subject=self.users[username].sub if username in self.users else username,
        )

    def _call(self) -> None:
        self.calls += 1
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def _user(self, username: str) -> FakeUser:
        user = self.users.get(username)
        if user is None:
            raise e.UserNotFound("User does not exist.", service_code="UserNotFoundException")
        return user

    def _by_access(self, token: Secret) -> FakeUser:
        name = self.access.get(token.reveal())
        if name is None:
            raise e.SessionExpired("Access Token has been revoked", service_code="NotAuthorizedException")
        return self.users[name]

    # UserDirectory
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult:
        self._call()
        if username.value in self.users:
            raise e.UserExists("User already exists", service_code="UsernameExistsException")
        if len(password.reveal()) < 8:
            raise e.InvalidPassword("Password did not conform with policy: Password not long enough")
        user = FakeUser(
            username.value,
            password.reveal(),
            sub=f"sub-{username.value}",
            email=email.value if email else None,
            phone=phone_number.value if phone_number else None,
        )
        self.users[username.value] = user
        medium = "EMAIL" if email else "SMS"
        return SignUpResult(user_sub=user.sub, confirmed=False, delivery=CodeDelivery(medium, "x***"))

    def confirm_sign_up(self, username: Username, code: str) -> None:
        self._call()
        user = self._user(username.value)
        if code != self.CODE:
            raise e.CodeMismatch("Invalid verification code provided.", service_code="CodeMismatchException")
        user.confirmed = True

    def resend_confirmation_code(self, username: Username) -> CodeDelivery | None:
        self._call()
        self._user(username.value)
        return CodeDelivery("EMAIL", "x***")

    def forgot_password(self, username: Username) -> CodeDelivery | None:
        self._call()
        self._user(username.value)
        return CodeDelivery("EMAIL", "x***")

    def confirm_forgot_password(self, username: Username, code: str, new_password: Secret) -> None:
        self._call()
        user = self._user(username.value)
        if code != self.CODE:
            raise e.CodeMismatch("Invalid verification code provided.", service_code="CodeMismatchException")
        user.password = new_password.reveal()

    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None:
        self._call()
        user = self._by_access(access_token)
        if user.password != old_password.reveal():
            raise e.NotAuthorized("Incorrect username or password.", service_code="NotAuthorizedException")
        user.password = new_password.reveal()

    def get_user(self, access_token: Secret) -> User:
        self._call()
        user = self._by_access(access_token)
        contact = {"email": user.email, "phone_number": user.phone}
        return User(
            Username(user.username),
            user.sub,
            email=Email(user.email) if user.email else None,
            phone_number=PhoneNumber(user.phone) if user.phone else None,
            confirmed=user.confirmed,
            mfa=MfaPreferences(frozenset(user.mfa_enabled), user.preferred),
            attributes={"sub": user.sub, **{k: v for k, v in contact.items() if v}, **user.attributes},
        )

    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        self._call()
        self._by_access(access_token).totp_pending = True
        return MfaSetup(Secret(self.TOTP_SECRET), Secret(f"otpauth://totp/x?secret={self.TOTP_SECRET}"))

    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        self._call()
        user = self._by_access(access_token)
        if not user.totp_pending:
            raise e.MfaNotEnabled("No TOTP set-up was started.")
        if code != self.CODE:
            raise e.CodeMismatch("Code mismatch", service_code="CodeMismatchException")
        user.totp_pending = False

    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        self._call()
        user = self._by_access(access_token)
        user.mfa_enabled = set(enabled)
        user.preferred = preferred

    # UserAccount
    def change_mfa(
        self,
        access_token: Secret,
        *,
        enable: frozenset[MfaType] = frozenset(),
        disable: frozenset[MfaType] = frozenset(),
        preferred: MfaType | None = None,
    ) -> None:
        self._call()
        user = self._by_access(access_token)
        if enable & disable or (preferred is not None and preferred in disable):
            raise e.InvalidInput("An MFA method cannot be both turned on and off.")
        user.mfa_enabled = (user.mfa_enabled | enable | ({preferred} if preferred else set())) - disable
        if preferred is not None:
            user.preferred = preferred
        elif user.preferred is not None and user.preferred not in user.mfa_enabled:
            user.preferred = None

    def update_attributes(self, access_token: Secret, values: Mapping[str, str]) -> tuple[CodeDelivery, ...]:
        self._call()
        user = self._by_access(access_token)
        deliveries: list[CodeDelivery] = []
        for name, value in values.items():
            if name == "email":
                user.email = value
                deliveries.append(CodeDelivery("EMAIL", "x***", "email"))
            elif name == "phone_number":
                user.phone = value
                deliveries.append(CodeDelivery("SMS", "+*******0100", "phone_number"))
            else:
                user.attributes[name] = value
                continue
            user.unverified.add(name)
        return tuple(deliveries)

    def send_attribute_code(self, access_token: Secret, name: str) -> CodeDelivery | None:
        self._call()
        user = self._by_access(access_token)
        if name not in ("email", "phone_number") or (user.email if name == "email" else user.phone) is None:
            raise e.InvalidInput(f"{name} is not an attribute that is verified with a code.")
        return CodeDelivery("EMAIL", "x***", name) if name == "email" else CodeDelivery("SMS", "+*******0100", name)

    def verify_attribute(self, access_token: Secret, name: str, code: str) -> None:
        self._call()
        user = self._by_access(access_token)
        if code != self.CODE:
            raise e.CodeMismatch("Invalid verification code provided.", service_code="CodeMismatchException")
        user.unverified.discard(name)

    def delete_attributes(self, access_token: Secret, names: tuple[str, ...]) -> None:
        self._call()
        user = self._by_access(access_token)
        for name in names:
            user.attributes.pop(name, None)
            user.unverified.discard(name)
            if name == "email":
                user.email = None
            elif name == "phone_number":
                user.phone = None

    def delete_user(self, access_token: Secret) -> None:
        self._call()
        user = self._by_access(access_token)
        self._revoke_everything_of(user.username)
        del self.users[user.username]

    # UserDevices
    def list_devices(self, access_token: Secret) -> tuple[TrackedDevice, ...]:
        self._call()
        return tuple(self._by_access(access_token).devices.values())

    def remember_device(self, access_token: Secret, device_key: str, *, remembered: bool = True) -> None:
        self._call()
        user = self._by_access(access_token)
        user.devices[device_key] = replace(self._device(user, device_key), remembered=remembered)

    def forget_device(self, access_token: Secret, device_key: str) -> None:
        self._call()
        user = self._by_access(access_token)
        self._device(user, device_key)
        del user.devices[device_key]

    @staticmethod
    def _device(user: FakeUser, key: str) -> TrackedDevice:
        device = user.devices.get(key)
        if device is None:
            raise e.InvalidInput("Device does not exist.", service_code="ResourceNotFoundException")
        return device

    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        self._call()
        revoked = refresh_token.reveal()
        self.refresh_tokens.pop(revoked, None)
        for access in [token for token, origin in self.issued_with.items() if origin == revoked]:
            self.access.pop(access, None)
            del self.issued_with[access]

    def global_sign_out(self, access_token: Secret) -> None:
        self._call()
        self._revoke_everything_of(self._by_access(access_token).username)

    def _revoke_everything_of(self, username: str) -> None:
        for store in (self.access, self.refresh_tokens):
            for token in [t for t, name in store.items() if name == username]:
                del store[token]

    # PasswordSignIn
    def sign_in(self, username: Username, password: Secret, *, device: RememberedDevice | None = None) -> SignInStep:
        """Like a pool that does not track devices: a remembered ``device`` changes nothing."""
        self._call()
        user = self._user(username.value)
        if user.password != password.reveal():
            raise e.NotAuthorized("Incorrect username or password.", service_code="NotAuthorizedException")
        if not user.confirmed:
            raise e.UserNotConfirmed("User is not confirmed.", service_code="UserNotConfirmedException")
        if user.must_change_password:
            return self._challenge(user, ChallengeKind.NEW_PASSWORD_REQUIRED)
        if len(user.mfa_enabled) > 1 and user.preferred is None:
            return self._challenge(user, ChallengeKind.SELECT_MFA_TYPE, options=tuple(sorted(user.mfa_enabled)))
        if user.preferred is MfaType.TOTP:
            return self._challenge(user, ChallengeKind.TOTP_CODE)
        if user.preferred is MfaType.SMS:
            return self._challenge(user, ChallengeKind.SMS_CODE, delivery=CodeDelivery("SMS", "+*******0100"))
        return SignedIn(self.issue(user.username))

    def _challenge(
        self,
        user: FakeUser,
        kind: ChallengeKind,
        *,
        options: tuple[MfaType, ...] = (),
        delivery: CodeDelivery | None = None,
    ) -> Challenge:
        session = f"session-{next(self.serial)}"
        self.sessions[session] = user.username
        return Challenge(self.provider, kind, user.username, Secret(session), delivery=delivery, options=options)

    def _take_session(self, challenge: Challenge) -> FakeUser:
        name = self.sessions.get(challenge.session.reveal())
        if name is None:
            raise e.SessionExpired("Invalid session for the user, session is expired.")
        return self.users[name]

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        if code != self.CODE:
            raise e.CodeMismatch("Invalid code received for user", service_code="CodeMismatchException")
        del self.sessions[challenge.session.reveal()]
        return SignedIn(self.issue(user.username))

    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        del self.sessions[challenge.session.reveal()]
        user.password, user.must_change_password = new_password.reveal(), False
        return SignedIn(self.issue(user.username))

    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        del self.sessions[challenge.session.reveal()]
        kind = ChallengeKind.TOTP_CODE if choice is MfaType.TOTP else ChallengeKind.SMS_CODE
        return self._challenge(user, kind)

    def answer_email(self, challenge: Challenge, email: Email) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        del self.sessions[challenge.session.reveal()]
        user.email = email.value
        return self._challenge(user, ChallengeKind.EMAIL_CODE, delivery=CodeDelivery("EMAIL", "x***"))

    # TokenRefresher
    def refresh(self, tokens: Tokens) -> Tokens:
        self._call()
        self.refreshes += 1
        token = tokens.refresh_token.reveal() if tokens.refresh_token else ""
        name = self.refresh_tokens.get(token)
        if name is None:
            raise e.SessionExpired("Refresh Token has been revoked", service_code="NotAuthorizedException")
        return self.issue(name, with_refresh=False, refreshed_from=token)
