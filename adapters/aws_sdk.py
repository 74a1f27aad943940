"""boto3 clients for the Cognito APIs an app calls without AWS credentials of its own."""

from __future__ import annotations

from typing import Any


def unsigned_client(service: str, *, region: str, endpoint_url: str, timeout: float, max_attempts: int) -> Any:
    """A client with no request signing, a timeout on every call and botocore's bounded standard retries.

    Returned as Any: each adapter types its client with that service's stub.
    """
    import boto3  # heavy: imported only when a Cognito adapter is first built
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        signature_version=UNSIGNED,
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "max_attempts": max_attempts},
    )
    make_client: Any = boto3.session.Session().client  # typed per service by the caller, not here
    return make_client(service, endpoint_url=endpoint_url or None, config=config)
