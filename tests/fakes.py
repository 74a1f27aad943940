"""The shipped fakes (:mod:`aws_client_auth.testing`) under the names the adapter tests import them by. Use-case
tests build their world with :func:`aws_client_auth.testing.fake_world`, the builder users have."""

from __future__ import annotations

from dataclasses import dataclass

from aws_client_auth import testing
from aws_client_auth.application.services.credentials import CredentialService

START = testing.START
LWA_KEY = testing.LWA_KEY
CountingStore = testing.CountingStore
FakeClock = testing.FakeClock
FakeDeviceSignIn = testing.FakeDeviceSignIn
FakeIdentityPool = testing.FakeIdentityPool
FakeSleeper = testing.FakeSleeper
FakeUserPool = testing.FakeUserPool
RecordingEvents = testing.RecordingEvents


@dataclass(frozen=True)
class BenchWorld:
    """What the benchmark reads cached credentials from: the service SDK clients read through, and the pool."""

    credentials: CredentialService
    identity_pool: testing.FakeIdentityPool


def make_world() -> BenchWorld:
    """The benchmark's world, built by the shipped builder (tests/bench.py times the credential service itself)."""
    world = testing.fake_world()
    return BenchWorld(world.auth.container.credentials(), world.identity_pool)
