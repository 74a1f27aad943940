"""Fakes of every port and one builder of a real ``ClientAuth`` on them, for testing tools that use the library.

    from aws_client_auth import testing

    def test_my_tool_signs_in():
        auth = testing.client_auth(users={"alice": "Passw0rd!"})
        assert auth.sign_in("alice", "Passw0rd!").done
        assert auth.get_credentials().authenticated

The fakes keep state and follow the rules of the service they stand for (codes are checked, a device code is
polled no faster than its interval, a revoked refresh token stops working, ...), so a test asserts on what
happened. :func:`fake_world` returns them with the ``ClientAuth``, to arrange a test and to look inside.
"""

from aws_client_auth.testing.authenticator import FakeAuthenticator, FakeCredential
from aws_client_auth.testing.browser_sign_in import FakeMachineTokens, FakeManagedLogin
from aws_client_auth.testing.clock import START, FakeClock, FakeSleeper
from aws_client_auth.testing.device_sign_in import DeviceGrant, FakeDeviceSignIn
from aws_client_auth.testing.events import RecordingEvents
from aws_client_auth.testing.identity_pool import FakeIdentityPool
from aws_client_auth.testing.store import CountingStore
from aws_client_auth.testing.user_pool import FakeUser, FakeUserPool, SentCode
from aws_client_auth.testing.world import COGNITO_KEY, GOOGLE_KEY, LWA_KEY, FakeWorld, client_auth, fake_world

__all__ = [
    "COGNITO_KEY",
    "GOOGLE_KEY",
    "LWA_KEY",
    "START",
    "CountingStore",
    "DeviceGrant",
    "FakeAuthenticator",
    "FakeClock",
    "FakeCredential",
    "FakeDeviceSignIn",
    "FakeIdentityPool",
    "FakeMachineTokens",
    "FakeManagedLogin",
    "FakeSleeper",
    "FakeUser",
    "FakeUserPool",
    "FakeWorld",
    "RecordingEvents",
    "SentCode",
    "client_auth",
    "fake_world",
]
