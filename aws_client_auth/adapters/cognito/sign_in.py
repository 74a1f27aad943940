"""Sign-in to a Cognito user pool: SRP or password, choice-based sign-in (``USER_AUTH``: a password, a one-time
code by email or SMS, or a passkey), custom challenges (``CUSTOM_AUTH``), every challenge as a step, and this
machine as the user's remembered device (confirmed when Cognito announces it, proven by device SRP on later
sign-ins)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from aws_client_auth.adapters.boundary import checked_answers
from aws_client_auth.adapters.cognito import srp, wire
from aws_client_auth.adapters.cognito.app_client import (
    CHOICE_FLOW,
    CUSTOM_FLOW,
    PASSWORD_FLOW,
    SESSION_GONE,
    AppClient,
    challenge_delivery,
    session_argument,
)
from aws_client_auth.adapters.cognito.devices import CognitoDevices
from aws_client_auth.adapters.cognito.errors import ErrorType, cognito_errors
from aws_client_auth.application.ports.password_sign_in import PasswordSignIn
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Answer, AuthFactor, Challenge, ChallengeKind, SignedIn, SignInStep
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import Email, MfaType, RememberedDevice, Username

log = logging.getLogger(__name__)
_SIMPLE_CHALLENGES = frozenset(
    {
        ChallengeKind.SMS_CODE,
        ChallengeKind.TOTP_CODE,
        ChallengeKind.EMAIL_CODE,
        ChallengeKind.SMS_OTP,
        ChallengeKind.NEW_PASSWORD_REQUIRED,
    }
)
MAX_PUBLIC_PARAMETERS = 32
MAX_PUBLIC_TEXT = 4096
MAX_PUBLIC_NAME = 128
MAX_PASSKEY_REQUEST = 64 * 1024
_ANSWER_REFUSED = (
    e.SessionExpired,
    "Cognito did not accept the answer and ended this sign-in (or its session expired): sign in again.",
)
"""A refused custom-challenge or passkey answer: the pool's triggers failed the sign-in, so its session is gone."""
_WRONG_PASSWORD = (e.NotAuthorized, "Incorrect username or password.")
_SET_UP_DURING_SIGN_IN = (MfaType.TOTP, MfaType.EMAIL)
"""What Cognito lets a user set up while signing in: SMS needs a phone number, which only an account has."""


class DeviceRefused(e.NotAuthorized):
    """Cognito no longer accepts this machine's device keys (forgotten, or confirmed anew elsewhere)."""


_DEVICE_REFUSED = (DeviceRefused, "Cognito no longer knows this machine as your device: sign in again.")


class CognitoSignIn(PasswordSignIn):
    def __init__(self, app: AppClient, devices: CognitoDevices) -> None:
        self._app = app
        self._devices = devices

    @checked_answers("Cognito")
    def sign_in(self, username: Username, password: Secret, *, device: RememberedDevice | None = None) -> SignInStep:
        """With the configured flow: SRP, the password itself, the password factor of choice-based sign-in, or
        custom authentication that starts by proving the password."""
        if self._app.auth_flow == CHOICE_FLOW:
            return self.sign_in_with_factor(username, AuthFactor.PASSWORD, password, device=device)
        if self._app.auth_flow == CUSTOM_FLOW:
            return self.sign_in_custom(username, password, device=device)
        return self._with_device(device, lambda kept: self._start(username, password, kept))

    @checked_answers("Cognito")
    def sign_in_with_factor(
        self,
        username: Username,
        factor: AuthFactor | None,
        password: Secret | None = None,
        *,
        device: RememberedDevice | None = None,
    ) -> SignInStep:
        """``USER_AUTH``: the preferred first factor (a password needs ``password``), or none for Cognito to offer
        the user's factors (SELECT_CHALLENGE)."""
        if factor is AuthFactor.PASSWORD and password is None:
            raise e.InvalidInput("The password factor needs the password.")
        return self._with_device(device, lambda kept: self._choose(username, factor, password, kept))

    @checked_answers("Cognito")
    def sign_in_custom(
        self, username: Username, password: Secret | None = None, *, device: RememberedDevice | None = None
    ) -> SignInStep:
        """``CUSTOM_AUTH``: the pool's triggers define the challenges; with ``password`` it is proven first (SRP),
        for pools whose define-auth-challenge starts with the password."""
        return self._with_device(device, lambda kept: self._custom(username, password, kept))

    @checked_answers("Cognito")
    def sign_in_after_sign_up(self, username: Username, session: Secret) -> SignInStep:
        """The session ConfirmSignUp returned signs the new user in at once (``USER_AUTH``), without a password."""
        params = {"USERNAME": username.value, **self._app.secret_hash(username.value, "SECRET_HASH")}
        with cognito_errors({"NotAuthorizedException": SESSION_GONE}):
            answer = self._app.client.initiate_auth(
                ClientId=self._app.client_id,
                AuthFlow=CHOICE_FLOW,
                AuthParameters=params,
                Session=session.reveal(),
                **self._app.context(username.value),
            )
        return self._step(answer, username.value, None)

    def _with_device(
        self, device: RememberedDevice | None, start: Callable[[RememberedDevice | None], SignInStep]
    ) -> SignInStep:
        if device is not None:
            try:
                return start(device)
            except DeviceRefused:
                # Amplify does the same: keys the pool no longer knows must not lock the user out.
                log.info("Cognito refused this machine's device keys; signing in without them.")
        return start(None)

    def _params(self, username: Username, device: RememberedDevice | None) -> dict[str, str]:
        params = {"USERNAME": username.value, **self._app.secret_hash(username.value, "SECRET_HASH")}
        return params | ({"DEVICE_KEY": device.key} if device else {})

    def _start(self, username: Username, password: Secret, device: RememberedDevice | None) -> SignInStep:
        params = self._params(username, device)
        if self._app.auth_flow == PASSWORD_FLOW:
            answer = self._initiate(username, {**params, "PASSWORD": password.reveal()}, device)
            return self._step(answer, username.value, device)
        ephemeral = srp.new_ephemeral(self._app.random_bytes)
        answer = self._initiate(username, {**params, "SRP_A": ephemeral.public_hex}, device)
        return self._after_srp_start(answer, password, ephemeral, username.value, device)

    def _choose(
        self, username: Username, factor: AuthFactor | None, password: Secret | None, device: RememberedDevice | None
    ) -> SignInStep:
        params = self._params(username, device)
        if factor is AuthFactor.PASSWORD and password is not None:
            if self._plain_password():
                params |= {"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": password.reveal()}
                return self._step(self._initiate(username, params, device, CHOICE_FLOW), username.value, device)
            ephemeral = srp.new_ephemeral(self._app.random_bytes)
            params |= {"PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": ephemeral.public_hex}
            answer = self._initiate(username, params, device, CHOICE_FLOW)
            return self._after_srp_start(answer, password, ephemeral, username.value, device)
        if factor is not None:
            params["PREFERRED_CHALLENGE"] = wire.FACTOR_NAMES[factor]
        return self._step(self._initiate(username, params, device, CHOICE_FLOW), username.value, device)

    def _custom(self, username: Username, password: Secret | None, device: RememberedDevice | None) -> SignInStep:
        params = self._params(username, device)
        if password is None:
            return self._step(self._initiate(username, params, device, CUSTOM_FLOW), username.value, device)
        ephemeral = srp.new_ephemeral(self._app.random_bytes)
        params |= {"CHALLENGE_NAME": "SRP_A", "SRP_A": ephemeral.public_hex}
        answer = self._initiate(username, params, device, CUSTOM_FLOW)
        return self._after_srp_start(answer, password, ephemeral, username.value, device)

    def _password_sendable(self, challenge: Challenge) -> str:
        """How the password factor is answered: ``PASSWORD_SRP``, or ``PASSWORD`` (the password itself) only where
        the configuration says USER_PASSWORD_AUTH. A pool offering only the plain password to a client configured
        for SRP is a configuration to fix, never a silent downgrade chosen by the server."""
        offered = wire.json_list(challenge.parameters.get(wire.AVAILABLE))
        if self._plain_password() and ("PASSWORD" in offered or "PASSWORD_SRP" not in offered):
            return "PASSWORD"
        if "PASSWORD_SRP" in offered:
            return "PASSWORD_SRP"
        raise e.ConfigurationError(
            "Cognito offers the password factor only as the password itself, which this client sends only with "
            "[cognito] auth_flow = USER_PASSWORD_AUTH: allow PASSWORD_SRP (ALLOW_USER_SRP_AUTH) on the app client, "
            "set that auth_flow, or choose another factor."
        )

    def _plain_password(self) -> bool:
        """The password factor sends the password itself only where the configuration says so; else SRP."""
        return self._app.auth_flow == PASSWORD_FLOW

    def _after_srp_start(
        self,
        answer: Mapping[str, Any],
        password: Secret,
        ephemeral: srp.Ephemeral,
        username: str,
        device: RememberedDevice | None,
    ) -> SignInStep:
        """SRP's second half, when Cognito answers the start with PASSWORD_VERIFIER (else the answer's own step)."""
        if answer.get("ChallengeName") != "PASSWORD_VERIFIER":
            return self._step(answer, username, device)
        challenge = answer["ChallengeParameters"]
        user_id = challenge["USER_ID_FOR_SRP"]
        try:
            stamp, signature = srp.password_claim(
                ephemeral,
                pool_id=self._app.pool_id,
                user_id=user_id,
                password=password.reveal(),
                salt_hex=challenge["SALT"],
                server_b_hex=challenge["SRP_B"],
                secret_block_b64=challenge["SECRET_BLOCK"],
                now=self._app.clock.now(),
            )
        except ValueError as error:
            raise e.ServiceError(f"Cognito's SRP challenge is unusable: {error}.") from None
        responses = {
            "USERNAME": challenge.get("USERNAME", user_id),
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
        }
        return self._respond("PASSWORD_VERIFIER", answer.get("Session"), responses, username, device)

    def _initiate(
        self, username: Username, params: dict[str, str], device: RememberedDevice | None, flow: str | None = None
    ) -> Mapping[str, Any]:
        overrides = {"ResourceNotFoundException": _DEVICE_REFUSED} if device else {}
        with cognito_errors(overrides):
            return self._app.client.initiate_auth(
                ClientId=self._app.client_id,
                AuthFlow=flow or self._app.auth_flow,  # type: ignore[arg-type]
                AuthParameters=params,
                **self._app.context(username.value),
            )

    @checked_answers("Cognito")
    def answer_code(self, challenge: Challenge, code: str) -> SignInStep:
        name = _internal_name(challenge)
        if challenge.kind is ChallengeKind.MFA_SETUP:
            if challenge.answer is not Answer.CODE:
                raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with a code.")
            with cognito_errors({"NotAuthorizedException": SESSION_GONE, "ResourceNotFoundException": SESSION_GONE}):
                verified = self._app.client.verify_software_token(
                    Session=challenge.session.reveal(), UserCode=code, FriendlyDeviceName="client-auth"
                )
            if verified.get("Status") != "SUCCESS":
                raise e.CodeMismatch("The authenticator code was not accepted: try the current one.")
            session = verified.get("Session") or challenge.session.reveal()
            return self._respond("MFA_SETUP", session, {"USERNAME": name}, challenge.username, challenge.device)
        key = wire.CODE_KEYS.get(challenge.kind)
        if key is None:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with a code.")
        return self._reply(challenge, wire.CHALLENGE_NAMES[challenge.kind], {key: code})

    @checked_answers("Cognito")
    def answer_new_password(self, challenge: Challenge, new_password: Secret) -> SignInStep:
        if challenge.kind is not ChallengeKind.NEW_PASSWORD_REQUIRED:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with a new password.")
        return self._reply(challenge, "NEW_PASSWORD_REQUIRED", {"NEW_PASSWORD": new_password.reveal()})

    @checked_answers("Cognito")
    def answer_mfa_choice(self, challenge: Challenge, choice: MfaType) -> SignInStep:
        if challenge.answer is not Answer.MFA_TYPE:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with an MFA method.")
        if challenge.options and choice not in challenge.options:
            offered = ", ".join(option.value for option in challenge.options)
            raise e.InvalidInput(f"{choice.value} is not one of the methods offered: choose one of {offered}.")
        if challenge.kind is ChallengeKind.MFA_SETUP:
            return self._set_up(challenge, choice)
        return self._reply(challenge, "SELECT_MFA_TYPE", {"ANSWER": wire.choice_name(choice, challenge.parameters)})

    @checked_answers("Cognito")
    def answer_email(self, challenge: Challenge, email: Email) -> SignInStep:
        if challenge.answer is not Answer.EMAIL_ADDRESS:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with an email address.")
        return self._reply(challenge, "MFA_SETUP", {"EMAIL": email.value})

    @checked_answers("Cognito")
    def answer_factor(self, challenge: Challenge, factor: AuthFactor) -> SignInStep:
        """SELECT_CHALLENGE answered: a passwordless factor is asked for at once; the password factor first asks
        for the password here (it goes with the answer)."""
        if challenge.answer is not Answer.FACTOR:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with a sign-in factor.")
        if challenge.factors and factor not in challenge.factors:
            offered = ", ".join(f.value for f in challenge.factors)
            raise e.InvalidInput(f"{factor.value} is not offered for this sign-in: choose one of {offered}.")
        if factor is AuthFactor.PASSWORD:
            self._password_sendable(challenge)  # before the password is asked for
            return Challenge(
                COGNITO,
                ChallengeKind.PASSWORD,
                challenge.username,
                challenge.session,
                parameters=challenge.parameters,
                device=challenge.device,
            )
        return self._reply(challenge, "SELECT_CHALLENGE", {"ANSWER": wire.FACTOR_NAMES[factor]})

    @checked_answers("Cognito")
    def answer_password(self, challenge: Challenge, password: Secret) -> SignInStep:
        """The password factor chosen at SELECT_CHALLENGE: proven by SRP where Cognito offered it (and the
        configuration does not say USER_PASSWORD_AUTH), else sent itself."""
        if challenge.kind is not ChallengeKind.PASSWORD:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with your password.")
        if self._password_sendable(challenge) == "PASSWORD":
            responses = {"ANSWER": "PASSWORD", "PASSWORD": password.reveal()}
            # A refusal here is of the password itself, not of the session.
            return self._reply(challenge, "SELECT_CHALLENGE", responses, {"NotAuthorizedException": _WRONG_PASSWORD})
        ephemeral = srp.new_ephemeral(self._app.random_bytes)
        responses = {"USERNAME": _internal_name(challenge), "ANSWER": "PASSWORD_SRP", "SRP_A": ephemeral.public_hex}
        answer = self._send(
            "SELECT_CHALLENGE", challenge.session.reveal(), responses, challenge.username, challenge.device
        )
        return self._after_srp_start(answer, password, ephemeral, challenge.username, challenge.device)

    @checked_answers("Cognito")
    def answer_passkey(self, challenge: Challenge, credential: Mapping[str, Any]) -> SignInStep:
        """WEB_AUTHN answered with the authenticator's assertion (AuthenticationResponseJSON)."""
        if challenge.kind is not ChallengeKind.PASSKEY:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not answered with a passkey.")
        responses = {"CREDENTIAL": json.dumps(dict(credential))}
        return self._reply(challenge, "WEB_AUTHN", responses, {"NotAuthorizedException": _ANSWER_REFUSED})

    @checked_answers("Cognito")
    def answer_custom(self, challenge: Challenge, answer: Secret) -> SignInStep:
        """CUSTOM_CHALLENGE answered; a wrong answer may bring another round, or end the sign-in, as the pool's
        define-auth-challenge trigger decides."""
        if challenge.kind is not ChallengeKind.CUSTOM:
            raise e.InvalidInput(f"{challenge.prompt}: this step is not a custom challenge.")
        responses = {"ANSWER": answer.reveal()}
        return self._reply(challenge, "CUSTOM_CHALLENGE", responses, {"NotAuthorizedException": _ANSWER_REFUSED})

    def _set_up(self, challenge: Challenge, choice: MfaType) -> Challenge:
        """The method chosen in an MFA set-up: TOTP shows its secret at once, email asks for the address next."""
        if choice is MfaType.EMAIL:
            return Challenge(
                COGNITO,
                ChallengeKind.MFA_SETUP,
                challenge.username,
                challenge.session,
                options=(MfaType.EMAIL,),
                parameters=challenge.parameters,
                device=challenge.device,
            )
        return self._totp_setup(challenge.session, challenge.username, challenge.parameters, challenge.device)

    def _reply(
        self,
        challenge: Challenge,
        name: str,
        responses: dict[str, str],
        overrides: Mapping[str, tuple[ErrorType, str]] | None = None,
    ) -> SignInStep:
        """``challenge`` answered under Cognito's ``name`` with ``responses`` (the user's name and the device go
        along), and the next step."""
        answer = {"USERNAME": _internal_name(challenge), **responses}
        return self._respond(name, challenge.session.reveal(), answer, challenge.username, challenge.device, overrides)

    def _respond(
        self,
        name: str,
        session: str | None,
        responses: dict[str, str],
        username: str,
        device: RememberedDevice | None,
        overrides: Mapping[str, tuple[ErrorType, str]] | None = None,
    ) -> SignInStep:
        answer = self._send(name, session, responses, username, device, overrides)
        return self._step(answer, username, device)

    def _send(
        self,
        name: str,
        session: str | None,
        responses: dict[str, str],
        username: str,
        device: RememberedDevice | None,
        overrides: Mapping[str, tuple[ErrorType, str]] | None = None,
    ) -> Mapping[str, Any]:
        if "SECRET_HASH" not in responses:
            responses |= self._app.secret_hash(responses["USERNAME"], "SECRET_HASH")
        if device is not None:
            responses.setdefault("DEVICE_KEY", device.key)
        errors: dict[str, tuple[ErrorType, str]] = {"ResourceNotFoundException": SESSION_GONE}
        if name != "PASSWORD_VERIFIER":
            errors["NotAuthorizedException"] = SESSION_GONE
        if device is not None and name == "PASSWORD_VERIFIER":
            errors["ResourceNotFoundException"] = _DEVICE_REFUSED
        errors |= overrides or {}
        with cognito_errors(errors):
            return self._app.client.respond_to_auth_challenge(
                ClientId=self._app.client_id,
                ChallengeName=name,  # type: ignore[arg-type]
                ChallengeResponses=responses,
                **session_argument(session),
                **self._app.context(username),
            )

    def _step(self, answer: Mapping[str, Any], username: str, device: RememberedDevice | None) -> SignInStep:
        result = answer.get("AuthenticationResult")
        if result:
            return SignedIn(self._signed_in(result, device))
        name = answer.get("ChallengeName", "")
        params: dict[str, Any] = dict(answer.get("ChallengeParameters") or {})
        session = Secret(answer.get("Session") or "")
        carried = {"USERNAME": str(params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or username)}
        if name == "DEVICE_SRP_AUTH":
            return self._prove_device(answer.get("Session"), carried["USERNAME"], username, device)
        kind = wire.CHALLENGES.get(name)
        if kind is not None and kind in _SIMPLE_CHALLENGES:
            return Challenge(
                COGNITO,
                kind,
                username,
                session,
                delivery=challenge_delivery(params),
                parameters=carried,
                device=device,
            )
        if kind is ChallengeKind.SELECT_MFA_TYPE:
            names = wire.json_list(params.get("MFAS_CAN_CHOOSE"))
            return Challenge(
                COGNITO,
                kind,
                username,
                session,
                options=wire.mfa_types(names),
                parameters=carried | wire.offered(names),
                device=device,
            )
        if kind is ChallengeKind.MFA_SETUP:
            return self._mfa_setup_challenge(params, session, username, carried, device)
        challenge = self._new_factor_challenge(name, answer, params, session, username, carried, device)
        if challenge is not None:
            return challenge
        raise e.UnsupportedChallenge(
            f"Cognito asked for a {name or 'unnamed'} challenge, which this client does not answer: "
            "check the app client's auth flows and the pool's MFA settings."
        )

    def _new_factor_challenge(
        self,
        name: str,
        answer: Mapping[str, Any],
        params: Mapping[str, Any],
        session: Secret,
        username: str,
        carried: dict[str, str],
        device: RememberedDevice | None,
    ) -> Challenge | None:
        """The challenges of choice-based sign-in and custom authentication (None for any other)."""
        if name == "SELECT_CHALLENGE":
            names = wire.known_factor_names(answer.get("AvailableChallenges") or [])  # kept: only names we know
            factors = wire.factors(names)
            if not factors:
                raise e.UnsupportedChallenge(
                    "Cognito offered no sign-in factor this client knows: check the app client's choice-based "
                    "sign-in settings."
                )
            return Challenge(
                COGNITO,
                ChallengeKind.SELECT_FACTOR,
                username,
                session,
                factors=factors,
                parameters=carried | {wire.AVAILABLE: json.dumps(names)},
                device=device,
            )
        if name == "WEB_AUTHN":
            return Challenge(
                COGNITO,
                ChallengeKind.PASSKEY,
                username,
                session,
                parameters=carried,
                device=device,
                passkey_request=_passkey_request(params.get("CREDENTIAL_REQUEST_OPTIONS")),
            )
        if name == "CUSTOM_CHALLENGE":
            public = {str(k): str(v) for k, v in params.items() if k != "USERNAME"}
            too_long = any(len(k) > MAX_PUBLIC_NAME or len(v) > MAX_PUBLIC_TEXT for k, v in public.items())
            if len(public) > MAX_PUBLIC_PARAMETERS or too_long:
                raise e.ServiceError(
                    "Cognito's custom challenge has more, or longer, parameters than this client takes."
                )
            return Challenge(
                COGNITO, ChallengeKind.CUSTOM, username, session, parameters=carried, device=device, public=public
            )
        return None

    def _signed_in(self, result: Mapping[str, Any], device: RememberedDevice | None) -> Tokens:
        """Tokens, with this machine as the user's device: the one the sign-in proved, or a new one Cognito
        announced (confirmed here before the tokens are handed on, so its keys are kept with them)."""
        metadata = result.get("NewDeviceMetadata")
        if metadata:
            try:
                device = self._devices.confirm(Secret(result["AccessToken"]), metadata)
            except e.ClientAuthError as error:  # the sign-in itself succeeded: keep it, without a remembered device
                log.warning("Signed in, but this device could not be confirmed for later sign-ins: %s", error.message)
        return self._app.tokens(result, device=device)

    def _prove_device(
        self, session: str | None, name: str, username: str, device: RememberedDevice | None
    ) -> SignInStep:
        """DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER: SRP over the device group key and device password."""
        if device is None:
            raise e.UnsupportedChallenge(
                "Cognito asked this machine to prove a remembered device it does not have: sign in again."
            )
        refused: dict[str, tuple[ErrorType, str]] = {
            "NotAuthorizedException": _DEVICE_REFUSED,
            "ResourceNotFoundException": _DEVICE_REFUSED,
        }
        ephemeral = srp.new_ephemeral(self._app.random_bytes)
        answer = self._send(
            "DEVICE_SRP_AUTH",
            session,
            {"USERNAME": name, "SRP_A": ephemeral.public_hex},
            username,
            device,
            refused,
        )
        if answer.get("ChallengeName") != "DEVICE_PASSWORD_VERIFIER":
            raise e.ServiceError("Cognito answered the device's SRP start without a DEVICE_PASSWORD_VERIFIER.")
        params = answer["ChallengeParameters"]
        responses = {"USERNAME": str(params.get("USERNAME") or name), **self._devices.prove(device, params, ephemeral)}
        return self._respond("DEVICE_PASSWORD_VERIFIER", answer.get("Session"), responses, username, device, refused)

    def _mfa_setup_challenge(
        self,
        params: Mapping[str, Any],
        session: Secret,
        username: str,
        carried: dict[str, str],
        device: RememberedDevice | None,
    ) -> Challenge:
        named = wire.json_list(params.get("MFAS_CAN_SETUP"))
        offered = wire.mfa_types(named) if named else (MfaType.TOTP,)
        options = tuple(kind for kind in offered if kind in _SET_UP_DURING_SIGN_IN)
        if not options:
            needed = ", ".join(kind.value for kind in offered) or ", ".join(named)
            raise e.UnsupportedChallenge(
                f"The pool requires MFA set-up with {needed}, which cannot be done during sign-in: give the user a "
                "verified phone number, or allow authenticator-app (TOTP) or email MFA."
            )
        if options == (MfaType.TOTP,):
            return self._totp_setup(session, username, carried, device)
        return Challenge(
            COGNITO, ChallengeKind.MFA_SETUP, username, session, options=options, parameters=carried, device=device
        )

    def _totp_setup(
        self, session: Secret, username: str, carried: dict[str, str], device: RememberedDevice | None
    ) -> Challenge:
        with cognito_errors({"NotAuthorizedException": SESSION_GONE, "ResourceNotFoundException": SESSION_GONE}):
            answer = self._app.client.associate_software_token(Session=session.reveal())
        setup = self._app.mfa_setup(answer["SecretCode"], username, answer.get("Session") or session.reveal())
        return Challenge(
            COGNITO,
            ChallengeKind.MFA_SETUP,
            username,
            setup.session or session,
            options=(MfaType.TOTP,),
            mfa_setup=setup,
            parameters=carried,
            device=device,
        )


def _passkey_request(value: object) -> str:
    """The WEB_AUTHN challenge's request options: a JSON object of bounded size, or the answer is unusable."""
    if not isinstance(value, str) or len(value) > MAX_PASSKEY_REQUEST:
        raise e.ServiceError("Cognito's passkey challenge carries no usable request options.")
    try:
        options = json.loads(value)
    except ValueError:
        raise e.ServiceError("Cognito's passkey challenge carries request options that are not JSON.") from None
    if not isinstance(options, dict) or not isinstance(options.get("challenge"), str):
        raise e.ServiceError("Cognito's passkey challenge carries request options without a challenge.")
    return value


def _internal_name(challenge: Challenge) -> str:
    return challenge.parameters.get("USERNAME", challenge.username)
