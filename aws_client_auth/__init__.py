"""aws-client-auth: client-side authentication for AWS Cognito.

``from aws_client_auth import ClientAuth`` (or ``AsyncClientAuth``) is the entry for scripts and editor tooling.
The facades are loaded on first use, so importing this package (as the ``credential_process`` fast path does)
costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_client_auth.entrypoints.aio import AsyncClientAuth
    from aws_client_auth.entrypoints.scripting import ClientAuth

__all__ = ["AsyncClientAuth", "ClientAuth"]


def __getattr__(name: str) -> Any:
    if name == "ClientAuth":
        from aws_client_auth.entrypoints.scripting import ClientAuth

        return ClientAuth
    if name == "AsyncClientAuth":
        from aws_client_auth.entrypoints.aio import AsyncClientAuth

        return AsyncClientAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
