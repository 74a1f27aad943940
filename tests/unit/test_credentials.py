from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import CredentialsFailed, CredentialsObtained, IdentitiesLinked
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.tokens import COGNITO, GOOGLE, LOGIN_WITH_AMAZON, ProviderName
from aws_client_auth.testing import COGNITO_KEY, GOOGLE_KEY, LWA_KEY, FakeWorld, fake_world


def signed_in(world: FakeWorld, *providers: ProviderName) -> FakeWorld:
    """Alice signs in with each provider: a password for Cognito, an approved device code for the others."""
    for provider in providers:
        if provider == COGNITO:
            world.pool.add_user("alice")
            world.auth.sign_in("alice", "Passw0rd!")
        else:
            world.auth.start_device_sign_in(provider)
            {LOGIN_WITH_AMAZON: world.lwa_device, GOOGLE: world.google_device}[provider].user_approves("alice")
            world.auth.complete_device_sign_in(wait=False)
    return world


def test_guest_credentials_when_nobody_is_signed_in() -> None:
    world = fake_world()
    creds = world.auth.get_credentials()
    assert not creds.authenticated
    assert world.session.guest_identity_id == creds.identity_id
    assert world.identity_pool.last_logins == {}
    assert world.events.of(CredentialsObtained)


def test_guest_refused_by_the_pool_is_a_clear_error() -> None:
    world = fake_world(guest_access=False)
    with pytest.raises(e.GuestAccessDisabled):
        world.auth.get_credentials()
    assert world.events.of(CredentialsFailed)


def test_authenticated_credentials_carry_every_provider_login() -> None:
    world = signed_in(fake_world(), COGNITO, LOGIN_WITH_AMAZON, GOOGLE)
    creds = world.auth.get_credentials()
    assert creds.authenticated
    assert world.identity_pool.last_logins == {
        COGNITO_KEY: world.session.tokens[COGNITO].id_token.reveal(),  # type: ignore[union-attr]
        LWA_KEY: world.session.tokens[LOGIN_WITH_AMAZON].access_token.reveal(),
        GOOGLE_KEY: world.session.tokens[GOOGLE].id_token.reveal(),  # type: ignore[union-attr]
    }


def test_identity_id_is_kept_so_get_id_is_called_once() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.auth.get_credentials()
    world.clock.advance(3600)  # credentials and tokens expire
    world.auth.get_credentials()
    assert world.identity_pool.get_id_calls == 1
    assert world.identity_pool.credential_calls == 2


def test_fresh_cached_credentials_cost_no_call() -> None:
    world = signed_in(fake_world(), COGNITO)
    first = world.auth.get_credentials()
    again = world.auth.get_credentials()
    assert again is first
    assert world.identity_pool.credential_calls == 1


def test_cached_credentials_in_the_store_serve_another_process() -> None:
    world = signed_in(fake_world(), COGNITO)
    first = world.auth.get_credentials()
    other_process = fake_world()
    other_process.store.save(world.session)
    other_process.clock.current = world.clock.current
    assert other_process.auth.get_credentials() == first
    assert other_process.identity_pool.credential_calls == 0


def test_provider_tokens_about_to_expire_are_refreshed_before_they_are_sent() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.clock.advance(3600 - 60)
    world.auth.get_credentials()
    sent = world.identity_pool.last_logins[COGNITO_KEY]
    assert sent == world.session.tokens[COGNITO].id_token.reveal()  # type: ignore[union-attr]
    assert world.pool.refreshes == 1


def test_merged_identity_replaces_the_kept_one() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.auth.get_credentials()
    kept = world.session.authenticated_identity_id
    assert kept is not None
    world.identity_pool.merged[kept] = "us-west-2:merged"
    world.identity_pool.links["us-west-2:merged"] = world.identity_pool.links.pop(kept)
    creds = world.auth.get_credentials(force_refresh=True)
    assert creds.identity_id == "us-west-2:merged"
    assert world.session.authenticated_identity_id == "us-west-2:merged"


def test_sign_in_invalidates_cached_guest_credentials() -> None:
    world = fake_world()
    guest = world.auth.get_credentials()
    signed_in(world, COGNITO)
    authenticated = world.auth.get_credentials()
    assert authenticated.authenticated
    assert authenticated.identity_id != guest.identity_id


def test_refresh_invalidates_cached_credentials() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.auth.get_credentials()
    world.auth.refresh_tokens(COGNITO)
    world.auth.get_credentials()
    assert world.identity_pool.credential_calls == 2


def test_sign_out_returns_to_guest_with_a_separate_identity() -> None:
    world = signed_in(fake_world(), COGNITO)
    authenticated = world.auth.get_credentials()
    world.auth.sign_out()
    guest = world.auth.get_credentials()
    assert not guest.authenticated
    assert guest.identity_id != authenticated.identity_id


def test_short_lived_credentials_are_not_refetched_on_every_use() -> None:
    world = signed_in(fake_world(credential_lifetime=90), COGNITO)
    world.auth.get_credentials()
    for _ in range(6):
        world.clock.advance(10)
        world.auth.get_credentials()
    assert world.identity_pool.credential_calls == 1
    world.clock.advance(10)  # 70 s: inside a quarter of the lifetime
    world.auth.get_credentials()
    assert world.identity_pool.credential_calls == 2


def test_failed_refresh_keeps_credentials_that_are_still_usable() -> None:
    world = signed_in(fake_world(), COGNITO)
    first = world.auth.get_credentials()
    world.clock.advance(3600 - 10 * 60)  # advisory window, not yet mandatory
    world.identity_pool.fail_next = e.ServiceUnavailable("down")
    assert world.auth.get_credentials() == first
    assert world.events.of(CredentialsFailed)


def test_failed_refresh_raises_once_credentials_are_expired() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.auth.get_credentials()
    world.clock.advance(3600 - 60)
    world.identity_pool.fail_next = e.ServiceUnavailable("down")
    with pytest.raises(e.ServiceUnavailable):
        world.auth.get_credentials()


def test_missing_identity_pool_is_a_clear_error() -> None:
    world = fake_world(identity_pool=False)
    with pytest.raises(e.ProviderNotConfigured, match="identity_pool_id"):
        world.auth.get_credentials()


def test_many_threads_on_expired_credentials_cause_exactly_one_fetch() -> None:
    world = signed_in(fake_world(), COGNITO)
    world.auth.get_credentials()
    world.clock.advance(3500)
    world.auth.refresh_tokens(COGNITO)  # tokens fresh, credentials expired
    calls_before = world.identity_pool.credential_calls
    barrier = threading.Barrier(64)

    def ask() -> str:
        barrier.wait()
        return world.auth.get_credentials().access_key_id

    with ThreadPoolExecutor(64) as pool:
        keys = set(pool.map(lambda _: ask(), range(64)))
    assert world.identity_pool.credential_calls == calls_before + 1
    assert len(keys) == 1


def test_threads_starting_cold_read_the_store_no_more_than_one_caller_does(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = fake_world()
    alone.auth.get_credentials()
    world = fake_world()
    barrier = threading.Barrier(64)
    fetch = world.identity_pool.get_credentials

    def slow_fetch(identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        time.sleep(0.2)  # the other threads queue on the lock meanwhile
        return fetch(identity_id, logins)

    monkeypatch.setattr(world.identity_pool, "get_credentials", slow_fetch)

    def ask() -> str:
        barrier.wait()
        return world.auth.get_credentials().access_key_id

    with ThreadPoolExecutor(64) as pool:
        keys = set(pool.map(lambda _: ask(), range(64)))
    assert len(keys) == 1
    assert world.identity_pool.credential_calls == 1
    assert world.store.loads == alone.store.loads  # the other 63 found the credentials in memory once locked


def test_link_identities_puts_every_provider_into_one_identity() -> None:
    world = signed_in(fake_world(), COGNITO, GOOGLE)
    identity = world.auth.link_identities()
    assert identity.logins == {COGNITO_KEY, GOOGLE_KEY}
    assert identity.authenticated
    (linked,) = world.events.of(IdentitiesLinked)
    assert isinstance(linked, IdentitiesLinked)
    assert linked.providers == (COGNITO, GOOGLE)
    assert identity.identity_pool_id == world.identity_pool.pool_id
    # Later, signed in with only one of them, the same identity comes back.
    world.auth.sign_out()
    assert signed_in(world, GOOGLE).auth.get_credentials().identity_id == identity.identity_id


def test_link_identities_needs_two_providers() -> None:
    world = signed_in(fake_world(), COGNITO)
    with pytest.raises(e.InvalidInput, match="at least two"):
        world.auth.link_identities()


def test_expired_session_during_credential_fetch_asks_for_sign_in() -> None:
    world = signed_in(fake_world(), COGNITO, GOOGLE)
    world.clock.advance(3600)
    world.pool.refresh_tokens.clear()
    with pytest.raises(e.SessionExpired):
        world.auth.get_credentials()
    assert world.session.signed_in_providers == (GOOGLE,)


def test_a_session_that_expires_during_a_refresh_is_not_papered_over_with_old_credentials() -> None:
    world = fake_world()
    world.pool.lifetime = 1800  # tokens live half as long as the credentials
    signed_in(world, COGNITO)
    world.auth.get_credentials()
    world.clock.advance(3600 - 12 * 60)  # credentials in their advisory window, tokens expired
    world.pool.refresh_tokens.clear()  # the refresh token was revoked elsewhere
    with pytest.raises(e.SessionExpired):
        world.auth.get_credentials()
    assert world.session.signed_in_providers == ()


def test_a_kept_identity_the_pool_has_deleted_is_replaced() -> None:
    world = signed_in(fake_world(), COGNITO)
    first = world.auth.get_credentials()
    del world.identity_pool.links[first.identity_id]  # deleted in the pool
    world.clock.advance(3600)
    again = world.auth.get_credentials()
    assert again.identity_id != first.identity_id
    assert world.session.authenticated_identity_id == again.identity_id
    assert world.identity_pool.get_id_calls == 2
