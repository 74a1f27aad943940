"""Login with Amazon and Google as device-flow profiles, and a standard RFC 8628 / OpenID Connect profile that
custom providers can start from."""

from __future__ import annotations

from collections.abc import Mapping

from aws_client_auth.adapters.oauth.device_flow import DeviceFlowProfile
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import GOOGLE, LOGIN_WITH_AMAZON, ProviderName

LWA_LOGIN_KEY = "www.amazon.com"
GOOGLE_LOGIN_KEY = "accounts.google.com"


def _lwa_code_form(profile: DeviceFlowProfile) -> dict[str, str]:
    return {"response_type": "device_code", "client_id": profile.client_id, "scope": profile.scope}


def _lwa_poll_form(profile: DeviceFlowProfile, authorization: DeviceAuthorization) -> dict[str, str]:
    # LWA wants its own grant type name (not the RFC URN) and the user code as well.
    return {
        "grant_type": "device_code",
        "device_code": authorization.device_code.reveal(),
        "user_code": authorization.user_code,
    }


def login_with_amazon(section: Mapping[str, object]) -> DeviceFlowProfile:
    return DeviceFlowProfile(
        name=LOGIN_WITH_AMAZON,
        display="Login with Amazon",
        code_url=str(section["oauth_code_url"]),
        tokens_url=str(section["oauth_tokens_url"]),
        client_id=str(section["app_client_id"]),
        scope=str(section["scope"]),
        code_form=_lwa_code_form,
        poll_form=_lwa_poll_form,
    )


def google(section: Mapping[str, object]) -> DeviceFlowProfile:
    secret = section.get("client_secret")
    return DeviceFlowProfile(
        name=GOOGLE,
        display="Google",
        code_url=str(section["oauth_code_url"]),
        tokens_url=str(section["oauth_tokens_url"]),
        client_id=str(section["app_client_id"]),
        scope=str(section["scope"]),
        client_secret=secret if isinstance(secret, Secret) and secret else None,
        send_secret=True,
    )


def standard(name: str, section: Mapping[str, str]) -> DeviceFlowProfile:
    """Any RFC 8628 provider from its ``[providers.<name>]`` keys: device_authorization_url, token_url,
    client_id, optional client_secret and scope (default ``openid``)."""
    secret = section.get("client_secret")
    return DeviceFlowProfile(
        name=ProviderName(name),
        display=section.get("display_name", name),
        code_url=section["device_authorization_url"],
        tokens_url=section["token_url"],
        client_id=section["client_id"],
        scope=section.get("scope", "openid"),
        client_secret=Secret(secret) if secret else None,
        send_secret=bool(secret),
    )
