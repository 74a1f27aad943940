"""aws-client-auth: client-side authentication for AWS Cognito.

``from aws_client_auth import ClientAuth`` is the entry for scripts and editor tooling. The facade is loaded on
first use, so importing this package (as the ``credential_process`` fast path does) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_client_auth.entrypoints.scripting import ClientAuth

__all__ = ["ClientAuth"]


def __getattr__(name: str) -> Any:
    if name == "ClientAuth":
        from aws_client_auth.entrypoints.scripting import ClientAuth

        return ClientAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
