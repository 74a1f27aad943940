"""Browser sign-in and machine tokens through ClientAuth on the shipped fakes (``testing.fake_world``): the
facade's wiring of issue 16 without a network, and the fakes' own rules."""

from __future__ import annotations

import asyncio

import pytest

from aws_client_auth import testing
from aws_client_auth.application.ports.browser_sign_in import (
    BrowserSignInDenied,
    BrowserSignInTimeout,
    StateMismatch,
)
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import SignedIn, SignInFailed
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.entrypoints.aio import AsyncClientAuth


@pytest.fixture
def world() -> testing.FakeWorld:
    return testing.fake_world({"alice": "Passw0rd!"})


def test_browser_sign_in_stores_the_cognito_tokens(world: testing.FakeWorld) -> None:
    shown: list[tuple[str, bool]] = []
    step = world.auth.sign_in_with_browser(show_url=lambda url, opened: shown.append((url, opened)))
    assert step.tokens.username == "alice"
    assert shown == [(world.managed_login.opened[0], True)]
    assert "state=state-1" in shown[0][0]
    assert world.auth.is_signed_in(COGNITO)
    assert world.auth.get_credentials().authenticated
    assert world.auth.bearer_token() == world.auth.get_tokens().access_token
    assert world.managed_login.answers == [
        (True, "You are signed in. You can close this tab and return to the terminal.")
    ]
    assert world.events.of(SignedIn)


def test_browser_sign_in_failures_are_typed_and_sign_nobody_in(world: testing.FakeWorld) -> None:
    login = world.managed_login
    for act, error in (
        (login.user_denies, BrowserSignInDenied),
        (login.forge_state, StateMismatch),
        (login.user_walks_away, BrowserSignInTimeout),
    ):
        act()
        with pytest.raises(error):
            world.auth.sign_in_with_browser(timeout=1)
        assert not world.auth.is_signed_in(COGNITO)
    assert len(world.events.of(SignInFailed)) == 3


def test_another_user_and_no_browser(world: testing.FakeWorld) -> None:
    world.managed_login.user_signs_in("bob")
    world.managed_login.browser_available = False
    shown: list[bool] = []
    step = world.auth.sign_in_with_browser(
        identity_provider="Google", show_url=lambda url, opened: shown.append(opened)
    )
    assert step.tokens.username == "bob"
    assert shown == [False]


def test_sign_out_of_the_browser_ends_both_sessions(world: testing.FakeWorld) -> None:
    world.auth.sign_in_with_browser()
    assert world.auth.sign_out_of_browser() == (COGNITO,)
    assert world.managed_login.signed_out == 1
    assert not world.auth.is_signed_in(COGNITO)
    shown: list[str] = []
    assert world.auth.sign_out_of_browser(open_browser=False, show_url=lambda url, opened: shown.append(url)) == ()
    assert shown[0].startswith("https://login.example.com/logout?")


def test_machine_tokens_are_cached_and_forgotten_by_reset(world: testing.FakeWorld) -> None:
    first = world.auth.machine_token()
    assert first.scopes == {"games/read"}
    assert world.auth.machine_token("games/read") == first
    both = world.auth.machine_token(["games/read", "games/write"])
    assert both.access_token != first.access_token
    assert len(world.machine_tokens.fetches) == 2
    world.clock.advance(3600)
    assert world.auth.machine_token().access_token not in (first.access_token, both.access_token)
    world.auth.reset()
    world.auth.machine_token()
    assert len(world.machine_tokens.fetches) == 4
    with pytest.raises(e.ServiceError):
        world.auth.machine_token("games/admin")


def test_the_async_facade_has_them_too(world: testing.FakeWorld) -> None:
    auth = AsyncClientAuth.from_container(world.auth.container)

    async def scenario() -> None:
        assert (await auth.sign_in_with_browser()).tokens.username == "alice"
        assert await auth.bearer_token("id") == world.auth.get_tokens().id_token
        assert (await auth.machine_token()).scopes == {"games/read"}
        assert await auth.sign_out_of_browser() == (COGNITO,)

    asyncio.run(scenario())
