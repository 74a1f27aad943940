"""Issue 15 end to end through the scripting facade: ``ClientAuth.from_config`` on a TOML file, a session kept under
CLIENT_AUTH_HOME, and the Cognito stand-in (tests/cognito_standin.py) as the user pool. Choice-based sign-in
(``USER_AUTH``: one-time codes by email and SMS, the password by SRP, passkeys with the software authenticator),
custom challenges, sign-in at sign-up's confirmation and ``ClientMetadata``; what the pool saw and what the session
file holds, rather than which methods were called. A new ``ClientAuth`` on the same home stands for a new process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, ChallengeKind, SignedIn, SignInStep
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.cognito_standin import CLIENT_ID, REGION, CognitoStandIn, cognito_standin, srp_first_quiz, three_round_quiz

PASSWORD = "Corr3ct-Horse-Battery-Staple!"
WRONG_PASSWORD = "Wr0ng-Horse-Battery-Staple!"
AUTHENTICATOR = "tests.software_authenticator:factory"
ANSWERS = ("answer-one-Q7x", "answer-two-R8y", "answer-three-S9z")


class Rig:
    """One machine: a home for the session, settings files written from the stand-in, and a new ``ClientAuth`` (a
    new process) whenever asked."""

    def __init__(self, standin: CognitoStandIn, tmp_path: Path) -> None:
        self.standin = standin
        self.tmp = tmp_path
        self.home = tmp_path / "home"
        self.keys = tmp_path / "passkeys.json"
        self._files = 0

    def auth(self, *, extra: str = "", **settings: Any) -> ClientAuth:
        """``extra``: TOML appended (a key of the last table the settings end with)."""
        self._files += 1
        path = self.tmp / f"client-auth-{self._files}.toml"
        path.write_text(self.standin.settings_toml(**settings) + extra, encoding="utf-8")
        return ClientAuth.from_config(path, environ={"CLIENT_AUTH_HOME": str(self.home)})

    def passkey_auth(self, store: Path | None = None, **settings: Any) -> ClientAuth:
        return self.auth(
            auth_flow="USER_AUTH",
            passkeys_authenticator=AUTHENTICATOR,
            passkeys_store=str(store or self.keys),
            **settings,
        )

    def stored(self) -> str:
        """Everything the session store wrote under the home."""
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(self.home.rglob("*")) if p.is_file())

    def stored_pending(self) -> dict[str, Any] | None:
        document = json.loads((self.home / "default.json").read_text(encoding="utf-8"))
        (session,) = document["sessions"].values()
        pending: dict[str, Any] | None = session.get("pending")
        return pending

    def sent(self) -> str:
        """Every request the pool received, as text (to look for what must never be sent)."""
        return json.dumps(self.standin.calls)


@pytest.fixture
def standin() -> Iterator[CognitoStandIn]:
    with cognito_standin() as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")
        standin.add_user(
            "carol", PASSWORD, phone_number="+14155550100", phone_number_verified="true", email="carol@example.com"
        )
        yield standin


@pytest.fixture
def rig(standin: CognitoStandIn, tmp_path: Path) -> Rig:
    return Rig(standin, tmp_path)


def challenge(step: object, kind: ChallengeKind) -> Challenge:
    assert isinstance(step, Challenge), step
    assert step.kind is kind, step
    return step


def signed_in(step: object, username: str = "alice") -> SignedIn:
    assert isinstance(step, SignedIn), step
    assert step.tokens.username == username
    return step


def no_secret_in(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"


def initiate(standin: CognitoStandIn) -> list[dict[str, Any]]:
    return [request for name, request in standin.calls if name == "InitiateAuth"]


def responses(standin: CognitoStandIn) -> list[dict[str, Any]]:
    return [request for name, request in standin.calls if name == "RespondToAuthChallenge"]


# --- one-time codes ------------------------------------------------------------------------------------------------
def test_email_code_signs_in_and_client_metadata_reaches_every_call(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH", client_metadata={"app": "game"})
    step = challenge(
        auth.sign_in("alice", factor="email-otp", client_metadata={"ticket": "t1"}), ChallengeKind.EMAIL_CODE
    )
    assert step.delivery is not None
    assert (step.delivery.medium, step.delivery.destination) == ("EMAIL", "al***")
    (started,) = initiate(rig.standin)
    assert started["AuthFlow"] == "USER_AUTH"
    assert started["AuthParameters"]["PREFERRED_CHALLENGE"] == "EMAIL_OTP"
    code = rig.standin.last_code("alice")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    with pytest.raises(e.CodeMismatch):
        auth.confirm_sign_in(wrong, client_metadata={"ticket": "t1"})
    pending = auth.pending()
    assert isinstance(pending, Challenge)
    assert pending.kind is ChallengeKind.EMAIL_CODE
    assert not auth.is_signed_in()

    again = rig.auth(auth_flow="USER_AUTH", client_metadata={"app": "game"})  # another process answers
    with again.client_metadata({"ticket": "t1"}):
        done = signed_in(again.confirm_sign_in(code))
    assert again.pending() is None
    assert again.is_signed_in()
    assert rig.standin.metadata_of("InitiateAuth") == [{"app": "game", "ticket": "t1"}]
    assert rig.standin.metadata_of("RespondToAuthChallenge") == [{"app": "game", "ticket": "t1"}] * 2
    no_secret_in(repr(step) + repr(done) + repr(pending), code, wrong)
    no_secret_in(rig.stored(), code, wrong)


def test_sms_code_signs_in_a_user_with_a_verified_phone(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH", client_metadata={"app": "game"})
    step = challenge(auth.sign_in("carol", factor="sms-otp"), ChallengeKind.SMS_OTP)
    assert step.delivery is not None
    assert step.delivery.medium == "SMS"
    assert initiate(rig.standin)[0]["AuthParameters"]["PREFERRED_CHALLENGE"] == "SMS_OTP"
    code = rig.standin.last_code("carol")
    assert rig.standin.outbox[-1][1] == "phone_number"
    with pytest.raises(e.CodeMismatch):
        auth.confirm_sign_in(f"{(int(code) + 7) % 10**6:06d}")
    assert challenge(auth.pending(), ChallengeKind.SMS_OTP)
    with auth.client_metadata({"ticket": "t2"}):
        signed_in(auth.confirm_sign_in(code), "carol")
    answered = responses(rig.standin)
    assert [r["ChallengeName"] for r in answered] == ["SMS_OTP", "SMS_OTP"]
    assert answered[-1]["ChallengeResponses"]["SMS_OTP_CODE"] == code
    assert rig.standin.metadata_of("RespondToAuthChallenge") == [{"app": "game"}, {"app": "game", "ticket": "t2"}]
    no_secret_in(rig.stored(), code)


# --- the pool offers the factors --------------------------------------------------------------------------------
def test_without_a_factor_the_user_chooses_among_exactly_their_factors_then_email_code(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    step = challenge(auth.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    assert rig.standin.factors_of("alice") == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    assert step.factors == (AuthFactor.PASSWORD, AuthFactor.EMAIL_OTP)
    assert "PREFERRED_CHALLENGE" not in initiate(rig.standin)[0]["AuthParameters"]
    stored = rig.stored_pending()
    assert stored is not None
    assert stored["factors"] == ["password", "email-otp"]

    later = rig.auth(auth_flow="USER_AUTH")  # a new process finds the factors in the stored challenge
    kept = challenge(later.pending(), ChallengeKind.SELECT_FACTOR)
    assert kept.factors == step.factors
    calls = len(rig.standin.calls)
    with pytest.raises(e.InvalidInput):
        later.confirm_sign_in("sms-otp")  # not the user's factor: refused here
    assert len(rig.standin.calls) == calls
    code_step = challenge(later.confirm_sign_in("email-otp"), ChallengeKind.EMAIL_CODE)
    assert responses(rig.standin)[-1]["ChallengeResponses"]["ANSWER"] == "EMAIL_OTP"
    assert code_step.delivery is not None
    signed_in(later.confirm_sign_in(rig.standin.last_code("alice")))


def test_choosing_the_password_proves_it_by_srp_and_never_sends_it(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    challenge(auth.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    asked = challenge(auth.confirm_sign_in("password"), ChallengeKind.PASSWORD)
    assert [name for name, _ in rig.standin.calls] == ["InitiateAuth"]  # the password is asked for here first
    assert challenge(rig.auth(auth_flow="USER_AUTH").pending(), ChallengeKind.PASSWORD)
    with pytest.raises(e.NotAuthorized):
        auth.confirm_sign_in(WRONG_PASSWORD)
    assert not auth.is_signed_in()

    challenge(auth.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    challenge(auth.confirm_sign_in("password"), ChallengeKind.PASSWORD)
    done = signed_in(auth.confirm_sign_in(PASSWORD))
    selected = [r for r in responses(rig.standin) if r["ChallengeName"] == "SELECT_CHALLENGE"]
    assert [r["ChallengeResponses"]["ANSWER"] for r in selected] == ["PASSWORD_SRP", "PASSWORD_SRP"]
    assert all("SRP_A" in r["ChallengeResponses"] for r in selected)
    assert [r["ChallengeName"] for r in responses(rig.standin)][-1] == "PASSWORD_VERIFIER"
    no_secret_in(rig.sent(), PASSWORD, WRONG_PASSWORD)
    no_secret_in(repr(asked) + repr(done) + rig.stored(), PASSWORD, WRONG_PASSWORD)


@pytest.mark.parametrize(
    ("flow", "factor"), [("USER_AUTH", "password"), ("USER_SRP_AUTH", "password"), ("USER_AUTH", None)]
)
def test_the_password_factor_uses_srp_unless_configured_for_the_plain_password(
    rig: Rig, flow: str, factor: str | None
) -> None:
    auth = rig.auth(auth_flow=flow)
    signed_in(auth.sign_in("alice", PASSWORD, factor=factor))
    (started,) = initiate(rig.standin)
    assert started["AuthFlow"] == "USER_AUTH"
    assert started["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
    assert "SRP_A" in started["AuthParameters"]
    no_secret_in(rig.sent(), PASSWORD)


def test_the_password_factor_sends_the_password_where_the_configuration_says_user_password_auth(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_PASSWORD_AUTH")
    signed_in(auth.sign_in("alice", PASSWORD, factor="password"))
    (started,) = initiate(rig.standin)
    assert started["AuthFlow"] == "USER_AUTH"
    assert started["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD"
    assert started["AuthParameters"]["PASSWORD"] == PASSWORD
    auth.sign_out()
    with pytest.raises(e.NotAuthorized):
        auth.sign_in("alice", WRONG_PASSWORD, factor="password")
    assert not auth.is_signed_in()


@pytest.mark.parametrize(
    ("password", "options"),
    [
        (None, {"factor": "password"}),
        (PASSWORD, {"factor": "email-otp"}),
        (PASSWORD, {"factor": "sms-otp"}),
        (PASSWORD, {"factor": "passkey"}),
        (None, {"factor": "carrier-pigeon"}),
        (None, {"factor": "email-otp", "custom": True}),
        (PASSWORD, {"factor": "password", "custom": True}),
    ],
)
def test_inconsistent_inputs_are_refused_before_any_call(
    rig: Rig, password: str | None, options: dict[str, Any]
) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    with pytest.raises(e.InvalidInput) as raised:
        auth.sign_in("alice", password, **options)
    assert rig.standin.calls == []
    assert auth.pending() is None
    no_secret_in(str(raised.value) + repr(raised.value), PASSWORD)


# --- passkeys ----------------------------------------------------------------------------------------------------
def test_passkey_registered_listed_used_refused_elsewhere_and_deleted(rig: Rig, tmp_path: Path) -> None:
    auth = rig.passkey_auth()
    signed_in(auth.sign_in("alice", PASSWORD))
    assert AuthFactor.PASSKEY not in auth.auth_factors()
    credential_id = auth.register_passkey()
    (kept,) = rig.standin.users["alice"].passkeys
    assert kept.id == credential_id
    assert [p.credential_id for p in auth.passkeys()] == [credential_id]
    assert set(auth.auth_factors()) >= {AuthFactor.PASSKEY, AuthFactor.PASSWORD, AuthFactor.EMAIL_OTP}
    counter = kept.sign_count
    auth.sign_out()
    assert not auth.is_signed_in()

    calls = len(rig.standin.calls)
    signed_in(rig.passkey_auth().sign_in("alice", factor="passkey"))  # no answer typed: the authenticator signs
    assert [name for name, _ in rig.standin.calls[calls:]] == ["InitiateAuth", "RespondToAuthChallenge"]
    assert initiate(rig.standin)[-1]["AuthParameters"]["PREFERRED_CHALLENGE"] == "WEB_AUTHN"
    assert responses(rig.standin)[-1]["ChallengeName"] == "WEB_AUTHN"
    assert kept.sign_count > counter
    counter = kept.sign_count
    auth.sign_out()

    # Another machine's authenticator holds no key for the pool: a typed failure, and the challenge waits.
    elsewhere = rig.passkey_auth(store=tmp_path / "other-passkeys.json")
    with pytest.raises(e.PasskeyError):
        elsewhere.sign_in("alice", factor="passkey")
    pending = challenge(elsewhere.pending(), ChallengeKind.PASSKEY)
    assert pending.passkey_request
    assert json.loads(pending.passkey_request)["challenge"]
    assert kept.sign_count == counter
    stored = rig.stored_pending()
    assert stored is not None
    assert stored["passkey_request"] == pending.passkey_request

    # The first authenticator (a new process) answers the stored challenge with nothing typed.
    back = rig.passkey_auth()
    with pytest.raises(e.InvalidInput):
        back.confirm_sign_in("something typed")
    signed_in(back.confirm_sign_in())
    assert kept.sign_count > counter
    assert back.pending() is None

    back.delete_passkey(credential_id)
    assert rig.standin.users["alice"].passkeys == []
    assert back.passkeys() == ()
    assert AuthFactor.PASSKEY not in back.auth_factors()
    back.sign_out()
    offered = challenge(back.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    assert AuthFactor.PASSKEY not in offered.factors
    with pytest.raises(e.InvalidInput):
        back.confirm_sign_in("passkey")
    step = back.sign_in("alice", factor="passkey")
    assert not isinstance(step, SignedIn)
    assert isinstance(step, Challenge)
    assert step.kind is not ChallengeKind.PASSKEY


# --- custom challenges -------------------------------------------------------------------------------------------
@pytest.fixture
def quiz(tmp_path: Path) -> Iterator[Rig]:
    with cognito_standin(**three_round_quiz(ANSWERS)) as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com")
        yield Rig(standin, tmp_path)


def test_custom_challenges_answered_by_a_person_round_by_round(quiz: Rig) -> None:
    auth = quiz.auth(client_metadata={"app": "game"})
    steps: list[SignInStep] = [auth.sign_in("alice", custom=True, client_metadata={"ticket": "t1"})]
    first = challenge(steps[0], ChallengeKind.CUSTOM)
    assert first.public["question"] == "Question 1 of 3"
    assert first.public["round"] == "1"
    assert json.loads(first.public["metadata"]) == {"app": "game", "ticket": "t1"}  # reached the create trigger
    assert "USERNAME" not in first.public
    assert initiate(quiz.standin)[0]["AuthFlow"] == "CUSTOM_AUTH"
    stored = quiz.stored_pending()
    assert stored is not None
    assert stored["public"]["question"] == "Question 1 of 3"

    later = quiz.auth(client_metadata={"app": "game"})  # a new process shows the stored question
    assert challenge(later.pending(), ChallengeKind.CUSTOM).public == first.public
    steps.append(later.confirm_sign_in(ANSWERS[0]))
    assert challenge(steps[-1], ChallengeKind.CUSTOM).public["round"] == "2"
    steps.append(later.confirm_sign_in("not-the-answer-W0w"))  # one wrong answer is allowed: the same question
    assert challenge(steps[-1], ChallengeKind.CUSTOM).public["round"] == "2"
    steps.append(later.confirm_sign_in(ANSWERS[1]))
    assert challenge(steps[-1], ChallengeKind.CUSTOM).public["question"] == "Question 3 of 3"
    steps.append(later.confirm_sign_in(ANSWERS[2]))
    signed_in(steps[-1])
    assert later.pending() is None
    verified = [
        given["challengeAnswer"] for name, given in quiz.standin.trigger_calls if name == "verify_auth_challenge"
    ]
    assert verified == [ANSWERS[0], "not-the-answer-W0w", ANSWERS[1], ANSWERS[2]]
    assert all(m == {"app": "game"} for m in quiz.standin.metadata_of("RespondToAuthChallenge"))
    no_secret_in("".join(repr(s) for s in steps) + quiz.stored(), *ANSWERS, "not-the-answer-W0w")


def test_custom_challenges_answered_in_code(quiz: Rig) -> None:
    auth = quiz.auth()
    seen: list[dict[str, str]] = []

    def answer(asked: Challenge) -> str:
        seen.append(dict(asked.public))
        return ANSWERS[int(asked.public["round"]) - 1]

    auth.answer_custom_challenges(answer)
    step = signed_in(auth.sign_in("alice", custom=True))
    assert [s["round"] for s in seen] == ["1", "2", "3"]
    assert auth.pending() is None
    assert auth.is_signed_in()
    no_secret_in(repr(step) + quiz.stored(), *ANSWERS)


def test_a_failing_answerer_is_a_typed_error_and_the_challenge_waits_for_a_person(quiz: Rig) -> None:
    auth = quiz.auth()

    def broken(asked: Challenge) -> str:
        raise RuntimeError("ticket service down: secret-detail-Z1")

    auth.answer_custom_challenges(broken)
    with pytest.raises(e.ServiceError) as raised:
        auth.sign_in("alice", custom=True)
    assert "secret-detail-Z1" not in str(raised.value)
    kept = challenge(auth.pending(), ChallengeKind.CUSTOM)
    assert kept.public["round"] == "1"
    assert not auth.is_signed_in()

    person = quiz.auth()  # another process has no answerer: a person answers
    for number, given in enumerate(ANSWERS, start=1):
        assert challenge(person.pending(), ChallengeKind.CUSTOM).public["round"] == str(number)
        step = person.confirm_sign_in(given)
    signed_in(step)


def test_custom_challenges_after_the_password_proven_by_srp(tmp_path: Path) -> None:
    with cognito_standin(**srp_first_quiz(("only-answer-T4",))) as standin:
        standin.add_user("alice", PASSWORD)
        rig = Rig(standin, tmp_path)
        auth = rig.auth()
        asked = challenge(auth.sign_in("alice", PASSWORD, custom=True), ChallengeKind.CUSTOM)
        assert asked.public["question"] == "Question 1 of 1"
        (started,) = initiate(standin)
        assert started["AuthFlow"] == "CUSTOM_AUTH"
        assert started["AuthParameters"]["CHALLENGE_NAME"] == "SRP_A"
        assert responses(standin)[0]["ChallengeName"] == "PASSWORD_VERIFIER"
        signed_in(auth.confirm_sign_in("only-answer-T4"))
        auth.sign_out()
        with pytest.raises(e.NotAuthorized):
            auth.sign_in("alice", WRONG_PASSWORD, custom=True)
        assert auth.pending() is None
        assert not auth.is_signed_in()
        no_secret_in(rig.sent(), PASSWORD, WRONG_PASSWORD)
        no_secret_in(repr(asked) + rig.stored(), PASSWORD, "only-answer-T4")


# --- sign-up --------------------------------------------------------------------------------------------------
def test_confirming_sign_up_signs_in_once_without_the_password(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    created = auth.sign_up("bob", PASSWORD, email="bob@example.com")
    assert not created.confirmed
    code = rig.standin.last_code("bob")
    calls = len(rig.standin.calls)
    step = auth.confirm_sign_up("bob", code, sign_in=True)
    signed_in(step, "bob")
    assert auth.is_signed_in()
    later = initiate(rig.standin)
    (session_sign_in,) = [r for r in later if r.get("Session")]
    assert session_sign_in["AuthFlow"] == "USER_AUTH"
    assert "PASSWORD" not in session_sign_in["AuthParameters"]
    assert "SRP_A" not in session_sign_in["AuthParameters"]
    assert [name for name, _ in rig.standin.calls[calls:]] == ["ConfirmSignUp", "InitiateAuth"]
    no_secret_in(json.dumps(rig.standin.calls[calls:]), PASSWORD)
    no_secret_in(repr(step) + rig.stored(), PASSWORD, code, session_sign_in["Session"])

    pool = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=rig.standin.url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with pytest.raises(ClientError) as refused:  # the session signed in once
        pool.initiate_auth(
            ClientId=CLIENT_ID,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "bob"},
            Session=session_sign_in["Session"],
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(e.ClientAuthError):
        auth.confirm_sign_up("bob", code, sign_in=True)  # confirmed already


def test_no_authenticator_present_is_typed_and_the_passkey_challenge_waits(rig: Rig) -> None:
    auth = rig.passkey_auth()
    signed_in(auth.sign_in("alice", PASSWORD))
    auth.register_passkey()
    auth.sign_out()
    counter = rig.standin.users["alice"].passkeys[0].sign_count

    absent = rig.passkey_auth(extra='absent = "true"\n')
    with pytest.raises(e.NoAuthenticator):
        absent.sign_in("alice", factor="passkey")
    challenge(absent.pending(), ChallengeKind.PASSKEY)
    with pytest.raises(e.NoAuthenticator):
        absent.confirm_sign_in()  # still no key: still pending
    challenge(absent.pending(), ChallengeKind.PASSKEY)
    assert not absent.is_signed_in()
    assert [r["ChallengeName"] for r in responses(rig.standin)].count("WEB_AUTHN") == 0
    assert rig.standin.users["alice"].passkeys[0].sign_count == counter

    signed_in(rig.passkey_auth().confirm_sign_in())  # the key plugged in: the same challenge answered


def test_custom_answers_in_code_carry_the_call_s_client_metadata(quiz: Rig) -> None:
    auth = quiz.auth(client_metadata={"app": "game"})
    auth.answer_custom_challenges(lambda asked: ANSWERS[int(asked.public["round"]) - 1])
    signed_in(auth.sign_in("alice", custom=True, client_metadata={"ticket": "t9"}))
    assert quiz.standin.metadata_of("InitiateAuth") == [{"app": "game", "ticket": "t9"}]
    assert quiz.standin.metadata_of("RespondToAuthChallenge") == [{"app": "game", "ticket": "t9"}] * 3
    created = [given["clientMetadata"] for name, given in quiz.standin.trigger_calls if name == "create_auth_challenge"]
    assert created == [{"app": "game", "ticket": "t9"}] * 3


def test_too_many_wrong_custom_answers_end_the_sign_in(quiz: Rig) -> None:
    auth = quiz.auth()
    challenge(auth.sign_in("alice", custom=True), ChallengeKind.CUSTOM)
    challenge(auth.confirm_sign_in("wrong-once"), ChallengeKind.CUSTOM)
    with pytest.raises(e.SessionExpired):
        auth.confirm_sign_in("wrong-twice")
    assert auth.pending() is None
    assert not auth.is_signed_in()
    with pytest.raises(e.NoPendingSignIn):
        auth.confirm_sign_in(ANSWERS[0])


def test_confirm_sign_up_passes_sign_up_s_session_on(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    auth.sign_up("dave", PASSWORD, email="dave@example.com")
    signed_in(auth.confirm_sign_up("dave", rig.standin.last_code("dave"), sign_in=True), "dave")
    (confirmed,) = [r for n, r in rig.standin.calls if n == "ConfirmSignUp"]
    assert confirmed.get("Session", "").startswith("session-")


def test_a_wrong_plain_password_at_the_factor_choice_is_not_authorized(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_PASSWORD_AUTH")
    challenge(auth.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    challenge(auth.confirm_sign_in("password"), ChallengeKind.PASSWORD)
    with pytest.raises(e.NotAuthorized):
        auth.confirm_sign_in(WRONG_PASSWORD)


def test_after_a_wrong_srp_password_the_retry_is_not_a_spent_session(rig: Rig) -> None:
    auth = rig.auth(auth_flow="USER_AUTH")
    challenge(auth.sign_in("alice"), ChallengeKind.SELECT_FACTOR)
    challenge(auth.confirm_sign_in("password"), ChallengeKind.PASSWORD)
    with pytest.raises(e.NotAuthorized):
        auth.confirm_sign_in(WRONG_PASSWORD)
    assert auth.pending() is None  # the spent session is not kept for a retry that cannot succeed
    with pytest.raises(e.NoPendingSignIn):
        auth.confirm_sign_in(PASSWORD)
