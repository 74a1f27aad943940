"""Issue 15's Cognito calls with botocore's Stubber: the exact parameters of choice-based sign-in, one-time codes,
passkey and custom-challenge answers, ClientMetadata and sign-up sessions, and what a hostile answer may not do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.application.services import client_metadata
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, ChallengeKind, SignedIn
from aws_client_auth.domain.user import Username
from tests.fakes import FakeClock

CLIENT_ID = "client123"
SECRET = "a-client-secret-of-proper-length-0123456789"
SESSION = "session-0123456789-abcdef"
ALICE = Username("alice")
HASH = srp.secret_hash("alice", CLIENT_ID, SECRET)
RESULT = {"AuthenticationResult": {"AccessToken": "access-1", "IdToken": "id-1", "ExpiresIn": 3600}}


class Claims:
    def verify(self, token: str) -> dict[str, Any]:
        return {"sub": "sub-123", "cognito:username": "alice"}


@pytest.fixture
def client() -> Any:
    return unsigned_client("cognito-idp", region="us-west-2", endpoint_url="", timeout=1, max_attempts=1)


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def pool(client: Any, *, flow: str = "USER_AUTH", metadata: dict[str, str] | None = None) -> CognitoUserPool:
    return CognitoUserPool(
        client,
        pool_id="us-west-2_Pool",
        client_id=CLIENT_ID,
        client_secret=Secret(SECRET),
        auth_flow=flow,
        verifier=Claims(),  # type: ignore[arg-type]
        clock=FakeClock(),
        client_metadata=metadata,
    )


def challenge_answer(name: str, parameters: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"ChallengeName": name, "Session": SESSION, "ChallengeParameters": parameters or {}, **extra}


def test_a_preferred_email_code_sends_exactly_what_cognito_takes(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        challenge_answer(
            "EMAIL_OTP",
            {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***", "USERNAME": "alice"},
        ),
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_AUTH",
            "AuthParameters": {"USERNAME": "alice", "SECRET_HASH": HASH, "PREFERRED_CHALLENGE": "EMAIL_OTP"},
            "ClientMetadata": {"game": "demo", "level": "7"},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        RESULT,
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "EMAIL_OTP",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "EMAIL_OTP_CODE": "123456", "SECRET_HASH": HASH},
            "ClientMetadata": {"game": "demo"},
        },
    )
    cognito = pool(client, metadata={"game": "demo"})
    with client_metadata.using({"level": "7"}):
        step = cognito.sign_in_with_factor(ALICE, AuthFactor.EMAIL_OTP)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.EMAIL_CODE
    assert str(step.delivery) == "email to a***@e***"
    assert isinstance(cognito.answer_code(step, "123456"), SignedIn)


def test_an_sms_code_is_answered_under_its_own_key(client: Any, stub: Stubber) -> None:
    stub.add_response("initiate_auth", challenge_answer("SMS_OTP", {"USERNAME": "alice"}))
    stub.add_response(
        "respond_to_auth_challenge",
        RESULT,
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SMS_OTP",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "SMS_OTP_CODE": "654321", "SECRET_HASH": HASH},
        },
    )
    cognito = pool(client)
    step = cognito.sign_in_with_factor(ALICE, AuthFactor.SMS_OTP)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SMS_OTP
    assert isinstance(cognito.answer_code(step, "654321"), SignedIn)


def test_select_challenge_keeps_only_known_factors_and_answers_by_cognitos_name(client: Any, stub: Stubber) -> None:
    offered = ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN", "EMAIL_OTP", "X" * 5000, "SOMETHING_NEW"]
    stub.add_response("initiate_auth", challenge_answer("SELECT_CHALLENGE", AvailableChallenges=offered))
    stub.add_response(
        "respond_to_auth_challenge",
        challenge_answer("WEB_AUTHN", {"CREDENTIAL_REQUEST_OPTIONS": json.dumps({"challenge": "abc", "rpId": "x"})}),
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "ANSWER": "WEB_AUTHN", "SECRET_HASH": HASH},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        RESULT,
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "WEB_AUTHN",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "CREDENTIAL": '{"id": "cred-1"}', "SECRET_HASH": HASH},
        },
    )
    cognito = pool(client)
    step = cognito.sign_in_with_factor(ALICE, None)
    assert isinstance(step, Challenge)
    assert step.factors == (AuthFactor.PASSWORD, AuthFactor.PASSKEY, AuthFactor.EMAIL_OTP)
    assert "SOMETHING_NEW" not in json.dumps(step.parameters)  # what is carried is bounded to known names
    with pytest.raises(e.InvalidInput, match="sms-otp is not offered"):
        cognito.answer_factor(step, AuthFactor.SMS_OTP)
    passkey = cognito.answer_factor(step, AuthFactor.PASSKEY)
    assert isinstance(passkey, Challenge)
    assert passkey.kind is ChallengeKind.PASSKEY
    assert json.loads(passkey.passkey_request or "")["challenge"] == "abc"
    assert isinstance(cognito.answer_passkey(passkey, {"id": "cred-1"}), SignedIn)


def test_the_password_factor_is_asked_here_then_proven_by_srp(client: Any, stub: Stubber) -> None:
    stub.add_response("initiate_auth", challenge_answer("SELECT_CHALLENGE", AvailableChallenges=["PASSWORD_SRP"]))
    cognito = pool(client)
    step = cognito.sign_in_with_factor(ALICE, None)
    assert isinstance(step, Challenge)
    local = cognito.answer_factor(step, AuthFactor.PASSWORD)  # no call: the password goes with the answer
    assert isinstance(local, Challenge)
    assert local.kind is ChallengeKind.PASSWORD
    stub.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="NotAuthorizedException",
        service_message="Invalid session for the user.",
        expected_params={
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": SESSION,
            "ChallengeResponses": {
                "USERNAME": "alice",
                "ANSWER": "PASSWORD_SRP",
                "SRP_A": stub_any_hex(),
                "SECRET_HASH": HASH,
            },
        },
    )
    with pytest.raises(e.SessionExpired):
        cognito.answer_password(local, Secret("Passw0rd!"))


def stub_any_hex() -> Any:
    from botocore.stub import ANY

    return ANY


def test_custom_challenges_carry_bounded_public_parameters(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        challenge_answer("CUSTOM_CHALLENGE", {"USERNAME": "alice", "question": "Which ticket?"}),
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "CUSTOM_AUTH",
            "AuthParameters": {"USERNAME": "alice", "SECRET_HASH": HASH},
            "ClientMetadata": {"platform": "steam"},
        },
    )
    stub.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="NotAuthorizedException",
        service_message="Incorrect username or password.",
        expected_params={
            "ClientId": CLIENT_ID,
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "ANSWER": "ticket-xyz", "SECRET_HASH": HASH},
            "ClientMetadata": {"platform": "steam"},
        },
    )
    cognito = pool(client, flow="USER_SRP_AUTH", metadata={"platform": "steam"})
    step = cognito.sign_in_custom(ALICE)
    assert isinstance(step, Challenge)
    assert step.public == {"question": "Which ticket?"}
    with pytest.raises(e.SessionExpired, match="did not accept the answer"):  # the triggers ended the sign-in
        cognito.answer_custom(step, Secret("ticket-xyz"))

    stub.add_response("initiate_auth", challenge_answer("CUSTOM_CHALLENGE", {f"k{i}": "v" for i in range(40)}))
    with pytest.raises(e.ServiceError, match="more, or longer, parameters"):
        cognito.sign_in_custom(ALICE)


@pytest.mark.parametrize(
    "options",
    [None, "not json", json.dumps(["a"]), json.dumps({"rpId": "x"}), json.dumps({"challenge": "c" * 70000})],
)
def test_a_passkey_challenge_without_usable_options_is_refused(client: Any, stub: Stubber, options: Any) -> None:
    parameters = {"CREDENTIAL_REQUEST_OPTIONS": options} if options is not None else {}
    stub.add_response("initiate_auth", challenge_answer("WEB_AUTHN", parameters))
    with pytest.raises(e.ServiceError, match="passkey challenge"):
        pool(client).sign_in_with_factor(ALICE, AuthFactor.PASSKEY)


def test_sign_up_keeps_its_session_and_confirmation_sends_it(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "confirm_sign_up",
        {"Session": "after-confirm-session-0000000"},
        {
            "ClientId": CLIENT_ID,
            "Username": "alice",
            "ConfirmationCode": "123456",
            "Session": "sign-up-session-0000000",
            "SecretHash": HASH,
        },
    )
    stub.add_response(
        "initiate_auth",
        RESULT,
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_AUTH",
            "AuthParameters": {"USERNAME": "alice", "SECRET_HASH": HASH},
            "Session": "after-confirm-session-0000000",
        },
    )
    cognito = pool(client)
    session = cognito.confirm_sign_up(ALICE, "123456", session=Secret("sign-up-session-0000000"))
    assert session is not None
    assert isinstance(cognito.sign_in_after_sign_up(ALICE, session), SignedIn)


def test_passkeys_are_listed_across_pages_and_registered_as_given(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "list_web_authn_credentials",
        {
            "Credentials": [
                {
                    "CredentialId": "c1",
                    "FriendlyCredentialName": "Key\x1b[31m",
                    "RelyingPartyId": "auth.example.com",
                    "AuthenticatorTransports": ["usb"],
                    "CreatedAt": 1_700_000_000,
                }
            ],
            "NextToken": "page-2",
        },
        {"AccessToken": "access-1", "MaxResults": 20},
    )
    stub.add_response(
        "list_web_authn_credentials",
        {
            "Credentials": [
                {
                    "CredentialId": "c2",
                    "FriendlyCredentialName": "",
                    "RelyingPartyId": "auth.example.com",
                    "AuthenticatorTransports": [],
                    "CreatedAt": 1_700_000_100,
                }
            ]
        },
        {"AccessToken": "access-1", "MaxResults": 20, "NextToken": "page-2"},
    )
    stub.add_response(
        "complete_web_authn_registration",
        {},
        {"AccessToken": "access-1", "Credential": {"id": "c3", "type": "public-key"}},
    )
    cognito = pool(client)
    listed = cognito.list_passkeys(Secret("access-1"))
    assert [p.credential_id for p in listed] == ["c1", "c2"]
    assert "\x1b" not in listed[0].name
    assert listed[0].transports == ("usb",)
    cognito.complete_passkey_registration(Secret("access-1"), {"id": "c3", "type": "public-key"})


def test_client_metadata_goes_with_every_account_call_that_takes_it(client: Any, stub: Stubber) -> None:
    metadata = {"game": "demo", "ticket": "T-9"}
    delivery = {"CodeDeliveryDetails": {"Destination": "a***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}
    stub.add_response(
        "sign_up",
        {"UserConfirmed": False, "UserSub": "sub-1", "Session": "sign-up-session-0000000"},
        {
            "ClientId": CLIENT_ID,
            "Username": "alice",
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
            "SecretHash": HASH,
            "ClientMetadata": metadata,
        },
    )
    stub.add_response(
        "forgot_password",
        delivery,
        {"ClientId": CLIENT_ID, "Username": "alice", "SecretHash": HASH, "ClientMetadata": metadata},
    )
    stub.add_response(
        "update_user_attributes",
        {"CodeDeliveryDetailsList": []},
        {
            "AccessToken": "access-1",
            "UserAttributes": [{"Name": "given_name", "Value": "Alice"}],
            "ClientMetadata": metadata,
        },
    )
    cognito = pool(client, metadata={"game": "demo"})
    from aws_client_auth.domain.user import Email

    with client_metadata.using({"ticket": "T-9"}):
        result = cognito.sign_up(ALICE, Secret("Passw0rd!"), email=Email("alice@example.com"), phone_number=None)
        cognito.forgot_password(ALICE)
        cognito.update_attributes(Secret("access-1"), {"given_name": "Alice"})
    assert result.session is not None
    assert result.session.reveal() == "sign-up-session-0000000"


def test_the_server_cannot_downgrade_the_password_to_plain_text(client: Any, stub: Stubber) -> None:
    offered = ["PASSWORD", "EMAIL_OTP"]  # no PASSWORD_SRP: only the password itself
    stub.add_response("initiate_auth", challenge_answer("SELECT_CHALLENGE", AvailableChallenges=offered))
    cognito = pool(client)  # configured for USER_AUTH: passwords are proven by SRP
    step = cognito.sign_in_with_factor(ALICE, None)
    assert isinstance(step, Challenge)
    with pytest.raises(e.ConfigurationError, match="USER_PASSWORD_AUTH"):
        cognito.answer_factor(step, AuthFactor.PASSWORD)  # refused before the password is even asked for

    stub.add_response("initiate_auth", challenge_answer("SELECT_CHALLENGE", AvailableChallenges=offered))
    stub.add_response(
        "respond_to_auth_challenge",
        RESULT,
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": SESSION,
            "ChallengeResponses": {"USERNAME": "alice", "ANSWER": "PASSWORD", "PASSWORD": "pw", "SECRET_HASH": HASH},
        },
    )
    plain = pool(client, flow="USER_PASSWORD_AUTH")  # the configuration asks for it: then it is sent
    chosen = plain.answer_factor(plain.sign_in_with_factor(ALICE, None), AuthFactor.PASSWORD)  # type: ignore[arg-type]
    assert isinstance(plain.answer_password(chosen, Secret("pw")), SignedIn)  # type: ignore[arg-type]


def test_a_custom_parameters_name_is_bounded(client: Any, stub: Stubber) -> None:
    stub.add_response("initiate_auth", challenge_answer("CUSTOM_CHALLENGE", {"q" * 200: "short"}))
    with pytest.raises(e.ServiceError, match="longer"):
        pool(client).sign_in_custom(ALICE)
