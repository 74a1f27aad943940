from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_client_auth.application.use_cases.get_credentials import GetCredentials
from aws_client_auth.application.use_cases.link_identities import LinkIdentities
from aws_client_auth.application.use_cases.sign_in import SignIn
from aws_client_auth.application.use_cases.sign_out import SignOut
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import CredentialsFailed, CredentialsObtained, IdentitiesLinked
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON, ProviderName
from tests.fakes import COGNITO_KEY, GOOGLE_KEY, LWA_KEY, World, make_world


def signed_in(world: World, *providers: ProviderName) -> World:
    for provider in providers:
        if provider == COGNITO:
            world.pool.add_user("alice")
            SignIn(world.registry, world.sessions, world.events).execute("alice", "Passw0rd!")
        else:
            fake = {LOGIN_WITH_AMAZON: world.lwa, GOOGLE: world.google}[provider]
            fake.add_user("alice")
            world.sessions.save(world.session.with_tokens(fake.issue("alice")))
    return world


def get(world: World, *, force: bool = False) -> object:
    return GetCredentials(world.credentials).execute(force_refresh=force)


def test_guest_credentials_when_nobody_is_signed_in() -> None:
    world = make_world()
    creds = world.credentials.get()
    assert not creds.authenticated
    assert world.session.guest_identity_id == creds.identity_id
    assert world.identity_pool.last_logins == {}
    assert world.events.of(CredentialsObtained)


def test_guest_refused_by_the_pool_is_a_clear_error() -> None:
    world = make_world(guest_allowed=False)
    with pytest.raises(e.GuestAccessDisabled):
        world.credentials.get()
    assert world.events.of(CredentialsFailed)


def test_authenticated_credentials_carry_every_provider_login() -> None:
    world = signed_in(make_world(), COGNITO, LOGIN_WITH_AMAZON, GOOGLE)
    creds = world.credentials.get()
    assert creds.authenticated
    assert world.identity_pool.last_logins == {
        COGNITO_KEY: world.session.tokens[COGNITO].id_token.reveal(),  # type: ignore[union-attr]
        LWA_KEY: world.session.tokens[LOGIN_WITH_AMAZON].access_token.reveal(),
        GOOGLE_KEY: world.session.tokens[GOOGLE].id_token.reveal(),  # type: ignore[union-attr]
    }


def test_identity_id_is_kept_so_get_id_is_called_once() -> None:
    world = signed_in(make_world(), COGNITO)
    world.credentials.get()
    world.clock.advance(3600)  # credentials and tokens expire
    world.credentials.get()
    assert world.identity_pool.get_id_calls == 1
    assert world.identity_pool.credential_calls == 2


def test_fresh_cached_credentials_cost_no_call() -> None:
    world = signed_in(make_world(), COGNITO)
    first = world.credentials.get()
    again = world.credentials.get()
    assert again is first
    assert world.identity_pool.credential_calls == 1


def test_cached_credentials_in_the_store_serve_another_process() -> None:
    world = signed_in(make_world(), COGNITO)
    first = world.credentials.get()
    other_process = make_world()
    other_process.store.save(world.session)
    other_process.clock.current = world.clock.current
    assert other_process.credentials.get() == first
    assert other_process.identity_pool.credential_calls == 0


def test_provider_tokens_about_to_expire_are_refreshed_before_they_are_sent() -> None:
    world = signed_in(make_world(), COGNITO)
    world.clock.advance(3600 - 60)
    world.credentials.get()
    sent = world.identity_pool.last_logins[COGNITO_KEY]
    assert sent == world.session.tokens[COGNITO].id_token.reveal()  # type: ignore[union-attr]
    assert world.pool.refreshes == 1


def test_merged_identity_replaces_the_kept_one() -> None:
    world = signed_in(make_world(), COGNITO)
    world.credentials.get()
    kept = world.session.authenticated_identity_id
    assert kept is not None
    world.identity_pool.merged[kept] = "us-west-2:merged"
    world.identity_pool.links["us-west-2:merged"] = world.identity_pool.links.pop(kept)
    creds = world.credentials.get(force=True)
    assert creds.identity_id == "us-west-2:merged"
    assert world.session.authenticated_identity_id == "us-west-2:merged"


def test_sign_in_invalidates_cached_guest_credentials() -> None:
    world = make_world()
    guest = world.credentials.get()
    signed_in(world, COGNITO)
    authenticated = world.credentials.get()
    assert authenticated.authenticated
    assert authenticated.identity_id != guest.identity_id


def test_refresh_invalidates_cached_credentials() -> None:
    world = signed_in(make_world(), COGNITO)
    world.credentials.get()
    world.tokens.refresh(COGNITO)
    world.credentials.get()
    assert world.identity_pool.credential_calls == 2


def test_sign_out_returns_to_guest_with_a_separate_identity() -> None:
    world = signed_in(make_world(), COGNITO)
    authenticated = world.credentials.get()
    SignOut(world.registry, world.sessions, world.events).execute()
    guest = world.credentials.get()
    assert not guest.authenticated
    assert guest.identity_id != authenticated.identity_id


def test_short_lived_credentials_are_not_refetched_on_every_use() -> None:
    world = signed_in(make_world(credential_lifetime=90), COGNITO)
    world.credentials.get()
    for _ in range(6):
        world.clock.advance(10)
        world.credentials.get()
    assert world.identity_pool.credential_calls == 1
    world.clock.advance(10)  # 70 s: inside a quarter of the lifetime
    world.credentials.get()
    assert world.identity_pool.credential_calls == 2


def test_failed_refresh_keeps_credentials_that_are_still_usable() -> None:
    world = signed_in(make_world(), COGNITO)
    first = world.credentials.get()
    world.clock.advance(3600 - 10 * 60)  # advisory window, not yet mandatory
    world.identity_pool.fail_next = e.ServiceUnavailable("down")
    assert world.credentials.get() == first
    assert world.events.of(CredentialsFailed)


def test_failed_refresh_raises_once_credentials_are_expired() -> None:
    world = signed_in(make_world(), COGNITO)
    world.credentials.get()
    world.clock.advance(3600 - 60)
    world.identity_pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        world.credentials.get()


def test_missing_identity_pool_is_a_clear_error() -> None:
    world = make_world()
    from aws_client_auth.application.services.credentials import CredentialService

    service = CredentialService(world.sessions, world.registry, world.tokens, None, world.clock, world.events)
    with pytest.raises(e.ProviderNotConfigured, match="identity_pool_id"):
        service.get()


def test_many_threads_on_expired_credentials_cause_exactly_one_fetch() -> None:
    world = signed_in(make_world(), COGNITO)
    world.credentials.get()
    world.clock.advance(3500)
    world.tokens.refresh(COGNITO)  # tokens fresh, credentials expired
    calls_before = world.identity_pool.credential_calls
    barrier = threading.Barrier(64)

    def ask() -> str:
        barrier.wait()
        return world.credentials.get().access_key_id

    with ThreadPoolExecutor(64) as pool:
        keys = set(pool.map(lambda _: ask(), range(64)))
    assert world.identity_pool.credential_calls == calls_before + 1
    assert len(keys) == 1


def test_link_identities_puts_every_provider_into_one_identity() -> None:
    world = signed_in(make_world(), COGNITO, GOOGLE)
    identity = LinkIdentities(world.credentials, world.sessions, world.events, "us-west-2:pool").execute()
    assert identity.logins == {COGNITO_KEY, GOOGLE_KEY}
    assert identity.authenticated
    (linked,) = world.events.of(IdentitiesLinked)
    assert isinstance(linked, IdentitiesLinked)
    assert linked.providers == (COGNITO, GOOGLE)
    # Later, signed in with only one of them, the same identity comes back.
    alone = make_world()
    alone.identity_pool = world.identity_pool
    google_only = world.google.issue("alice")
    assert alone.identity_pool.get_id({GOOGLE_KEY: google_only.id_token}) == identity.identity_id  # type: ignore[dict-item]


def test_link_identities_needs_two_providers() -> None:
    world = signed_in(make_world(), COGNITO)
    with pytest.raises(e.InvalidInput, match="at least two"):
        LinkIdentities(world.credentials, world.sessions, world.events, "pool").execute()


def test_expired_session_during_credential_fetch_asks_for_sign_in() -> None:
    world = signed_in(make_world(), COGNITO, GOOGLE)
    world.clock.advance(3600)
    world.pool.refresh_tokens.clear()
    with pytest.raises(e.SessionExpired):
        world.credentials.get()
    assert world.session.signed_in_providers == (GOOGLE,)


def test_a_session_that_expires_during_a_refresh_is_not_papered_over_with_old_credentials() -> None:
    world = make_world()
    world.pool.lifetime = 1800  # tokens live half as long as the credentials
    signed_in(world, COGNITO)
    world.credentials.get()
    world.clock.advance(3600 - 12 * 60)  # credentials in their advisory window, tokens expired
    world.pool.refresh_tokens.clear()  # the refresh token was revoked elsewhere
    with pytest.raises(e.SessionExpired):
        world.credentials.get()
    assert world.session.signed_in_providers == ()


def test_a_kept_identity_the_pool_has_deleted_is_replaced() -> None:
    world = signed_in(make_world(), COGNITO)
    first = world.credentials.get()
    del world.identity_pool.links[first.identity_id]  # deleted in the pool
    world.clock.advance(3600)
    again = world.credentials.get()
    assert again.identity_id != first.identity_id
    assert world.session.authenticated_identity_id == again.identity_id
    assert world.identity_pool.get_id_calls == 2
