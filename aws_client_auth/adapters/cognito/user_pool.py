"""A Cognito user pool through boto3 ``cognito-idp``: one adapter for the three ports an app client serves."""

from __future__ import annotations

from aws_client_auth.adapters.cognito.app_client import PASSWORD_FLOW, SRP_FLOW
from aws_client_auth.adapters.cognito.directory import CognitoDirectory
from aws_client_auth.adapters.cognito.sign_in import CognitoSignIn

__all__ = ["PASSWORD_FLOW", "SRP_FLOW", "CognitoUserPool"]


class CognitoUserPool(CognitoDirectory, CognitoSignIn):
    """User management (UserDirectory), sign-in (PasswordSignIn) and refresh (TokenRefresher) for one app client."""
