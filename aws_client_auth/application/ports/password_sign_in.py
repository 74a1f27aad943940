"""Sign-in with a username and password, and the challenges that may follow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from aws_client_auth.domain.errors import UnsupportedChallenge
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, SignInStep
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

    # Choice-based sign-in, custom challenges and sign-in after sign-up. A provider that has none of them keeps
    # these refusals (the device-flow and plug-in providers): each says what this provider cannot do.

    def sign_in_with_factor(
        self,
        username: Username,
        factor: AuthFactor | None,
        password: Secret | None = None,
        *,
        device: RememberedDevice | None = None,
    ) -> SignInStep:
        """Start a sign-in with the preferred first ``factor`` (a password factor needs ``password``), or with
        none: the provider then offers the user's factors (a SELECT_FACTOR challenge)."""
        raise UnsupportedChallenge(f"{username.value}: this provider has no choice of sign-in factor.")

    def sign_in_custom(
        self, username: Username, password: Secret | None = None, *, device: RememberedDevice | None = None
    ) -> SignInStep:
        """Start a sign-in whose challenges the provider's own code defines; ``password`` is proven first."""
        raise UnsupportedChallenge(f"{username.value}: this provider has no custom challenges.")

    def sign_in_after_sign_up(self, username: Username, session: Secret) -> SignInStep:
        """Sign in with the session a sign-up confirmation returned."""
        raise UnsupportedChallenge(f"{username.value}: this provider does not sign in right after sign-up.")

    def answer_factor(self, challenge: Challenge, factor: AuthFactor) -> SignInStep:
        """Answer SELECT_FACTOR; the password factor returns a PASSWORD step (answered by ``answer_password``)."""
        raise UnsupportedChallenge(f"{challenge.provider} has no choice of sign-in factor.")

    def answer_password(self, challenge: Challenge, password: Secret) -> SignInStep:
        raise UnsupportedChallenge(f"{challenge.provider} has no choice of sign-in factor.")

    def answer_passkey(self, challenge: Challenge, credential: Mapping[str, Any]) -> SignInStep:
        """Answer a PASSKEY challenge with the authenticator's assertion (WebAuthn's AuthenticationResponseJSON)."""
        raise UnsupportedChallenge(f"{challenge.provider} does not sign in with passkeys.")

    def answer_custom(self, challenge: Challenge, answer: Secret) -> SignInStep:
        raise UnsupportedChallenge(f"{challenge.provider} has no custom challenges.")
