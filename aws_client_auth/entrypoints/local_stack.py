"""The embedded local default: a moto server on 127.0.0.1 with a user pool, an app client and an identity pool.

Used by ``client-auth demo`` and by the end-to-end tests, so that both run the same set-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def provision(endpoint_url: str, region: str = REGION) -> LocalStack:
    """Create the pools on a running local server (administrator calls, with dummy keys moto accepts)."""
    idp = _admin_client("cognito-idp", endpoint_url, region)
    pool_id = idp.create_user_pool(
        PoolName="client-auth-demo",
        MfaConfiguration="OFF",
        AutoVerifiedAttributes=["email"],
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
        CognitoIdentityProviders=[
            {"ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}", "ClientId": client_id}
        ],
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
