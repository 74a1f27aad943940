from __future__ import annotations

from dataclasses import replace

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import RefreshFailed, SessionReset, SignedOut, TokensRefreshed
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON
from aws_client_auth.testing import FakeWorld, fake_world


@pytest.fixture
def world() -> FakeWorld:
    w = fake_world({"alice": "Passw0rd!"})
    w.auth.sign_in("alice", "Passw0rd!")
    return w


def test_refresh_keeps_refresh_token_when_response_has_none(world: FakeWorld) -> None:
    original = world.session.tokens[COGNITO].refresh_token
    first = world.auth.refresh_tokens()
    second = world.auth.refresh_tokens()
    assert first.refresh_token == original
    assert second.refresh_token == original
    assert world.pool.refreshes == 2
    assert len(world.events.of(TokensRefreshed)) == 2


def test_get_tokens_returns_valid_tokens_whole_without_refreshing(world: FakeWorld) -> None:
    tokens = world.auth.get_tokens()
    assert tokens.id_token is not None
    assert tokens.access_token
    assert world.pool.refreshes == 0


def test_get_tokens_refreshes_within_the_skew(world: FakeWorld) -> None:
    world.clock.advance(3600 - 200)
    tokens = world.auth.get_tokens()
    assert world.pool.refreshes == 1
    assert tokens.is_valid(world.clock.now())
    assert tokens.id_token is not None


def test_revoked_refresh_token_signs_out_only_that_provider(world: FakeWorld) -> None:
    world.lwa.add_user("amzn")
    world.store.save(world.session.with_tokens(world.lwa.issue("amzn")))
    world.pool.refresh_tokens.clear()
    with pytest.raises(e.SessionExpired):
        world.auth.refresh_tokens()
    assert world.session.signed_in_providers == (LOGIN_WITH_AMAZON,)
    (failed,) = world.events.of(RefreshFailed)
    assert isinstance(failed, RefreshFailed)
    assert failed.provider == COGNITO


def test_network_failure_during_refresh_leaves_the_session_as_it_was(world: FakeWorld) -> None:
    before = world.session
    world.pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        world.auth.refresh_tokens()
    assert world.session == before
    assert world.events.of(RefreshFailed)


def test_refresh_when_not_signed_in_says_so(world: FakeWorld) -> None:
    with pytest.raises(e.NotSignedIn, match="google"):
        world.auth.refresh_tokens("google")


def test_tokens_without_refresh_token_expire_the_session(world: FakeWorld) -> None:
    tokens = replace(world.session.tokens[COGNITO], refresh_token=None)
    world.store.save(world.session.with_tokens(tokens))
    with pytest.raises(e.SessionExpired, match="sign in again"):
        world.auth.refresh_tokens()
    assert world.session.signed_in_providers == ()


def test_sign_out_of_last_provider_forgets_identity_and_credentials(world: FakeWorld) -> None:
    world.auth.get_credentials()
    assert world.session.authenticated_identity_id is not None
    world.auth.sign_out(COGNITO)
    session = world.session
    assert session.signed_in_providers == ()
    assert session.authenticated_identity_id is None
    assert session.credentials is None
    assert world.events.of(SignedOut) == [SignedOut(COGNITO, False)]


def test_global_sign_out_revokes_refresh_tokens_everywhere(world: FakeWorld) -> None:
    refresh = world.session.tokens[COGNITO].refresh_token
    world.auth.sign_out(COGNITO, globally=True)
    assert refresh is not None
    assert refresh.reveal() not in world.pool.refresh_tokens


def test_global_sign_out_of_an_already_revoked_session_still_signs_out(world: FakeWorld) -> None:
    world.pool.access.clear()
    world.auth.sign_out(globally=True)
    assert world.session.signed_in_providers == ()


def test_global_sign_out_that_cannot_reach_the_service_keeps_the_session(world: FakeWorld) -> None:
    before = world.session
    world.pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        world.auth.sign_out(globally=True)
    assert world.session == before


def test_global_sign_out_of_a_provider_without_it_is_a_clear_error(world: FakeWorld) -> None:
    world.store.save(world.session.with_tokens(world.google.issue("g")))
    with pytest.raises(e.InvalidInput, match="no global sign-out"):
        world.auth.sign_out(GOOGLE, globally=True)


def test_sign_out_all_covers_every_provider(world: FakeWorld) -> None:
    world.store.save(world.session.with_tokens(world.google.issue("g")))
    names = world.auth.sign_out(globally=True)
    assert names == (COGNITO, GOOGLE)
    assert world.session.signed_in_providers == ()


def test_sign_out_of_a_provider_not_signed_in(world: FakeWorld) -> None:
    with pytest.raises(e.NotSignedIn):
        world.auth.sign_out("lwa")


def test_reset_clears_all_identity_state(world: FakeWorld) -> None:
    world.auth.get_credentials()
    world.auth.reset()
    assert world.session.signed_in_providers == ()
    assert world.session.guest_identity_id is None
    assert world.session.credentials is None
    assert world.events.of(SessionReset)


def test_local_sign_out_revokes_this_devices_refresh_token(world: FakeWorld) -> None:
    refresh = world.session.tokens[COGNITO].refresh_token
    assert refresh is not None
    world.auth.sign_out()
    assert refresh.reveal() not in world.pool.refresh_tokens


def test_sign_out_goes_ahead_when_revocation_fails(world: FakeWorld, caplog: pytest.LogCaptureFixture) -> None:
    world.pool.fail_next = e.ServiceUnavailable("down")
    world.auth.sign_out()
    assert world.session.signed_in_providers == ()
    assert "could not be revoked" in caplog.text


def test_revoking_a_refresh_token_revokes_the_access_tokens_issued_with_it(world: FakeWorld) -> None:
    tokens = world.session.tokens[COGNITO]
    refreshed = world.auth.refresh_tokens()
    world.auth.sign_out()
    with pytest.raises(e.SessionExpired):
        world.pool.get_user(tokens.access_token)
    with pytest.raises(e.SessionExpired):
        world.pool.get_user(refreshed.access_token)


def test_a_refreshed_provider_drops_cached_credentials_made_with_its_old_tokens(world: FakeWorld) -> None:
    first = world.auth.get_credentials()
    world.auth.refresh_tokens()
    assert world.session.credentials is None
    assert world.auth.get_credentials() != first
