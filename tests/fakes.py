"""The fakes of every port, as the library ships them in :mod:`aws_client_auth.testing`, under the names the
adapter tests import them by. Use-case tests build their world with :func:`aws_client_auth.testing.fake_world`."""

from __future__ import annotations

from dataclasses import dataclass

from aws_client_auth.application.services.credentials import CredentialService
from aws_client_auth.testing import (
    COGNITO_KEY,
    GOOGLE_KEY,
    LWA_KEY,
    START,
    CountingStore,
    DeviceGrant,
    FakeClock,
    FakeDeviceSignIn,
    FakeIdentityPool,
    FakeSleeper,
    FakeUser,
    FakeUserPool,
    RecordingEvents,
    fake_world,
)

__all__ = [
    "COGNITO_KEY",
    "GOOGLE_KEY",
    "LWA_KEY",
    "START",
    "BenchWorld",
    "CountingStore",
    "DeviceGrant",
    "FakeClock",
    "FakeDeviceSignIn",
    "FakeIdentityPool",
    "FakeSleeper",
    "FakeUser",
    "FakeUserPool",
    "RecordingEvents",
    "make_world",
]


@dataclass(frozen=True)
class BenchWorld:
    """What the benchmark reads cached credentials from: the service SDK clients read through, and the pool."""

    credentials: CredentialService
    identity_pool: FakeIdentityPool


def make_world() -> BenchWorld:
    """The benchmark's world, built by the shipped builder (tests/bench.py times the credential service itself)."""
    world = fake_world()
    return BenchWorld(world.auth.container.credentials(), world.identity_pool)
