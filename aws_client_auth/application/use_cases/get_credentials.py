from __future__ import annotations

from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.domain.credentials import Credentials


class GetCredentials:
    """AWS credentials: authenticated from every signed-in provider, else guest (the Gem's RequestAWSCredentials)."""

    def __init__(self, credentials: CredentialService) -> None:
        self._credentials = credentials

    def execute(self, *, force_refresh: bool = False) -> Credentials:
        return self._credentials.get(force=force_refresh)
