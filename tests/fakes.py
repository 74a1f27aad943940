"""Hand-written fakes of every port. They keep state and follow the rules of the service they stand for,
so tests assert on what happened, not on which calls were made."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aws_client_auth.adapters.stores.memory import MemorySessionStore
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.ports.device_sign_in import Approved, DeviceSignIn, Pending, PollResult, SlowDown
from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.identity_pool import IdentityPool
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.sleeper import Cancellation, Sleeper
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.application.ports.user_directory import UserDirectory
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.providers import AuthProvider, ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import Event
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Session
from aws_client_auth.domain.sign_in import (
    Challenge,
    ChallengeKind,
    CodeDelivery,
    DeviceAuthorization,
    MfaSetup,
    SignedIn,
    SignInStep,
    SignUpResult,
)
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON, LoginToken, ProviderName, Tokens
from aws_client_auth.domain.user import Email, MfaPreferences, MfaType, PhoneNumber, User, Username

START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COGNITO_KEY = "cognito-idp.us-west-2.amazonaws.com/us-west-2_Test"
LWA_KEY = "www.amazon.com"
GOOGLE_KEY = "accounts.google.com"


class FakeClock(Clock):
    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeSleeper(Sleeper):
    """Advances the fake clock instead of sleeping; ``on_sleep`` lets a test act while the caller waits.

    Like the real sleeper, a wait whose cancellation is set (before or while it waits) ends at once: the clock
    does not move and nothing is added to ``slept``, which holds the waits that ran their course.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self.cancelled = 0
        self.on_sleep: Callable[[], None] | None = None

    def sleep(self, seconds: float, cancel: Cancellation | None = None) -> None:
        if self.on_sleep is not None:
            self.on_sleep()
        if cancel is not None and cancel.is_set():
            self.cancelled += 1
            return
        self.slept.append(seconds)
        self.clock.advance(seconds)


class RecordingEvents(EventPublisher):
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[Event]) -> list[Event]:
        return [event for event in self.events if isinstance(event, kind)]


class CountingStore(MemorySessionStore):
    """The in-memory store, counting saves and able to fail them."""

    def __init__(self, profile: str = "default") -> None:
        super().__init__(profile)
        self.saves = 0

    def save(self, session: Session) -> None:
        self.saves += 1
        super().save(session)


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


class FakeUserPool(UserDirectory, PasswordSignIn, TokenRefresher):
    """A user pool by Cognito's rules: codes are checked, MFA challenges follow preferences, refresh tokens
    can be revoked by a global sign-out, and refresh answers carry no refresh token."""

    CODE = "123456"
    TOTP_SECRET = "JBSWY3DPEHPK3PXP"

    def __init__(self, clock: FakeClock, provider: ProviderName = COGNITO, lifetime: int = 3600) -> None:
        self.clock = clock
        self.provider = provider
        self.lifetime = lifetime
        self.users: dict[str, FakeUser] = {}
        self.access: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        self.serial = itertools.count(1)
        self.fail_next: e.ClientAuthError | None = None
        self.calls = 0
        self.refreshes = 0

    # helpers for tests
    def add_user(self, username: str, password: str = "Passw0rd!", **kwargs: object) -> FakeUser:
        user = FakeUser(username=username, password=password, sub=f"sub-{username}", confirmed=True)
        for key, value in kwargs.items():
            setattr(user, key, value)
        self.users[username] = user
        return user

    def _call(self) -> None:
        self.calls += 1
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def _user(self, username: str) -> FakeUser:
        user = self.users.get(username)
        if user is None:
            raise e.UserNotFound("no such user", service_code="UserNotFoundException")
        return user

    def _by_access(self, token: Secret) -> FakeUser:
        name = self.access.get(token.reveal())
        if name is None:
            raise e.SessionExpired("access token revoked", service_code="NotAuthorizedException")
        return self.users[name]

    def issue(self, username: str, *, with_refresh: bool = True) -> Tokens:
        n = next(self.serial)
        access = f"access|{self.provider}|{username}|{n}"
        self.access[access] = username
        refresh = None
        if with_refresh:
            refresh = f"refresh|{self.provider}|{username}|{n}"
            self.refresh_tokens[refresh] = username
        return Tokens(
            provider=self.provider,
            access_token=Secret(access),
            id_token=Secret(f"id|{self.provider}|{username}|{n}"),
            refresh_token=Secret(refresh) if refresh else None,
            expires_at=self.clock.now() + timedelta(seconds=self.lifetime),
            username=username,
            subject=self.users[username].sub if username in self.users else username,
        )

    # UserDirectory
    def sign_up(
        self, username: Username, password: Secret, *, email: Email | None, phone_number: PhoneNumber | None
    ) -> SignUpResult:
        self._call()
        if username.value in self.users:
            raise e.UserExists("taken", service_code="UsernameExistsException")
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
            raise e.CodeMismatch("wrong code", service_code="CodeMismatchException")
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
            raise e.CodeMismatch("wrong code")
        user.password = new_password.reveal()

    def change_password(self, access_token: Secret, old_password: Secret, new_password: Secret) -> None:
        self._call()
        user = self._by_access(access_token)
        if user.password != old_password.reveal():
            raise e.NotAuthorized("Incorrect username or password.")
        user.password = new_password.reveal()

    def get_user(self, access_token: Secret) -> User:
        self._call()
        user = self._by_access(access_token)
        return User(
            Username(user.username),
            user.sub,
            confirmed=user.confirmed,
            mfa=MfaPreferences(frozenset(user.mfa_enabled), user.preferred),
        )

    def start_totp_setup(self, access_token: Secret) -> MfaSetup:
        self._call()
        self._by_access(access_token).totp_pending = True
        return MfaSetup(Secret(self.TOTP_SECRET), Secret(f"otpauth://totp/x?secret={self.TOTP_SECRET}"))

    def verify_totp(self, access_token: Secret, code: str, device_name: str) -> None:
        self._call()
        user = self._by_access(access_token)
        if not user.totp_pending:
            raise e.MfaNotEnabled("no TOTP setup")
        if code != self.CODE:
            raise e.CodeMismatch("wrong code")
        user.totp_pending = False

    def set_mfa_preference(self, access_token: Secret, enabled: frozenset[MfaType], preferred: MfaType | None) -> None:
        self._call()
        user = self._by_access(access_token)
        user.mfa_enabled = set(enabled)
        user.preferred = preferred

    def revoke_refresh_token(self, refresh_token: Secret) -> None:
        self._call()
        self.refresh_tokens.pop(refresh_token.reveal(), None)

    def global_sign_out(self, access_token: Secret) -> None:
        self._call()
        user = self._by_access(access_token)
        for store in (self.access, self.refresh_tokens):
            for token in [t for t, name in store.items() if name == user.username]:
                del store[token]

    # PasswordSignIn
    def sign_in(self, username: Username, password: Secret) -> SignInStep:
        self._call()
        user = self._user(username.value)
        if user.password != password.reveal():
            raise e.NotAuthorized("Incorrect username or password.", service_code="NotAuthorizedException")
        if not user.confirmed:
            raise e.UserNotConfirmed("not confirmed")
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
            raise e.SessionExpired("session expired")
        return self.users[name]

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        self._call()
        user = self._take_session(challenge)
        if code != self.CODE:
            raise e.CodeMismatch("wrong code", service_code="CodeMismatchException")
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

    # TokenRefresher
    def refresh(self, tokens: Tokens) -> Tokens:
        self._call()
        self.refreshes += 1
        token = tokens.refresh_token.reveal() if tokens.refresh_token else ""
        name = self.refresh_tokens.get(token)
        if name is None:
            raise e.SessionExpired("Refresh Token has been revoked", service_code="NotAuthorizedException")
        return self.issue(name, with_refresh=False)


@dataclass
class DeviceGrant:
    """One device code as the provider keeps it, and what its user does about it."""

    expires_at: datetime
    interval: float
    last_poll: datetime | None = None
    approved_by: str | None = None
    answer_at: datetime | None = None
    """When the user approves (``approved_by`` set) or denies (not set); None while they have not acted."""


class FakeDeviceSignIn(DeviceSignIn):
    """A device-flow provider by the rules of RFC 8628, not a script of answers.

    Each start issues a fresh device code. A poll with a code it did not issue is ``invalid_grant``, after the
    code's expiry ``expired_token``, sooner than the interval after the previous poll ``slow_down`` (counted in
    ``too_soon``). The user answers at a moment of the fake clock (:meth:`user_approves`, :meth:`user_denies`);
    until then a poll is pending. :meth:`overload` makes the provider ask to slow down (and then expect the
    slower pace, as RFC 8628 says the client must keep it).
    """

    USER_CODE = "WDJB-MJHT"

    def __init__(self, clock: FakeClock, pool: FakeUserPool, *, interval: int = 5, expires_in: int = 600) -> None:
        self.clock = clock
        self.pool = pool
        self.interval = interval
        self.expires_in = expires_in
        self.grants: dict[str, DeviceGrant] = {}
        self.serial = itertools.count(1)
        self.polls: list[datetime] = []
        self.too_soon = 0
        self._overloaded = 0

    # what the user and the provider's operators do
    def user_approves(self, username: str, *, after: float = 0) -> None:
        """The user approves the latest code ``after`` seconds from now."""
        if username not in self.pool.users:
            self.pool.add_user(username)
        grant = self._latest()
        grant.approved_by, grant.answer_at = username, self.clock.now() + timedelta(seconds=after)

    def user_denies(self, *, after: float = 0) -> None:
        grant = self._latest()
        grant.approved_by, grant.answer_at = None, self.clock.now() + timedelta(seconds=after)

    def overload(self, polls: int) -> None:
        """The next ``polls`` polls are answered ``slow_down``, each raising the expected interval by 5 s."""
        self._overloaded = polls

    def expire_codes(self) -> None:
        """The provider ends every code now, whatever expiry it announced."""
        for grant in self.grants.values():
            grant.expires_at = self.clock.now()

    def _latest(self) -> DeviceGrant:
        return list(self.grants.values())[-1]

    # DeviceSignIn
    def start(self) -> DeviceAuthorization:
        code = f"device-code-secret-{next(self.serial)}"
        expires_at = self.clock.now() + timedelta(seconds=self.expires_in)
        self.grants[code] = DeviceGrant(expires_at=expires_at, interval=self.interval)
        return DeviceAuthorization(
            provider=self.pool.provider,
            user_code=self.USER_CODE,
            verification_uri="https://example.com/device",
            verification_uri_complete=f"https://example.com/device?user_code={self.USER_CODE}",
            expires_at=expires_at,
            device_code=Secret(code),
            interval=self.interval,
        )

    def poll(self, authorization: DeviceAuthorization) -> PollResult:
        now = self.clock.now()
        self.polls.append(now)
        code = authorization.device_code.reveal()
        grant = self.grants.get(code)
        if grant is None:
            raise e.DeviceFlowExpired("The device code is not one this provider issued.", service_code="invalid_grant")
        if now >= grant.expires_at:
            del self.grants[code]
            raise e.DeviceFlowExpired("The device code expired.", service_code="expired_token")
        if self._slow_down(grant, now):
            return SlowDown()
        if grant.answer_at is None or now < grant.answer_at:
            return Pending()
        del self.grants[code]  # a code is good for one sign-in
        if grant.approved_by is None:
            raise e.DeviceFlowDenied("The user denied the sign-in.", service_code="access_denied")
        return Approved(self.pool.issue(grant.approved_by))

    def _slow_down(self, grant: DeviceGrant, now: datetime) -> bool:
        early = grant.last_poll is not None and (now - grant.last_poll).total_seconds() < grant.interval
        grant.last_poll = now
        self.too_soon += early
        if self._overloaded > 0:
            self._overloaded -= 1
            grant.interval += DeviceAuthorization.SLOW_DOWN_STEP
            return True
        return early


class FakeIdentityPool(IdentityPool):
    """Cognito's identity rules: an identity per set of linked logins, found again by any of them; several
    logins in one call link (and merge) their identities; guests get a fresh identity from each GetId."""

    def __init__(self, clock: FakeClock, *, guest_allowed: bool = True, lifetime: int = 3600) -> None:
        self.clock = clock
        self.guest_allowed = guest_allowed
        self.lifetime = lifetime
        self.links: dict[str, set[tuple[str, str]]] = {}
        self.merged: dict[str, str] = {}
        self.ids = itertools.count(1)
        self.get_id_calls = 0
        self.credential_calls = 0
        self.last_logins: dict[str, str] = {}
        self.fail_next: e.ClientAuthError | None = None

    @property
    def pool_id(self) -> str:
        return "us-west-2:pool"

    @staticmethod
    def _principals(logins: Mapping[str, Secret]) -> set[tuple[str, str]]:
        # Fake tokens read "kind|provider|user|n": the user is what the pool would find in a real token.
        return {(key, token.reveal().split("|")[2]) for key, token in logins.items()}

    def _check(self, logins: Mapping[str, Secret]) -> None:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if not logins and not self.guest_allowed:
            raise e.GuestAccessDisabled("guest access is off")

    def _resolve(self, logins: Mapping[str, Secret]) -> str:
        principals = self._principals(logins)
        owners = [i for i, linked in self.links.items() if linked & principals]
        if not owners:
            identity = f"us-west-2:{next(self.ids):04d}"
            self.links[identity] = set()
            owners = [identity]
        keep, *others = owners
        for other in others:
            self.links[keep] |= self.links.pop(other)
            self.merged[other] = keep
        self.links[keep] |= principals
        return keep

    def get_id(self, logins: Mapping[str, Secret]) -> str:
        self.get_id_calls += 1
        self._check(logins)
        if not logins:
            identity = f"us-west-2:guest-{next(self.ids):04d}"
            self.links[identity] = set()
            return identity
        return self._resolve(logins)

    def get_credentials(self, identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        self.credential_calls += 1
        self.last_logins = {key: token.reveal() for key, token in logins.items()}
        self._check(logins)
        identity = self.merged.get(identity_id, identity_id)
        if identity not in self.links:
            raise e.UnknownIdentity("identity not found", service_code="ResourceNotFoundException")
        if logins:
            identity = self._resolve(logins)
        n = self.credential_calls
        return Credentials(
            access_key_id=f"ASIA{n:016d}",
            secret_key=Secret(f"secret-{n}"),
            session_token=Secret(f"session-{n}"),
            expiration=self.clock.now() + timedelta(seconds=self.lifetime),
            identity_id=identity,
            authenticated=bool(logins),
        )


@dataclass
class World:
    """Everything a use-case test needs, wired the way the container wires the real adapters."""

    clock: FakeClock
    sleeper: FakeSleeper
    events: RecordingEvents
    store: CountingStore
    sessions: Sessions
    pool: FakeUserPool
    lwa: FakeUserPool
    google: FakeUserPool
    lwa_device: FakeDeviceSignIn
    google_device: FakeDeviceSignIn
    identity_pool: FakeIdentityPool
    registry: ProviderRegistry
    tokens: TokenKeeper
    credentials: CredentialService

    @property
    def session(self) -> Session:
        return self.store.load()


def make_world(*, skew: int = 300, guest_allowed: bool = True, credential_lifetime: int = 3600) -> World:
    clock = FakeClock()
    events = RecordingEvents()
    store = CountingStore()
    sessions = Sessions(store)
    pool = FakeUserPool(clock)
    lwa = FakeUserPool(clock, LOGIN_WITH_AMAZON)
    google = FakeUserPool(clock, GOOGLE)
    lwa_device = FakeDeviceSignIn(clock, lwa)
    google_device = FakeDeviceSignIn(clock, google)
    identity_pool = FakeIdentityPool(clock, guest_allowed=guest_allowed, lifetime=credential_lifetime)
    registry = ProviderRegistry(
        [
            AuthProvider(COGNITO, COGNITO_KEY, LoginToken.ID, refresher=pool, password=pool, directory=pool),
            AuthProvider(LOGIN_WITH_AMAZON, LWA_KEY, LoginToken.ACCESS, refresher=lwa, device=lwa_device),
            AuthProvider(GOOGLE, GOOGLE_KEY, LoginToken.ID, refresher=google, device=google_device),
        ]
    )
    tokens = TokenKeeper(sessions, registry, clock, events, timedelta(seconds=skew))
    credentials = CredentialService(sessions, registry, tokens, identity_pool, clock, events)
    return World(
        clock=clock,
        sleeper=FakeSleeper(clock),
        events=events,
        store=store,
        sessions=sessions,
        pool=pool,
        lwa=lwa,
        google=google,
        lwa_device=lwa_device,
        google_device=google_device,
        identity_pool=identity_pool,
        registry=registry,
        tokens=tokens,
        credentials=credentials,
    )
