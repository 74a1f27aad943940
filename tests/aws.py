"""Helpers for tests against moto: pools, clients and real TOTP codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.cognito import endpoints
from aws_client_auth.adapters.cognito.id_tokens import IdTokenVerifier
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.http import HttpClient, JsonFetcher, http_session
from aws_client_auth.adapters.system import SystemSleeper
from aws_client_auth.application.ports.clock import Clock
from aws_client_auth.domain.secret import Secret

# fresh_totp: a code with time left in its window, so no test is flaky at a window's boundary
from aws_client_auth.entrypoints.local_stack import fresh_totp as totp

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

__all__ = ["PASSWORD", "REGION", "Pool", "create_pool", "totp", "user_pool_adapter"]

REGION = "us-west-2"
PASSWORD = "Passw0rd!"


@dataclass
class Pool:
    pool_id: str
    client_id: str
    client_secret: str | None
    admin: CognitoIdentityProviderClient

    def add_user(self, username: str, password: str = PASSWORD, **attributes: str) -> None:
        attrs: list[AttributeTypeTypeDef] = [{"Name": k, "Value": v} for k, v in attributes.items()]
        self.admin.admin_create_user(
            UserPoolId=self.pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS"
        )
        self.admin.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )


def create_pool(endpoint_url: str = "", *, mfa: str = "OFF", secret: bool = False, **pool_args: Any) -> Pool:
    import boto3

    admin: CognitoIdentityProviderClient = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint_url or None,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id = admin.create_user_pool(PoolName="game", MfaConfiguration="OFF", **pool_args)["UserPool"]["Id"]
    if mfa != "OFF":
        admin.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}},
            MfaConfiguration=mfa,  # type: ignore[arg-type]
        )
    client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        GenerateSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return Pool(pool_id, client["ClientId"], client.get("ClientSecret"), admin)


def user_pool_adapter(
    pool: Pool, clock: Clock, *, endpoint_url: str = "", auth_flow: str = "USER_SRP_AUTH", leeway: int = 60
) -> CognitoUserPool:
    from datetime import timedelta

    client = unsigned_client("cognito-idp", region=REGION, endpoint_url=endpoint_url, timeout=5, max_attempts=2)
    verifier = IdTokenVerifier(
        jwks_url=endpoints.jwks_url(REGION, pool.pool_id, endpoint_url),
        issuer=endpoints.issuer(REGION, pool.pool_id),
        audience=pool.client_id,
        leeway=timedelta(seconds=leeway),
        clock=clock,
        fetch=JsonFetcher(HttpClient(http_session(), timeout=5, max_attempts=2, sleeper=SystemSleeper())),
    )
    return CognitoUserPool(
        client,
        pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=Secret(pool.client_secret) if pool.client_secret else None,
        auth_flow=auth_flow,
        verifier=verifier,
        clock=clock,
    )
