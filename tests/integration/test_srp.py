"""SRP correctness, which moto cannot show (it never checks the proof): a test-side SRP server that accepts
the right password and rejects a wrong one, and a cross-check of the client's values against pycognito's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aws_client_auth.adapters.cognito import srp
from aws_client_auth.adapters.cognito.user_pool import CognitoUserPool
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import SignedIn
from aws_client_auth.domain.user import Username
from tests.fakes import FakeClock

POOL_ID = "us-west-2_TestPool1"
CLIENT_ID = "client123"


class SrpServer:
    """The server half of Cognito's SRP, as a cognito-idp client the adapter can call."""

    def __init__(self, users: dict[str, str], clock: FakeClock) -> None:
        self.clock = clock
        self.records: dict[str, tuple[str, int]] = {}
        for name, password in users.items():
            salt = secrets.token_hex(16)
            self.records[name] = (salt, pow(srp.G, self._x(name, password, salt), srp.N))
        self.pending: dict[str, tuple[str, int, int, int, str]] = {}
        self.accepted = 0

    @staticmethod
    def _x(user: str, password: str, salt: str) -> int:
        pool_name = POOL_ID.split("_")[1]
        inner = hashlib.sha256(f"{pool_name}{user}:{password}".encode()).hexdigest().zfill(64)
        return int(srp.hash_hex(srp.pad_hex(salt) + inner), 16)

    def initiate_auth(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["AuthFlow"] == "USER_SRP_AUTH"
        params = kwargs["AuthParameters"]
        user = params["USERNAME"]
        salt, verifier = self.records[user]
        b = secrets.randbelow(srp.N)
        big_b = (srp.K * verifier + pow(srp.G, b, srp.N)) % srp.N
        secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
        self.pending[secret_block] = (user, int(params["SRP_A"], 16), b, big_b, salt)
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": salt,
                "SRP_B": f"{big_b:x}",
                "SECRET_BLOCK": secret_block,
                "USER_ID_FOR_SRP": user,
                "USERNAME": user,
            },
        }

    def respond_to_auth_challenge(self, **kwargs: Any) -> dict[str, Any]:
        answer = kwargs["ChallengeResponses"]
        user, big_a, b, big_b, _ = self.pending.pop(answer["PASSWORD_CLAIM_SECRET_BLOCK"])
        _, verifier = self.records[user]
        assert big_a % srp.N != 0
        u = int(srp.hash_hex(srp.pad_hex(big_a) + srp.pad_hex(big_b)), 16)
        shared = pow(big_a * pow(verifier, u, srp.N), b, srp.N)
        key = srp.hkdf(bytes.fromhex(srp.pad_hex(shared)), bytes.fromhex(srp.pad_hex(u)))
        assert answer["TIMESTAMP"] == srp.timestamp(self.clock.now())
        message = (
            POOL_ID.split("_")[1].encode()
            + user.encode()
            + base64.b64decode(answer["PASSWORD_CLAIM_SECRET_BLOCK"])
            + answer["TIMESTAMP"].encode()
        )
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, answer["PASSWORD_CLAIM_SIGNATURE"]):
            error = {"Error": {"Code": "NotAuthorizedException", "Message": "Incorrect username or password."}}
            raise ClientError(error, "RespondToAuthChallenge")  # type: ignore[arg-type]
        self.accepted += 1
        return {
            "AuthenticationResult": {
                "AccessToken": "access",
                "IdToken": f"id-token-of-{user}",
                "RefreshToken": "refresh",
                "ExpiresIn": 3600,
            }
        }


class Claims:
    """The ID token's checks are the verifier's tests; here a token names its user."""

    def verify(self, token: str) -> dict[str, Any]:
        user = token.removeprefix("id-token-of-")
        return {"sub": f"sub-{user}", "cognito:username": user}


def adapter(server: SrpServer, clock: FakeClock) -> CognitoUserPool:
    return CognitoUserPool(
        server,  # type: ignore[arg-type]
        pool_id=POOL_ID,
        client_id=CLIENT_ID,
        client_secret=None,
        auth_flow="USER_SRP_AUTH",
        verifier=Claims(),  # type: ignore[arg-type]
        clock=clock,
    )


def test_the_right_password_proves_itself() -> None:
    clock = FakeClock()
    server = SrpServer({"alice": "Correct-Horse-9"}, clock)
    step = adapter(server, clock).sign_in(Username("alice"), Secret("Correct-Horse-9"))
    assert isinstance(step, SignedIn)
    assert server.accepted == 1


def test_a_wrong_password_is_rejected() -> None:
    clock = FakeClock()
    server = SrpServer({"alice": "Correct-Horse-9"}, clock)
    with pytest.raises(e.NotAuthorized):
        adapter(server, clock).sign_in(Username("alice"), Secret("Correct-Horse-8"))
    assert server.accepted == 0


def test_many_sign_ins_all_verify() -> None:
    clock = FakeClock()
    server = SrpServer({"bob": "pässwörd-ünicode-1"}, clock)
    for _ in range(5):
        assert isinstance(adapter(server, clock).sign_in(Username("bob"), Secret("pässwörd-ünicode-1")), SignedIn)


def test_client_values_match_pycognito_for_the_same_secret_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import pycognito.aws_srp as reference

    fixed_bytes = bytes(range(128))
    moment = datetime(2026, 11, 3, 8, 5, 9, tzinfo=UTC)

    class FrozenDatetime(datetime):
        @classmethod
        def utcnow(cls) -> FrozenDatetime:
            return cls(2026, 11, 3, 8, 5, 9)

    monkeypatch.setattr(reference.datetime, "datetime", FrozenDatetime)
    ours = srp.new_ephemeral(lambda n: fixed_bytes[:n])
    theirs = reference.AWSSRP("alice", "Correct-Horse-9", POOL_ID, CLIENT_ID, client=object())
    theirs.small_a_value = int.from_bytes(fixed_bytes, "big") % srp.N
    theirs.large_a_value = theirs.calculate_a()
    assert ours.public == theirs.large_a_value
    assert theirs.val_k == srp.K

    challenge = {
        "USER_ID_FOR_SRP": "alice-id",
        "USERNAME": "alice-id",
        "SALT": "8f2a1b",
        "SRP_B": f"{pow(srp.G, 123456789, srp.N):x}",
        "SECRET_BLOCK": base64.b64encode(b"secret-block").decode(),
    }
    expected = theirs.process_challenge(challenge, {"USERNAME": "alice"})
    stamp, signature = srp.password_claim(
        ours,
        pool_id=POOL_ID,
        user_id="alice-id",
        password="Correct-Horse-9",
        salt_hex=challenge["SALT"],
        server_b_hex=challenge["SRP_B"],
        secret_block_b64=challenge["SECRET_BLOCK"],
        now=moment,
    )
    assert stamp == expected["TIMESTAMP"] == "Tue Nov 3 08:05:09 UTC 2026"
    assert signature == expected["PASSWORD_CLAIM_SIGNATURE"]


def test_protocol_safety_checks() -> None:
    ephemeral = srp.new_ephemeral()
    assert ephemeral.a.bit_length() > 1000  # a full-size ephemeral secret
    assert "a=<hidden>" in repr(ephemeral)
    with pytest.raises(ValueError, match="B mod N"):
        srp.password_claim(
            ephemeral,
            pool_id=POOL_ID,
            user_id="u",
            password="p",
            salt_hex="00",
            server_b_hex=f"{srp.N:x}",
            secret_block_b64="",
            now=datetime.now(UTC),
        )


def test_pad_hex_follows_the_sign_rule() -> None:
    assert srp.pad_hex(0x7F) == "7f"
    assert srp.pad_hex(0x80) == "0080"
    assert srp.pad_hex(0xABC) == "0abc"
    assert (
        srp.secret_hash("user", "client", "secret")
        == base64.b64encode(hmac.new(b"secret", b"userclient", hashlib.sha256).digest()).decode()
    )


def test_device_verifier_matches_pycognito_for_the_same_random_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    import pycognito.aws_srp as reference

    stream = bytes(range(7, 7 + 56))  # 40 bytes of device password, then 16 of salt, as both draw them

    def source() -> Any:
        position = 0

        def take(n: int) -> bytes:
            nonlocal position
            position += n
            return stream[position - n : position]

        return take

    monkeypatch.setattr(reference.os, "urandom", source())
    password, config = reference.generate_hash_device("-group-key", "us-west-2_device-key")
    ours = srp.device_verifier("-group-key", "us-west-2_device-key", source())
    assert ours.password == password
    assert (ours.password_verifier, ours.salt) == (config["PasswordVerifier"], config["Salt"])
    assert password not in repr(ours)

    # and by hand, from the protocol's definition: v = g^H(salt | H(group key | device key | ":" | password))
    salt_hex = base64.b64decode(ours.salt).hex()
    inner = hashlib.sha256(f"-group-key{'us-west-2_device-key'}:{password}".encode()).hexdigest()
    x = int(hashlib.sha256(bytes.fromhex(salt_hex + inner)).hexdigest(), 16)
    assert int.from_bytes(base64.b64decode(ours.password_verifier), "big") == pow(srp.G, x, srp.N)


def test_device_claim_matches_pycognito_for_the_same_secret_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import pycognito.aws_srp as reference

    fixed_bytes = bytes(range(1, 129))

    class FrozenDatetime(datetime):
        @classmethod
        def utcnow(cls) -> FrozenDatetime:
            return cls(2026, 11, 3, 8, 5, 9)

    monkeypatch.setattr(reference.datetime, "datetime", FrozenDatetime)
    ours = srp.new_ephemeral(lambda n: fixed_bytes[:n])
    theirs = reference.AWSSRP(
        "alice",
        "unused-user-password",
        POOL_ID,
        CLIENT_ID,
        client=object(),
        device_key="us-west-2_device-key",
        device_group_key="-group-key",
        device_password="device-password-base64==",
    )
    theirs.small_a_value = int.from_bytes(fixed_bytes, "big") % srp.N
    theirs.large_a_value = theirs.calculate_a()
    challenge = {
        "USERNAME": "alice-id",
        "SALT": "3f2a1b",
        "SRP_B": f"{pow(srp.G, 987654321, srp.N):x}",
        "SECRET_BLOCK": base64.b64encode(b"device-secret-block").decode(),
    }
    expected = theirs.process_device_challenge(challenge)
    stamp, signature = srp.device_claim(
        ours,
        group_key="-group-key",
        device_key="us-west-2_device-key",
        password="device-password-base64==",
        salt_hex=challenge["SALT"],
        server_b_hex=challenge["SRP_B"],
        secret_block_b64=challenge["SECRET_BLOCK"],
        now=datetime(2026, 11, 3, 8, 5, 9, tzinfo=UTC),
    )
    assert stamp == expected["TIMESTAMP"] == "Tue Nov 3 08:05:09 UTC 2026"
    assert signature == expected["PASSWORD_CLAIM_SIGNATURE"]
