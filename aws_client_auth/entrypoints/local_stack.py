"""The embedded local default: a moto server on 127.0.0.1 with a user pool, an app client and an identity pool,
and the authenticator app a user would hold for its TOTP codes.

Used by ``client-auth demo`` and by the end-to-end tests, so that both run the same set-up.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aws_client_auth.adapters.cognito import endpoints

REGION = "us-east-1"
LOCAL_KEY = "local"  # moto accepts any keys for the administrator calls that create the pools


@dataclass(frozen=True, slots=True)
class LocalStack:
    endpoint_url: str
    region: str
    user_pool_id: str
    app_client_id: str
    identity_pool_id: str

    def settings(self) -> dict[str, dict[str, Any]]:
        return {
            "aws": {"region": self.region, "endpoint_url": self.endpoint_url},
            "cognito": {
                "user_pool_id": self.user_pool_id,
                "app_client_id": self.app_client_id,
                "identity_pool_id": self.identity_pool_id,
                "revoke_on_sign_out": False,  # moto has no RevokeToken
            },
        }

    def toml(self) -> str:
        return (
            f'[aws]\nregion = "{self.region}"\nendpoint_url = "{self.endpoint_url}"\n\n'
            f'[cognito]\nuser_pool_id = "{self.user_pool_id}"\napp_client_id = "{self.app_client_id}"\n'
            f'identity_pool_id = "{self.identity_pool_id}"\n'
            "revoke_on_sign_out = false  # moto has no RevokeToken\n"
        )


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """A moto server on a free port of 127.0.0.1 for the block's duration; yields its endpoint URL."""
    import logging

    from moto.server import ThreadedMotoServer

    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"  # so that a wrong TOTP code is refused
    # No request lines in the narration, and no traceback for the operations moto has not implemented (it answers
    # them with an HTTP 500 the client recognises and falls back from, e.g. GetTokensFromRefreshToken).
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits): the code an authenticator app would show for ``secret``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def fresh_totp(secret: str, margin: float = 6.0) -> str:
    """A code with at least ``margin`` seconds of its 30-second window left, so that it is still current when
    the server checks it (a person would wait for the next code the same way)."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.05)
    return totp(secret)


def provision(endpoint_url: str, region: str = REGION) -> LocalStack:
    """Create the pools on a running local server (administrator calls, with dummy keys moto accepts)."""
    idp = _admin_client("cognito-idp", endpoint_url, region)
    pool_id = idp.create_user_pool(
        PoolName="client-auth-demo",
        MfaConfiguration="OFF",
        AutoVerifiedAttributes=["email"],
        # Codes go to the verified email (moto's default, a phone number first, would report an SMS nobody sent).
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        Policies={"PasswordPolicy": {"MinimumLength": 8}},
    )["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="client-auth-demo",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    identity = _admin_client("cognito-identity", endpoint_url, region)
    identity_pool_id = identity.create_identity_pool(
        IdentityPoolName="client_auth_demo",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": endpoints.login_key(region, pool_id), "ClientId": client_id}],
    )["IdentityPoolId"]
    return LocalStack(endpoint_url, region, pool_id, client_id, identity_pool_id)


def _admin_client(service: str, endpoint_url: str, region: str) -> Any:
    import boto3

    make_client: Any = boto3.client  # typed by service name in the stubs; any service goes here
    return make_client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=LOCAL_KEY,
        aws_secret_access_key=LOCAL_KEY,
    )
