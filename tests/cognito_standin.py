"""A Cognito user pool stand-in for what moto does not implement: an HTTP server on 127.0.0.1 that speaks
cognito-idp's JSON 1.1 protocol and keeps the service's rules, not a script of answers.

- Sign-in: ``USER_PASSWORD_AUTH`` and ``USER_SRP_AUTH`` (the password proof really checked), SMS and email MFA
  with codes it "delivers" to :attr:`CognitoStandIn.outbox`, single-use challenge sessions, and RS256 ID tokens
  whose keys it serves where the client looks at a loopback endpoint.
- Refresh-token rotation: ``GetTokensFromRefreshToken`` exchanges a refresh token for a new one; the old one
  is accepted again for the grace period (answered with the same successor), then ``RefreshTokenReuseException``.
  A rotating client's ``REFRESH_TOKEN_AUTH`` is refused, as Cognito disables it. With ``knows_refresh_api=False``
  the server answers that operation the way a service without it does (AWS-style, or moto's bare HTTP 500).
- Device tracking: sign-ins without a device key announce ``NewDeviceMetadata``; ``ConfirmDevice`` keeps only the
  verifier and salt the client computed; ``DEVICE_SRP_AUTH`` and ``DEVICE_PASSWORD_VERIFIER`` verify the device's
  SRP proof from that verifier (the server never learns the device password); a remembered device skips MFA; a
  pool in "user opt-in" mode asks for ``UpdateDeviceStatus``; ``ListDevices`` pages; ``ForgetDevice``.
- The account: ``GetUser``, attribute updates with verification codes, ``DeleteUserAttributes``,
  ``SetUserMFAPreference`` (email MFA only when the pool can send email) and ``DeleteUser``.

- Choice-based sign-in (``USER_AUTH``): a preferred first factor (``PREFERRED_CHALLENGE``) or ``SELECT_CHALLENGE``
  with the user's ``AvailableChallenges``; PASSWORD and PASSWORD_SRP (then MFA as above), EMAIL_OTP and SMS_OTP
  (single-use codes in the outbox), WEB_AUTHN (assertions verified with py_webauthn: challenge, origin, rp id,
  signature, counter). Passkeys are registered with ``StartWebAuthnRegistration`` /
  ``CompleteWebAuthnRegistration`` (attestation verified), listed, deleted; ``GetUserAuthFactors``.
- Custom authentication (``CUSTOM_AUTH``), optionally SRP first, driven by three callables modelled on the
  define / create / verify auth-challenge Lambda triggers (:func:`three_round_quiz`, :func:`srp_first_quiz`).
- Sign-up: ``SignUp``, ``ConfirmSignUp`` (whose ``Session`` signs in once with ``USER_AUTH``),
  ``ResendConfirmationCode``; an unconfirmed user's sign-in is ``UserNotConfirmedException``.
- Challenge sessions expire (``session_seconds``, 3 minutes as Cognito's default).

Every request is recorded in :attr:`CognitoStandIn.calls`; ``UserContextData`` and ``ClientMetadata`` are kept per
call too (:meth:`CognitoStandIn.metadata_of`), and what each custom-auth trigger received in
:attr:`CognitoStandIn.trigger_calls`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypedDict

import jwt
import webauthn
from cryptography.hazmat.primitives.asymmetric import rsa
from webauthn.helpers import bytes_to_base64url, options_to_json
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from aws_client_auth.adapters.cognito import srp

REGION = "us-east-1"
POOL_ID = f"{REGION}_StandIn"
CLIENT_ID = "standinclient"
KID = "standin-key-1"
Answer = tuple[int, dict[str, Any]]
MFA_KINDS = ("SMS_MFA", "EMAIL_OTP")
FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
"""Cognito's names of the first factors of ``USER_AUTH`` (as in ``PREFERRED_CHALLENGE`` and ``AvailableChallenges``)."""
OTP_KEYS = {"EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE", "SMS_MFA": "SMS_MFA_CODE"}
WRONG = "Incorrect username or password."

DefineAuthChallenge = Callable[[list[dict[str, Any]]], dict[str, Any]]
"""``(session) -> {"challengeName", "issueTokens", "failAuthentication"}``; session: previous results
``[{"challengeName", "challengeResult", "challengeMetadata"}]``."""
CreateAuthChallenge = Callable[[str, list[dict[str, Any]], dict[str, str]], dict[str, Any]]
"""``(challenge_name, session, client_metadata) -> {"publicChallengeParameters", "privateChallengeParameters",
"challengeMetadata"}``."""
VerifyAuthChallenge = Callable[[dict[str, str], str, dict[str, str]], bool]
"""``(private_challenge_parameters, answer, client_metadata) -> answer correct``."""


class CustomAuthTriggers(TypedDict):
    """The three triggers, as keyword arguments of :class:`CognitoStandIn` (``cognito_standin(**triggers)``)."""

    define_auth_challenge: DefineAuthChallenge
    create_auth_challenge: CreateAuthChallenge
    verify_auth_challenge: VerifyAuthChallenge


class Refused(Exception):
    """An error answer: Cognito's ``__type`` and message, with an HTTP status."""

    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        super().__init__(code)
        self.answer: Answer = (status, {"__type": code, "message": message})


@dataclass
class User:
    username: str
    password: str
    sub: str
    attributes: dict[str, str] = field(default_factory=dict)
    mfa: set[str] = field(default_factory=set)
    """Cognito's names of the enabled methods (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA)."""
    preferred: str | None = None
    srp_salt: str = field(default_factory=lambda: secrets.token_hex(16))
    confirmed: bool = True
    passkeys: list[Passkey] = field(default_factory=list)
    signup_code: tuple[str, str] | None = None
    """(attribute, code) of the sign-up confirmation code last sent."""

    def srp_verifier(self) -> int:
        return pow(srp.G, _x(POOL_ID.split("_")[1], self.username, self.password, self.srp_salt), srp.N)


@dataclass
class Passkey:
    """A registered WebAuthn credential, as the relying party keeps it."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    created: float
    friendly_name: str
    transports: list[str]
    attachment: str | None
    rp_id: str

    @property
    def id(self) -> str:
        """The credential id as Cognito shows it (base64url)."""
        return bytes_to_base64url(self.credential_id)


@dataclass
class Device:
    key: str
    group_key: str
    user: str
    confirmed: bool = False
    salt_hex: str = ""
    verifier: int = 0
    name: str = ""
    remembered: bool | None = None
    created: float = 0.0
    last_authenticated: float | None = None


@dataclass
class RefreshToken:
    user: str
    device_key: str | None
    spent_at: float | None = None
    successor: str | None = None
    revoked: bool = False


@dataclass
class Pending:
    """A challenge session: whose, at which stage, and what the answer is checked against."""

    user: str
    stage: str
    device_key: str | None = None
    code: str | None = None
    srp: tuple[int, int, int, str] | None = None
    """(A, b, B, secret block) of an SRP exchange in progress."""
    expires: float = 0.0
    webauthn_challenge: bytes | None = None
    available: tuple[str, ...] = ()
    """SELECT_CHALLENGE: the factors the user may choose."""
    custom: list[dict[str, Any]] | None = None
    """CUSTOM_AUTH: the results so far (the define trigger's session); None outside that flow."""
    private: dict[str, str] = field(default_factory=dict)
    challenge_metadata: str = ""


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, with non-ASCII kept as it is)."""
    return json.dumps(value, ensure_ascii=False)


def _masked(value: str) -> str:
    return value[:2] + "***"


def _x(realm: str, user_id: str, password: str, salt_hex: str) -> int:
    """The SRP private value, derived here from the protocol's definition (not the client's code path)."""
    inner = hashlib.sha256(f"{realm}{user_id}:{password}".encode()).hexdigest().zfill(64)
    return int(srp.hash_hex(srp.pad_hex(salt_hex) + inner), 16)


class CognitoStandIn:
    def __init__(
        self,
        *,
        client_secret: str | None = None,
        rotation: bool = True,
        grace_seconds: float = 0,
        knows_refresh_api: bool = True,
        unknown_operation: Answer = (400, {"__type": "UnknownOperationException"}),
        device_tracking: str = "off",
        email_mfa: bool = True,
        refresh_delay: float = 0.0,
        token_lifetime: int = 3600,
        user_auth: bool = True,
        factors: Sequence[str] = FACTORS,
        rp_id: str = "auth.standin.example",
        rp_name: str = "Stand-in",
        origins: Sequence[str] = (),
        session_seconds: float = 180,
        define_auth_challenge: DefineAuthChallenge | None = None,
        create_auth_challenge: CreateAuthChallenge | None = None,
        verify_auth_challenge: VerifyAuthChallenge | None = None,
        identity_endpoint: str | None = None,
    ) -> None:
        assert device_tracking in ("off", "always", "opt_in")
        assert set(factors) <= set(FACTORS), factors
        self.user_auth, self.factors = user_auth, tuple(f for f in FACTORS if f in factors)
        self.rp_id, self.rp_name = rp_id, rp_name
        self.origins = [f"https://{rp_id}", *origins]
        """The origins a WebAuthn ceremony may come from: ``https://<rp_id>`` and the extra ones."""
        self.session_seconds = session_seconds
        self.define_auth_challenge = define_auth_challenge
        self.create_auth_challenge = create_auth_challenge
        self.verify_auth_challenge = verify_auth_challenge
        self.trigger_calls: list[tuple[str, dict[str, Any]]] = []
        """(trigger, what it was given) of each custom-auth trigger call: define_auth_challenge (session),
        create_auth_challenge (challengeName, session, clientMetadata), verify_auth_challenge
        (privateChallengeParameters, challengeAnswer, clientMetadata)."""
        self.registrations: dict[str, bytes] = {}
        """The WebAuthn registration challenge issued to each user and not used yet."""
        self.url = ""
        self.identity_endpoint = identity_endpoint
        """Where cognito-identity calls sent here go on to (a moto server): the user pool here, the identity pool
        there, behind the one ``[aws] endpoint_url`` the client has."""
        self.pool_id, self.client_id, self.client_secret = POOL_ID, CLIENT_ID, client_secret
        self.rotation, self.grace_seconds = rotation, grace_seconds
        self.knows_refresh_api, self.unknown_operation = knows_refresh_api, unknown_operation
        self.device_tracking, self.email_mfa = device_tracking, email_mfa
        self.refresh_delay, self.token_lifetime = refresh_delay, token_lifetime
        self.offset = 0.0
        """Seconds added to the wall clock: :meth:`advance` moves the server's time (grace periods)."""
        self.users: dict[str, User] = {}
        self.devices: dict[str, Device] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, str] = {}
        self.sessions: dict[str, Pending] = {}
        self.outbox: list[tuple[str, str, str]] = []
        """(user, where, code) of every code the pool "sent"."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.exchanged: Counter[str] = Counter()
        """How many times each refresh token was exchanged (GetTokensFromRefreshToken and REFRESH_TOKEN_AUTH)."""
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._subs = itertools.count(1)
        self._lock = threading.RLock()

    # --- what tests do ----------------------------------------------------------------------------------
    def add_user(
        self, username: str, password: str, *, mfa: str | None = None, confirmed: bool = True, **attributes: str
    ) -> User:
        """A user (``password=""``: none, passwordless); e.g. ``email=..., email_verified="true"`` for EMAIL_OTP."""
        user = User(username, password, sub=f"sub-{next(self._subs):04d}-{username}", attributes=dict(attributes))
        user.attributes.setdefault("sub", user.sub)
        user.confirmed = confirmed
        if mfa is not None:
            user.mfa, user.preferred = {mfa}, mfa
        self.users[username] = user
        return user

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def now(self) -> float:
        return time.time() + self.offset

    def last_code(self, username: str) -> str:
        return next(code for user, _, code in reversed(self.outbox) if user == username)

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    def metadata_of(self, operation: str) -> list[dict[str, str]]:
        """The ``ClientMetadata`` each call of ``operation`` sent, in order (``{}`` for a call without it)."""
        return [dict(request.get("ClientMetadata") or {}) for name, request in self.calls if name == operation]

    def factors_of(self, username: str) -> list[str]:
        """The first factors ``USER_AUTH`` offers this user (``AvailableChallenges``)."""
        return self._factors(self._user(username))

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"

    @property
    def jwks_path(self) -> str:
        return f"/{POOL_ID}/.well-known/jwks.json"

    def settings_toml(
        self,
        *,
        auth_flow: str = "USER_PASSWORD_AUTH",
        passkeys_authenticator: str | None = None,
        passkeys_store: str | None = None,
        client_metadata: dict[str, str] | None = None,
        identity_pool_id: str | None = None,
    ) -> str:
        """The client's settings for this pool. ``auth_flow`` may be any of the client's flows (``USER_AUTH``,
        ``CUSTOM_AUTH`` too); ``passkeys_authenticator`` (with ``passkeys_store``) adds a ``[passkeys]`` table,
        ``client_metadata`` a ``[cognito.client_metadata]`` table."""
        secret = f"app_client_secret = {_toml(self.client_secret)}\n" if self.client_secret else ""
        text = (
            f'[aws]\nregion = "{REGION}"\nendpoint_url = {_toml(self.url)}\n\n'
            f'[cognito]\nuser_pool_id = "{POOL_ID}"\napp_client_id = "{CLIENT_ID}"\nauth_flow = {_toml(auth_flow)}\n'
            f"{secret}revoke_on_sign_out = false\n"
            + (f"identity_pool_id = {_toml(identity_pool_id)}\n" if identity_pool_id else "")
            + "\n[network]\nmax_attempts = 1\ntimeout_seconds = 20\n"
        )
        if client_metadata is not None:
            rows = "".join(f"{_toml(key)} = {_toml(value)}\n" for key, value in client_metadata.items())
            text += f"\n[cognito.client_metadata]\n{rows}"
        if passkeys_authenticator is not None:
            store = f"store = {_toml(passkeys_store)}\n" if passkeys_store is not None else ""
            text += (
                f"\n[passkeys]\nauthenticator = {_toml(passkeys_authenticator)}\n"
                f"relying_party = {_toml(self.rp_id)}\n{store}"
            )
        return text

    # --- the protocol -------------------------------------------------------------------------------------
    def handle(self, operation: str, request: dict[str, Any]) -> Answer:
        with self._lock:
            self.calls.append((operation, request))
        if operation == "GetTokensFromRefreshToken" and not self.knows_refresh_api:
            return self.unknown_operation
        if operation == "GetTokensFromRefreshToken" and self.refresh_delay:
            time.sleep(self.refresh_delay)  # outside the lock: a slow service, with requests overlapping
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            return 400, {"__type": "UnknownOperationException"}
        try:
            with self._lock:
                return 200, handler(request)
        except Refused as refused:
            return refused.answer

    def _client(self, request: dict[str, Any]) -> None:
        if request.get("ClientId") != CLIENT_ID:
            raise Refused("ResourceNotFoundException", "User pool client does not exist.")

    def _secret_hash(self, username: str, given: str | None) -> None:
        if self.client_secret is None:
            return
        expected = srp.secret_hash(username, CLIENT_ID, self.client_secret)
        if given is None or not hmac.compare_digest(expected, given):
            raise Refused(
                "NotAuthorizedException",
                f"Client {CLIENT_ID} is configured with secret but SECRET_HASH was not received or is wrong",
            )

    def _user(self, name: str) -> User:
        user = self.users.get(name) or next((u for u in self.users.values() if u.sub == name), None)
        if user is None:
            raise Refused("UserNotFoundException", "User does not exist.")
        return user

    def _by_access(self, request: dict[str, Any]) -> User:
        name = self.access_tokens.get(str(request.get("AccessToken")))
        if name is None or name not in self.users:
            raise Refused("NotAuthorizedException", "Invalid Access Token")
        return self.users[name]

    def _session(self, request: dict[str, Any], *stages: str) -> Pending:
        pending = self.sessions.pop(str(request.get("Session")), None)
        if pending is None or pending.stage not in stages:
            raise Refused("NotAuthorizedException", "Invalid session for the user.")
        if self.now() > pending.expires:
            raise Refused("NotAuthorizedException", "Invalid session for the user, session is expired.")
        return pending

    def _keep(self, pending: Pending) -> str:
        session = "session-" + secrets.token_urlsafe(24)
        pending.expires = self.now() + self.session_seconds
        self.sessions[session] = pending
        return session

    def _challenge(self, name: str, pending: Pending, parameters: dict[str, str]) -> dict[str, Any]:
        return {"ChallengeName": name, "Session": self._keep(pending), "ChallengeParameters": parameters}

    @staticmethod
    def _confirmed(user: User) -> None:
        if not user.confirmed:
            raise Refused("UserNotConfirmedException", "User is not confirmed.")

    # sign-in
    def _op_InitiateAuth(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - the operation's name
        self._client(request)
        flow, params = request.get("AuthFlow"), request.get("AuthParameters", {})
        if flow == "REFRESH_TOKEN_AUTH":
            return self._refresh_token_auth(params)
        if flow == "USER_AUTH" and not self.user_auth:
            raise Refused("InvalidParameterException", "USER_AUTH flow not enabled for this client")
        if flow == "CUSTOM_AUTH" and self.define_auth_challenge is None:
            raise Refused("InvalidParameterException", "CUSTOM_AUTH flow not enabled for this client")
        user = self._user(params.get("USERNAME", ""))
        self._secret_hash(params["USERNAME"], params.get("SECRET_HASH"))
        if flow == "USER_PASSWORD_AUTH":
            return self._password(user, params.get("PASSWORD", ""), params.get("DEVICE_KEY"))
        if flow == "USER_SRP_AUTH":
            return self._password_verifier(user, params.get("SRP_A", ""), params.get("DEVICE_KEY"))
        if flow == "USER_AUTH":
            return self._user_auth(user, request, params)
        if flow == "CUSTOM_AUTH":
            self._confirmed(user)
            metadata = dict(request.get("ClientMetadata") or {})
            if params.get("CHALLENGE_NAME") == "SRP_A":
                first = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": ""}
                return self._custom_next(user, [first], metadata, srp_a=params.get("SRP_A", ""))
            return self._custom_next(user, [], metadata)
        raise Refused("InvalidParameterException", f"{flow} flow not enabled for this client")

    def _password(self, user: User, password: str, device_key: str | None) -> dict[str, Any]:
        if not user.password or not hmac.compare_digest(user.password, password):
            raise Refused("NotAuthorizedException", WRONG)
        return self._after_password(user, device_key)

    def _password_verifier(
        self, user: User, srp_a: str, device_key: str | None, custom: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        try:
            big_a = int(srp_a, 16)
        except ValueError:
            raise Refused("InvalidParameterException", "SRP_A is missing or not hexadecimal.") from None
        if not user.password:
            raise Refused("NotAuthorizedException", WRONG)
        b, big_b, block = self._server_srp(user.srp_verifier())
        pending = Pending(user.username, "password_verifier", device_key, srp=(big_a, b, big_b, block), custom=custom)
        parameters = {"SALT": user.srp_salt, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block}
        return self._challenge(
            "PASSWORD_VERIFIER",
            pending,
            {**parameters, "USER_ID_FOR_SRP": user.username, "USERNAME": user.username},
        )

    # choice-based sign-in
    def _factors(self, user: User) -> list[str]:
        have = {
            "PASSWORD": bool(user.password),
            "PASSWORD_SRP": bool(user.password),
            "EMAIL_OTP": user.attributes.get("email_verified") == "true" and bool(user.attributes.get("email")),
            "SMS_OTP": user.attributes.get("phone_number_verified") == "true"
            and bool(user.attributes.get("phone_number")),
            "WEB_AUTHN": bool(user.passkeys),
        }
        return [factor for factor in self.factors if have[factor]]

    def _user_auth(self, user: User, request: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        if request.get("Session"):  # the session ConfirmSignUp returned: signed in by the confirmation code
            pending = self._session(request, "signed_up")
            if pending.user != user.username:
                raise Refused("NotAuthorizedException", "Invalid session for the user.")
            return self._issue(user, None)
        self._confirmed(user)
        available = self._factors(user)
        preferred = params.get("PREFERRED_CHALLENGE")
        if preferred in available:
            return self._first_factor(user, preferred, params, params.get("DEVICE_KEY"))
        pending = Pending(user.username, "select_challenge", params.get("DEVICE_KEY"), available=tuple(available))
        answer = self._challenge("SELECT_CHALLENGE", pending, {"USERNAME": user.username})
        return {**answer, "AvailableChallenges": available}

    def _first_factor(self, user: User, factor: str, given: dict[str, str], device_key: str | None) -> dict[str, Any]:
        if factor == "PASSWORD":
            if "PASSWORD" not in given:
                raise Refused("InvalidParameterException", "PASSWORD is required for the PASSWORD challenge.")
            return self._password(user, given["PASSWORD"], device_key)
        if factor == "PASSWORD_SRP":
            if "SRP_A" not in given:
                raise Refused("InvalidParameterException", "SRP_A is required for the PASSWORD_SRP challenge.")
            return self._password_verifier(user, given["SRP_A"], device_key)
        if factor in ("EMAIL_OTP", "SMS_OTP"):
            medium, where = ("EMAIL", "email") if factor == "EMAIL_OTP" else ("SMS", "phone_number")
            code = f"{secrets.randbelow(10**6):06d}"
            self.outbox.append((user.username, where, code))
            return self._challenge(
                factor,
                Pending(user.username, factor, code=code),
                {
                    "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                    "CODE_DELIVERY_DESTINATION": _masked(user.attributes.get(where, "")),
                    "USERNAME": user.username,
                },
            )
        challenge = secrets.token_bytes(32)
        options = webauthn.generate_authentication_options(
            rp_id=self.rp_id,
            challenge=challenge,
            timeout=180000,
            allow_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys],
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        pending = Pending(user.username, "web_authn", webauthn_challenge=challenge)
        return self._challenge(
            "WEB_AUTHN", pending, {"CREDENTIAL_REQUEST_OPTIONS": options_to_json(options), "USERNAME": user.username}
        )

    def _web_authn(self, pending: Pending, answer: dict[str, str]) -> dict[str, Any]:
        user = self.users[pending.user]
        assert pending.webauthn_challenge is not None
        try:
            credential = json.loads(answer.get("CREDENTIAL", ""))
            raw_id = webauthn.base64url_to_bytes(str(credential["rawId"]))
            passkey = next(p for p in user.passkeys if p.credential_id == raw_id)
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=pending.webauthn_challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origins,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError, StopIteration):
            raise Refused("NotAuthorizedException", WRONG) from None
        passkey.sign_count = verified.new_sign_count
        return self._issue(user, None)

    @staticmethod
    def _server_srp(verifier: int) -> tuple[int, int, str]:
        b = secrets.randbelow(srp.N - 2) + 2
        big_b = (srp.K * verifier + pow(srp.G, b, srp.N)) % srp.N
        return b, big_b, base64.b64encode(secrets.token_bytes(64)).decode()

    @staticmethod
    def _proof_holds(
        state: tuple[int, int, int, str], verifier: int, realm: str, user_id: str, answer: dict[str, str]
    ) -> bool:
        """SRP-6a on the server side: S = (A * v^u)^b, from the verifier alone; then the client's HMAC checked."""
        big_a, b, big_b, block = state
        if big_a % srp.N == 0 or answer.get("PASSWORD_CLAIM_SECRET_BLOCK") != block:
            return False
        u = int(srp.hash_hex(srp.pad_hex(big_a) + srp.pad_hex(big_b)), 16)
        shared = pow(big_a * pow(verifier, u, srp.N), b, srp.N)
        key = srp.hkdf(bytes.fromhex(srp.pad_hex(shared)), bytes.fromhex(srp.pad_hex(u)))
        message = realm.encode() + user_id.encode() + base64.b64decode(block) + answer.get("TIMESTAMP", "").encode()
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, answer.get("PASSWORD_CLAIM_SIGNATURE", ""))

    def _after_password(self, user: User, device_key: str | None) -> dict[str, Any]:
        self._confirmed(user)  # told only to whoever knows the password, as Cognito does
        if device_key is not None:
            device = self.devices.get(device_key)
            if device is None or device.user != user.username or not device.confirmed:
                raise Refused("ResourceNotFoundException", "Device does not exist.")
            return self._challenge("DEVICE_SRP_AUTH", Pending(user.username, "device_srp", device_key), {})
        return self._after_device(user, None)

    def _after_device(self, user: User, device: Device | None) -> dict[str, Any]:
        if user.preferred and not (device is not None and device.remembered):
            code = f"{secrets.randbelow(10**6):06d}"
            medium, where = ("SMS", "phone_number") if user.preferred == "SMS_MFA" else ("EMAIL", "email")
            self.outbox.append((user.username, where, code))
            pending = Pending(user.username, user.preferred, device.key if device else None, code=code)
            destination = user.attributes.get(where, "")[:2] + "***"
            return self._challenge(
                user.preferred,
                pending,
                {
                    "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                    "CODE_DELIVERY_DESTINATION": destination,
                    "USERNAME": user.username,
                },
            )
        return self._issue(user, device)

    def _issue(self, user: User, device: Device | None, *, refresh: bool = True) -> dict[str, Any]:
        now = self.now()
        access = "access-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = user.username
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": user.sub,
            "token_use": "id",
            "cognito:username": user.username,
            "iat": int(now),
            "exp": int(now) + self.token_lifetime,
        }
        result: dict[str, Any] = {
            "AccessToken": access,
            "IdToken": jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID}),
            "ExpiresIn": self.token_lifetime,
            "TokenType": "Bearer",
        }
        if device is None and self.device_tracking != "off" and refresh:
            key, group_key = f"{REGION}_{uuid.uuid4()}", f"-{secrets.token_urlsafe(9)}"
            self.devices[key] = Device(key, group_key, user.username, created=now)
            result["NewDeviceMetadata"] = {"DeviceKey": key, "DeviceGroupKey": group_key}
            device = self.devices[key]
        if refresh:
            token = self._new_refresh_token(user.username, device.key if device else None)
            result["RefreshToken"] = token
        return {"AuthenticationResult": result, "ChallengeParameters": {}}

    def _new_refresh_token(self, user: str, device_key: str | None) -> str:
        token = "refresh-" + secrets.token_urlsafe(32)
        self.refresh_tokens[token] = RefreshToken(user, device_key)
        return token

    def _op_RespondToAuthChallenge(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        name, answer = request.get("ChallengeName"), request.get("ChallengeResponses", {})
        self._secret_hash(answer.get("USERNAME", ""), answer.get("SECRET_HASH"))
        respond = {
            "PASSWORD_VERIFIER": self._answer_password_verifier,
            "SELECT_CHALLENGE": self._answer_select_challenge,
            "WEB_AUTHN": lambda r, a: self._web_authn(self._session(r, "web_authn"), a),
            "CUSTOM_CHALLENGE": self._answer_custom_challenge,
            "DEVICE_SRP_AUTH": self._answer_device_srp_auth,
            "DEVICE_PASSWORD_VERIFIER": self._answer_device_password_verifier,
            **dict.fromkeys(OTP_KEYS, self._answer_code),
        }.get(str(name))
        if respond is None:
            raise Refused("InvalidParameterException", f"Unexpected challenge {name}")
        return respond(request, answer)

    def _answer_password_verifier(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        pending = self._session(request, "password_verifier")
        user = self.users[pending.user]
        assert pending.srp is not None
        holds = self._proof_holds(pending.srp, user.srp_verifier(), POOL_ID.split("_")[1], user.username, answer)
        if pending.custom is not None:  # SRP first in CUSTOM_AUTH: the result goes to define_auth_challenge
            result = {"challengeName": "PASSWORD_VERIFIER", "challengeResult": holds, "challengeMetadata": ""}
            return self._custom_next(user, [*pending.custom, result], dict(request.get("ClientMetadata") or {}))
        if not holds:
            raise Refused("NotAuthorizedException", WRONG)
        return self._after_password(user, answer.get("DEVICE_KEY", pending.device_key))

    def _answer_select_challenge(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        pending = self._session(request, "select_challenge")
        choice = answer.get("ANSWER", "")
        if answer.get("USERNAME") not in (pending.user, self.users[pending.user].sub):
            raise Refused("NotAuthorizedException", "Invalid session for the user.")
        if choice not in pending.available:
            self.sessions[str(request["Session"])] = pending  # the session is still good for a valid answer
            raise Refused("InvalidParameterException", f"{choice} is not an available challenge for the user.")
        return self._first_factor(self.users[pending.user], choice, answer, pending.device_key)

    def _answer_custom_challenge(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        pending = self._session(request, "custom_challenge")
        assert pending.custom is not None
        assert self.verify_auth_challenge is not None
        metadata = dict(request.get("ClientMetadata") or {})
        given = str(answer.get("ANSWER", ""))
        event = {"privateChallengeParameters": dict(pending.private), "challengeAnswer": given}
        self.trigger_calls.append(("verify_auth_challenge", {**event, "clientMetadata": metadata}))
        correct = bool(self.verify_auth_challenge(dict(pending.private), given, dict(metadata)))
        result = {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": correct,
            "challengeMetadata": pending.challenge_metadata,
        }
        return self._custom_next(self.users[pending.user], [*pending.custom, result], metadata)

    def _answer_code(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        name = str(request.get("ChallengeName"))
        pending = self._session(request, name)
        if answer.get(OTP_KEYS[name]) != pending.code:
            self.sessions[str(request["Session"])] = pending  # a wrong code may be tried again
            raise Refused("CodeMismatchException", "Invalid code received for user")
        device = self.devices.get(pending.device_key or "")
        return self._issue(self.users[pending.user], device)

    def _answer_device_srp_auth(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        pending = self._session(request, "device_srp")
        device = self.devices[pending.device_key or ""]
        if answer.get("DEVICE_KEY") != device.key:
            raise Refused("NotAuthorizedException", "Device key mismatch.")
        b, big_b, block = self._server_srp(device.verifier)
        state = (int(answer["SRP_A"], 16), b, big_b, block)
        follow = Pending(pending.user, "device_verifier", device.key, srp=state)
        parameters = {"SALT": device.salt_hex, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block}
        return self._challenge("DEVICE_PASSWORD_VERIFIER", follow, {**parameters, "USERNAME": pending.user})

    def _answer_device_password_verifier(self, request: dict[str, Any], answer: dict[str, str]) -> dict[str, Any]:
        pending = self._session(request, "device_verifier")
        device = self.devices[pending.device_key or ""]
        assert pending.srp is not None
        if answer.get("DEVICE_KEY") != device.key or not self._proof_holds(
            pending.srp, device.verifier, device.group_key, device.key, answer
        ):
            raise Refused("NotAuthorizedException", "Incorrect username or password.")
        device.last_authenticated = self.now()
        return self._after_device(self.users[pending.user], device)

    # custom authentication
    def _custom_next(
        self, user: User, history: list[dict[str, Any]], metadata: dict[str, str], *, srp_a: str | None = None
    ) -> dict[str, Any]:
        """Ask define_auth_challenge what comes after ``history``: tokens, a refusal, or the next challenge."""
        assert self.define_auth_challenge is not None
        self.trigger_calls.append(("define_auth_challenge", {"session": [dict(r) for r in history]}))
        decision = self.define_auth_challenge([dict(r) for r in history])
        if decision.get("failAuthentication"):
            raise Refused("NotAuthorizedException", WRONG)
        if decision.get("issueTokens"):
            return self._issue(user, None)
        name = decision.get("challengeName")
        if name == "PASSWORD_VERIFIER":
            if srp_a is None:
                raise Refused("InvalidParameterException", "SRP_A is required for PASSWORD_VERIFIER.")
            return self._password_verifier(user, srp_a, None, custom=history)
        if name != "CUSTOM_CHALLENGE" or self.create_auth_challenge is None or self.verify_auth_challenge is None:
            raise Refused("InvalidLambdaResponseException", "Unrecognizable lambda output")
        self.trigger_calls.append(
            (
                "create_auth_challenge",
                {"challengeName": name, "session": [dict(r) for r in history], "clientMetadata": dict(metadata)},
            )
        )
        created = self.create_auth_challenge(name, [dict(r) for r in history], dict(metadata))
        public = {str(k): str(v) for k, v in (created.get("publicChallengeParameters") or {}).items()}
        pending = Pending(
            user.username,
            "custom_challenge",
            custom=history,
            private={str(k): str(v) for k, v in (created.get("privateChallengeParameters") or {}).items()},
            challenge_metadata=str(created.get("challengeMetadata") or ""),
        )
        return self._challenge("CUSTOM_CHALLENGE", pending, {**public, "USERNAME": user.username})

    # sign-up
    def _delivery(self, user: User) -> dict[str, str]:
        """Send the sign-up confirmation code (to the email, else the phone): Cognito's CodeDeliveryDetails."""
        where = "email" if user.attributes.get("email") else "phone_number"
        if not user.attributes.get(where):
            raise Refused("InvalidParameterException", "No email or phone number to send the code to.")
        code = f"{secrets.randbelow(10**6):06d}"
        user.signup_code = (where, code)
        self.outbox.append((user.username, where, code))
        return {
            "Destination": _masked(user.attributes[where]),
            "DeliveryMedium": "EMAIL" if where == "email" else "SMS",
            "AttributeName": where,
        }

    def _op_SignUp(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        username = str(request.get("Username") or "")
        self._secret_hash(username, request.get("SecretHash"))
        if not username:
            raise Refused("InvalidParameterException", "Username is required.")
        if username in self.users:
            raise Refused("UsernameExistsException", "User already exists")
        password = request.get("Password")
        if password is not None and len(str(password)) < 8:
            raise Refused("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
        attributes = {str(a["Name"]): str(a.get("Value", "")) for a in request.get("UserAttributes") or []}
        if any(name == "sub" or name.endswith("_verified") for name in attributes):
            raise Refused("InvalidParameterException", "Cannot set sub or a verified flag.")
        user = self.add_user(username, str(password or ""), confirmed=False, **attributes)
        try:
            delivery = self._delivery(user)
        except Refused:
            del self.users[username]
            raise
        session = self._keep(Pending(username, "signing_up")) if self.user_auth else None
        return {
            "UserConfirmed": False,
            "CodeDeliveryDetails": delivery,
            "UserSub": user.sub,
            **({"Session": session} if session else {}),
        }

    def _op_ConfirmSignUp(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        user = self._user(str(request.get("Username") or ""))
        self._secret_hash(user.username, request.get("SecretHash"))
        if user.confirmed:
            raise Refused("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
        if request.get("Session"):
            pending = self.sessions.get(str(request["Session"]))
            if pending is None or pending.stage != "signing_up" or pending.user != user.username:
                raise Refused("NotAuthorizedException", "Invalid session for the user.")
            if self.now() > pending.expires:
                raise Refused("NotAuthorizedException", "Invalid session for the user, session is expired.")
        if user.signup_code is None or request.get("ConfirmationCode") != user.signup_code[1]:
            raise Refused("CodeMismatchException", "Invalid verification code provided, please try again.")
        if request.get("Session"):
            del self.sessions[str(request["Session"])]
        where, _ = user.signup_code
        user.confirmed, user.signup_code = True, None
        user.attributes[f"{where}_verified"] = "true"
        if not self.user_auth:
            return {}
        return {"Session": self._keep(Pending(user.username, "signed_up"))}

    def _op_ResendConfirmationCode(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        user = self._user(str(request.get("Username") or ""))
        self._secret_hash(user.username, request.get("SecretHash"))
        if user.confirmed:
            raise Refused("InvalidParameterException", "User is already confirmed.")
        return {"CodeDeliveryDetails": self._delivery(user)}

    # passkeys
    def _webauthn_enabled(self) -> None:
        if "WEB_AUTHN" not in self.factors:
            raise Refused("WebAuthnNotEnabledException", "WebAuthn is not enabled for this user pool.")

    def _op_StartWebAuthnRegistration(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        self._webauthn_enabled()
        challenge = secrets.token_bytes(32)
        options = webauthn.generate_registration_options(
            rp_id=self.rp_id,
            rp_name=self.rp_name,
            user_name=user.username,
            user_id=user.sub.encode(),
            user_display_name=user.attributes.get("email", user.username),
            challenge=challenge,
            timeout=180000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys],
            supported_pub_key_algs=[
                COSEAlgorithmIdentifier.ECDSA_SHA_256,
                COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
            ],
        )
        self.registrations[user.username] = challenge
        creation: dict[str, Any] = json.loads(options_to_json(options))
        return {"CredentialCreationOptions": creation}

    def _op_CompleteWebAuthnRegistration(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        self._webauthn_enabled()
        challenge = self.registrations.pop(user.username, None)
        if challenge is None:
            raise Refused("WebAuthnChallengeNotFoundException", "No registration in progress for this user.")
        credential = request.get("Credential")
        if not isinstance(credential, dict):
            raise Refused("InvalidParameterException", "Credential is required.")
        try:
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origins,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as error:
            text = str(error).lower()
            if "origin" in text:
                raise Refused("WebAuthnOriginNotAllowedException", str(error)) from None
            if "rp id" in text:
                raise Refused("WebAuthnRelyingPartyMismatchException", str(error)) from None
            if "challenge" in text or "type" in text:
                raise Refused("WebAuthnClientMismatchException", str(error)) from None
            raise Refused("InvalidParameterException", str(error)) from None
        if any(p.credential_id == verified.credential_id for ps in self._all_passkeys() for p in ps):
            raise Refused("InvalidParameterException", "This credential is already registered.")
        response = credential.get("response") or {}
        user.passkeys.append(
            Passkey(
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                created=self.now(),
                friendly_name=f"Passkey {len(user.passkeys) + 1}",
                transports=[str(t) for t in response.get("transports") or []],
                attachment=credential.get("authenticatorAttachment"),
                rp_id=self.rp_id,
            )
        )
        return {}

    def _all_passkeys(self) -> list[list[Passkey]]:
        return [u.passkeys for u in self.users.values()]

    def _op_ListWebAuthnCredentials(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        limit = int(request.get("MaxResults") or 20)
        if not 0 <= limit <= 20:
            raise Refused("InvalidParameterException", "MaxResults must be between 0 and 20.")
        try:
            start = int(request.get("NextToken") or 0)
        except ValueError:
            raise Refused("InvalidParameterException", "Invalid NextToken.") from None
        page = user.passkeys[start : start + limit]
        listed = [
            {
                "CredentialId": p.id,
                "FriendlyCredentialName": p.friendly_name,
                "RelyingPartyId": p.rp_id,
                **({"AuthenticatorAttachment": p.attachment} if p.attachment else {}),
                "AuthenticatorTransports": list(p.transports),
                "CreatedAt": p.created,
            }
            for p in page
        ]
        more = {"NextToken": str(start + limit)} if start + limit < len(user.passkeys) else {}
        return {"Credentials": listed, **more}

    def _op_DeleteWebAuthnCredential(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        passkey = next((p for p in user.passkeys if p.id == request.get("CredentialId")), None)
        if passkey is None:
            raise Refused("ResourceNotFoundException", "Credential not found.")
        user.passkeys.remove(passkey)
        return {}

    def _op_GetUserAuthFactors(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        factors = [f for f in self._factors(user) if f != "PASSWORD_SRP"]  # AuthFactorType names
        return {
            "Username": user.username,
            "UserMFASettingList": sorted(user.mfa),
            **({"PreferredMfaSetting": user.preferred} if user.preferred else {}),
            "ConfiguredUserAuthFactors": factors,
        }

    # refresh
    def _exchange(self, token: str, device_key: str | None) -> RefreshToken:
        record = self.refresh_tokens.get(token)
        if record is None or record.revoked or record.user not in self.users:
            raise Refused("NotAuthorizedException", "Invalid Refresh Token")
        if record.device_key is not None and device_key != record.device_key:
            raise Refused("NotAuthorizedException", "Invalid Refresh Token")  # a device-bound token needs its key
        self.exchanged[token] += 1
        return record

    def _op_GetTokensFromRefreshToken(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        self._client(request)
        if self.client_secret is not None and request.get("ClientSecret") != self.client_secret:
            raise Refused("NotAuthorizedException", "Client secret is missing or wrong.")
        token = str(request.get("RefreshToken"))
        record = self._exchange(token, request.get("DeviceKey"))
        user, device = self.users[record.user], self.devices.get(record.device_key or "")
        answer = self._issue(user, device, refresh=False)
        if not self.rotation:
            return answer
        if record.spent_at is None:
            record.spent_at = self.now()
            record.successor = self._new_refresh_token(record.user, record.device_key)
        elif self.now() - record.spent_at > self.grace_seconds:
            raise Refused("RefreshTokenReuseException", "Refresh token has been used already.")
        answer["AuthenticationResult"]["RefreshToken"] = record.successor
        return answer

    def _refresh_token_auth(self, params: dict[str, str]) -> dict[str, Any]:
        if self.rotation:
            raise Refused("InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
        token = params.get("REFRESH_TOKEN", "")
        record = self._exchange(token, params.get("DEVICE_KEY"))
        user = self.users[record.user]
        self._secret_hash(user.sub, params.get("SECRET_HASH"))
        return self._issue(user, self.devices.get(record.device_key or ""), refresh=False)

    def _op_RevokeToken(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        record = self.refresh_tokens.get(str(request.get("Token")))
        if record is not None:
            record.revoked = True
        return {}

    def _op_GlobalSignOut(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        for record in self.refresh_tokens.values():
            if record.user == user.username:
                record.revoked = True
        for token in [t for t, name in self.access_tokens.items() if name == user.username]:
            del self.access_tokens[token]
        return {}

    # devices
    def _device_of(self, user: User, key: object) -> Device:
        device = self.devices.get(str(key))
        if device is None or device.user != user.username:
            raise Refused("ResourceNotFoundException", "Device does not exist.")
        return device

    def _op_ConfirmDevice(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        device = self._device_of(user, request.get("DeviceKey"))
        if device.confirmed:
            raise Refused("DeviceKeyExistsException", "Device already confirmed.")
        config = request.get("DeviceSecretVerifierConfig") or {}
        device.salt_hex = base64.b64decode(config["Salt"]).hex()
        device.verifier = int.from_bytes(base64.b64decode(config["PasswordVerifier"]), "big")
        device.name, device.confirmed = str(request.get("DeviceName", "")), True
        opt_in = self.device_tracking == "opt_in"
        device.remembered = None if opt_in else True
        return {"UserConfirmationNecessary": opt_in}

    def _op_UpdateDeviceStatus(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        device = self._device_of(self._by_access(request), request.get("DeviceKey"))
        status = request.get("DeviceRememberedStatus")
        if status not in ("remembered", "not_remembered"):
            raise Refused("InvalidParameterException", "DeviceRememberedStatus is invalid.")
        device.remembered = status == "remembered"
        return {}

    def _op_ListDevices(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        mine = [d for d in self.devices.values() if d.user == user.username and d.confirmed]
        start = int(request.get("PaginationToken") or 0)
        limit = min(int(request.get("Limit") or 60), 60)
        page = mine[start : start + limit]
        listed = [
            {
                "DeviceKey": d.key,
                "DeviceAttributes": [
                    {"Name": "device_name", "Value": d.name},
                    {"Name": "device_status", "Value": "valid"},
                    {"Name": "last_ip_used", "Value": "127.0.0.1"},
                    *(
                        [
                            {
                                "Name": "dev:device_remembered_status",
                                "Value": "remembered" if d.remembered else "not_remembered",
                            }
                        ]
                        if d.remembered is not None
                        else []
                    ),
                ],
                "DeviceCreateDate": d.created,
                "DeviceLastModifiedDate": d.created,
                **({"DeviceLastAuthenticatedDate": d.last_authenticated} if d.last_authenticated else {}),
            }
            for d in page
        ]
        more = {"PaginationToken": str(start + limit)} if start + limit < len(mine) else {}
        return {"Devices": listed, **more}

    def _op_ForgetDevice(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        device = self._device_of(self._by_access(request), request.get("DeviceKey"))
        del self.devices[device.key]
        return {}

    # the account
    def _op_GetUser(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        return {
            "Username": user.username,
            "UserAttributes": [{"Name": k, "Value": v} for k, v in user.attributes.items()],
            "UserMFASettingList": sorted(user.mfa),
            **({"PreferredMfaSetting": user.preferred} if user.preferred else {}),
        }

    def _send_code(self, user: User, name: str) -> dict[str, str]:
        if name not in ("email", "phone_number"):
            raise Refused("InvalidParameterException", f"{name} is not a verifiable attribute.")
        code = f"{secrets.randbelow(10**6):06d}"
        self.outbox.append((user.username, name, code))
        medium = "EMAIL" if name == "email" else "SMS"
        return {
            "Destination": user.attributes.get(name, "")[:2] + "***",
            "DeliveryMedium": medium,
            "AttributeName": name,
        }

    def _op_UpdateUserAttributes(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        deliveries = []
        for attribute in request.get("UserAttributes", []):
            name, value = attribute["Name"], attribute.get("Value", "")
            if name == "sub" or name.endswith("_verified"):
                raise Refused("InvalidParameterException", f"Cannot modify attribute {name}.")
            user.attributes[name] = value
            if name in ("email", "phone_number"):
                user.attributes[f"{name}_verified"] = "false"
                deliveries.append(self._send_code(user, name))
        return {"CodeDeliveryDetailsList": deliveries}

    def _op_GetUserAttributeVerificationCode(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        return {"CodeDeliveryDetails": self._send_code(user, str(request.get("AttributeName")))}

    def _op_VerifyUserAttribute(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        name = str(request.get("AttributeName"))
        sent = [code for who, where, code in self.outbox if who == user.username and where == name]
        if not sent or request.get("Code") != sent[-1]:
            raise Refused("CodeMismatchException", "Invalid verification code provided, please try again.")
        user.attributes[f"{name}_verified"] = "true"
        return {}

    def _op_DeleteUserAttributes(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        for name in request.get("UserAttributeNames", []):
            if name == "sub":
                raise Refused("InvalidParameterException", "Cannot delete attribute sub.")
            user.attributes.pop(name, None)
        return {}

    def _op_SetUserMFAPreference(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        settings = {
            "SMS_MFA": request.get("SMSMfaSettings"),
            "SOFTWARE_TOKEN_MFA": request.get("SoftwareTokenMfaSettings"),
            "EMAIL_OTP": request.get("EmailMfaSettings"),
        }
        if (settings["EMAIL_OTP"] or {}).get("Enabled") and not self.email_mfa:
            raise Refused("InvalidParameterException", "Email MFA is not available: configure the pool's email.")
        for name, setting in settings.items():
            if setting is None:
                continue
            if setting.get("Enabled"):
                user.mfa.add(name)
            else:
                user.mfa.discard(name)
                if user.preferred == name:
                    user.preferred = None
            if setting.get("PreferredMfa"):
                user.preferred = name
        if user.preferred not in user.mfa:
            user.preferred = min(user.mfa) if user.mfa else None
        return {}

    def _op_DeleteUser(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        user = self._by_access(request)
        del self.users[user.username]
        for token in [t for t, name in self.access_tokens.items() if name == user.username]:
            del self.access_tokens[token]
        return {}


@contextmanager
def cognito_standin(**options: Any) -> Iterator[CognitoStandIn]:
    """The stand-in, serving on 127.0.0.1 (point ``[aws] endpoint_url`` or a boto3 client at its ``url``)."""
    state = CognitoStandIn(**options)

    class Handler(BaseHTTPRequestHandler):
        timeout = 30

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = self.headers.get("X-Amz-Target", "")
            if target.startswith("AWSCognitoIdentityService.") and state.identity_endpoint:
                self._forward(state.identity_endpoint, target, body)
                return
            operation = target.rpartition(".")[2]
            status, data = state.handle(operation, json.loads(body or b"{}"))
            if status == 500 and not data:  # a bare server error page, as moto's server sends
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            self._send(status, json.dumps(data).encode(), "application/x-amz-json-1.1")

        def do_GET(self) -> None:
            if self.path == state.jwks_path:
                self._send(200, json.dumps(state.jwks()).encode(), "application/json")
            else:
                self._send(404, b"{}", "application/json")

        def _forward(self, endpoint: str, target: str, body: bytes) -> None:
            """An identity-pool call, passed on to the moto server as it came (its answer returned as it is)."""
            import urllib.error
            import urllib.request

            headers = {
                key: value for key, value in self.headers.items() if key.lower() not in ("host", "content-length")
            }
            request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")  # noqa: S310 - the moto server
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the test's own moto server
                    status, payload, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
            except urllib.error.HTTPError as refused:
                status, payload, kind = refused.code, refused.read(), refused.headers.get("Content-Type", "")
            self._send(status, payload, kind or "application/x-amz-json-1.1")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- scripted custom-auth triggers for tests ------------------------------------------------------------------
def _quiz_position(session: list[dict[str, Any]]) -> tuple[int, int]:
    """(questions answered right, answers wrong) among the CUSTOM_CHALLENGE results."""
    results = [r["challengeResult"] for r in session if r["challengeName"] == "CUSTOM_CHALLENGE"]
    return sum(1 for r in results if r), sum(1 for r in results if not r)


def three_round_quiz(answers: Sequence[str] = ("a1", "a2", "a3"), *, allowed_wrong: int = 1) -> CustomAuthTriggers:
    """A question per round (``len(answers)`` rounds, three by default): a wrong answer asks the same question
    again, more than ``allowed_wrong`` wrong answers fail the sign-in, all answered signs in.

    Public parameters of round i (from 1): ``{"question": "Question i of n", "round": "i"}``; challengeMetadata
    ``QUESTION-i``; the create trigger adds ``"metadata"`` (the ClientMetadata it got, as JSON) to the public ones.
    """
    expected = list(answers)

    def define(session: list[dict[str, Any]]) -> dict[str, Any]:
        right, wrong = _quiz_position(session)
        if wrong > allowed_wrong:
            return {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": True}
        if right >= len(expected):
            return {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": True, "failAuthentication": False}
        return {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}

    def create(name: str, session: list[dict[str, Any]], metadata: dict[str, str]) -> dict[str, Any]:
        right, _ = _quiz_position(session)
        number = right + 1
        return {
            "publicChallengeParameters": {
                "question": f"Question {number} of {len(expected)}",
                "round": str(number),
                "metadata": json.dumps(metadata, sort_keys=True),
            },
            "privateChallengeParameters": {"answer": expected[right]},
            "challengeMetadata": f"QUESTION-{number}",
        }

    def verify(private: dict[str, str], answer: str, metadata: dict[str, str]) -> bool:
        return hmac.compare_digest(private["answer"], answer)

    return {"define_auth_challenge": define, "create_auth_challenge": create, "verify_auth_challenge": verify}


def srp_first_quiz(answers: Sequence[str] = ("a1",), *, allowed_wrong: int = 0) -> CustomAuthTriggers:
    """Custom auth that requires the password first, by SRP (``CHALLENGE_NAME=SRP_A``; without it the sign-in
    fails), then :func:`three_round_quiz`'s questions; a wrong password fails the sign-in."""
    quiz = three_round_quiz(answers, allowed_wrong=allowed_wrong)

    def define(session: list[dict[str, Any]]) -> dict[str, Any]:
        if not session or session[0]["challengeName"] != "SRP_A":
            return {"challengeName": "SRP_A", "issueTokens": False, "failAuthentication": True}
        if len(session) == 1:
            return {"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": False}
        if session[1]["challengeName"] != "PASSWORD_VERIFIER" or not session[1]["challengeResult"]:
            return {"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": True}
        return quiz["define_auth_challenge"](session)

    return {**quiz, "define_auth_challenge": define}


def identity_pool_for(standin: CognitoStandIn, moto_endpoint: str, *, guests: bool = False) -> str:
    """An identity pool on the moto server that trusts the stand-in's user pool; its id (route the stand-in's
    identity calls there with ``identity_endpoint=moto_endpoint``)."""
    import boto3

    identity = boto3.client(
        "cognito-identity",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    created = identity.create_identity_pool(
        IdentityPoolName="standin_identities",
        AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": standin.issuer.removeprefix("https://"), "ClientId": CLIENT_ID}],
    )
    return str(created["IdentityPoolId"])
