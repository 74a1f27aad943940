"""A user pool in memory, by Cognito's rules."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from aws_client_auth.application.ports.passkeys import PasskeyAccount
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserAccount, UserDevices, UserDirectory
from aws_client_auth.application.services import client_metadata
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    ChallengeKind,
    CodeDelivery,
    MfaSetup,
    Passkey,
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
from aws_client_auth.testing.authenticator import ORIGIN, RP_ID, b64url, client_data
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
    passkeys: dict[str, Passkey] = field(default_factory=dict)
    """The user's registered passkeys, by credential id."""


@dataclass(frozen=True)
class SentCode:
    """A one-time sign-in code the pool sent: to whom, by which medium (EMAIL, SMS), where, and the code."""

    username: str
    medium: str
    destination: str
    code: str


class FakeUserPool(UserDirectory, UserAccount, UserDevices, PasswordSignIn, PasskeyAccount, TokenRefresher):
    """A user pool by Cognito's rules, not a script of answers.

    Every code it sends is ``CODE``, and the authenticator app of every user shows ``CODE`` too. Codes are
    checked; challenges follow each user's MFA preferences and are answered once; a refresh answer carries no
    refresh token; revoking a refresh token revokes the access tokens issued with it, and a global sign-out or
    the deletion of the account every token of the user; a changed email or phone number is unverified until
    its code comes back. Tokens read ``kind|provider|user|n``, which :class:`FakeIdentityPool` reads back.
    ``fail_next`` makes the next call fail with that error; ``calls`` and ``refreshes`` count what was asked.

    Choice-based sign-in: the factors offered are the password (always), a code by email (a user with an email),
    a code by SMS (with a phone number) and a passkey (with one registered), less those not in
    ``factors_allowed``; a preferred factor not offered brings SELECT_FACTOR, as Cognito does. One-time sign-in
    codes are fresh for each sign-in and recorded in ``sent`` (``last_code("alice")``). The password factor is
    followed by the user's MFA, a passwordless factor is not. Passkey challenges and registrations carry a random
    challenge the answer must echo (from origin ``ORIGIN``), with a registered credential. Custom challenges
    expect ``custom_answers`` in turn (no answers: tokens at once), each round's public parameters say which
    round it is; a wrong answer may be retried ``MAX_WRONG_ANSWERS`` times in all; ``custom_received`` lists the
    answers given. A confirmed sign-up returns a session that signs the user in once, within
    ``SIGN_UP_SESSION_SECONDS``. ``client_metadata`` lists the client metadata each call carried.
    """

    CODE = "123456"
    TOTP_SECRET = "JBSWY3DPEHPK3PXP"
    RP_ID = RP_ID
    ORIGIN = ORIGIN
    MAX_WRONG_ANSWERS = 3
    SIGN_UP_SESSION_SECONDS = 180

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
        self.sent: list[SentCode] = []
        """Every one-time sign-in code sent, in order."""
        self.custom_answers: list[str] = []
        """The answers the custom challenges expect, one a round (set by the test)."""
        self.custom_received: list[str] = []
        self.factors_allowed: set[AuthFactor] = set(AuthFactor)
        """The first factors the app client allows (the password is always offered)."""
        self.client_metadata: list[dict[str, str]] = []
        """The client metadata of every call, in order (empty when it carried none)."""
        self._issued: dict[str, ChallengeKind] = {}
        """What each waiting session was issued for."""
        self._codes: dict[str, str] = {}
        """The one-time code each first-factor session waits for."""
        self._passkey_challenges: dict[str, str] = {}
        self._rounds: dict[str, int] = {}
        """The custom round each session is at."""
        self._wrong: dict[str, int] = {}
        self._registrations: dict[str, str] = {}
        """The passkey registration challenge issued to each user."""
        self._sign_up_sessions: dict[str, tuple[str, datetime]] = {}

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

    def last_code(self, username: str) -> str:
        """The last one-time sign-in code sent to ``username`` (AssertionError when none was)."""
        for sent in reversed(self.sent):
            if sent.username == username:
                return sent.code
        raise AssertionError(f"No sign-in code was sent to {username}.")

    def _call(self) -> None:
        self.calls += 1
        self.client_metadata.append(dict(client_metadata.current()))
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

    def confirm_sign_up(self, username: Username, code: str, *, session: Secret | None = None) -> Secret | None:
        """Confirms the user; the session that signs them in once (``sign_in_after_sign_up``)."""
        self._call()
        user = self._user(username.value)
        if code != self.CODE:
            raise e.CodeMismatch("Invalid verification code provided.", service_code="CodeMismatchException")
        user.confirmed = True
        issued = f"signup-session-{next(self.serial)}-{secrets.token_hex(4)}"
        expires = self.clock.now() + timedelta(seconds=self.SIGN_UP_SESSION_SECONDS)
        self._sign_up_sessions[issued] = (user.username, expires)
        return Secret(issued)

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
        return self._password_proven(self._user(username.value), password)

    def _password_proven(self, user: FakeUser, password: Secret) -> SignInStep:
        """The password checked, then the user's MFA."""
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
        factors: tuple[AuthFactor, ...] = (),
        public: dict[str, str] | None = None,
        passkey_request: str | None = None,
    ) -> Challenge:
        session = f"session-{next(self.serial)}"
        self.sessions[session] = user.username
        self._issued[session] = kind
        return Challenge(
            self.provider,
            kind,
            user.username,
            Secret(session),
            delivery=delivery,
            options=options,
            factors=factors,
            public=public or {},
            passkey_request=passkey_request,
        )

    def _take_session(self, challenge: Challenge) -> FakeUser:
        name = self.sessions.get(challenge.session.reveal())
        if name is None:
            raise e.SessionExpired("Invalid session for the user, session is expired.")
        return self.users[name]

    def _expect(self, challenge: Challenge, kind: ChallengeKind) -> FakeUser:
        """The user of a waiting session issued for ``kind`` (answering another step is refused)."""
        user = self._take_session(challenge)
        if self._issued.get(challenge.session.reveal()) is not kind:
            raise e.InvalidInput(f"This session waits for another answer than {kind.value}.")
        return user

    def _end(self, session: str) -> None:
        self.sessions.pop(session, None)
        for kept in (self._issued, self._codes, self._passkey_challenges, self._rounds, self._wrong):
            kept.pop(session, None)

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        session = challenge.session.reveal()
        if code != self._codes.get(session, self.CODE):
            raise e.CodeMismatch("Invalid code received for user", service_code="CodeMismatchException")
        self._end(session)
        return SignedIn(self.issue(user.username))

    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        self._end(challenge.session.reveal())
        user.password, user.must_change_password = new_password.reveal(), False
        return SignedIn(self.issue(user.username))

    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        self._end(challenge.session.reveal())
        kind = ChallengeKind.TOTP_CODE if choice is MfaType.TOTP else ChallengeKind.SMS_CODE
        return self._challenge(user, kind)

    def answer_email(self, challenge: Challenge, email: Email) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        self._end(challenge.session.reveal())
        user.email = email.value
        return self._challenge(user, ChallengeKind.EMAIL_CODE, delivery=CodeDelivery("EMAIL", "x***"))

    # Choice-based sign-in, custom challenges, sign-in after sign-up
    def factors_of(self, user: FakeUser) -> tuple[AuthFactor, ...]:
        """The first factors this pool offers ``user``, in AuthFactor's order."""
        has = {
            AuthFactor.PASSWORD: True,
            AuthFactor.EMAIL_OTP: user.email is not None,
            AuthFactor.SMS_OTP: user.phone is not None,
            AuthFactor.PASSKEY: bool(user.passkeys),
        }
        return tuple(f for f in AuthFactor if has[f] and (f is AuthFactor.PASSWORD or f in self.factors_allowed))

    def sign_in_with_factor(
        self,
        username: Username,
        factor: AuthFactor | None,
        password: Secret | None = None,
        *,
        device: RememberedDevice | None = None,
    ) -> SignInStep:
        self._call()
        user = self._user(username.value)
        if factor is AuthFactor.PASSWORD:
            if password is None:
                raise e.InvalidInput("The password factor needs the password.")
            return self._password_proven(user, password)
        if not user.confirmed:
            raise e.UserNotConfirmed("User is not confirmed.", service_code="UserNotConfirmedException")
        offered = self.factors_of(user)
        if factor is None or factor not in offered:
            return self._challenge(user, ChallengeKind.SELECT_FACTOR, factors=offered)
        return self._first_factor(user, factor)

    def _first_factor(self, user: FakeUser, factor: AuthFactor) -> Challenge:
        """The step of a passwordless factor: a code sent by email or SMS, or a passkey request."""
        if factor is AuthFactor.PASSKEY:
            challenge = b64url(secrets.token_bytes(32))
            request = {
                "challenge": challenge,
                "rpId": self.RP_ID,
                "allowCredentials": [{"type": "public-key", "id": cid} for cid in user.passkeys],
                "userVerification": "required",
                "timeout": 180000,
            }
            step = self._challenge(user, ChallengeKind.PASSKEY, passkey_request=json.dumps(request))
            self._passkey_challenges[step.session.reveal()] = challenge
            return step
        by_email = factor is AuthFactor.EMAIL_OTP
        medium, destination = ("EMAIL", _masked_email(user.email)) if by_email else ("SMS", "+*******0100")
        kind = ChallengeKind.EMAIL_CODE if by_email else ChallengeKind.SMS_OTP
        step = self._challenge(user, kind, delivery=CodeDelivery(medium, destination))
        code = f"{secrets.randbelow(900000) + 100000}"
        self._codes[step.session.reveal()] = code
        self.sent.append(SentCode(user.username, medium, destination, code))
        return step

    def answer_factor(self, challenge: Challenge, factor: AuthFactor) -> SignInStep:
        self._call()
        user = self._expect(challenge, ChallengeKind.SELECT_FACTOR)
        offered = self.factors_of(user)
        if factor not in offered:
            names = ", ".join(f.value for f in offered)
            raise e.InvalidInput(f"{factor.value} is not offered for this sign-in: choose one of {names}.")
        session = challenge.session.reveal()
        if factor is AuthFactor.PASSWORD:  # the same session, now waiting for the password
            self._issued[session] = ChallengeKind.PASSWORD
            return Challenge(self.provider, ChallengeKind.PASSWORD, user.username, challenge.session)
        self._end(session)
        return self._first_factor(user, factor)

    def answer_password(self, challenge: Challenge, password: Secret) -> SignInStep:
        self._call()
        user = self._expect(challenge, ChallengeKind.PASSWORD)
        self._end(challenge.session.reveal())  # a wrong password ends the sign-in too
        return self._password_proven(user, password)

    def answer_passkey(self, challenge: Challenge, credential: Mapping[str, Any]) -> SignInStep:
        self._call()
        user = self._expect(challenge, ChallengeKind.PASSKEY)
        session = challenge.session.reveal()
        expected = self._passkey_challenges.get(session)
        self._end(session)  # one assertion per challenge, right or wrong
        data = client_data(credential, "webauthn.get")
        if data.get("challenge") != expected or data.get("origin") != self.ORIGIN:
            raise e.NotAuthorized("The passkey answered another challenge or origin.")
        if credential.get("id") not in user.passkeys:
            raise e.NotAuthorized("The passkey is not registered for this user.")
        return SignedIn(self.issue(user.username))

    def sign_in_custom(
        self, username: Username, password: Secret | None = None, *, device: RememberedDevice | None = None
    ) -> SignInStep:
        self._call()
        user = self._user(username.value)
        if password is not None and user.password != password.reveal():
            raise e.NotAuthorized("Incorrect username or password.", service_code="NotAuthorizedException")
        if not user.confirmed:
            raise e.UserNotConfirmed("User is not confirmed.", service_code="UserNotConfirmedException")
        if not self.custom_answers:
            return SignedIn(self.issue(user.username))
        return self._custom_round(user, 0)

    def _custom_round(self, user: FakeUser, number: int) -> Challenge:
        public = {"round": str(number + 1), "rounds": str(len(self.custom_answers))}
        step = self._challenge(user, ChallengeKind.CUSTOM, public=public)
        self._rounds[step.session.reveal()] = number
        return step

    def answer_custom(self, challenge: Challenge, answer: Secret) -> SignInStep:
        self._call()
        user = self._expect(challenge, ChallengeKind.CUSTOM)
        session = challenge.session.reveal()
        number = self._rounds[session]
        self.custom_received.append(answer.reveal())
        if number >= len(self.custom_answers) or answer.reveal() != self.custom_answers[number]:
            self._wrong[session] = self._wrong.get(session, 0) + 1
            if self._wrong[session] >= self.MAX_WRONG_ANSWERS:
                self._end(session)
            raise e.NotAuthorized("Incorrect answer.", service_code="NotAuthorizedException")
        self._end(session)
        if number + 1 >= len(self.custom_answers):
            return SignedIn(self.issue(user.username))
        return self._custom_round(user, number + 1)

    def sign_in_after_sign_up(self, username: Username, session: Secret) -> SignInStep:
        self._call()
        kept = self._sign_up_sessions.pop(session.reveal(), None)  # single use, whoever presents it
        if kept is None or kept[0] != username.value or self.clock.now() >= kept[1]:
            raise e.SessionExpired("Invalid session for the user, session is expired.")
        return SignedIn(self.issue(self._user(username.value).username))

    # PasskeyAccount
    def start_passkey_registration(self, access_token: Secret) -> dict[str, Any]:
        self._call()
        user = self._by_access(access_token)
        challenge = b64url(secrets.token_bytes(32))
        self._registrations[user.username] = challenge
        return {
            "challenge": challenge,
            "rp": {"id": self.RP_ID, "name": "Fake user pool"},
            "user": {"id": b64url(user.sub.encode()), "name": user.username, "displayName": user.username},
            "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
            "timeout": 60000,
            "excludeCredentials": [{"type": "public-key", "id": cid} for cid in user.passkeys],
            "authenticatorSelection": {"residentKey": "required", "userVerification": "preferred"},
        }

    def complete_passkey_registration(self, access_token: Secret, credential: Mapping[str, Any]) -> None:
        self._call()
        user = self._by_access(access_token)
        expected = self._registrations.pop(user.username, None)
        if expected is None:
            raise e.SessionExpired("The passkey registration took too long and its challenge expired: register again.")
        data = client_data(credential, "webauthn.create")
        if data.get("challenge") != expected:
            raise e.PasskeyError("The passkey answered another registration challenge.")
        if data.get("origin") != self.ORIGIN:
            raise e.ConfigurationError("Cognito does not allow this origin for passkeys: check [passkeys] origin.")
        credential_id = credential.get("id")
        if not isinstance(credential_id, str) or not credential_id or credential_id in user.passkeys:
            raise e.PasskeyError("The passkey has no credential id, or one already registered.")
        response = credential.get("response")
        transports = response.get("transports") if isinstance(response, Mapping) else None
        attachment = credential.get("authenticatorAttachment")
        user.passkeys[credential_id] = Passkey(
            credential_id=credential_id,
            name=f"Passkey {len(user.passkeys) + 1}",
            relying_party=self.RP_ID,
            created_at=self.clock.now(),
            attachment=attachment if isinstance(attachment, str) else None,
            transports=tuple(str(t) for t in transports) if isinstance(transports, list) else (),
        )

    def list_passkeys(self, access_token: Secret) -> tuple[Passkey, ...]:
        self._call()
        return tuple(self._by_access(access_token).passkeys.values())

    def delete_passkey(self, access_token: Secret, credential_id: str) -> None:
        self._call()
        user = self._by_access(access_token)
        if user.passkeys.pop(credential_id, None) is None:
            raise e.InvalidInput("No passkey of yours has that id: see client-auth passkeys list.")

    def auth_factors(self, access_token: Secret) -> tuple[AuthFactor, ...]:
        self._call()
        return self.factors_of(self._by_access(access_token))

    # TokenRefresher
    def refresh(self, tokens: Tokens) -> Tokens:
        self._call()
        self.refreshes += 1
        token = tokens.refresh_token.reveal() if tokens.refresh_token else ""
        name = self.refresh_tokens.get(token)
        if name is None:
            raise e.SessionExpired("Refresh Token has been revoked", service_code="NotAuthorizedException")
        return self.issue(name, with_refresh=False, refreshed_from=token)


def _masked_email(email: str | None) -> str:
    """``a***@e***`` as Cognito masks an address."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain[:1]}***"
