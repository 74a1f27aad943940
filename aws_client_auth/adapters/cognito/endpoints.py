"""Where a user pool's keys and tokens come from, and the key it has in an identity pool's Logins map."""

from __future__ import annotations


def pool_region(pool_id: str, default: str) -> str:
    region = pool_id.split("_", 1)[0]
    return region if "-" in region else default


def issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def login_key(region: str, pool_id: str) -> str:
    return f"cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(region: str, pool_id: str, endpoint_url: str = "", explicit: str = "") -> str:
    """The configured JWKS URL, else the local endpoint's (a moto server serves it too), else AWS's."""
    if explicit:
        return explicit
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"
    return f"{issuer(region, pool_id)}/.well-known/jwks.json"
