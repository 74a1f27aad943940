"""Sign-in to a Cognito user pool: SRP or password, every challenge as a step, and token refresh."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.app_client import (
    PASSWORD_FLOW,
    SESSION_GONE,
    SRP_FLOW,
    TOKEN_REVOKED,
    AppClient,
    challenge_delivery,
    json_list,
    mfa_types,
    session_argument,
)
from aws_client_auth.adapters.cognito.errors import cognito_errors
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.application.ports.token_refresher import TokenRefresher
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, ChallengeKind, SignedIn, SignInStep
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import MfaType, Username

LONGEST_TOKEN_LIFETIME: Final = timedelta(days=1)
"""Cognito's access and ID tokens live from five minutes to one day."""
_CODE_KINDS = {
    ChallengeKind.SMS_CODE: "SMS_MFA_CODE",
    ChallengeKind.TOTP_CODE: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeKind.EMAIL_CODE: "EMAIL_OTP_CODE",
}
_SIMPLE_CHALLENGES = {
    "SMS_MFA": ChallengeKind.SMS_CODE,
    "SOFTWARE_TOKEN_MFA": ChallengeKind.TOTP_CODE,
    "EMAIL_OTP": ChallengeKind.EMAIL_CODE,
    "NEW_PASSWORD_REQUIRED": ChallengeKind.NEW_PASSWORD_REQUIRED,
}


class CognitoSignIn(AppClient, PasswordSignIn, TokenRefresher):
    @checked_answers("Cognito")
    def sign_in(self, username: Username, password: Secret) -> SignInStep:
        if self._auth_flow == PASSWORD_FLOW:
            with cognito_errors():
                answer = self._client.initiate_auth(
                    ClientId=self._client_id,
                    AuthFlow=PASSWORD_FLOW,
                    AuthParameters={
                        "USERNAME": username.value,
                        "PASSWORD": password.reveal(),
                        **self._secret_hash(username.value, "SECRET_HASH"),
                    },
                )
            return self._step(answer, username.value)
        return self._srp_sign_in(username, password)

    def _srp_sign_in(self, username: Username, password: Secret) -> SignInStep:
        ephemeral = srp.new_ephemeral(self._random_bytes)
        with cognito_errors():
            answer = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow=SRP_FLOW,
                AuthParameters={
                    "USERNAME": username.value,
                    "SRP_A": ephemeral.public_hex,
                    **self._secret_hash(username.value, "SECRET_HASH"),
                },
            )
        if answer.get("ChallengeName") != "PASSWORD_VERIFIER":
            return self._step(answer, username.value)
        params = answer["ChallengeParameters"]
        user_id = params["USER_ID_FOR_SRP"]
        internal_name = params.get("USERNAME", user_id)
        try:
            stamp, signature = srp.password_claim(
                ephemeral,
                pool_id=self._pool_id,
                user_id=user_id,
                password=password.reveal(),
                salt_hex=params["SALT"],
                server_b_hex=params["SRP_B"],
                secret_block_b64=params["SECRET_BLOCK"],
                now=self._clock.now(),
            )
        except ValueError as error:
            raise e.ServiceError(f"Cognito's SRP challenge is unusable: {error}.") from None
        responses = {
            "USERNAME": internal_name,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            **self._secret_hash(internal_name, "SECRET_HASH"),
        }
        return self._respond("PASSWORD_VERIFIER", answer.get("Session"), responses, username.value)

    @checked_answers("Cognito")
    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        if challenge.kind is ChallengeKind.MFA_SETUP:
            with cognito_errors({"NotAuthorizedException": SESSION_GONE, "ResourceNotFoundException": SESSION_GONE}):
                verified = self._client.verify_software_token(
                    Session=challenge.session.reveal(), UserCode=code, FriendlyDeviceName="client-auth"
                )
            if verified.get("Status") != "SUCCESS":
                raise e.CodeMismatch("The authenticator code was not accepted: try the current one.")
            session = verified.get("Session") or challenge.session.reveal()
            return self._respond("MFA_SETUP", session, {"USERNAME": name}, challenge.username)
        key = _CODE_KINDS.get(challenge.kind)
        if key is None:
            raise e.InvalidInput(f"A {challenge.kind.value} challenge is not answered with a code.")
        return self._respond(
            challenge.kind.value, challenge.session.reveal(), {"USERNAME": name, key: code}, challenge.username
        )

    @checked_answers("Cognito")
    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        return self._respond(
            "NEW_PASSWORD_REQUIRED",
            challenge.session.reveal(),
            {"USERNAME": name, "NEW_PASSWORD": new_password.reveal()},
            challenge.username,
        )

    @checked_answers("Cognito")
    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        name = challenge.parameters.get("USERNAME", challenge.username)
        return self._respond(
            "SELECT_MFA_TYPE",
            challenge.session.reveal(),
            {"USERNAME": name, "ANSWER": choice.value},
            challenge.username,
        )

    def _respond(self, name: str, session: str | None, responses: dict[str, str], username: str) -> SignInStep:
        if "SECRET_HASH" not in responses:
            responses |= self._secret_hash(responses["USERNAME"], "SECRET_HASH")
        overrides = {"ResourceNotFoundException": SESSION_GONE}
        if name != "PASSWORD_VERIFIER":
            overrides["NotAuthorizedException"] = SESSION_GONE
        with cognito_errors(overrides):
            answer = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=name,  # type: ignore[arg-type]
                ChallengeResponses=responses,
                **session_argument(session),
            )
        return self._step(answer, username)

    def _step(self, answer: Mapping[str, Any], username: str) -> SignInStep:
        result = answer.get("AuthenticationResult")
        if result:
            return SignedIn(self._tokens(result, refresh_token=result.get("RefreshToken")))
        name = answer.get("ChallengeName", "")
        params: dict[str, Any] = dict(answer.get("ChallengeParameters") or {})
        session = Secret(answer.get("Session") or "")
        carried = {"USERNAME": str(params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or username)}
        if name in _SIMPLE_CHALLENGES:
            return Challenge(
                provider=COGNITO,
                kind=_SIMPLE_CHALLENGES[name],
                username=username,
                session=session,
                delivery=challenge_delivery(params),
                parameters=carried,
            )
        if name == "SELECT_MFA_TYPE":
            options = mfa_types(json_list(params.get("MFAS_CAN_CHOOSE")))
            return Challenge(
                COGNITO, ChallengeKind.SELECT_MFA_TYPE, username, session, options=options, parameters=carried
            )
        if name == "MFA_SETUP":
            return self._mfa_setup_challenge(params, session, username, carried)
        raise e.UnsupportedChallenge(
            f"Cognito asked for a {name or 'unnamed'} challenge, which this client does not answer: "
            "check the app client's auth flows and the pool's MFA settings."
        )

    def _mfa_setup_challenge(
        self, params: Mapping[str, Any], session: Secret, username: str, carried: dict[str, str]
    ) -> Challenge:
        can_setup = json_list(params.get("MFAS_CAN_SETUP"))
        if can_setup and "SOFTWARE_TOKEN_MFA" not in can_setup:
            raise e.UnsupportedChallenge(
                f"The pool requires MFA set-up with {', '.join(can_setup)}, but only authenticator-app (TOTP) "
                "set-up can be done during sign-in: give the user a verified phone number or allow TOTP."
            )
        with cognito_errors({"NotAuthorizedException": SESSION_GONE, "ResourceNotFoundException": SESSION_GONE}):
            answer = self._client.associate_software_token(Session=session.reveal())
        setup = self._mfa_setup(answer["SecretCode"], username, answer.get("Session") or session.reveal())
        return Challenge(
            COGNITO,
            ChallengeKind.MFA_SETUP,
            username,
            setup.session or session,
            mfa_setup=setup,
            parameters=carried,
        )

    @checked_answers("Cognito")
    def refresh(self, tokens: Tokens) -> Tokens:
        if tokens.refresh_token is None:
            raise e.SessionExpired("No Cognito refresh token is kept: sign in again.")
        params: dict[str, str] = {"REFRESH_TOKEN": tokens.refresh_token.reveal()}
        if self._client_secret is not None:
            # Cognito wants the hash of the user's sub here, not of the alias typed at sign-in.
            params |= self._secret_hash(tokens.subject or tokens.username or "", "SECRET_HASH")
        with cognito_errors({"NotAuthorizedException": TOKEN_REVOKED}):
            answer = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            )
        result = answer.get("AuthenticationResult")
        if not result:
            raise e.ServiceError("Cognito answered a refresh without tokens.")
        return self._tokens(result, refresh_token=result.get("RefreshToken"))

    def _tokens(self, result: Mapping[str, Any], refresh_token: str | None) -> Tokens:
        """Tokens from an AuthenticationResult, once its ID token is verified.

        A result without an ID token is an error, not a session without identity: the identity pool needs the ID
        token, and skipping its verification would trust the username and subject of an unchecked answer.
        """
        id_token = result.get("IdToken")
        if not isinstance(id_token, str) or not id_token:
            raise e.ServiceError("Cognito answered a sign-in without an ID token: sign in again.")
        claims = self._verifier.verify(id_token)
        return Tokens(
            provider=COGNITO,
            access_token=Secret(result["AccessToken"]),
            id_token=Secret(id_token),
            refresh_token=Secret(refresh_token) if refresh_token else None,
            expires_at=self._clock.now() + token_lifetime(result.get("ExpiresIn", 3600)),
            username=claims.get("cognito:username"),
            subject=claims.get("sub"),
        )


def token_lifetime(expires_in: object) -> timedelta:
    """``ExpiresIn`` as a duration, clamped to what Cognito issues (at most a day).

    A stand-in answering ``1e12`` must neither overflow the date arithmetic nor keep a token "fresh" for years;
    a negative value means already expired.
    """
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or math.isnan(expires_in):
        raise e.ServiceError("Cognito answered with a token lifetime (ExpiresIn) that is not a number.")
    return timedelta(seconds=min(max(expires_in, 0), LONGEST_TOKEN_LIFETIME.total_seconds()))
