from __future__ import annotations

import itertools
import threading

import pytest

from aws_client_auth.application.ports.device_sign_in import Pending, SlowDown
from aws_client_auth.application.use_cases.complete_device_sign_in import CompleteDeviceSignIn
from aws_client_auth.application.use_cases.start_device_sign_in import StartDeviceSignIn
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import DeviceCodeIssued, SignedIn, SignInFailed
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.domain.tokens import LOGIN_WITH_AMAZON
from tests.fakes import World, make_world


@pytest.fixture
def world() -> World:
    return make_world()


def start(world: World, provider: str = "lwa") -> DeviceAuthorization:
    return StartDeviceSignIn(world.registry, world.sessions, world.events).execute(provider)


def complete(world: World) -> CompleteDeviceSignIn:
    return CompleteDeviceSignIn(world.registry, world.sessions, world.events, world.clock, world.sleeper)


def test_start_keeps_the_authorization_pending_and_announces_the_code(world: World) -> None:
    authorization = start(world)
    assert world.session.pending == authorization
    (issued,) = world.events.of(DeviceCodeIssued)
    assert isinstance(issued, DeviceCodeIssued)
    assert issued.user_code == "WDJB-MJHT"
    assert "device-code-secret" not in repr(world.events.events)


def test_polls_at_the_interval_until_approved(world: World) -> None:
    start(world)
    world.lwa_device.script = [Pending(), Pending(), world.lwa_device.approve_as("amzn-user")]
    step = complete(world).execute()
    assert step.tokens.provider == LOGIN_WITH_AMAZON
    assert world.sleeper.slept == [5, 5]
    assert world.session.pending is None
    assert LOGIN_WITH_AMAZON in world.session.tokens
    assert world.events.of(SignedIn)


def test_slow_down_adds_five_seconds_to_every_later_poll(world: World) -> None:
    start(world)
    world.lwa_device.script = [SlowDown(), Pending(), SlowDown(), Pending(), world.lwa_device.approve_as("u")]
    complete(world).execute()
    assert world.sleeper.slept == [10, 10, 15, 15]
    polls = world.lwa_device.polls
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(polls)] == [10, 10, 15, 15]


def test_missing_interval_means_five_seconds(world: World) -> None:
    world.lwa_device.interval = 5
    start(world)
    world.lwa_device.script = [Pending(), world.lwa_device.approve_as("u")]
    complete(world).execute()
    assert world.sleeper.slept == [5]


def test_access_denied_stops_with_a_distinct_error_and_clears_pending(world: World) -> None:
    start(world)
    world.lwa_device.script = [Pending(), e.DeviceFlowDenied("The user denied the sign-in.")]
    with pytest.raises(e.DeviceFlowDenied):
        complete(world).execute()
    assert world.session.pending is None
    assert world.events.of(SignInFailed)


def test_expired_token_from_provider_stops(world: World) -> None:
    start(world)
    world.lwa_device.script = [e.DeviceFlowExpired("expired_token")]
    with pytest.raises(e.DeviceFlowExpired):
        complete(world).execute()


def test_code_expiry_is_enforced_locally(world: World) -> None:
    world.lwa_device.expires_in = 12
    start(world)
    world.lwa_device.script = [Pending()]
    with pytest.raises(e.DeviceFlowExpired, match="expired before it was approved"):
        complete(world).execute()
    assert len(world.lwa_device.polls) == 3  # at 0, 5 and 10 s; at 15 s the code is dead


def test_single_poll_does_not_wait(world: World) -> None:
    start(world)
    world.lwa_device.script = [Pending(), world.lwa_device.approve_as("u")]
    with pytest.raises(e.DeviceFlowPending, match="WDJB-MJHT"):
        complete(world).execute(wait=False)
    assert world.sleeper.slept == []
    assert isinstance(world.session.pending, DeviceAuthorization)
    assert complete(world).execute(wait=False).tokens.provider == LOGIN_WITH_AMAZON


def test_single_poll_remembers_slow_down(world: World) -> None:
    start(world)
    world.lwa_device.script = [SlowDown(), Pending()]
    with pytest.raises(e.DeviceFlowPending):
        complete(world).execute(wait=False)
    pending = world.session.pending
    assert isinstance(pending, DeviceAuthorization)
    assert pending.interval == 10


def test_cancel_stops_the_wait(world: World) -> None:
    start(world)
    cancel = threading.Event()
    world.sleeper.on_sleep = cancel.set
    world.lwa_device.script = [Pending()]
    with pytest.raises(e.Cancelled):
        complete(world).execute(cancel=cancel)
    assert len(world.lwa_device.polls) == 1
    assert isinstance(world.session.pending, DeviceAuthorization)


def test_timeout_gives_up_without_losing_the_pending_code(world: World) -> None:
    start(world)
    world.lwa_device.script = [Pending()]
    with pytest.raises(e.DeviceFlowPending, match="after 12 s"):
        complete(world).execute(timeout=12)
    assert world.sleeper.slept == [5, 5]
    assert isinstance(world.session.pending, DeviceAuthorization)


def test_complete_without_start_is_a_clear_error(world: World) -> None:
    with pytest.raises(e.NoPendingSignIn):
        complete(world).execute()


def test_start_with_a_password_only_provider_is_a_clear_error(world: World) -> None:
    with pytest.raises(e.InvalidInput, match="no device sign-in"):
        start(world, "cognito")
    assert world.events.of(SignInFailed)
