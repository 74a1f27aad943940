"""Choice-based sign-in, one-time codes, passkeys, custom challenges and client metadata (issue 15), through the
use cases on the shipped fakes: each test fails when the guarantee it names breaks."""

from __future__ import annotations

import json

import pytest

from aws_client_auth.adapters.stores.codec import encode
from aws_client_auth.application.services import client_metadata
from aws_client_auth.application.services.sign_in import MAX_ROUNDS_IN_CODE
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import ChallengeIssued, PasskeyDeleted, PasskeyRegistered, SignedIn
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import AuthFactor, Challenge, ChallengeKind
from aws_client_auth.domain.user import MfaType, Username
from aws_client_auth.testing import FakeUserPool, FakeWorld, fake_world

PASSWORD = "Passw0rd!"


@pytest.fixture
def world() -> FakeWorld:
    world = fake_world({"alice": PASSWORD})
    world.pool.users["alice"].email = "alice@example.com"
    return world


def pending(world: FakeWorld) -> Challenge:
    step = world.session.pending
    assert isinstance(step, Challenge)
    return step


def stored_text(world: FakeWorld) -> str:
    """Everything the profile's session would write, as text."""
    return json.dumps(encode(world.session), default=str)


def with_passkey(world: FakeWorld) -> str:
    """alice signed in once, registered a passkey, and signed out again."""
    world.auth.sign_in("alice", PASSWORD)
    credential_id = world.auth.register_passkey()
    world.auth.sign_out()
    return credential_id


# --- a chosen first factor -------------------------------------------------------------------------------------


def test_an_email_code_signs_in_in_two_steps(world: FakeWorld) -> None:
    step = world.auth.sign_in("alice", factor="email-otp")
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.EMAIL_CODE
    assert step.delivery is not None
    assert step.delivery.medium == "EMAIL"
    assert pending(world).kind is ChallengeKind.EMAIL_CODE
    assert not world.auth.is_signed_in()
    (sent,) = world.pool.sent
    assert sent.username == "alice"
    wrong = "000000" if sent.code != "000000" else "111111"
    with pytest.raises(e.CodeMismatch):
        world.auth.confirm_sign_in(wrong)
    assert pending(world).kind is ChallengeKind.EMAIL_CODE  # a wrong code may be typed again
    assert world.auth.confirm_sign_in(sent.code).done
    assert world.auth.is_signed_in()
    assert world.session.pending is None


def test_an_sms_code_goes_to_the_phone(world: FakeWorld) -> None:
    world.pool.users["alice"].phone = "+15555550100"
    step = world.auth.sign_in("alice", factor="sms")
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SMS_OTP
    assert world.pool.sent[-1].medium == "SMS"
    assert world.auth.confirm_sign_in(world.pool.last_code("alice")).done


def test_a_passwordless_factor_takes_no_password_and_the_password_factor_needs_it(world: FakeWorld) -> None:
    calls = world.pool.calls
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("alice", PASSWORD, factor="email-otp")
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("alice", factor="password")
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("alice", factor="email-otp", custom=True)
    assert world.pool.calls == calls  # refused before any call


def test_select_factor_is_answered_by_name(world: FakeWorld) -> None:
    step = world.auth.sign_in("alice")
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SELECT_FACTOR
    assert step.factors == (AuthFactor.PASSWORD, AuthFactor.EMAIL_OTP)
    code_step = world.auth.confirm_sign_in("email")
    assert isinstance(code_step, Challenge)
    assert code_step.kind is ChallengeKind.EMAIL_CODE
    assert world.auth.confirm_sign_in(world.pool.last_code("alice")).done


def test_a_factor_not_offered_is_refused_naming_the_offered_ones(world: FakeWorld) -> None:
    world.auth.sign_in("alice")
    calls = world.pool.calls
    with pytest.raises(e.InvalidInput) as refused:
        world.auth.confirm_sign_in("passkey")
    assert "password, email-otp" in str(refused.value)
    assert world.pool.calls == calls
    assert pending(world).kind is ChallengeKind.SELECT_FACTOR  # still to be answered
    with pytest.raises(e.InvalidInput):
        world.auth.confirm_sign_in("carrier-pigeon")


def test_a_preferred_factor_the_user_lacks_brings_the_choice(world: FakeWorld) -> None:
    step = world.auth.sign_in("alice", factor="passkey")  # no passkey registered
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.SELECT_FACTOR
    assert AuthFactor.PASSKEY not in step.factors


def test_the_password_factor_never_keeps_the_password(world: FakeWorld) -> None:
    world.pool.users["alice"].preferred = MfaType.TOTP
    world.pool.users["alice"].mfa_enabled = {MfaType.TOTP}
    world.auth.sign_in("alice")
    password_step = world.auth.confirm_sign_in("password")
    assert isinstance(password_step, Challenge)
    assert password_step.kind is ChallengeKind.PASSWORD
    mfa = world.auth.confirm_sign_in(PASSWORD)
    assert isinstance(mfa, Challenge)
    assert mfa.kind is ChallengeKind.TOTP_CODE
    assert PASSWORD not in stored_text(world)
    assert PASSWORD not in repr(world.session)
    world.auth.sign_in("alice", PASSWORD, factor="password")
    assert pending(world).kind is ChallengeKind.TOTP_CODE
    assert PASSWORD not in stored_text(world)
    assert world.auth.confirm_sign_in(FakeUserPool.CODE).done


def test_a_wrong_password_for_the_password_factor_is_refused(world: FakeWorld) -> None:
    world.auth.sign_in("alice")
    world.auth.confirm_sign_in("password")
    with pytest.raises(e.NotAuthorized):
        world.auth.confirm_sign_in("not-the-password")
    assert "not-the-password" not in stored_text(world)


# --- custom challenges answered in code ------------------------------------------------------------------------


@pytest.fixture
def custom(world: FakeWorld) -> FakeWorld:
    world.pool.custom_answers = ["a1", "a2", "a3"]
    return world


def test_an_answerer_answers_every_round(custom: FakeWorld) -> None:
    asked: list[dict[str, str]] = []

    def answerer(challenge: Challenge) -> str:
        asked.append(challenge.public)
        return f"a{challenge.public['round']}"

    custom.auth.answer_custom_challenges(answerer)
    assert custom.auth.sign_in("alice", custom=True).done
    assert custom.pool.custom_received == ["a1", "a2", "a3"]
    assert [a["round"] for a in asked] == ["1", "2", "3"]
    assert custom.auth.is_signed_in()


def test_custom_challenges_after_the_password_check_it_first(custom: FakeWorld) -> None:
    custom.auth.answer_custom_challenges(lambda c: f"a{c.public['round']}")
    with pytest.raises(e.NotAuthorized):
        custom.auth.sign_in("alice", "wrong-password", custom=True)
    assert custom.pool.custom_received == []
    assert custom.auth.sign_in("alice", PASSWORD, custom=True).done


def test_an_answerer_stops_at_the_bound_for_a_pool_that_never_issues_tokens(world: FakeWorld) -> None:
    world.pool.custom_answers = ["again"] * (MAX_ROUNDS_IN_CODE * 3)
    world.auth.answer_custom_challenges(lambda challenge: "again")
    step = world.auth.sign_in("alice", custom=True)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.CUSTOM
    assert len(world.pool.custom_received) == MAX_ROUNDS_IN_CODE
    assert pending(world).public["round"] == str(MAX_ROUNDS_IN_CODE + 1)


def test_an_answerer_returning_none_leaves_the_challenge_to_a_person(custom: FakeWorld) -> None:
    custom.auth.answer_custom_challenges(lambda challenge: None)
    step = custom.auth.sign_in("alice", custom=True)
    assert isinstance(step, Challenge)
    assert step.kind is ChallengeKind.CUSTOM
    assert custom.pool.custom_received == []
    assert pending(custom).public["round"] == "1"
    custom.auth.confirm_sign_in("a1")  # a person answers; the answerer is asked for the next round
    assert pending(custom).public["round"] == "2"
    custom.auth.answer_custom_challenges(None)
    custom.auth.confirm_sign_in("a2")
    assert custom.auth.confirm_sign_in("a3").done


def test_an_answerer_that_raises_gives_a_service_error_and_keeps_the_challenge(custom: FakeWorld) -> None:
    def answerer(challenge: Challenge) -> str:
        if challenge.public["round"] == "2":
            raise RuntimeError("ticket server said s3cret-detail")
        return "a1"

    custom.auth.answer_custom_challenges(answerer)
    with pytest.raises(e.ServiceError) as failed:
        custom.auth.sign_in("alice", custom=True)
    assert "s3cret-detail" not in str(failed.value)
    assert pending(custom).public["round"] == "2"
    custom.auth.answer_custom_challenges(None)
    custom.auth.confirm_sign_in("a2")
    assert custom.auth.confirm_sign_in("a3").done


def test_an_answerer_giving_no_text_is_refused(custom: FakeWorld) -> None:
    custom.auth.answer_custom_challenges(lambda challenge: "")
    with pytest.raises(e.ServiceError):
        custom.auth.sign_in("alice", custom=True)
    assert pending(custom).kind is ChallengeKind.CUSTOM
    assert custom.pool.custom_received == []


def test_a_custom_challenge_needs_an_answer(custom: FakeWorld) -> None:
    custom.auth.sign_in("alice", custom=True)
    calls = custom.pool.calls
    with pytest.raises(e.InvalidInput):
        custom.auth.confirm_sign_in("")
    assert custom.pool.calls == calls


# --- passkeys ----------------------------------------------------------------------------------------------------


def test_a_passkey_step_is_answered_at_once_by_the_authenticator(world: FakeWorld) -> None:
    with_passkey(world)
    step = world.auth.sign_in("alice", factor="passkey")
    assert step.done
    assert world.authenticator.assertions == 1
    assert world.session.pending is None
    assert world.auth.is_signed_in()


def test_an_authenticator_failure_keeps_the_passkey_step_and_an_empty_answer_retries(world: FakeWorld) -> None:
    with_passkey(world)
    world.authenticator.fail_next = e.Cancelled("The security key was not touched in time.")
    with pytest.raises(e.Cancelled):
        world.auth.sign_in("alice", factor="passkey")
    assert pending(world).kind is ChallengeKind.PASSKEY
    assert world.auth.confirm_sign_in("").done
    assert world.authenticator.assertions == 1


def test_a_passkey_step_takes_no_typed_answer(world: FakeWorld) -> None:
    with_passkey(world)
    world.authenticator.present = False
    with pytest.raises(e.NoAuthenticator):
        world.auth.sign_in("alice", factor="passkey")
    world.authenticator.present = True
    with pytest.raises(e.InvalidInput):
        world.auth.confirm_sign_in("x")
    assert pending(world).kind is ChallengeKind.PASSKEY
    assert world.authenticator.assertions == 0
    assert world.auth.confirm_sign_in().done


def test_register_list_delete_passkeys_and_auth_factors(world: FakeWorld) -> None:
    world.auth.sign_in("alice", PASSWORD)
    assert world.auth.passkeys() == ()
    assert world.auth.auth_factors() == (AuthFactor.PASSWORD, AuthFactor.EMAIL_OTP)
    credential_id = world.auth.register_passkey()
    (passkey,) = world.auth.passkeys()
    assert passkey.credential_id == credential_id
    assert passkey.relying_party == FakeUserPool.RP_ID
    assert AuthFactor.PASSKEY in world.auth.auth_factors()
    assert [ev.credential_id for ev in world.events.of(PasskeyRegistered)] == [credential_id]
    with pytest.raises(e.PasskeyError):  # the key already holds a passkey for alice: the pool excludes it
        world.auth.register_passkey()
    with pytest.raises(e.InvalidInput):
        world.auth.delete_passkey("no-such-passkey")
    with pytest.raises(e.InvalidInput):
        world.auth.delete_passkey("  ")
    world.auth.delete_passkey(credential_id)
    assert world.auth.passkeys() == ()
    assert AuthFactor.PASSKEY not in world.auth.auth_factors()
    assert [ev.credential_id for ev in world.events.of(PasskeyDeleted)] == [credential_id]


def test_registering_a_passkey_needs_a_signed_in_user(world: FakeWorld) -> None:
    with pytest.raises(e.NotSignedIn):
        world.auth.register_passkey()
    assert world.authenticator.created == 0


def test_an_authenticator_without_a_credential_id_registers_nothing(
    world: FakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.auth.sign_in("alice", PASSWORD)
    made = world.authenticator.create_credential

    def without_id(options: object) -> dict[str, object]:
        return {k: v for k, v in made(options).items() if k != "id"}  # type: ignore[arg-type]

    monkeypatch.setattr(world.authenticator, "create_credential", without_id)
    with pytest.raises(e.PasskeyError):
        world.auth.register_passkey()
    assert world.auth.passkeys() == ()


# --- the fakes' WebAuthn rules (what a tool's tests rely on) ----------------------------------------------------


def test_the_fake_pool_refuses_an_assertion_for_another_challenge(world: FakeWorld) -> None:
    with_passkey(world)
    world.auth.answer_custom_challenges(None)
    world.authenticator.present = False
    with pytest.raises(e.NoAuthenticator):
        world.auth.sign_in("alice", factor="passkey")
    challenge = pending(world)
    world.authenticator.present = True
    other = json.loads(challenge.passkey_request or "") | {"challenge": "b3RoZXI"}
    with pytest.raises(e.NotAuthorized):
        world.pool.answer_passkey(challenge, world.authenticator.get_assertion(other))


def test_the_fake_pool_refuses_a_registration_for_another_challenge(world: FakeWorld) -> None:
    tokens = world.pool.issue("alice")
    options = world.pool.start_passkey_registration(tokens.access_token)
    credential = world.authenticator.create_credential(options | {"challenge": "b3RoZXI"})
    with pytest.raises(e.PasskeyError):
        world.pool.complete_passkey_registration(tokens.access_token, credential)
    assert world.pool.users["alice"].passkeys == {}


# --- sign-up, then sign-in without the password ------------------------------------------------------------------


def test_confirm_sign_up_with_sign_in_returns_the_step_and_records_it(world: FakeWorld) -> None:
    world.auth.sign_up("bob", "Bobs-passw0rd", email="bob@example.com")
    step = world.auth.confirm_sign_up("bob", FakeUserPool.CODE, sign_in=True)
    assert step is not None
    assert step.done
    assert world.auth.is_signed_in()
    assert world.auth.get_tokens().username == "bob"
    assert [ev.username for ev in world.events.of(SignedIn)] == ["bob"]


def test_confirm_sign_up_without_sign_in_signs_no_one_in(world: FakeWorld) -> None:
    world.auth.sign_up("bob", "Bobs-passw0rd", email="bob@example.com")
    assert world.auth.confirm_sign_up("bob", FakeUserPool.CODE) is None
    assert not world.auth.is_signed_in()


def test_the_sign_up_session_signs_in_once_and_expires(world: FakeWorld) -> None:
    world.auth.sign_up("bob", "Bobs-passw0rd", email="bob@example.com")
    session = world.pool.confirm_sign_up(Username("bob"), FakeUserPool.CODE)
    assert session is not None
    with pytest.raises(e.SessionExpired):
        world.pool.sign_in_after_sign_up(Username("alice"), session)  # another user's: and now used
    session = world.pool.confirm_sign_up(Username("bob"), FakeUserPool.CODE)
    assert session is not None
    assert world.pool.sign_in_after_sign_up(Username("bob"), session).done
    with pytest.raises(e.SessionExpired):
        world.pool.sign_in_after_sign_up(Username("bob"), session)
    late = world.pool.confirm_sign_up(Username("bob"), FakeUserPool.CODE)
    assert late is not None
    world.clock.advance(FakeUserPool.SIGN_UP_SESSION_SECONDS)
    with pytest.raises(e.SessionExpired):
        world.pool.sign_in_after_sign_up(Username("bob"), late)
    with pytest.raises(e.SessionExpired):
        world.pool.sign_in_after_sign_up(Username("bob"), Secret("made-up"))


# --- client metadata -------------------------------------------------------------------------------------------


def test_client_metadata_nests_and_unwinds() -> None:
    assert dict(client_metadata.current()) == {}
    with client_metadata.using({"a": "1", "b": "1"}):
        with client_metadata.using({"b": "2", "c": "2"}):
            assert dict(client_metadata.current()) == {"a": "1", "b": "2", "c": "2"}
        assert dict(client_metadata.current()) == {"a": "1", "b": "1"}
        with client_metadata.using(None):
            assert dict(client_metadata.current()) == {"a": "1", "b": "1"}
    assert dict(client_metadata.current()) == {}


def test_client_metadata_reaches_the_pool_with_each_call_of_a_sign_in(world: FakeWorld) -> None:
    world.pool.custom_answers = ["a1"]
    world.auth.sign_in("alice", custom=True, client_metadata={"ticket": "t-1"})
    assert world.pool.client_metadata[-1] == {"ticket": "t-1"}
    with world.auth.client_metadata({"console": "x"}):
        world.auth.confirm_sign_in("a1", client_metadata={"ticket": "t-2"})
    assert world.pool.client_metadata[-1] == {"console": "x", "ticket": "t-2"}
    world.auth.refresh_tokens()
    assert world.pool.client_metadata[-1] == {}


@pytest.mark.parametrize(
    "bad",
    [
        {f"k{i}": "v" for i in range(client_metadata.MAX_PAIRS + 1)},
        {"k": 1},
        {2: "v"},
        {"": "v"},
        {"k": "v" * (client_metadata.MAX_TEXT + 1)},
    ],
    ids=["too-many-keys", "non-string-value", "non-string-key", "empty-key", "too-long"],
)
def test_checked_refuses_bad_metadata(bad: dict[object, object]) -> None:
    with pytest.raises(e.InvalidInput):
        client_metadata.checked(bad)  # type: ignore[arg-type]
    with pytest.raises(e.InvalidInput), client_metadata.using(bad):  # type: ignore[arg-type]
        pass  # pragma: no cover


def test_bad_metadata_is_refused_before_any_call(world: FakeWorld) -> None:
    calls = world.pool.calls
    with pytest.raises(e.InvalidInput):
        world.auth.sign_in("alice", PASSWORD, client_metadata={"": "v"})
    assert world.pool.calls == calls


def test_parse_pairs_refuses_a_word_without_equals_without_echoing_it() -> None:
    assert client_metadata.parse_pairs(["ticket=a=b", " k =v"]) == {"ticket": "a=b", "k": "v"}
    with pytest.raises(e.InvalidInput) as refused:
        client_metadata.parse_pairs(["ok=1", "hunter2-ticket"])
    assert "hunter2-ticket" not in str(refused.value)
    assert "2" in str(refused.value)
    with pytest.raises(e.InvalidInput):
        client_metadata.parse_pairs(["=v"])


def test_challenges_issued_are_published(world: FakeWorld) -> None:
    world.auth.sign_in("alice", factor="email-otp")
    assert [ev.kind for ev in world.events.of(ChallengeIssued)] == [ChallengeKind.EMAIL_CODE]


# --- a plug-in provider written before issue 15 --------------------------------------------------------------


class LegacyPasswordPort:
    """A plug-in's password sign-in with only the methods it had before choice-based sign-in (duck-typed, as
    plug-ins are): asked for a factor or custom challenges, the provider says it has none, never AttributeError."""

    def sign_in(self, username: Username, password: Secret) -> object:
        raise AssertionError("not called")


def test_a_plugin_without_factors_is_refused_with_a_typed_error(world: FakeWorld) -> None:
    from aws_client_auth.application.services.providers import AuthProvider
    from aws_client_auth.domain.tokens import LoginToken, ProviderName

    legacy = AuthProvider(
        ProviderName("legacy"),
        "legacy.example.com",
        LoginToken.ID,
        refresher=world.pool,
        password=LegacyPasswordPort(),  # type: ignore[arg-type]
    )
    world.auth.register_provider("legacy", lambda: legacy)
    with pytest.raises(e.UnsupportedChallenge, match="choice of sign-in factor"):
        world.auth.sign_in("bob", factor="email-otp", provider="legacy")
    with pytest.raises(e.UnsupportedChallenge, match="choice of sign-in factor"):
        world.auth.sign_in("bob", provider="legacy")
    with pytest.raises(e.UnsupportedChallenge, match="custom challenges"):
        world.auth.sign_in("bob", custom=True, provider="legacy")
