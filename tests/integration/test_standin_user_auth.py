"""The Cognito stand-in's choice-based sign-in (USER_AUTH), one-time codes, passkeys, custom authentication and
sign-up, driven with plain boto3 ``cognito-idp`` clients: the stand-in must keep Cognito's rules for the client
tests that rely on it (tests/cognito_standin.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_client_auth.adapters.cognito import srp
from tests.cognito_standin import (
    CLIENT_ID,
    POOL_ID,
    REGION,
    CognitoStandIn,
    cognito_standin,
    srp_first_quiz,
    three_round_quiz,
)
from tests.software_authenticator import SoftwareAuthenticator

PASSWORD = "Passw0rd!"
SECRET = "a-client-secret-of-proper-length-0123456789"


def client(standin: CognitoStandIn) -> Any:
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=standin.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@contextmanager
def refused(code: str) -> Iterator[None]:
    with pytest.raises(ClientError) as raised:
        yield
    assert raised.value.response["Error"]["Code"] == code, raised.value.response


def secret_hash(standin: CognitoStandIn, username: str) -> dict[str, str]:
    if standin.client_secret is None:
        return {}
    return {"SECRET_HASH": srp.secret_hash(username, CLIENT_ID, standin.client_secret)}


def user_auth(standin: CognitoStandIn, username: str = "alice", **params: str) -> dict[str, Any]:
    answer: dict[str, Any] = client(standin).initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, **secret_hash(standin, username), **params},
    )
    return answer


def respond(standin: CognitoStandIn, step: dict[str, Any], name: str | None = None, **answers: str) -> dict[str, Any]:
    username = step["ChallengeParameters"].get("USERNAME", "alice")
    answer: dict[str, Any] = client(standin).respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName=name or step["ChallengeName"],
        Session=step["Session"],
        ChallengeResponses={"USERNAME": username, **secret_hash(standin, username), **answers},
    )
    return answer


def signed_in(step: dict[str, Any]) -> dict[str, Any]:
    assert "AuthenticationResult" in step, step
    result: dict[str, Any] = step["AuthenticationResult"]
    assert result["AccessToken"]
    assert result["IdToken"]
    return result


def srp_answers(step: dict[str, Any], ephemeral: srp.Ephemeral, password: str) -> dict[str, str]:
    """The client side of PASSWORD_VERIFIER, computed by the project's SRP code."""
    parameters = step["ChallengeParameters"]
    now = datetime.now(UTC)
    stamp, signature = srp.password_claim(
        ephemeral,
        pool_id=POOL_ID,
        user_id=parameters["USER_ID_FOR_SRP"],
        password=password,
        salt_hex=parameters["SALT"],
        server_b_hex=parameters["SRP_B"],
        secret_block_b64=parameters["SECRET_BLOCK"],
        now=now,
    )
    return {
        "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": signature,
        "TIMESTAMP": stamp,
    }


@pytest.fixture(params=[None, SECRET], ids=["public-client", "client-with-secret"])
def standin(request: pytest.FixtureRequest) -> Iterator[CognitoStandIn]:
    with cognito_standin(client_secret=request.param) as server:
        server.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")
        yield server


# --- USER_AUTH: one-time codes ------------------------------------------------------------------------------
def test_a_preferred_email_otp_signs_in_with_the_code_sent(standin: CognitoStandIn) -> None:
    step = user_auth(standin, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert step["ChallengeName"] == "EMAIL_OTP"
    assert step["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": "al***",
        "USERNAME": "alice",
    }
    assert standin.outbox[-1][:2] == ("alice", "email")
    signed_in(respond(standin, step, EMAIL_OTP_CODE=standin.last_code("alice")))


def test_a_wrong_code_is_refused_then_the_right_one_accepted_once(standin: CognitoStandIn) -> None:
    step = user_auth(standin, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = standin.last_code("alice")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with refused("CodeMismatchException"):
        respond(standin, step, EMAIL_OTP_CODE=wrong)
    signed_in(respond(standin, step, EMAIL_OTP_CODE=code))
    with refused("NotAuthorizedException"):  # the code and its session are spent
        respond(standin, step, EMAIL_OTP_CODE=code)
    again = user_auth(standin, PREFERRED_CHALLENGE="EMAIL_OTP")
    if standin.last_code("alice") != code:  # (one chance in a million that the new code is the same)
        with refused("CodeMismatchException"):  # the old code does not open a new sign-in
            respond(standin, again, EMAIL_OTP_CODE=code)


def test_sms_otp_goes_to_a_verified_phone() -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, phone_number="+15550100", phone_number_verified="true")
        step = user_auth(standin, PREFERRED_CHALLENGE="SMS_OTP")
        assert step["ChallengeName"] == "SMS_OTP"
        assert step["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
        assert standin.outbox[-1][:2] == ("alice", "phone_number")
        with refused("CodeMismatchException"):  # the MFA key is not the first factor's
            respond(standin, step, SMS_MFA_CODE=standin.last_code("alice"))
        signed_in(respond(standin, step, SMS_OTP_CODE=standin.last_code("alice")))


def test_a_first_factor_code_is_not_followed_by_mfa() -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, mfa="EMAIL_OTP", email="alice@example.com", email_verified="true")
        step = user_auth(standin, PREFERRED_CHALLENGE="EMAIL_OTP")
        signed_in(respond(standin, step, EMAIL_OTP_CODE=standin.last_code("alice")))
        password_step = user_auth(standin, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
        assert password_step["ChallengeName"] == "EMAIL_OTP"  # a password is: then the MFA
        signed_in(respond(standin, password_step, EMAIL_OTP_CODE=standin.last_code("alice")))


# --- USER_AUTH: the choice --------------------------------------------------------------------------------
def test_select_challenge_lists_exactly_the_users_factors() -> None:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")
        standin.add_user("bob", PASSWORD, email="bob@example.com", email_verified="false")
        standin.add_user("carol", PASSWORD, phone_number="+15550100", phone_number_verified="true")
        standin.add_user("dave", "", email="dave@example.com", email_verified="true")
        expected = {
            "alice": ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"],
            "bob": ["PASSWORD", "PASSWORD_SRP"],
            "carol": ["PASSWORD", "PASSWORD_SRP", "SMS_OTP"],
            "dave": ["EMAIL_OTP"],
        }
        for name, factors in expected.items():
            step = user_auth(standin, name)
            assert step["ChallengeName"] == "SELECT_CHALLENGE"
            assert step["AvailableChallenges"] == factors
            assert step["ChallengeParameters"] == {"USERNAME": name}
            assert step["Session"]
            assert standin.factors_of(name) == factors


def test_a_preferred_challenge_the_user_cannot_use_is_answered_with_the_choice(standin: CognitoStandIn) -> None:
    step = user_auth(standin, PREFERRED_CHALLENGE="SMS_OTP")
    assert step["ChallengeName"] == "SELECT_CHALLENGE"
    assert step["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]


def test_the_pools_factors_limit_the_choice() -> None:
    with cognito_standin(factors=("PASSWORD_SRP", "EMAIL_OTP")) as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")
        assert user_auth(standin)["AvailableChallenges"] == ["PASSWORD_SRP", "EMAIL_OTP"]
        step = user_auth(standin, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
        assert step["ChallengeName"] == "SELECT_CHALLENGE"


def test_user_auth_is_refused_where_the_client_does_not_allow_it() -> None:
    with cognito_standin(user_auth=False) as standin:
        standin.add_user("alice", PASSWORD)
        with pytest.raises(ClientError, match="USER_AUTH flow not enabled for this client") as raised:
            user_auth(standin)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_selecting_email_otp_sends_the_code(standin: CognitoStandIn) -> None:
    choice = user_auth(standin)
    step = respond(standin, choice, "SELECT_CHALLENGE", ANSWER="EMAIL_OTP")
    assert step["ChallengeName"] == "EMAIL_OTP"
    signed_in(respond(standin, step, EMAIL_OTP_CODE=standin.last_code("alice")))


def test_an_answer_not_offered_is_refused_and_the_choice_stays_open(standin: CognitoStandIn) -> None:
    choice = user_auth(standin)
    with refused("InvalidParameterException"):
        respond(standin, choice, "SELECT_CHALLENGE", ANSWER="WEB_AUTHN")
    step = respond(standin, choice, "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=PASSWORD)
    signed_in(step)
    with refused("NotAuthorizedException"):  # spent
        respond(standin, choice, "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=PASSWORD)


def test_selecting_password_checks_it(standin: CognitoStandIn) -> None:
    with refused("NotAuthorizedException"):
        respond(standin, user_auth(standin), "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD="not-it-1")
    signed_in(user_auth(standin, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD))


def test_password_srp_through_the_choice_checks_the_proof(standin: CognitoStandIn) -> None:
    ephemeral = srp.new_ephemeral()
    choice = user_auth(standin)
    step = respond(standin, choice, "SELECT_CHALLENGE", ANSWER="PASSWORD_SRP", SRP_A=ephemeral.public_hex)
    assert step["ChallengeName"] == "PASSWORD_VERIFIER"
    signed_in(respond(standin, step, **srp_answers(step, ephemeral, PASSWORD)))

    ephemeral = srp.new_ephemeral()
    step = respond(standin, user_auth(standin), "SELECT_CHALLENGE", ANSWER="PASSWORD_SRP", SRP_A=ephemeral.public_hex)
    with refused("NotAuthorizedException"):
        respond(standin, step, **srp_answers(step, ephemeral, "Wr0ng-password"))


def test_a_preferred_password_srp_goes_straight_to_the_verifier(standin: CognitoStandIn) -> None:
    ephemeral = srp.new_ephemeral()
    step = user_auth(standin, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=ephemeral.public_hex)
    assert step["ChallengeName"] == "PASSWORD_VERIFIER"
    signed_in(respond(standin, step, **srp_answers(step, ephemeral, PASSWORD)))


def test_an_expired_challenge_session_is_refused(standin: CognitoStandIn) -> None:
    step = user_auth(standin, PREFERRED_CHALLENGE="EMAIL_OTP")
    standin.advance(181)
    with refused("NotAuthorizedException"):
        respond(standin, step, EMAIL_OTP_CODE=standin.last_code("alice"))


def test_client_metadata_is_recorded_per_call(standin: CognitoStandIn) -> None:
    client(standin).initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", **secret_hash(standin, "alice")},
        ClientMetadata={"game": "tetris"},
    )
    user_auth(standin)
    assert standin.metadata_of("InitiateAuth") == [{"game": "tetris"}, {}]


def test_settings_toml_carries_the_new_options() -> None:
    import tomllib

    with cognito_standin() as standin:
        text = standin.settings_toml(
            auth_flow="USER_AUTH",
            passkeys_authenticator="software",
            passkeys_store='/tmp/keys dir/"q".json',
            client_metadata={"game": "tétris", "with space": 'quote " and \\'},
        )
        settings = tomllib.loads(text)
        assert settings["cognito"]["auth_flow"] == "USER_AUTH"
        assert settings["cognito"]["user_pool_id"] == POOL_ID
        assert settings["cognito"]["client_metadata"] == {"game": "tétris", "with space": 'quote " and \\'}
        assert settings["passkeys"] == {
            "authenticator": "software",
            "relying_party": standin.rp_id,
            "store": '/tmp/keys dir/"q".json',
        }
        assert "passkeys" not in tomllib.loads(standin.settings_toml(passkeys_authenticator=None))
        assert tomllib.loads(standin.settings_toml(passkeys_authenticator="fido2"))["passkeys"] == {
            "authenticator": "fido2",
            "relying_party": standin.rp_id,
        }
        assert json.dumps(tomllib.loads(standin.settings_toml())["cognito"])


# --- custom authentication --------------------------------------------------------------------------------
def custom_auth(standin: CognitoStandIn, metadata: dict[str, str] | None = None, **params: str) -> dict[str, Any]:
    answer: dict[str, Any] = client(standin).initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": "alice", **secret_hash(standin, "alice"), **params},
        **({"ClientMetadata": metadata} if metadata is not None else {}),
    )
    return answer


def answer_custom(
    standin: CognitoStandIn, step: dict[str, Any], answer: str, metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE", step
    result: dict[str, Any] = client(standin).respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": "alice", "ANSWER": answer, **secret_hash(standin, "alice")},
        **({"ClientMetadata": metadata} if metadata is not None else {}),
    )
    return result


@pytest.fixture(params=[None, SECRET], ids=["public-client", "client-with-secret"])
def quiz(request: pytest.FixtureRequest) -> Iterator[CognitoStandIn]:
    with cognito_standin(client_secret=request.param, **three_round_quiz(["a1", "a2", "a3"])) as server:
        server.add_user("alice", PASSWORD, email="alice@example.com")
        yield server


def test_three_rounds_with_a_wrong_answer_in_the_middle(quiz: CognitoStandIn) -> None:
    step = custom_auth(quiz)
    assert step["ChallengeParameters"]["question"] == "Question 1 of 3"
    assert step["ChallengeParameters"]["USERNAME"] == "alice"
    step = answer_custom(quiz, step, "a1")
    assert step["ChallengeParameters"]["question"] == "Question 2 of 3"
    step = answer_custom(quiz, step, "wrong")
    assert step["ChallengeParameters"]["question"] == "Question 2 of 3"  # asked again, as the trigger decides
    step = answer_custom(quiz, step, "a2")
    assert step["ChallengeParameters"]["round"] == "3"
    signed_in(answer_custom(quiz, step, "a3"))
    define_sessions = [event["session"] for trigger, event in quiz.trigger_calls if trigger == "define_auth_challenge"]
    assert [[(r["challengeMetadata"], r["challengeResult"]) for r in s] for s in define_sessions][-1] == [
        ("QUESTION-1", True),
        ("QUESTION-2", False),
        ("QUESTION-2", True),
        ("QUESTION-3", True),
    ]


def test_too_many_wrong_answers_fail_the_sign_in(quiz: CognitoStandIn) -> None:
    step = answer_custom(quiz, custom_auth(quiz), "wrong")
    with refused("NotAuthorizedException"):
        answer_custom(quiz, step, "wrong again")
    with refused("NotAuthorizedException"):  # the session went with the failure
        answer_custom(quiz, step, "a1")


def test_a_custom_challenge_session_is_single_use(quiz: CognitoStandIn) -> None:
    first = custom_auth(quiz)
    answer_custom(quiz, first, "a1")
    with refused("NotAuthorizedException"):
        answer_custom(quiz, first, "a1")


def test_client_metadata_reaches_the_triggers(quiz: CognitoStandIn) -> None:
    step = custom_auth(quiz, {"ticket": "T-1"})
    assert json.loads(step["ChallengeParameters"]["metadata"]) == {"ticket": "T-1"}
    answer_custom(quiz, step, "a1", {"ticket": "T-2", "platform": "console"})
    assert quiz.metadata_of("InitiateAuth") == [{"ticket": "T-1"}]
    assert quiz.metadata_of("RespondToAuthChallenge") == [{"ticket": "T-2", "platform": "console"}]
    created = [event["clientMetadata"] for trigger, event in quiz.trigger_calls if trigger == "create_auth_challenge"]
    verified = [event for trigger, event in quiz.trigger_calls if trigger == "verify_auth_challenge"]
    assert created == [{"ticket": "T-1"}, {"ticket": "T-2", "platform": "console"}]
    assert verified == [
        {
            "privateChallengeParameters": {"answer": "a1"},
            "challengeAnswer": "a1",
            "clientMetadata": {"ticket": "T-2", "platform": "console"},
        }
    ]


def test_custom_auth_is_refused_without_triggers(standin: CognitoStandIn) -> None:
    with refused("InvalidParameterException"):
        custom_auth(standin)


@pytest.fixture
def srp_first() -> Iterator[CognitoStandIn]:
    with cognito_standin(**srp_first_quiz(["blue"])) as server:
        server.add_user("alice", PASSWORD)
        yield server


def test_srp_first_custom_auth_checks_the_password_then_asks(srp_first: CognitoStandIn) -> None:
    ephemeral = srp.new_ephemeral()
    step = custom_auth(srp_first, CHALLENGE_NAME="SRP_A", SRP_A=ephemeral.public_hex)
    assert step["ChallengeName"] == "PASSWORD_VERIFIER"
    step = respond(srp_first, step, **srp_answers(step, ephemeral, PASSWORD))
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert step["ChallengeParameters"]["question"] == "Question 1 of 1"
    signed_in(answer_custom(srp_first, step, "blue"))
    sessions = [event["session"] for trigger, event in srp_first.trigger_calls if trigger == "define_auth_challenge"]
    assert [r["challengeName"] for r in sessions[-1]] == ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"]


def test_srp_first_custom_auth_refuses_a_wrong_password(srp_first: CognitoStandIn) -> None:
    ephemeral = srp.new_ephemeral()
    step = custom_auth(srp_first, CHALLENGE_NAME="SRP_A", SRP_A=ephemeral.public_hex)
    with refused("NotAuthorizedException"):
        respond(srp_first, step, **srp_answers(step, ephemeral, "Wr0ng-password"))


def test_srp_first_custom_auth_refuses_a_start_without_srp(srp_first: CognitoStandIn) -> None:
    with refused("NotAuthorizedException"):
        custom_auth(srp_first)


# --- sign-up ----------------------------------------------------------------------------------------------
def sign_up(standin: CognitoStandIn, username: str = "erin", **extra: Any) -> dict[str, Any]:
    hashed = secret_hash(standin, username)
    answer: dict[str, Any] = client(standin).sign_up(
        ClientId=CLIENT_ID,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        **({"SecretHash": hashed["SECRET_HASH"]} if hashed else {}),
        **extra,
    )
    return answer


def confirm(standin: CognitoStandIn, code: str, username: str = "erin", **extra: Any) -> dict[str, Any]:
    hashed = secret_hash(standin, username)
    answer: dict[str, Any] = client(standin).confirm_sign_up(
        ClientId=CLIENT_ID,
        Username=username,
        ConfirmationCode=code,
        **({"SecretHash": hashed["SECRET_HASH"]} if hashed else {}),
        **extra,
    )
    return answer


def auto_sign_in(standin: CognitoStandIn, username: str, session: str) -> dict[str, Any]:
    """USER_AUTH with the Session that ConfirmSignUp returned (a top-level member, as Amplify's auto sign-in)."""
    answer: dict[str, Any] = client(standin).initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, **secret_hash(standin, username)},
        Session=session,
    )
    return answer


def test_sign_up_confirm_then_the_session_signs_in_once(standin: CognitoStandIn) -> None:
    created = sign_up(standin, ClientMetadata={"source": "test"})
    assert created["UserConfirmed"] is False
    assert created["UserSub"] == standin.users["erin"].sub
    assert created["CodeDeliveryDetails"] == {
        "Destination": "er***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert standin.metadata_of("SignUp") == [{"source": "test"}]
    with refused("UserNotConfirmedException"):
        user_auth(standin, "erin", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    code = standin.last_code("erin")
    with refused("CodeMismatchException"):
        confirm(standin, f"{(int(code) + 1) % 10**6:06d}", Session=created["Session"])
    confirmed = confirm(standin, code, Session=created["Session"])
    assert standin.users["erin"].attributes["email_verified"] == "true"
    signed_in(auto_sign_in(standin, "erin", confirmed["Session"]))
    with refused("NotAuthorizedException"):
        auto_sign_in(standin, "erin", confirmed["Session"])
    assert user_auth(standin, "erin")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]


def test_the_sign_up_session_expires_and_belongs_to_its_user(standin: CognitoStandIn) -> None:
    sign_up(standin)
    session = confirm(standin, standin.last_code("erin"))["Session"]
    with refused("NotAuthorizedException"):
        auto_sign_in(standin, "alice", session)  # not alice's
    sign_up(standin, "frank")
    late = confirm(standin, standin.last_code("frank"), username="frank")["Session"]
    standin.advance(181)
    with refused("NotAuthorizedException"):
        auto_sign_in(standin, "frank", late)


def test_resend_confirmation_code_replaces_the_code(standin: CognitoStandIn) -> None:
    sign_up(standin)
    first = standin.last_code("erin")
    hashed = secret_hash(standin, "erin")
    sent = client(standin).resend_confirmation_code(
        ClientId=CLIENT_ID, Username="erin", **({"SecretHash": hashed["SECRET_HASH"]} if hashed else {})
    )
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = standin.last_code("erin")
    if second != first:
        with refused("CodeMismatchException"):
            confirm(standin, first)
    confirm(standin, second)
    with refused("NotAuthorizedException"):  # already confirmed
        confirm(standin, second)
    with refused("InvalidParameterException"):
        client(standin).resend_confirmation_code(
            ClientId=CLIENT_ID, Username="erin", **({"SecretHash": hashed["SECRET_HASH"]} if hashed else {})
        )


def test_an_unconfirmed_user_is_told_so_only_with_the_right_password(standin: CognitoStandIn) -> None:
    sign_up(standin)
    cognito = client(standin)
    hashed = secret_hash(standin, "erin")
    for password, code in (("Wr0ng-password", "NotAuthorizedException"), (PASSWORD, "UserNotConfirmedException")):
        with refused(code):
            cognito.initiate_auth(
                ClientId=CLIENT_ID,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "erin", "PASSWORD": password, **hashed},
            )
    with refused("UserNotConfirmedException"):
        user_auth(standin, "erin", PREFERRED_CHALLENGE="EMAIL_OTP")


def test_sign_up_keeps_cognitos_rules(standin: CognitoStandIn) -> None:
    with refused("UsernameExistsException"):
        sign_up(standin, "alice")
    if standin.client_secret:
        with refused("NotAuthorizedException"):
            client(standin).sign_up(ClientId=CLIENT_ID, Username="gina", Password=PASSWORD)


# --- passkeys ---------------------------------------------------------------------------------------------
def access_token(standin: CognitoStandIn) -> str:
    token: str = signed_in(user_auth(standin, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD))["AccessToken"]
    return token


def register(standin: CognitoStandIn, authenticator: SoftwareAuthenticator, token: str) -> dict[str, Any]:
    cognito = client(standin)
    options: dict[str, Any] = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = authenticator.create_credential(options)
    cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    return credential


def passkey_step(standin: CognitoStandIn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A WEB_AUTHN challenge and its request options (parsed)."""
    step = user_auth(standin, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert step["ChallengeName"] == "WEB_AUTHN", step
    options: dict[str, Any] = json.loads(step["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    return step, options


def answer_passkey(standin: CognitoStandIn, step: dict[str, Any], assertion: dict[str, Any]) -> dict[str, Any]:
    return respond(standin, step, CREDENTIAL=json.dumps(assertion))


def test_a_passkey_is_registered_then_signs_in(standin: CognitoStandIn) -> None:
    token = access_token(standin)
    cognito = client(standin)
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"] == {"id": standin.rp_id, "name": standin.rp_name}
    assert options["user"]["name"] == "alice"
    assert options["user"]["id"]
    assert options["challenge"]
    assert [(p["type"], p["alg"]) for p in options["pubKeyCredParams"]] == [("public-key", -7), ("public-key", -257)]
    assert options["excludeCredentials"] == []
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    authenticator = SoftwareAuthenticator()
    credential = authenticator.create_credential(options)
    cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    [kept] = standin.users["alice"].passkeys
    assert kept.id == credential["id"]
    assert kept.transports == ["internal"]

    assert user_auth(standin)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    factors = cognito.get_user_auth_factors(AccessToken=token)
    assert factors["Username"] == "alice"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    assert factors["UserMFASettingList"] == []

    step, request = passkey_step(standin)
    assert request["rpId"] == standin.rp_id
    assert request["allowCredentials"] == [{"id": credential["id"], "type": "public-key"}]
    assert request["userVerification"] == "preferred"
    assert request["timeout"] > 0
    signed_in(answer_passkey(standin, step, authenticator.get_assertion(request)))
    assert kept.sign_count == 1
    step, request = passkey_step(standin)
    signed_in(answer_passkey(standin, step, authenticator.get_assertion(request)))
    assert kept.sign_count == 2  # the counter the authenticator sent is kept


def test_selecting_web_authn_asks_for_an_assertion(standin: CognitoStandIn) -> None:
    authenticator = SoftwareAuthenticator()
    register(standin, authenticator, access_token(standin))
    step = respond(standin, user_auth(standin), "SELECT_CHALLENGE", ANSWER="WEB_AUTHN")
    assert step["ChallengeName"] == "WEB_AUTHN"
    request = json.loads(step["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    signed_in(answer_passkey(standin, step, authenticator.get_assertion(request)))


@pytest.mark.parametrize(
    "knob",
    [
        {"origin": "https://evil.example"},
        {"wrong_challenge": True},
        {"tamper_signature": True},
        {"sign_for_rp_id": "other.example"},
    ],
    ids=["wrong-origin", "wrong-challenge", "bad-signature", "other-rp-id"],
)
def test_a_bad_assertion_is_refused(standin: CognitoStandIn, knob: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "keys.json"
    register(standin, SoftwareAuthenticator(store), access_token(standin))
    step, request = passkey_step(standin)
    with refused("NotAuthorizedException"):
        answer_passkey(standin, step, SoftwareAuthenticator(store, **knob).get_assertion(request))
    assert standin.users["alice"].passkeys[0].sign_count == 0
    step, request = passkey_step(standin)
    signed_in(answer_passkey(standin, step, SoftwareAuthenticator(store).get_assertion(request)))


def test_an_assertion_for_another_challenge_is_refused(standin: CognitoStandIn) -> None:
    authenticator = SoftwareAuthenticator()
    register(standin, authenticator, access_token(standin))
    _, first_request = passkey_step(standin)
    second, _ = passkey_step(standin)
    with refused("NotAuthorizedException"):
        answer_passkey(standin, second, authenticator.get_assertion(first_request))


def test_a_counter_that_does_not_move_forward_is_refused(standin: CognitoStandIn) -> None:
    authenticator = SoftwareAuthenticator()
    credential = register(standin, authenticator, access_token(standin))
    step, request = passkey_step(standin)
    signed_in(answer_passkey(standin, step, authenticator.get_assertion(request)))
    authenticator.set_counter(credential["id"], 0)  # a cloned key: its next count is 1 again
    step, request = passkey_step(standin)
    with refused("NotAuthorizedException"):
        answer_passkey(standin, step, authenticator.get_assertion(request))


def test_an_extra_origin_may_be_allowed() -> None:
    with cognito_standin(origins=["android:apk-key-hash:abc"]) as standin:
        standin.add_user("alice", PASSWORD)
        authenticator = SoftwareAuthenticator(origin="android:apk-key-hash:abc")
        register(standin, authenticator, access_token(standin))
        step, request = passkey_step(standin)
        signed_in(answer_passkey(standin, step, authenticator.get_assertion(request)))


def test_registration_checks_the_challenge_and_origin(standin: CognitoStandIn) -> None:
    token = access_token(standin)
    cognito = client(standin)
    with refused("WebAuthnChallengeNotFoundException"):  # nothing started
        cognito.complete_web_authn_registration(AccessToken=token, Credential={"id": "x"})
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    with refused("WebAuthnOriginNotAllowedException"):
        credential = SoftwareAuthenticator(origin="https://evil.example").create_credential(options)
        cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = SoftwareAuthenticator().create_credential(options)
    cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    with refused("WebAuthnChallengeNotFoundException"):  # the challenge is spent
        cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["excludeCredentials"] == [{"id": credential["id"], "type": "public-key"}]
    with refused("NotAuthorizedException"):
        cognito.start_web_authn_registration(AccessToken="not-a-token")


def test_passkeys_are_listed_page_by_page_and_deleted(standin: CognitoStandIn) -> None:
    token = access_token(standin)
    cognito = client(standin)
    ids = [register(standin, SoftwareAuthenticator(), token)["id"] for _ in range(3)]
    first = cognito.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    second = cognito.list_web_authn_credentials(AccessToken=token, MaxResults=2, NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = first["Credentials"] + second["Credentials"]
    assert [c["CredentialId"] for c in listed] == ids
    assert all(c["RelyingPartyId"] == standin.rp_id for c in listed)
    assert all(c["AuthenticatorAttachment"] == "platform" for c in listed)
    assert all(c["AuthenticatorTransports"] == ["internal"] for c in listed)
    assert all(c["FriendlyCredentialName"] for c in listed)
    assert all(isinstance(c["CreatedAt"], datetime) for c in listed)
    with refused("ResourceNotFoundException"):
        cognito.delete_web_authn_credential(AccessToken=token, CredentialId="unknown")
    for credential_id in ids:
        cognito.delete_web_authn_credential(AccessToken=token, CredentialId=credential_id)
    assert cognito.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    assert "WEB_AUTHN" not in user_auth(standin)["AvailableChallenges"]


def test_passkeys_need_the_pool_to_allow_them() -> None:
    with cognito_standin(factors=("PASSWORD", "PASSWORD_SRP")) as standin:
        standin.add_user("alice", PASSWORD)
        with refused("WebAuthnNotEnabledException"):
            client(standin).start_web_authn_registration(AccessToken=access_token(standin))
