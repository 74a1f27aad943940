"""Where a user pool's keys and tokens come from, and the key it has in an identity pool's Logins map."""

from __future__ import annotations

from aws_client_auth.adapters.settings.network import is_loopback_url


def pool_region(pool_id: str, default: str) -> str:
    region = pool_id.split("_", 1)[0]
    return region if "-" in region else default


def issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def login_key(region: str, pool_id: str) -> str:
    return f"cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(region: str, pool_id: str, endpoint_url: str = "", explicit: str = "") -> str:
    """The configured JWKS URL; else a local emulator's (a moto server on this machine serves one); else AWS's.

    A remote ``endpoint_url`` (a proxy, a stand-in, a typo) never chooses the keys: were the JWKS taken from it,
    whoever answers there could mint ID tokens this client would trust. Its tokens are checked against the real
    issuer's keys for the pool's region instead.
    """
    if explicit:
        return explicit
    if endpoint_url and is_loopback_url(endpoint_url):
        return f"{endpoint_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"
    return f"{issuer(region, pool_id)}/.well-known/jwks.json"
