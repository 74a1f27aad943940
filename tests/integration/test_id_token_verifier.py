"""The ID-token verifier, one test per rule: each test fails if its rule is removed from the verifier.

Tokens are signed here with a key made for the test, served as the pool's JWKS by a counting fetcher, so every
rule is checked on a token that passes all the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aws_client_auth.adapters.cognito.id_tokens import FAILURE_TTL, MAX_LEEWAY, REFETCH_INTERVAL, IdTokenVerifier
from aws_client_auth.domain import errors as e
from tests.fakes import START, FakeClock

ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool"
CLIENT_ID = "client123"
KID = "key-1"
NOW = int(START.timestamp())
LEEWAY = timedelta(seconds=60)

PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def jwk(kid: str = KID) -> dict[str, Any]:
    key: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE_KEY.public_key()))
    return {**key, "kid": kid, "alg": "RS256", "use": "sig"}


class Jwks:
    """The pool's key-set endpoint: counts fetches, and fails while ``failing`` is set."""

    def __init__(self, *kids: str) -> None:
        self.kids = list(kids or (KID,))
        self.fetches = 0
        self.failing = False

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetches += 1
        if self.failing:
            raise e.ServiceUnavailable(f"The key set at {url} failed; try again later.", status=503)
        return {"keys": [jwk(kid) for kid in self.kids]}


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "sub-123",
        "token_use": "id",
        "cognito:username": "alice",
        "iat": NOW - 10,
        "auth_time": NOW - 10,
        "exp": NOW + 3600,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not DROP}


DROP = object()


def signed(payload: dict[str, Any] | None = None, *, kid: str = KID) -> str:
    return jwt.encode(payload or claims(), PRIVATE_KEY, algorithm="RS256", headers={"kid": kid})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forged(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    """A token built by hand, for the algorithms PyJWT refuses to produce with these keys."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64(signature)}"


def verifier(
    jwks: Jwks | None = None, *, clock: FakeClock | None = None, leeway: timedelta = LEEWAY
) -> IdTokenVerifier:
    return IdTokenVerifier(
        jwks_url="https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Pool/.well-known/jwks.json",
        issuer=ISSUER,
        audience=CLIENT_ID,
        leeway=leeway,
        clock=clock or FakeClock(),
        fetch=jwks or Jwks(),
    )


def test_a_token_passing_every_rule_is_accepted() -> None:
    assert verifier().verify(signed())["cognito:username"] == "alice"


def test_alg_none_is_refused() -> None:
    token = forged({"alg": "none", "kid": KID}, claims())
    with pytest.raises(e.InvalidToken, match="signed with 'none', not RS256"):
        verifier().verify(token)


def test_hs256_keyed_with_the_public_key_is_refused() -> None:
    def sign(data: bytes) -> bytes:
        return hmac.new(PUBLIC_PEM, data, hashlib.sha256).digest()

    token = forged({"alg": "HS256", "kid": KID, "typ": "JWT"}, claims(), sign)
    with pytest.raises(e.InvalidToken, match="signed with 'HS256', not RS256"):
        verifier().verify(token)


def test_a_signature_by_another_key_is_refused() -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), other, algorithm="RS256", headers={"kid": KID})
    with pytest.raises(e.InvalidToken, match="signature does not match"):
        verifier().verify(token)


def test_another_issuer_is_refused() -> None:
    token = signed(claims(iss="https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other"))
    with pytest.raises(e.InvalidToken, match=r"not issued by this user pool \(iss\)"):
        verifier().verify(token)


def test_another_audience_is_refused() -> None:
    with pytest.raises(e.InvalidToken, match=r"another app client \(aud\)"):
        verifier().verify(signed(claims(aud="other-client")))


def test_an_access_token_is_not_an_id_token() -> None:
    access = claims(token_use="access", aud=DROP, client_id=CLIENT_ID)
    with pytest.raises(e.InvalidToken, match="not an ID token"):
        verifier().verify(signed({**access, "aud": CLIENT_ID}))
    with pytest.raises(e.InvalidToken):
        verifier().verify(signed(access))  # as Cognito issues it: no aud at all


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "token_use", "exp", "iat"])
def test_every_required_claim_must_be_present(claim: str) -> None:
    with pytest.raises(e.InvalidToken, match=f'"{claim}" claim'):
        verifier().verify(signed(claims(**{claim: DROP})))


def test_an_expired_token_is_refused_beyond_the_leeway() -> None:
    clock = FakeClock()
    token = signed(claims(exp=NOW - 30))
    assert verifier(clock=clock).verify(token)  # 30 s past expiry, within the 60 s leeway
    clock.advance(31)
    with pytest.raises(e.InvalidToken, match="expired"):
        verifier(clock=clock).verify(token)


def test_nbf_in_the_future_is_refused_beyond_the_leeway() -> None:
    assert verifier().verify(signed(claims(nbf=NOW + 60)))
    with pytest.raises(e.InvalidToken, match=r"not valid for another 61 s \(nbf\)"):
        verifier().verify(signed(claims(nbf=NOW + 61)))


def test_iat_in_the_future_is_refused_beyond_the_leeway() -> None:
    assert verifier().verify(signed(claims(iat=NOW + 60)))
    with pytest.raises(e.InvalidToken, match=r"issued 61 s in the future \(iat\)"):
        verifier().verify(signed(claims(iat=NOW + 61)))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize(
    "value", ["inf", "nan", "1e400", "4102444800", math.inf, -math.inf, math.nan, 10**400, 1e300, -1, True, None, [1]]
)
def test_times_must_be_real_numbers(claim: str, value: Any) -> None:
    payload = claims(**{claim: value})
    if value is None:
        payload = {**payload, claim: None}
    with pytest.raises(e.InvalidToken, match=f"{claim}"):
        verifier().verify(signed(payload))


def test_the_leeway_is_bounded() -> None:
    assert verifier(leeway=MAX_LEEWAY)
    with pytest.raises(e.ConfigurationError, match="id_token_leeway_seconds"):
        verifier(leeway=MAX_LEEWAY + timedelta(seconds=1))
    with pytest.raises(e.ConfigurationError, match="id_token_leeway_seconds"):
        verifier(leeway=timedelta(seconds=-1))


def test_an_unknown_kid_refetches_at_most_once_per_interval() -> None:
    jwks, clock = Jwks(), FakeClock()
    check = verifier(jwks, clock=clock)
    check.verify(signed())
    with pytest.raises(e.InvalidToken, match="unknown key"):
        check.verify(signed(kid="made-up"))
    assert jwks.fetches == 1  # the keys were fetched just now: nothing to gain from asking again
    clock.advance(REFETCH_INTERVAL.total_seconds())
    for n in range(100):
        with pytest.raises(e.InvalidToken, match="unknown key"):
            check.verify(signed(kid=f"made-up-{n}"))
        clock.advance(1)
    assert jwks.fetches == 2  # the first may have been a rotated key: one refetch, then none in the interval
    clock.advance(REFETCH_INTERVAL.total_seconds() - 100)
    jwks.kids.append("rotated")
    assert check.verify(signed(kid="rotated"))
    assert jwks.fetches == 3


def test_a_key_rotated_in_between_is_found_by_the_refetch() -> None:
    jwks, clock = Jwks(), FakeClock()
    check = verifier(jwks, clock=clock)
    check.verify(signed())
    clock.advance(REFETCH_INTERVAL.total_seconds())
    jwks.kids = ["rotated"]
    assert check.verify(signed(kid="rotated"))
    assert jwks.fetches == 2


def test_a_failed_jwks_fetch_is_cached_for_a_short_time() -> None:
    jwks, clock = Jwks(), FakeClock()
    jwks.failing = True
    check = verifier(jwks, clock=clock)
    for _ in range(100):
        with pytest.raises(e.ServiceUnavailable, match="failed; try again later"):
            check.verify(signed())
    assert jwks.fetches == 1
    clock.advance(FAILURE_TTL.total_seconds())
    jwks.failing = False
    assert check.verify(signed())
    assert jwks.fetches == 2


def test_a_clock_set_back_does_not_freeze_the_cache() -> None:
    jwks, clock = Jwks(), FakeClock()
    jwks.failing = True
    check = verifier(jwks, clock=clock)
    with pytest.raises(e.ServiceUnavailable):
        check.verify(signed())
    clock.advance(-3600)
    jwks.failing = False
    assert check.verify(signed(claims(iat=NOW - 7200, exp=NOW)))
    assert jwks.fetches == 2


def test_a_malformed_key_set_is_a_service_error_and_cached() -> None:
    fetches: list[str] = []

    def broken(url: str) -> dict[str, Any]:
        fetches.append(url)
        return {"keys": [{"kty": "unknown-kind", "kid": KID}]}

    check = IdTokenVerifier(
        jwks_url="https://x/jwks", issuer=ISSUER, audience=CLIENT_ID, leeway=LEEWAY, clock=FakeClock(), fetch=broken
    )
    for _ in range(3):
        with pytest.raises(e.ServiceError, match="malformed or has no usable key"):
            check.verify(signed())
    assert len(fetches) == 1


def test_a_symmetric_key_under_the_right_kid_never_verifies() -> None:
    secret = b"shared-secret-that-is-long-enough-for-hs256"

    def with_oct_key(url: str) -> dict[str, Any]:
        return {"keys": [{"kty": "oct", "k": b64(secret), "kid": KID, "alg": "HS256"}, jwk("other")]}

    check = IdTokenVerifier(
        jwks_url="https://x", issuer=ISSUER, audience=CLIENT_ID, leeway=LEEWAY, clock=FakeClock(), fetch=with_oct_key
    )
    token = jwt.encode(claims(), secret, algorithm="HS256", headers={"kid": KID})
    with pytest.raises(e.InvalidToken, match="RS256"):
        check.verify(token)


def test_messages_show_a_hostile_kid_and_claims_cleaned() -> None:
    hostile = "\x1b]8;;https://evil\x07click\x1b]8;;\x07\x1b[2J" + "k" * 500
    with pytest.raises(e.InvalidToken) as raised:
        verifier().verify(signed(kid=hostile))
    assert "\x1b" not in str(raised.value)
    assert "\x07" not in str(raised.value)
    assert len(str(raised.value)) < 200
    with pytest.raises(e.InvalidToken) as raised:
        verifier().verify(signed(claims(token_use="\x1b[1A\x1b[2KSigned in")))
    assert "\x1b" not in str(raised.value)
    with pytest.raises(e.InvalidToken) as raised:
        verifier().verify(signed(claims(exp="\x1b[2J9" * 100)))
    assert "\x1b" not in str(raised.value)
    assert len(str(raised.value)) < 200


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "e30.e30.", "\x1b[2J.x.y"])
def test_a_malformed_token_is_refused_before_any_fetch(token: str) -> None:
    jwks = Jwks()
    with pytest.raises(e.InvalidToken, match=r"malformed|not RS256"):
        verifier(jwks).verify(token)
    assert jwks.fetches == 0
