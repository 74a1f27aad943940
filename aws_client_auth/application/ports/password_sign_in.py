"""Sign-in with a username and password, and the challenges that may follow."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, SignInStep
from aws_client_auth.domain.user import MfaType, Username


class PasswordSignIn(Protocol):
    def sign_in(self, username: Username, password: Secret) -> SignInStep: ...

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        """Answer an SMS, TOTP, email or MFA-setup challenge with a code."""
        ...

    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep: ...

    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep: ...
