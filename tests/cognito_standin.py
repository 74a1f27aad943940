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

Every request is recorded in :attr:`CognitoStandIn.calls`; ``UserContextData`` is kept per call too.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from aws_client_auth.adapters.cognito import srp

REGION = "us-east-1"
POOL_ID = f"{REGION}_StandIn"
CLIENT_ID = "standinclient"
KID = "standin-key-1"
Answer = tuple[int, dict[str, Any]]
MFA_KINDS = ("SMS_MFA", "EMAIL_OTP")


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

    def srp_verifier(self) -> int:
        return pow(srp.G, _x(POOL_ID.split("_")[1], self.username, self.password, self.srp_salt), srp.N)


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
    ) -> None:
        assert device_tracking in ("off", "always", "opt_in")
        self.url = ""
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
    def add_user(self, username: str, password: str, *, mfa: str | None = None, **attributes: str) -> User:
        user = User(username, password, sub=f"sub-{next(self._subs):04d}-{username}", attributes=dict(attributes))
        user.attributes.setdefault("sub", user.sub)
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

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"

    @property
    def jwks_path(self) -> str:
        return f"/{POOL_ID}/.well-known/jwks.json"

    def settings_toml(self, *, auth_flow: str = "USER_PASSWORD_AUTH") -> str:
        secret = f'app_client_secret = "{self.client_secret}"\n' if self.client_secret else ""
        return (
            f'[aws]\nregion = "{REGION}"\nendpoint_url = "{self.url}"\n\n'
            f'[cognito]\nuser_pool_id = "{POOL_ID}"\napp_client_id = "{CLIENT_ID}"\nauth_flow = "{auth_flow}"\n'
            f"{secret}revoke_on_sign_out = false\n\n[network]\nmax_attempts = 1\ntimeout_seconds = 20\n"
        )

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

    def _session(self, request: dict[str, Any], stage: str) -> Pending:
        pending = self.sessions.pop(str(request.get("Session")), None)
        if pending is None or pending.stage != stage:
            raise Refused("NotAuthorizedException", "Invalid session for the user.")
        return pending

    def _challenge(self, name: str, pending: Pending, parameters: dict[str, str]) -> dict[str, Any]:
        session = "session-" + secrets.token_urlsafe(24)
        self.sessions[session] = pending
        return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}

    # sign-in
    def _op_InitiateAuth(self, request: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 - the operation's name
        self._client(request)
        flow, params = request.get("AuthFlow"), request.get("AuthParameters", {})
        if flow == "REFRESH_TOKEN_AUTH":
            return self._refresh_token_auth(params)
        user = self._user(params.get("USERNAME", ""))
        self._secret_hash(params["USERNAME"], params.get("SECRET_HASH"))
        if flow == "USER_PASSWORD_AUTH":
            if not hmac.compare_digest(user.password, params.get("PASSWORD", "")):
                raise Refused("NotAuthorizedException", "Incorrect username or password.")
            return self._after_password(user, params.get("DEVICE_KEY"))
        if flow == "USER_SRP_AUTH":
            big_a = int(params["SRP_A"], 16)
            b, big_b, block = self._server_srp(user.srp_verifier())
            pending = Pending(
                user.username, "password_verifier", params.get("DEVICE_KEY"), srp=(big_a, b, big_b, block)
            )
            parameters = {"SALT": user.srp_salt, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block}
            return self._challenge(
                "PASSWORD_VERIFIER",
                pending,
                {**parameters, "USER_ID_FOR_SRP": user.username, "USERNAME": user.username},
            )
        raise Refused("InvalidParameterException", f"{flow} flow not enabled for this client")

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
        if name == "PASSWORD_VERIFIER":
            pending = self._session(request, "password_verifier")
            user = self.users[pending.user]
            assert pending.srp is not None
            if not self._proof_holds(pending.srp, user.srp_verifier(), POOL_ID.split("_")[1], user.username, answer):
                raise Refused("NotAuthorizedException", "Incorrect username or password.")
            return self._after_password(user, answer.get("DEVICE_KEY", pending.device_key))
        if name in MFA_KINDS:
            pending = self._session(request, name)
            key = "SMS_MFA_CODE" if name == "SMS_MFA" else "EMAIL_OTP_CODE"
            if answer.get(key) != pending.code:
                self.sessions[str(request["Session"])] = pending  # a wrong code may be tried again
                raise Refused("CodeMismatchException", "Invalid code received for user")
            device = self.devices.get(pending.device_key or "")
            return self._issue(self.users[pending.user], device)
        if name == "DEVICE_SRP_AUTH":
            pending = self._session(request, "device_srp")
            device = self.devices[pending.device_key or ""]
            if answer.get("DEVICE_KEY") != device.key:
                raise Refused("NotAuthorizedException", "Device key mismatch.")
            b, big_b, block = self._server_srp(device.verifier)
            state = (int(answer["SRP_A"], 16), b, big_b, block)
            follow = Pending(pending.user, "device_verifier", device.key, srp=state)
            parameters = {"SALT": device.salt_hex, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block}
            return self._challenge("DEVICE_PASSWORD_VERIFIER", follow, {**parameters, "USERNAME": pending.user})
        if name == "DEVICE_PASSWORD_VERIFIER":
            pending = self._session(request, "device_verifier")
            device = self.devices[pending.device_key or ""]
            assert pending.srp is not None
            if answer.get("DEVICE_KEY") != device.key or not self._proof_holds(
                pending.srp, device.verifier, device.group_key, device.key, answer
            ):
                raise Refused("NotAuthorizedException", "Incorrect username or password.")
            device.last_authenticated = self.now()
            return self._after_device(self.users[pending.user], device)
        raise Refused("InvalidParameterException", f"Unexpected challenge {name}")

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
            operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
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
