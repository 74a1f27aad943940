"""What moto does not implement or does differently, shown with botocore's Stubber at the same boundary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError
from botocore.stub import ANY, Stubber

from aws_client_auth.adapters.aws_sdk import unsigned_client
from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.app_client import token_lifetime, unverified_claim
from aws_client_auth.adapters.cognito.errors import ERRORS
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.adapters.redaction import REDACTED
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import MASK, Secret
from aws_client_auth.domain.sign_in import Answer, Challenge, ChallengeKind, CodeDelivery, ContextData, SignedIn
from aws_client_auth.domain.tokens import COGNITO, Tokens
from aws_client_auth.domain.user import Email, MfaType, RememberedDevice, TrackedDevice, Username
from tests.fakes import START, FakeClock

CLIENT_ID = "client123"
CLIENT_SECRET = "a-client-secret-of-proper-length-0123456789"


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


def adapter(
    client: Any, *, secret: str | None = None, flow: str = "USER_PASSWORD_AUTH", revoke: bool = True
) -> CognitoUserPool:
    return CognitoUserPool(
        client,
        pool_id="us-west-2_Pool",
        client_id=CLIENT_ID,
        client_secret=Secret(secret) if secret else None,
        auth_flow=flow,
        verifier=Claims(),  # type: ignore[arg-type]
        clock=FakeClock(),
        revoke_on_sign_out=revoke,
    )


def test_resend_confirmation_code_reports_delivery(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "resend_confirmation_code",
        {"CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}},
        {"ClientId": CLIENT_ID, "Username": "alice"},
    )
    delivery = adapter(client).resend_confirmation_code(Username("alice"))
    assert delivery is not None
    assert (delivery.medium, delivery.destination, delivery.attribute) == ("EMAIL", "a***@e***", "email")


def unknown_operation(stub: Stubber) -> None:
    stub.add_client_error(
        "get_tokens_from_refresh_token", service_error_code="UnknownOperationException", http_status_code=400
    )


def test_refresh_with_a_client_secret_hashes_the_users_sub(client: Any, stub: Stubber) -> None:
    expected_hash = srp.secret_hash("sub-123", CLIENT_ID, CLIENT_SECRET)
    unknown_operation(stub)
    stub.add_response(
        "initiate_auth",
        {"AuthenticationResult": {"AccessToken": "new-access", "IdToken": "new-id", "ExpiresIn": 3600}},
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": "refresh", "SECRET_HASH": expected_hash},
        },
    )
    old = Tokens(
        COGNITO, Secret("a"), START, Secret("i"), Secret("refresh"), username="alice@example.com", subject="sub-123"
    )
    new = adapter(client, secret=CLIENT_SECRET).refresh(old)
    assert new.access_token == Secret("new-access")
    assert new.expires_at == START.replace(hour=13)


def test_a_secret_hash_sent_is_masked_wherever_it_is_echoed(client: Any, stub: Stubber) -> None:
    from aws_client_auth.domain.secret import MASK, scrub

    expected_hash = srp.secret_hash("sub-echo", CLIENT_ID, "another-client-secret-of-24-chars")
    assert scrub(f"echo {expected_hash}") == f"echo {expected_hash}"  # not known before it is sent
    unknown_operation(stub)
    stub.add_response(
        "initiate_auth",
        {"AuthenticationResult": {"AccessToken": "new-access", "IdToken": "new-id", "ExpiresIn": 3600}},
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": "refresh", "SECRET_HASH": expected_hash},
        },
    )
    old = Tokens(COGNITO, Secret("a"), START, Secret("i"), Secret("refresh"), username="bob", subject="sub-echo")
    adapter(client, secret="another-client-secret-of-24-chars").refresh(old)
    assert scrub(f"echo {expected_hash}") == f"echo {MASK}"


def test_sign_up_with_a_secret_sends_secret_hash(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "sign_up",
        {"UserConfirmed": False, "UserSub": "sub-1"},
        {
            "ClientId": CLIENT_ID,
            "Username": "alice",
            "Password": "Passw0rd!",
            "UserAttributes": [],
            "SecretHash": srp.secret_hash("alice", CLIENT_ID, "shh"),
        },
    )
    from aws_client_auth.domain.user import PhoneNumber

    assert (
        adapter(client, secret="shh")
        .sign_up(Username("alice"), Secret("Passw0rd!"), email=None, phone_number=None)
        .user_sub
        == "sub-1"
    )
    assert PhoneNumber("+14155550100")


def test_select_mfa_type_then_email_otp(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": "session-one-0123456789",
            "ChallengeParameters": {"MFAS_CAN_CHOOSE": '["SMS_MFA","EMAIL_OTP"]', "USERNAME": "uid-1"},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "EMAIL_OTP",
            "Session": "session-two-0123456789",
            "ChallengeParameters": {
                "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                "CODE_DELIVERY_DESTINATION": "a***@e***",
                "USERNAME": "uid-1",
            },
        },
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": "session-one-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1", "ANSWER": "EMAIL_OTP"},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 60}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "EMAIL_OTP",
            "Session": "session-two-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1", "EMAIL_OTP_CODE": "12345678"},
        },
    )
    up = adapter(client)
    step = up.sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SELECT_MFA_TYPE
    assert step.options == (MfaType.SMS, MfaType.EMAIL)
    step = up.answer_mfa_choice(step, MfaType.EMAIL)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.EMAIL_CODE
    assert step.delivery is not None
    assert step.delivery.destination == "a***@e***"
    done = up.answer_code(step, "12345678")
    assert not isinstance(done, Challenge)


def test_unhandled_challenge_names_itself(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "SMS_OTP_PUSH", "Session": "session-0123456789-abc", "ChallengeParameters": {}},
    )
    with pytest.raises(e.UnsupportedChallenge, match="SMS_OTP_PUSH"):
        adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))


def test_mfa_setup_for_sms_only_is_explained(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "MFA_SETUP",
            "Session": "session-0123456789-abc",
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SMS_MFA"]'},
        },
    )
    with pytest.raises(e.UnsupportedChallenge, match="with sms, which cannot be done during sign-in"):
        adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))


@pytest.mark.parametrize(("code", "kind"), [(code, kind) for code, (kind, _) in ERRORS.items()])
def test_every_cognito_error_code_maps_to_its_type(
    client: Any, stub: Stubber, code: str, kind: type[e.ClientAuthError]
) -> None:
    stub.add_client_error(
        "forgot_password", service_error_code=code, service_message="from cognito", http_status_code=400
    )
    with pytest.raises(kind) as raised:
        adapter(client).forgot_password(Username("alice"))
    assert raised.value.service_code == code
    assert raised.value.service_message == "from cognito"


def test_unknown_4xx_and_5xx_codes(client: Any, stub: Stubber) -> None:
    stub.add_client_error("forgot_password", service_error_code="Weird", http_status_code=400)
    stub.add_client_error("forgot_password", service_error_code="Boom", http_status_code=503)
    with pytest.raises(e.ServiceError):
        adapter(client).forgot_password(Username("alice"))
    with pytest.raises(e.ServiceUnavailable):
        adapter(client).forgot_password(Username("alice"))


def test_service_messages_echoing_secrets_are_redacted(client: Any, stub: Stubber) -> None:
    leaked = "eyJraWQiOiJkdW1teSIsImFsZyI6IlJTMjU2In0.payload-with-a-long-token-value"
    stub.add_client_error(
        "global_sign_out", service_error_code="NotAuthorizedException", service_message=f"bad {leaked}"
    )
    with pytest.raises(e.SessionExpired) as raised:
        adapter(client).global_sign_out(Secret(leaked))
    assert leaked not in str(raised.value)
    assert MASK in str(raised.value) or REDACTED in str(raised.value)


def test_unreachable_cognito_is_service_unavailable(client: Any) -> None:
    def fail(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://cognito-idp.us-west-2.amazonaws.com")

    client.meta.events.register("before-send.cognito-idp.*", fail)
    with pytest.raises(e.ServiceUnavailable, match="Could not reach Cognito"):
        adapter(client).forgot_password(Username("alice"))


def test_timeouts_are_service_unavailable(client: Any) -> None:
    def fail(**_: Any) -> None:
        raise ConnectTimeoutError(endpoint_url="https://cognito-idp.us-west-2.amazonaws.com")

    client.meta.events.register("before-send.cognito-idp.*", fail)
    with pytest.raises(e.ServiceUnavailable):
        adapter(client, flow="USER_SRP_AUTH").sign_in(Username("alice"), Secret("Passw0rd!"))


def test_bad_auth_flow_is_a_configuration_error(client: Any) -> None:
    with pytest.raises(e.ConfigurationError, match="auth_flow"):
        adapter(client, flow="PLAIN")


def test_a_value_botocore_rejects_is_invalid_input(client: Any) -> None:
    challenge = Challenge(COGNITO, ChallengeKind.TOTP_CODE, "alice", Secret("short"))
    with pytest.raises(e.InvalidInput, match="not acceptable"):
        adapter(client).answer_code(challenge, "123456")


def test_sign_out_revokes_the_refresh_token_with_the_client_secret(client: Any, stub: Stubber) -> None:
    secret = "a-client-secret-of-proper-length-0123456789"
    stub.add_response("revoke_token", {}, {"Token": "refresh-token", "ClientId": CLIENT_ID, "ClientSecret": secret})
    adapter(client, secret=secret).revoke_refresh_token(Secret("refresh-token"))


def test_revocation_can_be_turned_off(client: Any, stub: Stubber) -> None:
    adapter(client, revoke=False).revoke_refresh_token(Secret("refresh-token"))  # no call: the Stubber has none queued


@pytest.mark.parametrize("result", [{"AccessToken": "a", "ExpiresIn": 60}, {"AccessToken": "a", "IdToken": ""}])
def test_an_authentication_result_without_an_id_token_is_an_error(
    client: Any, stub: Stubber, result: dict[str, Any]
) -> None:
    stub.add_response("initiate_auth", {"AuthenticationResult": result})
    stub.add_response("get_tokens_from_refresh_token", {"AuthenticationResult": result})
    with pytest.raises(e.ServiceError, match="without an ID token"):
        adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))
    with pytest.raises(e.ServiceError, match="without an ID token"):
        adapter(client).refresh(Tokens(COGNITO, Secret("a"), START, Secret("i"), Secret("refresh")))


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [(3600, timedelta(hours=1)), (10**12, timedelta(days=1)), (2**63 - 1, timedelta(days=1)), (-5, timedelta(0))],
)
def test_an_absurd_token_lifetime_is_clamped(client: Any, stub: Stubber, expires_in: int, lifetime: timedelta) -> None:
    stub.add_response(
        "initiate_auth", {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "ExpiresIn": expires_in}}
    )
    tokens = adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(tokens, SignedIn)
    assert tokens.tokens.expires_at == START + lifetime


@pytest.mark.parametrize("expires_in", [float("nan"), "3600", True, None])
def test_a_token_lifetime_that_is_not_a_number_is_an_error(expires_in: object) -> None:
    with pytest.raises(e.ServiceError, match="ExpiresIn"):
        token_lifetime(expires_in)
    assert token_lifetime(float("inf")) == token_lifetime(1e300) == timedelta(days=1)


def test_an_unverified_claim_shown_as_a_label_is_cleaned() -> None:
    import jwt

    token = jwt.encode({"username": "\x1b]8;;https://evil\x07alice\x1b]8;;\x07\x1b[2J" + "x" * 500}, "k" * 32)
    label = unverified_claim(token, "username")
    assert label is not None
    assert label.startswith("alice")
    assert "\x1b" not in label
    assert len(label) <= 128


# --- remembered devices, exact parameters ---------------------------------------------------------------------
DEVICE_KEY = "us-west-2_0f3e4d2c-1b2a-4c3d-8e9f-a1b2c3d4e5f6"


def remembered() -> RememberedDevice:
    return RememberedDevice(DEVICE_KEY, Secret("-group-key"), Secret("device-password-0123"), remembered=True)


def test_a_remembered_device_sends_its_key_and_answers_device_srp(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "session-device-0123456789", "ChallengeParameters": {}},
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!", "DEVICE_KEY": DEVICE_KEY},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": "session-verifier-0123456789",
            "ChallengeParameters": {
                "USERNAME": "uid-1",
                "SALT": "3f2a1b",
                "SRP_B": f"{pow(srp.G, 424242, srp.N):x}",
                "SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
            },
        },
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": "session-device-0123456789",
            "ChallengeResponses": {"USERNAME": "alice", "SRP_A": ANY, "DEVICE_KEY": DEVICE_KEY},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 60}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": "session-verifier-0123456789",
            "ChallengeResponses": {
                "USERNAME": "uid-1",
                "TIMESTAMP": "Sat Nov 28 12:00:00 UTC 2026",
                "PASSWORD_CLAIM_SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
                "PASSWORD_CLAIM_SIGNATURE": ANY,
                "DEVICE_KEY": DEVICE_KEY,
            },
        },
    )
    step = adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"), device=remembered())
    assert isinstance(step, SignedIn)
    assert step.tokens.device == remembered()


def test_a_new_device_is_confirmed_with_a_verifier_made_here_and_the_host_name(
    client: Any, stub: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: "build-agent\x1b[2J-7")
    stub.add_response(
        "initiate_auth",
        {
            "AuthenticationResult": {
                "AccessToken": "access-0123456789",
                "IdToken": "i",
                "RefreshToken": "r",
                "ExpiresIn": 60,
                "NewDeviceMetadata": {"DeviceKey": DEVICE_KEY, "DeviceGroupKey": "-group-key"},
            }
        },
    )
    stub.add_response(
        "confirm_device",
        {"UserConfirmationNecessary": True},
        {
            "AccessToken": "access-0123456789",
            "DeviceKey": DEVICE_KEY,
            "DeviceSecretVerifierConfig": {"PasswordVerifier": ANY, "Salt": ANY},
            "DeviceName": "build-agent-7",
        },
    )
    step = adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, SignedIn)
    device = step.tokens.device
    assert device is not None
    assert (device.key, device.group_key, device.remembered) == (DEVICE_KEY, Secret("-group-key"), False)
    assert len(device.password.reveal()) == 56  # 40 random bytes, base64
    assert device.password.reveal() not in repr(step)


def test_a_device_that_cannot_be_confirmed_leaves_the_sign_in_standing(
    client: Any, stub: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    stub.add_response(
        "initiate_auth",
        {
            "AuthenticationResult": {
                "AccessToken": "access-0123456789",
                "IdToken": "i",
                "RefreshToken": "r",
                "ExpiresIn": 60,
                "NewDeviceMetadata": {"DeviceKey": DEVICE_KEY, "DeviceGroupKey": "-group-key"},
            }
        },
    )
    stub.add_client_error("confirm_device", "TooManyRequestsException", "Rate exceeded", http_status_code=400)
    step = adapter(client).sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, SignedIn)
    assert step.tokens.access_token == Secret("access-0123456789")
    assert step.tokens.device is None
    assert any("could not be confirmed" in r.getMessage() for r in caplog.records)


def test_device_management_calls(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "update_device_status",
        {},
        {"AccessToken": "access-0123", "DeviceKey": DEVICE_KEY, "DeviceRememberedStatus": "remembered"},
    )
    stub.add_response(
        "update_device_status",
        {},
        {"AccessToken": "access-0123", "DeviceKey": DEVICE_KEY, "DeviceRememberedStatus": "not_remembered"},
    )
    stub.add_response("forget_device", {}, {"AccessToken": "access-0123", "DeviceKey": DEVICE_KEY})
    stub.add_response(
        "list_devices",
        {
            "Devices": [
                {
                    "DeviceKey": DEVICE_KEY,
                    "DeviceAttributes": [
                        {"Name": "device_name", "Value": "laptop\x1b]8;;evil\x07"},
                        {"Name": "dev:device_remembered_status", "Value": "remembered"},
                        {"Name": "last_ip_used", "Value": "192.0.2.1"},
                    ],
                    "DeviceCreateDate": START,
                    "DeviceLastAuthenticatedDate": START,
                }
            ]
        },
        {"AccessToken": "access-0123", "Limit": 60},
    )
    stub.add_client_error("list_devices", service_error_code="NotAuthorizedException")
    pool = adapter(client)
    pool.remember_device(Secret("access-0123"), DEVICE_KEY)
    pool.remember_device(Secret("access-0123"), DEVICE_KEY, remembered=False)
    pool.forget_device(Secret("access-0123"), DEVICE_KEY)
    (device,) = pool.list_devices(Secret("access-0123"))
    assert device == TrackedDevice(DEVICE_KEY, "laptop", True, START, START, "192.0.2.1")
    with pytest.raises(e.SessionExpired):
        pool.list_devices(Secret("access-0123"))


# --- MFA set-up and choice during sign-in ---------------------------------------------------------------------
def mfa_setup_answer(can_set_up: str) -> dict[str, Any]:
    return {
        "ChallengeName": "MFA_SETUP",
        "Session": "session-setup-0123456789",
        "ChallengeParameters": {"MFAS_CAN_SETUP": can_set_up, "USERNAME": "uid-1"},
    }


def test_an_mfa_set_up_offering_email_asks_for_the_method_then_the_address(client: Any, stub: Stubber) -> None:
    stub.add_response("initiate_auth", mfa_setup_answer('["SOFTWARE_TOKEN_MFA","EMAIL_OTP","SMS_MFA"]'))
    stub.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "EMAIL_OTP",
            "Session": "session-email-0123456789",
            "ChallengeParameters": {
                "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                "CODE_DELIVERY_DESTINATION": "a***@e***",
                "USERNAME": "uid-1",
            },
        },
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "MFA_SETUP",
            "Session": "session-setup-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1", "EMAIL": "alice@example.com"},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 60}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "EMAIL_OTP",
            "Session": "session-email-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1", "EMAIL_OTP_CODE": "12345678"},
        },
    )
    pool = adapter(client)
    step = pool.sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, Challenge)
    assert (step.kind, step.answer, step.options) == (
        ChallengeKind.MFA_SETUP,
        Answer.MFA_TYPE,
        (MfaType.TOTP, MfaType.EMAIL),
    )
    assert step.prompt == "Choose an MFA method to set up"
    with pytest.raises(e.InvalidInput, match="sms is not one of the methods offered"):
        pool.answer_mfa_choice(step, MfaType.SMS)
    with pytest.raises(e.InvalidInput, match="not answered with a code"):
        pool.answer_code(step, "123456")
    step = pool.answer_mfa_choice(step, MfaType.EMAIL)  # no call: the address is the next answer
    assert isinstance(step, Challenge)
    assert (step.answer, step.prompt) == (Answer.EMAIL_ADDRESS, "Enter the email address to receive sign-in codes")
    step = pool.answer_email(step, Email("alice@example.com"))
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.EMAIL_CODE
    assert isinstance(pool.answer_code(step, "12345678"), SignedIn)


def test_an_mfa_set_up_choosing_totp_shows_the_secret_then_verifies_the_code(client: Any, stub: Stubber) -> None:
    stub.add_response("initiate_auth", mfa_setup_answer('["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'))
    stub.add_response(
        "associate_software_token",
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "session-associated-0123456789"},
        {"Session": "session-setup-0123456789"},
    )
    stub.add_response(
        "verify_software_token",
        {"Status": "SUCCESS", "Session": "session-verified-0123456789"},
        {"Session": "session-associated-0123456789", "UserCode": "123456", "FriendlyDeviceName": "client-auth"},
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 60}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "MFA_SETUP",
            "Session": "session-verified-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1"},
        },
    )
    pool = adapter(client)
    step = pool.sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, Challenge)
    step = pool.answer_mfa_choice(step, MfaType.TOTP)
    assert isinstance(step, Challenge)
    assert step.answer is Answer.CODE
    assert step.mfa_setup is not None
    assert step.mfa_setup.secret == Secret("JBSWY3DPEHPK3PXP")
    with pytest.raises(e.InvalidInput, match="not answered with an email address"):
        pool.answer_email(step, Email("alice@example.com"))
    assert isinstance(pool.answer_code(step, "123456"), SignedIn)


def test_select_mfa_type_is_answered_with_the_name_cognito_offered(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "initiate_auth",
        {
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": "session-one-0123456789",
            "ChallengeParameters": {"MFAS_CAN_CHOOSE": '["SOFTWARE_TOKEN_MFA","EMAIL_MFA"]', "USERNAME": "uid-1"},
        },
    )
    stub.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 60}},
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SELECT_MFA_TYPE",
            "Session": "session-one-0123456789",
            "ChallengeResponses": {"USERNAME": "uid-1", "ANSWER": "EMAIL_MFA"},
        },
    )
    pool = adapter(client)
    step = pool.sign_in(Username("alice"), Secret("Passw0rd!"))
    assert isinstance(step, Challenge)
    assert step.options == (MfaType.TOTP, MfaType.EMAIL)
    assert isinstance(pool.answer_mfa_choice(step, MfaType.EMAIL), SignedIn)


# --- the account, MFA preferences and context data, exact parameters ----------------------------------------------
def test_mfa_methods_are_changed_one_by_one(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "set_user_mfa_preference",
        {},
        {"AccessToken": "access-0123", "EmailMfaSettings": {"Enabled": True, "PreferredMfa": True}},
    )
    stub.add_response(
        "set_user_mfa_preference",
        {},
        {
            "AccessToken": "access-0123",
            "SMSMfaSettings": {"Enabled": False, "PreferredMfa": False},
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
    )
    stub.add_client_error(
        "set_user_mfa_preference", service_error_code="InvalidParameterException", service_message="Email MFA off"
    )
    pool = adapter(client)
    pool.change_mfa(Secret("access-0123"), enable=frozenset({MfaType.EMAIL}), preferred=MfaType.EMAIL)
    pool.change_mfa(Secret("access-0123"), disable=frozenset({MfaType.SMS}), preferred=MfaType.TOTP)
    with pytest.raises(e.ConfigurationError, match="Email MFA needs the user pool to send email"):
        pool.change_mfa(Secret("access-0123"), enable=frozenset({MfaType.EMAIL}))
    with pytest.raises(e.InvalidInput, match="both enabled and disabled"):
        pool.change_mfa(Secret("access-0123"), enable=frozenset({MfaType.SMS}), disable=frozenset({MfaType.SMS}))
    with pytest.raises(e.InvalidInput, match="cannot be preferred while"):
        pool.change_mfa(Secret("access-0123"), disable=frozenset({MfaType.SMS}), preferred=MfaType.SMS)


def test_attribute_and_account_calls(client: Any, stub: Stubber) -> None:
    stub.add_response(
        "update_user_attributes",
        {
            "CodeDeliveryDetailsList": [
                {"Destination": "b***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
            ]
        },
        {
            "AccessToken": "access-0123",
            "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}, {"Name": "custom:team", "Value": "blue"}],
        },
    )
    stub.add_response(
        "get_user_attribute_verification_code",
        {
            "CodeDeliveryDetails": {
                "Destination": "+*******0100",
                "DeliveryMedium": "SMS",
                "AttributeName": "phone_number",
            }
        },
        {"AccessToken": "access-0123", "AttributeName": "phone_number"},
    )
    stub.add_response(
        "verify_user_attribute", {}, {"AccessToken": "access-0123", "AttributeName": "email", "Code": "123456"}
    )
    stub.add_response(
        "delete_user_attributes", {}, {"AccessToken": "access-0123", "UserAttributeNames": ["custom:team", "nickname"]}
    )
    stub.add_response("delete_user", {}, {"AccessToken": "access-0123"})
    stub.add_client_error("delete_user", service_error_code="NotAuthorizedException")
    pool = adapter(client)
    deliveries = pool.update_attributes(Secret("access-0123"), {"email": "bob@example.com", "custom:team": "blue"})
    assert deliveries == (CodeDelivery("EMAIL", "b***@e***", "email"),)
    assert pool.send_attribute_code(Secret("access-0123"), "phone_number") == CodeDelivery(
        "SMS", "+*******0100", "phone_number"
    )
    pool.verify_attribute(Secret("access-0123"), "email", "123456")
    pool.delete_attributes(Secret("access-0123"), ("custom:team", "nickname"))
    pool.delete_user(Secret("access-0123"))
    with pytest.raises(e.SessionExpired):
        pool.delete_user(Secret("access-0123"))


def test_context_data_goes_with_every_call_that_takes_it(client: Any, stub: Stubber) -> None:
    context = {"UserContextData": {"IpAddress": "2001:db8::7"}}
    stub.add_response(
        "sign_up",
        {"UserConfirmed": False, "UserSub": "sub-1"},
        {"ClientId": CLIENT_ID, "Username": "alice", "Password": "Passw0rd!", "UserAttributes": [], **context},
    )
    stub.add_response(
        "confirm_sign_up", {}, {"ClientId": CLIENT_ID, "Username": "alice", "ConfirmationCode": "1", **context}
    )
    stub.add_response("resend_confirmation_code", {}, {"ClientId": CLIENT_ID, "Username": "alice", **context})
    stub.add_response("forgot_password", {}, {"ClientId": CLIENT_ID, "Username": "alice", **context})
    stub.add_response(
        "confirm_forgot_password",
        {},
        {"ClientId": CLIENT_ID, "Username": "alice", "ConfirmationCode": "1", "Password": "N3w-passw0rd", **context},
    )
    stub.add_client_error(
        "initiate_auth",
        service_error_code="NotAuthorizedException",
        service_message="Unable to login because of security reasons.",
        expected_params={
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
            **context,
        },
    )
    pool = CognitoUserPool(
        client,
        pool_id="us-west-2_Pool",
        client_id=CLIENT_ID,
        client_secret=None,
        auth_flow="USER_PASSWORD_AUTH",
        verifier=Claims(),  # type: ignore[arg-type]
        clock=FakeClock(),
        context_data=lambda username: ContextData(ip_address="2001:db8::7"),
    )
    pool.sign_up(Username("alice"), Secret("Passw0rd!"), email=None, phone_number=None)
    pool.confirm_sign_up(Username("alice"), "1")
    pool.resend_confirmation_code(Username("alice"))
    pool.forgot_password(Username("alice"))
    pool.confirm_forgot_password(Username("alice"), "1", Secret("N3w-passw0rd"))
    with pytest.raises(e.NotAuthorized, match="threat protection refused this as a risky sign-in") as raised:
        pool.sign_in(Username("alice"), Secret("Passw0rd!"))
    assert raised.value.service_message == "Unable to login because of security reasons."


def test_context_data_is_checked_when_made() -> None:
    with pytest.raises(e.InvalidInput, match="not an IPv4 or IPv6 address"):
        ContextData(ip_address="somewhere")
    assert not ContextData()
