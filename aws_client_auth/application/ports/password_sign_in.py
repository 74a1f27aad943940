"""Sign-in with a username and password, and the challenges that may follow."""

from __future__ import annotations

from typing import Protocol

from aws_client_auth.domain.errors import UnsupportedChallenge
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, SignInStep
from aws_client_auth.domain.user import Email, MfaType, RememberedDevice, Username


class PasswordSignIn(Protocol):
    def sign_in(self, username: Username, password: Secret, *, device: RememberedDevice | None = None) -> SignInStep:
        """Start a sign-in. From a remembered ``device`` (this user's, kept from an earlier sign-in) the provider
        may skip MFA; a sign-in that makes this machine a tracked device returns tokens carrying it."""
        ...

    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        """Answer an SMS, TOTP, email or MFA-setup challenge with a code."""
        ...

    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep: ...

    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        """Answer SELECT_MFA_TYPE (the method to use), or an MFA_SETUP offering several (the method to set up)."""
        ...

    def answer_email(self, challenge: Challenge, email: Email) -> SignInStep:
        """Answer an email MFA set-up with the address codes go to; a code sent there is the next step.

        A provider that never offers email MFA set-up keeps this refusal.
        """
        raise UnsupportedChallenge(f"{challenge.provider} does not set up email MFA during sign-in.")
