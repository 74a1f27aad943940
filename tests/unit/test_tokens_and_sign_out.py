from __future__ import annotations

from dataclasses import replace

import pytest

from aws_client_auth.application.use_cases.get_tokens import GetTokens
from aws_client_auth.application.use_cases.refresh_tokens import RefreshTokens
from aws_client_auth.application.use_cases.reset import Reset
from aws_client_auth.application.use_cases.sign_in import SignIn
from aws_client_auth.application.use_cases.sign_out import SignOut
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import RefreshFailed, SessionReset, SignedOut, TokensRefreshed
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON
from tests.fakes import World, make_world


@pytest.fixture
def world() -> World:
    w = make_world()
    w.pool.add_user("alice")
    SignIn(w.registry, w.sessions, w.events).execute("alice", "Passw0rd!")
    return w


def test_refresh_keeps_refresh_token_when_response_has_none(world: World) -> None:
    original = world.session.tokens[COGNITO].refresh_token
    first = RefreshTokens(world.tokens).execute()
    second = RefreshTokens(world.tokens).execute()
    assert first.refresh_token == original
    assert second.refresh_token == original
    assert world.pool.refreshes == 2
    assert len(world.events.of(TokensRefreshed)) == 2


def test_get_tokens_returns_valid_tokens_whole_without_refreshing(world: World) -> None:
    tokens = GetTokens(world.tokens).execute()
    assert tokens.id_token is not None
    assert tokens.access_token
    assert world.pool.refreshes == 0


def test_get_tokens_refreshes_within_the_skew(world: World) -> None:
    world.clock.advance(3600 - 200)
    tokens = GetTokens(world.tokens).execute()
    assert world.pool.refreshes == 1
    assert tokens.is_valid(world.clock.now())
    assert tokens.id_token is not None


def test_revoked_refresh_token_signs_out_only_that_provider(world: World) -> None:
    world.lwa.add_user("amzn")
    world.sessions.save(world.session.with_tokens(world.lwa.issue("amzn")))
    world.pool.refresh_tokens.clear()
    with pytest.raises(e.SessionExpired):
        RefreshTokens(world.tokens).execute()
    assert world.session.signed_in_providers == (LOGIN_WITH_AMAZON,)
    (failed,) = world.events.of(RefreshFailed)
    assert isinstance(failed, RefreshFailed)
    assert failed.provider == COGNITO


def test_network_failure_during_refresh_leaves_the_session_as_it_was(world: World) -> None:
    before = world.session
    world.pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        RefreshTokens(world.tokens).execute()
    assert world.session == before
    assert world.events.of(RefreshFailed)


def test_refresh_when_not_signed_in_says_so(world: World) -> None:
    with pytest.raises(e.NotSignedIn, match="google"):
        RefreshTokens(world.tokens).execute("google")


def test_tokens_without_refresh_token_expire_the_session(world: World) -> None:
    tokens = replace(world.session.tokens[COGNITO], refresh_token=None)
    world.sessions.save(world.session.with_tokens(tokens))
    with pytest.raises(e.SessionExpired, match="sign in again"):
        RefreshTokens(world.tokens).execute()
    assert world.session.signed_in_providers == ()


def test_sign_out_of_last_provider_forgets_identity_and_credentials(world: World) -> None:
    world.credentials.get()
    assert world.session.authenticated_identity_id is not None
    SignOut(world.registry, world.sessions, world.events).execute(COGNITO)
    session = world.session
    assert session.signed_in_providers == ()
    assert session.authenticated_identity_id is None
    assert session.credentials is None
    assert world.events.of(SignedOut) == [SignedOut(COGNITO, False)]


def test_global_sign_out_revokes_refresh_tokens_everywhere(world: World) -> None:
    refresh = world.session.tokens[COGNITO].refresh_token
    SignOut(world.registry, world.sessions, world.events).execute(COGNITO, globally=True)
    assert refresh is not None
    assert refresh.reveal() not in world.pool.refresh_tokens


def test_global_sign_out_of_an_already_revoked_session_still_signs_out(world: World) -> None:
    world.pool.access.clear()
    SignOut(world.registry, world.sessions, world.events).execute(globally=True)
    assert world.session.signed_in_providers == ()


def test_global_sign_out_that_cannot_reach_the_service_keeps_the_session(world: World) -> None:
    before = world.session
    world.pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        SignOut(world.registry, world.sessions, world.events).execute(globally=True)
    assert world.session == before


def test_global_sign_out_of_a_provider_without_it_is_a_clear_error(world: World) -> None:
    world.sessions.save(world.session.with_tokens(world.google.issue("g")))
    with pytest.raises(e.InvalidInput, match="no global sign-out"):
        SignOut(world.registry, world.sessions, world.events).execute(GOOGLE, globally=True)


def test_sign_out_all_covers_every_provider(world: World) -> None:
    world.sessions.save(world.session.with_tokens(world.google.issue("g")))
    names = SignOut(world.registry, world.sessions, world.events).execute(globally=True)
    assert names == (COGNITO, GOOGLE)
    assert world.session.signed_in_providers == ()


def test_sign_out_of_a_provider_not_signed_in(world: World) -> None:
    with pytest.raises(e.NotSignedIn):
        SignOut(world.registry, world.sessions, world.events).execute("lwa")


def test_reset_clears_all_identity_state(world: World) -> None:
    world.credentials.get()
    Reset(world.sessions, world.credentials, world.events).execute()
    assert world.session.signed_in_providers == ()
    assert world.session.guest_identity_id is None
    assert world.session.credentials is None
    assert world.events.of(SessionReset)


def test_local_sign_out_revokes_this_devices_refresh_token(world: World) -> None:
    refresh = world.session.tokens[COGNITO].refresh_token
    assert refresh is not None
    SignOut(world.registry, world.sessions, world.events).execute()
    assert refresh.reveal() not in world.pool.refresh_tokens


def test_sign_out_goes_ahead_when_revocation_fails(world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.pool.fail_next = e.ServiceUnavailable("down")
    SignOut(world.registry, world.sessions, world.events).execute()
    assert world.session.signed_in_providers == ()
    assert "could not be revoked" in caplog.text
