"""A stand-in for Cognito's managed login and the AWS APIs around it, on 127.0.0.1, for browser sign-in,
machine-token and HTTP-helper tests. moto implements none of it (services.md, section 6).

It follows Cognito's rules where the client's correctness depends on them:

- ``GET /oauth2/authorize``: the client and its exact redirect URI are checked (a mismatch is an error page, never
  a redirect), PKCE S256 is required, scopes must be the client's; a browser with a managed-login session (a
  cookie) comes straight back with a code, others get a login page whose form posts to ``/login`` (sign in, or
  cancel: ``error=access_denied``); ``identity_provider`` signs in a federated user at once (``Google_...``).
- ``POST /oauth2/token``: ``authorization_code`` (single-use codes bound to the client, redirect URI and PKCE
  challenge; the verifier is checked), ``refresh_token`` and ``client_credentials``; confidential clients must
  authenticate with HTTP Basic. Tokens are RS256 JWTs signed with :attr:`ManagedLogin.key`, published at the
  pool's JWKS path (where the client looks at a loopback endpoint).
- ``GET /logout``: ends the browser's session and returns to a registered ``logout_uri``.
- ``POST /`` with ``X-Amz-Target``: Cognito's ``InitiateAuth`` (REFRESH_TOKEN_AUTH), ``GetTokensFromRefreshToken``
  and ``RevokeToken``, and an identity pool's ``GetId`` / ``GetCredentialsForIdentity`` that verify the ID token
  they are given with the same keys (signature, issuer, audience, use, expiry), unlike moto's.
- ``/api/bearer/...``: an API that accepts an access token it issued (and not withdrawn with
  :meth:`ManagedLogin.withdraw`), else 401; ``/api/sigv4/...``: an API that recomputes the SigV4 signature with
  botocore from the credentials the identity pool issued, else 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from aws_client_auth.adapters.oauth.loopback import LoopbackListener, PastedRedirect
from aws_client_auth.adapters.oauth.managed_login import ManagedLoginClient
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.sessions import Sessions
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.application.use_cases.bearer_tokens import UserBearerToken
from aws_client_auth.application.use_cases.browser_sign_in import SignInWithBrowser, SignOutOfBrowser
from aws_client_auth.application.use_cases.machine_token import GetMachineToken
from aws_client_auth.application.use_cases.sign_out import SignOut

REGION = "us-east-1"
POOL_ID = "us-east-1_StandIn"
IDENTITY_POOL_ID = "us-east-1:00000000-0000-4000-8000-000000000016"
LOGIN_KEY = f"cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
ISSUER = f"https://{LOGIN_KEY}"
KID = "stand-in-1"
PUBLIC_CLIENT = "publicclient16"
CONFIDENTIAL_CLIENT = "confidentialclient16"
MACHINE_CLIENT = "machineclient16"
MACHINE_SCOPES = ("games/read", "games/write")
REDIRECT_URI = "http://localhost:53682/callback"
MAX_REQUEST = 64 * 1024

SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def free_port() -> int:
    """A port nothing listens on now (for a redirect URI to register on the stand-in)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def loopback_redirect_uri(server: ManagedLogin, client_id: str = PUBLIC_CLIENT, host: str = "127.0.0.1") -> str:
    """A fresh loopback redirect URI, registered on ``client_id`` (as callback and sign-out URL)."""
    uri = f"http://{host}:{free_port()}/callback"
    server.register_redirect(client_id, uri)
    return uri


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class User:
    username: str
    password: str
    sub: str
    email: str


@dataclass
class AppClient:
    client_id: str
    secret: str | None = None
    redirect_uris: tuple[str, ...] = ()
    logout_uris: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("openid", "email", "profile", "aws.cognito.signin.user.admin")
    client_credentials: bool = False


@dataclass
class Grant:
    """An authorization code's binding."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    scopes: tuple[str, ...]
    username: str
    expires: float
    used: bool = False


@dataclass
class Refresh:
    client_id: str
    username: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class Issued:
    """Credentials the identity pool handed out: the API recomputes SigV4 signatures with them."""

    secret_key: str
    session_token: str
    identity_id: str
    expires: float


@dataclass
class ManagedLogin:
    url: str = ""
    lifetime: int = 3600
    """``expires_in`` of the tokens issued (the JWTs' ``exp`` follows it)."""
    users: dict[str, User] = field(default_factory=dict)
    federated: dict[str, User] = field(default_factory=dict)
    """Users of identity providers federated through the pool, by provider name."""
    clients: dict[str, AppClient] = field(default_factory=dict)
    identity_pool_clients: tuple[str, ...] = (PUBLIC_CLIENT, CONFIDENTIAL_CLIENT)
    counts: Counter[str] = field(default_factory=Counter)
    """Requests per operation: ``authorize``, ``login``, ``token:<grant>``, ``logout``, ``InitiateAuth``, ..."""
    token_forms: list[dict[str, str]] = field(default_factory=list)
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    slow_token: float = 0.0
    """Seconds the token endpoint waits before answering (so that concurrent fetches would overlap)."""
    grant_scope: bool = False
    """Name the scopes granted in client-credentials answers (RFC 6749 5.1 allows leaving it out; Cognito does)."""
    in_flight: int = 0
    most_in_flight: int = 0
    """The most token requests this server was answering at once."""
    key: rsa.RSAPrivateKey = SIGNING_KEY
    codes: dict[str, Grant] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    browser_sessions: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, Refresh] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)
    refuse_all: bool = False
    """The bearer API refuses every token (a permission the token will never have)."""
    authorizations: list[str | None] = field(default_factory=list)
    """The Authorization header of every bearer API request, as received."""
    identities: dict[str, str] = field(default_factory=dict)
    issued: dict[str, Issued] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    # --- set-up ------------------------------------------------------------------------------------------

    @classmethod
    def standard(cls) -> ManagedLogin:
        """Alice with a password, a Google-federated Bob, a public and a confidential app client registered for
        :data:`REDIRECT_URI` (also as their sign-out URL), and a machine client with two custom scopes."""
        server = cls()
        server.add_user("alice", "Passw0rd!", email="alice@example.com")
        server.federated["Google"] = User("Google_1170000001", "", "sub-google-bob", "bob@example.com")
        server.clients[PUBLIC_CLIENT] = AppClient(PUBLIC_CLIENT, None, (REDIRECT_URI,), (REDIRECT_URI,))
        server.clients[CONFIDENTIAL_CLIENT] = AppClient(
            CONFIDENTIAL_CLIENT, "confidential-secret-16-0123456789ab", (REDIRECT_URI,), (REDIRECT_URI,)
        )
        server.clients[MACHINE_CLIENT] = AppClient(
            MACHINE_CLIENT, "machine-secret-16-0123456789abcdef", scopes=MACHINE_SCOPES, client_credentials=True
        )
        return server

    def add_user(self, username: str, password: str, *, email: str) -> User:
        user = User(username, password, f"sub-{username}-{next(self._ids):04d}", email)
        self.users[username] = user
        return user

    def register_redirect(self, client_id: str, uri: str) -> None:
        client = self.clients[client_id]
        client.redirect_uris += (uri,)
        client.logout_uris += (uri,)

    @property
    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def withdraw(self, access_token: str) -> None:
        """The API refuses this access token from now on (401), as after a revocation it does not know of."""
        self.withdrawn.add(access_token)

    # --- tokens ------------------------------------------------------------------------------------------

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def _user_tokens(self, client_id: str, user: User, scopes: tuple[str, ...], nonce: str | None) -> dict[str, Any]:
        now = int(time.time())
        base = {"iss": ISSUER, "sub": user.sub, "iat": now, "exp": now + self.lifetime, "auth_time": now}
        id_claims = {
            **base,
            "aud": client_id,
            "token_use": "id",
            "cognito:username": user.username,
            "email": user.email,
            "jti": secrets.token_hex(8),
        }
        if nonce is not None:
            id_claims["nonce"] = nonce
        access_claims = {
            **base,
            "client_id": client_id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "username": user.username,
            "jti": secrets.token_hex(8),
        }
        return {
            "id_token": self._sign(id_claims),
            "access_token": self._sign(access_claims),
            "expires_in": self.lifetime,
            "token_type": "Bearer",
        }

    def _machine_token(self, client_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": client_id,
            "client_id": client_id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_hex(8),
        }
        return {"access_token": self._sign(claims), "expires_in": self.lifetime, "token_type": "Bearer"}

    def verify(self, token: str, *, use: str, audience: str | None = None) -> dict[str, Any] | None:
        """The claims of a token this server issued and that is still valid, else None."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["RS256"],
                issuer=ISSUER,
                audience=audience,
                options={"verify_aud": audience is not None},
            )
        except jwt.PyJWTError:
            return None
        return claims if claims.get("token_use") == use else None

    # --- the browser's side ------------------------------------------------------------------------------

    def authorize(  # noqa: PLR0911 - one answer per rule of the authorization endpoint
        self, query: dict[str, str], cookie: str | None
    ) -> tuple[int, dict[str, str], str]:
        self.authorize_queries.append(query)
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            return _error_page("invalid_client: no such app client")
        redirect = query.get("redirect_uri", "")
        if redirect not in client.redirect_uris:
            return _error_page("redirect_mismatch: the redirect URI is not registered on the app client")
        state = query.get("state")

        def back(**params: str) -> tuple[int, dict[str, str], str]:
            return _redirect(redirect, {**params, **({"state": state} if state is not None else {})})

        if query.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE (S256) is required")
        asked = tuple(query["scope"].split()) if "scope" in query else client.scopes
        if any(scope not in client.scopes for scope in asked):
            return back(error="invalid_scope", error_description="a scope is not allowed for this client")
        request = {**query, "scope": " ".join(asked)}
        provider = query.get("identity_provider")
        if provider is not None:
            user = self.federated.get(provider)
            if user is None:
                return back(error="invalid_request", error_description=f"{provider} is not a provider of this pool")
            return self._signed_in(request, user, new_session=True)
        username = self.browser_sessions.get(cookie or "")
        if username is not None:
            return self._signed_in(request, self._any_user(username), new_session=False)
        request_id = secrets.token_urlsafe(12)
        self.pending[request_id] = request
        return 200, {"Content-Type": "text/html; charset=utf-8"}, _login_page(request_id)

    def login(self, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        request = self.pending.pop(form.get("request", ""), None)
        if request is None:
            return _error_page("The sign-in request expired: start again.")
        state = request.get("state")
        if form.get("action") == "cancel":
            params = {"error": "access_denied", "error_description": "The user cancelled the sign-in"}
            return _redirect(request["redirect_uri"], {**params, **({"state": state} if state else {})})
        user = self.users.get(form.get("username", ""))
        if user is None or not hmac.compare_digest(user.password, form.get("password", "")):
            request_id = secrets.token_urlsafe(12)
            self.pending[request_id] = request
            return 200, {"Content-Type": "text/html; charset=utf-8"}, _login_page(request_id, "Incorrect password.")
        return self._signed_in(request, user, new_session=True)

    def _signed_in(self, request: dict[str, str], user: User, *, new_session: bool) -> tuple[int, dict[str, str], str]:
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            client_id=request["client_id"],
            redirect_uri=request["redirect_uri"],
            challenge=request["code_challenge"],
            nonce=request.get("nonce"),
            scopes=tuple(request["scope"].split()),
            username=user.username,
            expires=time.time() + 300,
        )
        params = {"code": code, **({"state": request["state"]} if "state" in request else {})}
        status, headers, body = _redirect(request["redirect_uri"], params)
        if new_session:
            cookie = secrets.token_urlsafe(16)
            self.browser_sessions[cookie] = user.username
            headers["Set-Cookie"] = f"cognito={cookie}; Path=/; HttpOnly"
        return status, headers, body

    def _any_user(self, username: str) -> User:
        federated = {user.username: user for user in self.federated.values()}
        return self.users.get(username) or federated[username]

    def logout(self, query: dict[str, str], cookie: str | None) -> tuple[int, dict[str, str], str]:
        client = self.clients.get(query.get("client_id", ""))
        if client is None or query.get("logout_uri") not in client.logout_uris:
            return _error_page("The sign-out URL is not registered on the app client.")
        self.browser_sessions.pop(cookie or "", None)
        status, headers, body = _redirect(query["logout_uri"], {})
        headers["Set-Cookie"] = "cognito=; Path=/; Max-Age=0"
        return status, headers, body

    # --- the token endpoint --------------------------------------------------------------------------------

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        with self._lock:
            self.counts[f"token:{grant}"] += 1
            self.token_forms.append(form)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.slow_token:
                time.sleep(self.slow_token)
            return self._token(grant, form, authorization)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _token(  # noqa: PLR0911 - one answer per grant and per rule of the token endpoint
        self, grant: str, form: dict[str, str], authorization: str | None
    ) -> tuple[int, dict[str, Any]]:
        client = self._client(form, authorization)
        if client is None:
            return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
        if grant == "authorization_code":
            return self._code_grant(client, form)
        if grant == "refresh_token":
            refresh = self.refresh_tokens.get(form.get("refresh_token", ""))
            if refresh is None or refresh.revoked or refresh.client_id != client.client_id:
                return 400, {"error": "invalid_grant"}
            return 200, self._user_tokens(client.client_id, self._any_user(refresh.username), refresh.scopes, None)
        if grant == "client_credentials":
            if not client.client_credentials or client.secret is None:
                return 400, {"error": "unauthorized_client"}
            asked = tuple(form["scope"].split()) if "scope" in form else client.scopes
            if any(scope not in client.scopes for scope in asked):
                return 400, {"error": "invalid_scope"}
            answer = self._machine_token(client.client_id, asked)
            return 200, {**answer, "scope": " ".join(asked)} if self.grant_scope else answer
        return 400, {"error": "unsupported_grant_type"}

    def _client(self, form: dict[str, str], authorization: str | None) -> AppClient | None:
        """Confidential clients authenticate with HTTP Basic; public ones name themselves in the form."""
        if authorization and authorization.startswith("Basic "):
            try:
                pair = base64.b64decode(authorization[6:], validate=True).decode()
            except ValueError:
                return None
            name, _, secret = pair.partition(":")
            client = self.clients.get(unquote(name))
            if client is None or client.secret is None or not hmac.compare_digest(client.secret, unquote(secret)):
                return None
            return client
        client = self.clients.get(form.get("client_id", ""))
        return client if client is not None and client.secret is None else None

    def _code_grant(self, client: AppClient, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            grant = self.codes.get(form.get("code", ""))
            if grant is None or grant.used or grant.expires < time.time() or grant.client_id != client.client_id:
                return 400, {"error": "invalid_grant"}
            grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        verifier = form.get("code_verifier", "")
        if not verifier or b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        user = self._any_user(grant.username)
        answer = self._user_tokens(client.client_id, user, grant.scopes, grant.nonce)
        refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = Refresh(client.client_id, user.username, grant.scopes)
        return 200, {**answer, "refresh_token": refresh}

    # --- the AWS JSON APIs ---------------------------------------------------------------------------------

    def aws(self, target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        operation = target.rsplit(".", 1)[-1]
        self.counts[operation] += 1
        handler = {
            "InitiateAuth": self._initiate_auth,
            "GetTokensFromRefreshToken": self._tokens_from_refresh,
            "RevokeToken": self._revoke,
            "GetId": self._get_id,
            "GetCredentialsForIdentity": self._get_credentials,
        }.get(operation)
        if handler is None:
            return 400, {"__type": "UnknownOperationException", "message": f"{operation} is not implemented"}
        return handler(body)

    def _refreshed(self, token: str, client_id: str) -> tuple[int, dict[str, Any]]:
        refresh = self.refresh_tokens.get(token)
        if refresh is None or refresh.revoked or refresh.client_id != client_id:
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid Refresh Token"}
        tokens = self._user_tokens(client_id, self._any_user(refresh.username), refresh.scopes, None)
        return 200, {
            "AuthenticationResult": {
                "AccessToken": tokens["access_token"],
                "IdToken": tokens["id_token"],
                "ExpiresIn": self.lifetime,
                "TokenType": "Bearer",
            }
        }

    def _initiate_auth(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("AuthFlow") != "REFRESH_TOKEN_AUTH":
            return 400, {"__type": "InvalidParameterException", "message": "only REFRESH_TOKEN_AUTH here"}
        params = body.get("AuthParameters", {})
        client = self.clients.get(body.get("ClientId", ""))
        refresh = self.refresh_tokens.get(params.get("REFRESH_TOKEN", ""))
        if client is None or refresh is None:
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid Refresh Token"}
        if client.secret is not None:
            user = self._any_user(refresh.username)
            expected = base64.b64encode(
                hmac.new(client.secret.encode(), (user.sub + client.client_id).encode(), hashlib.sha256).digest()
            ).decode()
            if params.get("SECRET_HASH") != expected:
                return 400, {"__type": "NotAuthorizedException", "message": "SecretHash does not match"}
        return self._refreshed(params["REFRESH_TOKEN"], client.client_id)

    def _tokens_from_refresh(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        client = self.clients.get(body.get("ClientId", ""))
        if client is None or (client.secret is not None and body.get("ClientSecret") != client.secret):
            return 400, {"__type": "NotAuthorizedException", "message": "Client authentication failed"}
        return self._refreshed(body.get("RefreshToken", ""), client.client_id)

    def _revoke(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        refresh = self.refresh_tokens.get(body.get("Token", ""))
        if refresh is not None and refresh.client_id == body.get("ClientId"):
            refresh.revoked = True
        return 200, {}

    def _login_subjects(self, logins: dict[str, str]) -> list[str] | None:
        """The users the logins prove, each ID token verified as Cognito's identity pools do; None if one fails."""
        subjects = []
        for key, token in logins.items():
            if key != LOGIN_KEY:
                return None
            claims = None
            for client_id in self.identity_pool_clients:
                claims = self.verify(token, use="id", audience=client_id) or claims
            if claims is None:
                return None
            subjects.append(str(claims["sub"]))
        return subjects

    def _get_id(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("IdentityPoolId") != IDENTITY_POOL_ID:
            return 400, {"__type": "ResourceNotFoundException", "message": "IdentityPool not found"}
        subjects = self._login_subjects(body.get("Logins") or {})
        if not subjects:
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid login token"}
        identity = self.identities.setdefault(subjects[0], f"{REGION}:{secrets.token_hex(4)}-{subjects[0]}")
        return 200, {"IdentityId": identity}

    def _get_credentials(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        subjects = self._login_subjects(body.get("Logins") or {})
        if not subjects or self.identities.get(subjects[0]) != body.get("IdentityId"):
            return 400, {"__type": "NotAuthorizedException", "message": "Invalid login token"}
        access_key = f"ASIA{secrets.token_hex(8).upper()}"
        issued = Issued(secrets.token_urlsafe(30), secrets.token_urlsafe(60), body["IdentityId"], time.time() + 3600)
        self.issued[access_key] = issued
        return 200, {
            "IdentityId": issued.identity_id,
            "Credentials": {
                "AccessKeyId": access_key,
                "SecretKey": issued.secret_key,
                "SessionToken": issued.session_token,
                "Expiration": issued.expires,
            },
        }

    # --- the APIs behind Cognito -------------------------------------------------------------------------

    def bearer_api(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """``/api/bearer/id/...`` wants an ID token, any other ``/api/bearer/...`` an access token; both with
        ``Bearer`` or bare (as AppSync and API Gateway REST authorizers take it)."""
        with self._lock:
            self.counts["api:bearer"] += 1
            self.authorizations.append(authorization)
        token = (authorization or "").removeprefix("Bearer ")
        use = "id" if path.startswith("/api/bearer/id/") else "access"
        claims = self.verify(token, use=use) if token not in self.withdrawn and not self.refuse_all else None
        if claims is None:
            return 401, {"message": "Unauthorized"}
        return 200, {"sub": claims["sub"], "scope": claims.get("scope", ""), "token_use": use}

    def sigv4_api(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """Recomputes the signature with botocore, over the headers the request says it signed."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        self.counts["api:sigv4"] += 1
        lowered = {name.lower(): value for name, value in headers.items()}
        match = re.match(
            r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
            r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$",
            lowered.get("authorization", ""),
        )
        if match is None:
            return 403, {"message": "Missing or malformed Authorization"}
        access_key, _, region, service, signed, signature = match.groups()
        issued = self.issued.get(access_key)
        if issued is None or issued.expires < time.time():
            return 403, {"message": "The security token included in the request is invalid"}
        if lowered.get("x-amz-security-token") != issued.session_token:
            return 403, {"message": "The security token included in the request is invalid"}
        signed_headers = {name: lowered[name] for name in signed.split(";") if name in lowered}
        request = AWSRequest(method=method, url=url, data=body, headers=signed_headers)
        amz_date = lowered.get("x-amz-date", "")
        request.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(access_key, issued.secret_key, issued.session_token), service, region)
        stamp = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if abs(stamp.timestamp() - time.time()) > 300:
            return 403, {"message": "Signature expired"}
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, signature):
            return 403, {"message": "The request signature we calculated does not match the signature you provided"}
        return 200, {"identity": issued.identity_id, "service": service, "region": region}


def _redirect(uri: str, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
    location = f"{uri}?{urlencode(params, quote_via=quote)}" if params else uri
    return 302, {"Location": location, "Content-Type": "text/html"}, ""


def _error_page(message: str) -> tuple[int, dict[str, str], str]:
    return 400, {"Content-Type": "text/html; charset=utf-8"}, f"<html><body><p>{html.escape(message)}</p></body></html>"


def _login_page(request_id: str, message: str = "") -> str:
    return (
        "<html><body><h1>Sign in</h1>"
        + (f"<p class='error'>{html.escape(message)}</p>" if message else "")
        + "<form method='post' action='/login'>"
        f"<input type='hidden' name='request' value='{request_id}'>"
        "<input name='username'><input name='password' type='password'>"
        "<button name='action' value='sign_in'>Sign in</button>"
        "<button name='action' value='cancel'>Cancel</button></form></body></html>"
    )


def _one(values: dict[str, list[str]]) -> dict[str, str]:
    return {name: found[0] for name, found in values.items()}


@contextmanager
def managed_login(server: ManagedLogin | None = None) -> Iterator[ManagedLogin]:
    """The stand-in on a free port of 127.0.0.1 (``http``, which the endpoint policy allows for loopback)."""
    state = server or ManagedLogin.standard()

    class Handler(BaseHTTPRequestHandler):
        timeout = 10

        def _cookie(self) -> str | None:
            found = re.search(r"(?:^|;\s*)cognito=([^;]*)", self.headers.get("Cookie", ""))
            return found.group(1) if found else None

        def _body(self) -> bytes:
            length = min(int(self.headers.get("Content-Length", "0") or 0), MAX_REQUEST)
            return self.rfile.read(length)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict[str, Any], kind: str = "application/json") -> None:
            self._send(status, {"Content-Type": kind}, json.dumps(data).encode())

        def _page(self, answer: tuple[int, dict[str, str], str]) -> None:
            status, headers, body = answer
            self._send(status, headers, body.encode())

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = _one(parse_qs(parts.query))
            if parts.path == "/oauth2/authorize":
                state.counts["authorize"] += 1
                self._page(state.authorize(query, self._cookie()))
            elif parts.path == "/logout":
                state.counts["logout"] += 1
                self._page(state.logout(query, self._cookie()))
            elif parts.path == f"/{POOL_ID}/.well-known/jwks.json":
                state.counts["jwks"] += 1
                self._json(200, state.jwks)
            elif parts.path.startswith("/api/"):
                self._api("GET", b"")
            else:
                self._json(404, {"message": "not found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            body = self._body()
            if parts.path == "/login":
                state.counts["login"] += 1
                self._page(state.login(_one(parse_qs(body.decode()))))
            elif parts.path == "/oauth2/token":
                form = _one(parse_qs(body.decode()))
                self._json(*state.token(form, self.headers.get("Authorization")))
            elif parts.path == "/" and self.headers.get("X-Amz-Target"):
                status, data = state.aws(self.headers["X-Amz-Target"], json.loads(body or b"{}"))
                self._json(status, data, "application/x-amz-json-1.1")
            elif parts.path.startswith("/api/"):
                self._api("POST", body)
            else:
                self._json(404, {"message": "not found"})

        def _api(self, method: str, body: bytes) -> None:
            if self.path.startswith("/api/bearer/"):
                self._json(*state.bearer_api(self.path, self.headers.get("Authorization")))
            elif self.path.startswith("/api/redirect"):
                location = _one(parse_qs(urlsplit(self.path).query)).get("to", "/")
                self._send(302, {"Location": location}, b"")
            else:
                url = f"{state.url}{self.path}"
                self._json(*state.sigv4_api(method, url, dict(self.headers.items()), body))

        def log_message(self, format: str, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    state.url = f"http://127.0.0.1:{http.server_address[1]}"
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        http.shutdown()
        http.server_close()


# --- a browser, as far as these flows need one ---------------------------------------------------------------


@dataclass
class Person:
    """What the person at the browser does on the login page."""

    username: str = "alice"
    password: str = "Passw0rd!"
    cancels: bool = False


@dataclass
class FakeBrowser:
    """Follows a URL as a browser would: redirects (to the loopback listener too), cookies, and the login form,
    filled in by :attr:`person`. ``open`` returns at once and runs in the background, like a real browser."""

    person: Person = field(default_factory=Person)
    session: requests.Session = field(default_factory=requests.Session)
    pages: list[requests.Response] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    tamper: Any = None
    """Optional ``str -> str`` applied to every redirect Location before it is followed (a forged answer)."""
    _threads: list[threading.Thread] = field(default_factory=list)

    def open(self, url: str) -> bool:
        thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._threads.append(thread)
        thread.start()
        return True

    def _run(self, url: str) -> None:
        try:
            self.pages.append(self.follow(url))
        except BaseException as error:  # recorded for the test to look at
            self.errors.append(error)

    def follow(self, url: str) -> requests.Response:
        for _ in range(10):
            self.visited.append(url)
            response = self.session.get(url, allow_redirects=False, timeout=15)
            if response.is_redirect:
                url = response.headers["Location"]
                if self.tamper is not None:
                    url = self.tamper(url)
                continue
            form = re.search(r"name='request' value='([^']+)'", response.text)
            if response.status_code == 200 and form is not None:
                action = "cancel" if self.person.cancels else "sign_in"
                data = {
                    "request": form.group(1),
                    "username": self.person.username,
                    "password": self.person.password,
                    "action": action,
                }
                base = urlsplit(url)
                response = self.session.post(
                    f"{base.scheme}://{base.netloc}/login", data=data, allow_redirects=False, timeout=15
                )
                if response.is_redirect:
                    url = response.headers["Location"]
                    if self.tamper is not None:
                        url = self.tamper(url)
                    continue
            return response
        raise AssertionError("too many redirects")

    def wait(self, timeout: float = 15) -> None:
        for thread in self._threads:
            thread.join(timeout)


# --- the adapters wired against the stand-in, as the container will bind them ---------------------------------


@dataclass
class Wired:
    """The real adapters and use cases of browser sign-in, machine tokens and the HTTP helpers, composed the way
    the container's bindings compose them (see the issue's wiring notes), against a stand-in."""

    server: ManagedLogin
    home: Path
    redirect_uri: str
    clock: Clock
    events: Any
    sessions: Sessions
    registry: ProviderRegistry
    tokens: TokenKeeper
    credentials: CredentialService
    login: ManagedLoginClient
    sign_in_with_browser: SignInWithBrowser
    sign_out: SignOut
    sign_out_of_browser: SignOutOfBrowser
    bearer: UserBearerToken
    machine: GetMachineToken

    def listener(self) -> LoopbackListener:
        return LoopbackListener(self.redirect_uri)

    def pasted_from(self, read: Callable[[], str]) -> PastedRedirect:
        """``--no-browser``: what the user pastes, as ``read`` gives it."""
        return PastedRedirect(read, self.redirect_uri)


def wire(
    server: ManagedLogin,
    home: Path,
    redirect_uri: str,
    *,
    client_id: str = PUBLIC_CLIENT,
    profile: str = "default",
    scopes: str = "openid email",
    clock: Clock | None = None,
    events: Any = None,
) -> Wired:
    from datetime import timedelta

    from aws_client_auth.adapters.aws_sdk import unsigned_client
    from aws_client_auth.adapters.cognito import endpoints
    from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
    from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
    from aws_client_auth.adapters.http import HttpClient, JsonFetcher, http_session
    from aws_client_auth.adapters.identity_pool import CognitoIdentityPool
    from aws_client_auth.adapters.oauth.client_auth import token_endpoint_http
    from aws_client_auth.adapters.oauth.client_credentials import ClientCredentialsClient
    from aws_client_auth.adapters.oauth.token_cache import FileMachineTokenCache
    from aws_client_auth.adapters.oauth.transport import OAuthTransport
    from aws_client_auth.adapters.settings.network import machine_token_url, managed_login_url
    from aws_client_auth.adapters.stores.file import FileSessionStore
    from aws_client_auth.adapters.system import SystemClock, SystemSleeper
    from aws_client_auth.application.services.providers import AuthProvider
    from aws_client_auth.domain.secret import Secret
    from aws_client_auth.domain.tokens import COGNITO, LoginToken
    from tests.fakes import RecordingEvents

    clock = clock or SystemClock()
    events = events if events is not None else RecordingEvents()
    sleeper = SystemSleeper()
    secret = server.clients[client_id].secret
    client_secret = Secret(secret) if secret else None
    sessions = Sessions(FileSessionStore(home, profile, f"{POOL_ID}/{client_id}/{IDENTITY_POOL_ID}@{server.url}"))
    http = HttpClient(http_session(), timeout=5, max_attempts=2, sleeper=sleeper)
    verifier = IdTokenVerifier(
        jwks_url=endpoints.jwks_url(REGION, POOL_ID, server.url),
        issuer=endpoints.issuer(REGION, POOL_ID),
        audience=client_id,
        leeway=timedelta(seconds=60),
        clock=clock,
        fetch=JsonFetcher(http),
    )
    idp = unsigned_client("cognito-idp", region=REGION, endpoint_url=server.url, timeout=5, max_attempts=2)
    pool = CognitoUserPool(
        idp,
        pool_id=POOL_ID,
        client_id=client_id,
        client_secret=client_secret,
        auth_flow="USER_SRP_AUTH",
        verifier=verifier,
        clock=clock,
    )
    registry = ProviderRegistry(
        [
            AuthProvider(
                COGNITO,
                endpoints.login_key(REGION, POOL_ID),
                LoginToken.ID,
                refresher=pool,
                password=pool,
                directory=pool,
            )
        ]
    )
    tokens = TokenKeeper(sessions, registry, clock, events, timedelta(seconds=300))
    identity = CognitoIdentityPool(
        unsigned_client("cognito-identity", region=REGION, endpoint_url=server.url, timeout=5, max_attempts=2),
        pool_id=IDENTITY_POOL_ID,
        clock=clock,
    )
    credentials = CredentialService(sessions, registry, tokens, identity, clock, events)
    login = ManagedLoginClient(
        base_url=managed_login_url(server.url, REGION),
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        transport=OAuthTransport(
            token_endpoint_http(client_id, client_secret, timeout=5, max_attempts=2, sleeper=sleeper)
        ),
        verifier=verifier,
        clock=clock,
        confidential=client_secret is not None,
    )
    sign_out = SignOut(registry, sessions, events)
    machine_secret = Secret(server.clients[MACHINE_CLIENT].secret or "")
    token_url = machine_token_url("", server.url, REGION)
    machine = GetMachineToken(
        ClientCredentialsClient(
            token_url=token_url,
            client_id=MACHINE_CLIENT,
            has_secret=bool(machine_secret),
            transport=OAuthTransport(
                token_endpoint_http(MACHINE_CLIENT, machine_secret, timeout=5, max_attempts=2, sleeper=sleeper)
            ),
            clock=clock,
        ),
        FileMachineTokenCache(home, profile, f"{token_url} {MACHINE_CLIENT}"),
        clock,
        events,
        default_scopes="games/read",
    )
    return Wired(
        server=server,
        home=home,
        redirect_uri=redirect_uri,
        clock=clock,
        events=events,
        sessions=sessions,
        registry=registry,
        tokens=tokens,
        credentials=credentials,
        login=login,
        sign_in_with_browser=SignInWithBrowser(login, sessions, events),
        sign_out=sign_out,
        sign_out_of_browser=SignOutOfBrowser(sign_out, login, events),
        bearer=UserBearerToken(tokens, sessions),
        machine=machine,
    )


def browse(argv: list[str]) -> int:
    """``python -m tests.managed_login browse URL``: a ``BROWSER`` command for ``webbrowser`` (and for the CLI run
    as a subprocess) that follows URL as :class:`FakeBrowser` does. The person at the keyboard is described by
    ``STAND_IN_USER``, ``STAND_IN_PASSWORD`` and ``STAND_IN_CANCEL=1``."""
    import os
    import sys

    if len(argv) != 2 or argv[0] != "browse":
        print("usage: python -m tests.managed_login browse URL", file=sys.stderr)
        return 2
    person = Person(
        username=os.environ.get("STAND_IN_USER", "alice"),
        password=os.environ.get("STAND_IN_PASSWORD", "Passw0rd!"),
        cancels=os.environ.get("STAND_IN_CANCEL") == "1",
    )
    page = FakeBrowser(person=person).follow(argv[1])
    print(f"{page.status_code} {page.url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(browse(sys.argv[1:]))
