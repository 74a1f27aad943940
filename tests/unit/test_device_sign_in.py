"""The device flow's use cases against a fake provider that enforces RFC 8628 (interval, expiry, device code):
a client that polled too often, past expiry or with the wrong code would be told so, and these tests would see it.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import DeviceCodeIssued, SignedIn, SignInFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import LOGIN_WITH_AMAZON
from aws_client_auth.testing import START, FakeWorld, fake_world


@pytest.fixture
def world() -> FakeWorld:
    return fake_world()


def start(world: FakeWorld, provider: str = "lwa") -> DeviceAuthorization:
    return world.auth.start_device_sign_in(provider)


def gaps(world: FakeWorld) -> list[float]:
    """Seconds between the provider's polls, as the provider saw them."""
    return [(b - a).total_seconds() for a, b in itertools.pairwise(world.lwa_device.polls)]


def pending(world: FakeWorld) -> DeviceAuthorization:
    authorization = world.session.pending
    assert isinstance(authorization, DeviceAuthorization)
    return authorization


def test_start_keeps_the_authorization_pending_and_announces_the_code(world: FakeWorld) -> None:
    authorization = start(world)
    assert world.session.pending == authorization
    (issued,) = world.events.of(DeviceCodeIssued)
    assert isinstance(issued, DeviceCodeIssued)
    assert issued.user_code == "WDJB-MJHT"
    assert "device-code-secret" not in repr(world.events.events)


def test_polls_at_the_interval_until_approved(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.user_approves("amzn-user", after=12)
    step = world.auth.complete_device_sign_in()
    assert step.tokens.provider == LOGIN_WITH_AMAZON
    assert world.sleeper.slept == [5, 5, 5]
    assert world.lwa_device.too_soon == 0
    assert world.session.pending is None
    assert LOGIN_WITH_AMAZON in world.session.tokens
    assert world.events.of(SignedIn)


def test_the_providers_interval_is_kept_not_a_default(world: FakeWorld) -> None:
    world.lwa_device.interval = 7
    start(world)
    world.lwa_device.user_approves("u", after=20)
    world.auth.complete_device_sign_in()
    assert world.sleeper.slept == [7, 7, 7]
    assert gaps(world) == [7, 7, 7]
    assert world.lwa_device.too_soon == 0


def test_slow_down_adds_five_seconds_to_every_later_poll(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.overload(2)
    world.lwa_device.user_approves("u", after=40)
    world.auth.complete_device_sign_in()
    assert world.sleeper.slept == [10, 15, 15]
    assert gaps(world) == [10, 15, 15]
    assert world.lwa_device.too_soon == 0


def test_slow_down_cannot_grow_the_interval_past_a_minute_nor_sleep_past_expiry(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.overload(1000)
    with pytest.raises(e.DeviceFlowExpired, match="expired before it was approved"):
        world.auth.complete_device_sign_in()
    slept = world.sleeper.slept
    assert slept[:10] == [10, 15, 20, 25, 30, 35, 40, 45, 50, 55]
    assert max(slept) == DeviceAuthorization.MAX_INTERVAL
    assert slept[-1] < DeviceAuthorization.MAX_INTERVAL  # the last wait was cut at the expiry
    assert sum(slept) == 600
    assert world.session.pending is None


def test_an_absurd_interval_is_capped_and_the_code_expiry_is_never_overslept(world: FakeWorld) -> None:
    world.lwa_device.interval = 100_000_000
    world.lwa_device.expires_in = 90
    assert start(world).interval == 60
    with pytest.raises(e.DeviceFlowExpired):
        world.auth.complete_device_sign_in()
    assert world.sleeper.slept == [60, 30]
    assert world.clock.now() == START.replace(minute=1, second=30)


def test_polling_sooner_than_the_interval_is_answered_slow_down(world: FakeWorld) -> None:
    start(world)
    world.store.save(world.session.with_pending(replace(pending(world), interval=1)))
    world.lwa_device.user_approves("u", after=10)
    world.auth.complete_device_sign_in()
    assert world.lwa_device.too_soon == 1
    assert world.sleeper.slept == [1, 6, 6]


def test_a_device_code_the_provider_did_not_issue_is_rejected(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.user_approves("u")
    world.store.save(world.session.with_pending(replace(pending(world), device_code=Secret("forged-code"))))
    with pytest.raises(e.DeviceFlowExpired) as raised:
        world.auth.complete_device_sign_in()
    assert raised.value.service_code == "invalid_grant"
    assert world.session.pending is None
    assert LOGIN_WITH_AMAZON not in world.session.tokens


def test_each_start_gets_a_new_code_and_the_old_one_stops_working(world: FakeWorld) -> None:
    first = start(world)
    second = start(world)
    assert first.device_code != second.device_code
    world.lwa_device.user_approves("u")
    world.auth.complete_device_sign_in()
    with pytest.raises(e.DeviceFlowExpired):  # the code was spent by the sign-in
        world.lwa_device.poll(second)


def test_missing_interval_means_five_seconds(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.user_approves("u", after=1)
    world.auth.complete_device_sign_in()
    assert world.sleeper.slept == [5]


def test_access_denied_stops_with_a_distinct_error_and_clears_pending(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.user_denies(after=6)
    with pytest.raises(e.DeviceFlowDenied):
        world.auth.complete_device_sign_in()
    assert len(world.lwa_device.polls) == 3
    assert world.session.pending is None
    assert world.events.of(SignInFailed)


def test_expired_token_from_provider_stops(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.expire_codes()
    with pytest.raises(e.DeviceFlowExpired) as raised:
        world.auth.complete_device_sign_in()
    assert raised.value.service_code == "expired_token"
    assert world.session.pending is None


def test_code_expiry_is_enforced_locally(world: FakeWorld) -> None:
    world.lwa_device.expires_in = 12
    start(world)
    with pytest.raises(e.DeviceFlowExpired, match="expired before it was approved"):
        world.auth.complete_device_sign_in()
    assert len(world.lwa_device.polls) == 3  # at 0, 5 and 10 s; at 12 s the code is dead
    assert world.sleeper.slept == [5, 5, 2]


def test_single_poll_does_not_wait(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.user_approves("u", after=5)
    with pytest.raises(e.DeviceFlowPending, match="WDJB-MJHT"):
        world.auth.complete_device_sign_in(wait=False)
    assert world.sleeper.slept == []
    assert isinstance(world.session.pending, DeviceAuthorization)
    world.clock.advance(5)
    assert world.auth.complete_device_sign_in(wait=False).tokens.provider == LOGIN_WITH_AMAZON


def test_single_poll_remembers_slow_down(world: FakeWorld) -> None:
    start(world)
    world.lwa_device.overload(1)
    with pytest.raises(e.DeviceFlowPending):
        world.auth.complete_device_sign_in(wait=False)
    assert pending(world).interval == 10


def test_cancel_stops_the_wait_at_once(world: FakeWorld) -> None:
    start(world)
    cancel = threading.Event()
    world.sleeper.on_sleep = cancel.set
    with pytest.raises(e.Cancelled):
        world.auth.complete_device_sign_in(cancel=cancel)
    assert len(world.lwa_device.polls) == 1
    assert world.sleeper.slept == []  # the wait ended when cancelled, it did not run its course
    assert world.sleeper.cancelled == 1
    assert world.clock.now() == START
    assert isinstance(world.session.pending, DeviceAuthorization)


def test_timeout_gives_up_without_losing_the_pending_code(world: FakeWorld) -> None:
    start(world)
    with pytest.raises(e.DeviceFlowPending, match="after 12 s"):
        world.auth.complete_device_sign_in(timeout=12)
    assert world.sleeper.slept == [5, 5]
    assert isinstance(world.session.pending, DeviceAuthorization)


@pytest.mark.parametrize("timeout", [float("inf"), 1e300])
def test_an_endless_timeout_waits_until_the_code_expires(world: FakeWorld, timeout: float) -> None:
    world.lwa_device.expires_in = 11
    start(world)
    with pytest.raises(e.DeviceFlowExpired):
        world.auth.complete_device_sign_in(timeout=timeout)
    assert world.sleeper.slept == [5, 5, 1]


def test_complete_without_start_is_a_clear_error(world: FakeWorld) -> None:
    with pytest.raises(e.NoPendingSignIn):
        world.auth.complete_device_sign_in()


def test_start_with_a_password_only_provider_is_a_clear_error(world: FakeWorld) -> None:
    with pytest.raises(e.InvalidInput, match="no device sign-in"):
        start(world, "cognito")
    assert world.events.of(SignInFailed)


@pytest.mark.parametrize(("given", "kept"), [(0, 1), (-5, 1), (7, 7), (61, 60), (10**9, 60)])
def test_the_interval_of_any_authorization_is_within_bounds(given: int, kept: int) -> None:
    authorization = DeviceAuthorization(LOGIN_WITH_AMAZON, "C", "https://x", START, Secret("d"), given)
    assert authorization.interval == kept
    assert authorization.slowed_down().interval == min(kept + 5, 60)
