"""The tests' software authenticator against two independent WebAuthn relying-party implementations (py_webauthn
and fido2's Fido2Server), and py_webauthn's refusals of what a verifier must refuse: so the Cognito stand-in,
which verifies with py_webauthn, is shown to really check origin, relying party, signature, counter and
challenge."""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import pytest
import webauthn
from fido2.server import Fido2Server
from fido2.webauthn import (
    AttestedCredentialData,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialUserEntity,
    UserVerificationRequirement,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.registration.verify_registration_response import VerifiedRegistration

from aws_client_auth.domain.errors import Cancelled, NoAuthenticator, PasskeyError
from tests.software_authenticator import STORE_ENV, SoftwareAuthenticator, b64url, factory, unb64url

RP_ID = "auth.example.com"
ORIGIN = f"https://{RP_ID}"
USER_ID = b"user-handle-0123"


def creation_options(challenge: bytes, exclude: list[str] | None = None) -> dict[str, Any]:
    """Options as Cognito's StartWebAuthnRegistration returns them."""
    return {
        "rp": {"id": RP_ID, "name": "Example"},
        "user": {"id": b64url(USER_ID), "name": "alice", "displayName": "alice"},
        "challenge": b64url(challenge),
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
        "timeout": 60000,
        "excludeCredentials": [{"type": "public-key", "id": i} for i in exclude or []],
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
        "attestation": "none",
    }


def request_options(challenge: bytes, allow: list[str] | None = None, rp_id: str = RP_ID) -> dict[str, Any]:
    """Options as the WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS carries them."""
    return {
        "challenge": b64url(challenge),
        "rpId": rp_id,
        "allowCredentials": [{"type": "public-key", "id": i} for i in allow or []],
        "timeout": 60000,
        "userVerification": "required",
    }


def register(authenticator: SoftwareAuthenticator) -> tuple[dict[str, Any], VerifiedRegistration]:
    challenge = secrets.token_bytes(32)
    response = authenticator.create_credential(creation_options(challenge))
    verified = webauthn.verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )
    return response, verified


def assert_unpadded_base64url(value: str) -> None:
    assert isinstance(value, str)
    assert "=" not in value
    assert "+" not in value
    assert "/" not in value


# -- py_webauthn accepts ---------------------------------------------------------------------------------------


def test_registration_verifies_with_py_webauthn_and_is_in_the_json_form() -> None:
    authenticator = SoftwareAuthenticator()
    response, verified = register(authenticator)

    assert verified.fmt == "none"
    assert verified.user_verified
    assert verified.sign_count == 0
    assert verified.credential_id == unb64url(response["id"])
    assert verified.aaguid == "00000000-0000-0000-0000-000000000000"
    assert response["id"] == response["rawId"]
    assert response["type"] == "public-key"
    assert response["clientExtensionResults"] == {}
    body = response["response"]
    for field in ("clientDataJSON", "attestationObject", "authenticatorData", "publicKey"):
        assert_unpadded_base64url(body[field])
    assert body["publicKeyAlgorithm"] == -7
    client_data = json.loads(unb64url(body["clientDataJSON"]))
    assert client_data["type"] == "webauthn.create"
    assert client_data["origin"] == ORIGIN
    json.dumps(response)  # JSON types only


def test_assertions_verify_with_py_webauthn_and_the_counter_moves_forward() -> None:
    authenticator = SoftwareAuthenticator()
    registration, verified = register(authenticator)
    count = verified.sign_count
    for expected in (1, 2):
        challenge = secrets.token_bytes(32)
        response = authenticator.get_assertion(request_options(challenge, [registration["id"]]))
        checked = webauthn.verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=count,
            require_user_verification=True,
        )
        assert checked.new_sign_count == expected
        assert checked.user_verified
        count = checked.new_sign_count
        assert unb64url(response["response"]["userHandle"]) == USER_ID
        assert json.loads(unb64url(response["response"]["clientDataJSON"]))["type"] == "webauthn.get"
        for field in ("clientDataJSON", "authenticatorData", "signature", "userHandle"):
            assert_unpadded_base64url(response["response"][field])


def test_a_discoverable_sign_in_without_allow_credentials_uses_the_newest_passkey() -> None:
    authenticator = SoftwareAuthenticator()
    register(authenticator)
    newest, verified = register(authenticator)
    challenge = secrets.token_bytes(32)
    response = authenticator.get_assertion(request_options(challenge))
    assert response["id"] == newest["id"]
    webauthn.verify_authentication_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=verified.credential_public_key,
        credential_current_sign_count=0,
    )


# -- fido2's server accepts, from its own options ---------------------------------------------------------------


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(dict(value)))


def test_registration_and_assertion_verify_with_fido2s_server() -> None:
    server = Fido2Server(PublicKeyCredentialRpEntity(id=RP_ID, name="Example"))
    authenticator = SoftwareAuthenticator()
    user = PublicKeyCredentialUserEntity(id=USER_ID, name="alice", display_name="alice")
    options, state = server.register_begin(user, user_verification=UserVerificationRequirement.REQUIRED)

    response = authenticator.create_credential(as_json(options)["publicKey"])
    auth_data = server.register_complete(state, response)
    assert auth_data.credential_data is not None
    assert auth_data.is_user_verified()
    credentials: list[AttestedCredentialData] = [auth_data.credential_data]

    request, state = server.authenticate_begin(credentials, user_verification=UserVerificationRequirement.REQUIRED)
    assertion = authenticator.get_assertion(as_json(request)["publicKey"])
    assert server.authenticate_complete(state, credentials, assertion).credential_id == unb64url(response["id"])


def test_fido2s_server_also_refuses_a_wrong_origin_and_a_tampered_signature() -> None:
    server = Fido2Server(PublicKeyCredentialRpEntity(id=RP_ID, name="Example"))
    user = PublicKeyCredentialUserEntity(id=USER_ID, name="alice", display_name="alice")
    options, state = server.register_begin(user)
    with pytest.raises(ValueError, match="origin"):
        server.register_complete(
            state, SoftwareAuthenticator(origin="https://evil.example").create_credential(as_json(options)["publicKey"])
        )

    authenticator = SoftwareAuthenticator()
    options, state = server.register_begin(user)
    data = server.register_complete(state, authenticator.create_credential(as_json(options)["publicKey"]))
    assert data.credential_data is not None
    credentials = [data.credential_data]
    request, state = server.authenticate_begin(credentials)
    authenticator.tamper_signature = True
    with pytest.raises(ValueError, match="Invalid signature"):
        server.authenticate_complete(state, credentials, authenticator.get_assertion(as_json(request)["publicKey"]))


# -- py_webauthn refuses what a verifier must refuse ------------------------------------------------------------


def test_a_wrong_origin_is_refused_at_registration_and_at_sign_in() -> None:
    challenge = secrets.token_bytes(32)
    response = SoftwareAuthenticator(origin="https://evil.example").create_credential(creation_options(challenge))
    with pytest.raises(InvalidRegistrationResponse, match="origin"):
        webauthn.verify_registration_response(
            credential=response, expected_challenge=challenge, expected_rp_id=RP_ID, expected_origin=ORIGIN
        )

    authenticator = SoftwareAuthenticator()
    _, verified = register(authenticator)
    authenticator.origin = "https://evil.example"
    challenge = secrets.token_bytes(32)
    with pytest.raises(InvalidAuthenticationResponse, match="origin"):
        webauthn.verify_authentication_response(
            credential=authenticator.get_assertion(request_options(challenge)),
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=0,
        )


def test_a_wrong_relying_party_id_is_refused() -> None:
    challenge = secrets.token_bytes(32)
    response = SoftwareAuthenticator(sign_for_rp_id="evil.example").create_credential(creation_options(challenge))
    with pytest.raises(InvalidRegistrationResponse, match="RP ID"):
        webauthn.verify_registration_response(
            credential=response, expected_challenge=challenge, expected_rp_id=RP_ID, expected_origin=ORIGIN
        )

    authenticator = SoftwareAuthenticator()
    _, verified = register(authenticator)
    authenticator.sign_for_rp_id = "evil.example"
    challenge = secrets.token_bytes(32)
    with pytest.raises(InvalidAuthenticationResponse, match="RP ID"):
        webauthn.verify_authentication_response(
            credential=authenticator.get_assertion(request_options(challenge)),
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=0,
        )


def test_a_tampered_signature_is_refused() -> None:
    authenticator = SoftwareAuthenticator(tamper_signature=True)
    _, verified = register(authenticator)
    challenge = secrets.token_bytes(32)
    with pytest.raises(InvalidAuthenticationResponse, match="signature"):
        webauthn.verify_authentication_response(
            credential=authenticator.get_assertion(request_options(challenge)),
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=0,
        )


def test_another_keys_signature_is_refused() -> None:
    authenticator = SoftwareAuthenticator()
    _, verified = register(authenticator)
    _, other = register(SoftwareAuthenticator())
    challenge = secrets.token_bytes(32)
    with pytest.raises(InvalidAuthenticationResponse, match="signature"):
        webauthn.verify_authentication_response(
            credential=authenticator.get_assertion(request_options(challenge)),
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=other.credential_public_key,
            credential_current_sign_count=0,
        )
    assert verified.credential_public_key != other.credential_public_key


def test_a_replayed_or_lower_counter_is_refused() -> None:
    authenticator = SoftwareAuthenticator()
    registration, verified = register(authenticator)

    def sign_in(current: int) -> int:
        challenge = secrets.token_bytes(32)
        return webauthn.verify_authentication_response(
            credential=authenticator.get_assertion(request_options(challenge)),
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=current,
        ).new_sign_count

    assert sign_in(0) == 1
    assert sign_in(1) == 2
    authenticator.counter_step = 0  # the same counter again: a replay, or a cloned key
    with pytest.raises(InvalidAuthenticationResponse, match="count"):
        sign_in(2)
    authenticator.counter_step = 1
    authenticator.set_counter(registration["id"], 0)  # counter 1 < 2: rolled back
    with pytest.raises(InvalidAuthenticationResponse, match="count"):
        sign_in(2)


def test_a_wrong_challenge_is_refused() -> None:
    challenge = secrets.token_bytes(32)
    response = SoftwareAuthenticator(wrong_challenge=True).create_credential(creation_options(challenge))
    with pytest.raises(InvalidRegistrationResponse, match="challenge"):
        webauthn.verify_registration_response(
            credential=response, expected_challenge=challenge, expected_rp_id=RP_ID, expected_origin=ORIGIN
        )

    authenticator = SoftwareAuthenticator()
    _, verified = register(authenticator)
    challenge = secrets.token_bytes(32)
    answer = authenticator.get_assertion(request_options(challenge))
    with pytest.raises(InvalidAuthenticationResponse, match="challenge"):  # an answer to another challenge
        webauthn.verify_authentication_response(
            credential=answer,
            expected_challenge=secrets.token_bytes(32),
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=verified.credential_public_key,
            credential_current_sign_count=0,
        )


# -- refusals a real key makes ----------------------------------------------------------------------------------


def test_it_refuses_to_register_twice_for_an_excluded_credential() -> None:
    authenticator = SoftwareAuthenticator()
    registration, _ = register(authenticator)
    with pytest.raises(PasskeyError, match="already holds"):
        authenticator.create_credential(creation_options(secrets.token_bytes(32), exclude=[registration["id"]]))
    other = SoftwareAuthenticator()
    other.create_credential(creation_options(secrets.token_bytes(32), exclude=[registration["id"]]))


def test_it_refuses_to_sign_without_a_matching_credential() -> None:
    authenticator = SoftwareAuthenticator()
    with pytest.raises(PasskeyError, match="no passkey"):
        authenticator.get_assertion(request_options(secrets.token_bytes(32)))
    register(authenticator)
    with pytest.raises(PasskeyError, match="no passkey"):
        authenticator.get_assertion(request_options(secrets.token_bytes(32), [b64url(b"unknown")]))
    with pytest.raises(PasskeyError, match="no passkey"):
        authenticator.get_assertion(request_options(secrets.token_bytes(32), rp_id="other.example.com"))


def test_it_refuses_when_es256_is_not_offered() -> None:
    options = creation_options(secrets.token_bytes(32))
    options["pubKeyCredParams"] = [{"type": "public-key", "alg": -257}]
    with pytest.raises(PasskeyError, match="ES256"):
        SoftwareAuthenticator().create_credential(options)


def test_cancel_and_absent_raise_as_the_port_says() -> None:
    with pytest.raises(Cancelled):
        SoftwareAuthenticator(cancel=True).create_credential(creation_options(secrets.token_bytes(32)))
    with pytest.raises(NoAuthenticator, match="No security key"):
        SoftwareAuthenticator(absent=True).get_assertion(request_options(secrets.token_bytes(32)))


# -- the store, shared between processes -------------------------------------------------------------------------


def test_the_store_is_private_and_shared_between_instances(tmp_path: Path) -> None:
    store = tmp_path / "keys" / "passkeys.json"
    registration, verified = register(SoftwareAuthenticator(store))
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert not [p for p in store.parent.iterdir() if p != store]  # no temporary file left

    later = SoftwareAuthenticator(store)  # another process, in effect
    assert later.credential_ids(RP_ID) == [registration["id"]]
    challenge = secrets.token_bytes(32)
    checked = webauthn.verify_authentication_response(
        credential=later.get_assertion(request_options(challenge, [registration["id"]])),
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=verified.credential_public_key,
        credential_current_sign_count=0,
    )
    assert checked.new_sign_count == 1
    assert (
        SoftwareAuthenticator(store).get_assertion(request_options(secrets.token_bytes(32)))["id"]
        == (registration["id"])
    )
    assert json.loads(store.read_text())["credentials"][0]["sign_count"] == 2


def test_the_factory_reads_its_options_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []
    built = factory({"store": str(tmp_path / "a.json"), "origin": "https://app.example.com"}, prompts.append)
    assert built.store == tmp_path / "a.json"
    assert built.origin == "https://app.example.com"
    built.create_credential(creation_options(secrets.token_bytes(32)))
    assert prompts
    assert (tmp_path / "a.json").exists()

    monkeypatch.setenv(STORE_ENV, str(tmp_path / "b.json"))
    assert factory({}, prompts.append).store == tmp_path / "b.json"
    monkeypatch.delenv(STORE_ENV)
    assert factory({}, prompts.append).store is None
    assert factory({"cancel": "true"}, prompts.append).cancel
    assert factory({"absent": "yes"}, prompts.append).absent
    assert not factory({"absent": "false"}, prompts.append).absent
    assert os.environ.get(STORE_ENV) is None
