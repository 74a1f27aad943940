"""AsyncClientAuth against the fakes: the facade's methods as coroutines, run off the loop; events as callbacks on
the loop and as an async iterator; one fetch for many concurrent credential calls; a device wait cancelled."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from aws_client_auth import testing
from aws_client_auth.adapters.system import SystemSleeper
from aws_client_auth.application.services.providers import AuthProvider, SignInMethod
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import CredentialsObtained, Event, SignedIn, SignedOut, SignInFailed
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import Challenge, DeviceAuthorization
from aws_client_auth.domain.tokens import LOGIN_WITH_AMAZON, LoginToken, ProviderName
from aws_client_auth.entrypoints.aio import AsyncClientAuth

PASSWORD = "Passw0rd!"
DEVICE = LOGIN_WITH_AMAZON


@dataclass
class Rig:
    auth: AsyncClientAuth
    world: testing.FakeWorld

    @property
    def pool(self) -> testing.FakeUserPool:
        return self.world.pool

    @property
    def device(self) -> testing.FakeDeviceSignIn:
        return self.world.lwa_device


@pytest.fixture
def rig() -> Rig:
    """AsyncClientAuth on the shipped fakes, with an identity pool slow enough for concurrent callers to overlap."""
    world = testing.fake_world({"alice": PASSWORD})
    answer = world.identity_pool.get_credentials

    def slowly(identity_id: str, logins: Mapping[str, Secret]) -> Credentials:
        time.sleep(0.2)
        return answer(identity_id, logins)

    world.identity_pool.get_credentials = slowly  # type: ignore[method-assign]
    return Rig(AsyncClientAuth.from_container(world.auth.container), world)


def test_every_method_is_a_coroutine_on_the_same_facade(rig: Rig) -> None:
    auth = rig.auth

    async def scenario() -> None:
        assert await auth.pending() is None
        result = await auth.sign_up("bob", PASSWORD, email="bob@example.com")
        assert result.confirmed is False
        await auth.resend_confirmation_code("bob")
        await auth.confirm_sign_up("bob", "123456")
        assert (await auth.sign_in("bob", PASSWORD)).done
        assert await auth.is_signed_in()
        assert await auth.signed_in_providers() == ("cognito",)
        assert await auth.has_persisted_logins()
        assert (await auth.get_tokens()).username == "bob"
        assert (await auth.refresh_tokens()).username == "bob"
        setup = await auth.enable_mfa("totp")
        assert setup is not None
        await auth.verify_mfa("123456")
        await auth.enable_mfa("sms")
        await auth.disable_mfa()
        await auth.change_password(PASSWORD, "N3w-passw0rd")
        await auth.forgot_password("bob")
        await auth.confirm_forgot_password("bob", "123456", PASSWORD)
        credentials = await auth.get_credentials()
        assert credentials.authenticated
        assert await auth.identity_id() == credentials.identity_id
        assert (await auth.credential_process())["AccessKeyId"] == credentials.access_key_id
        assert await auth.sign_in_method(DEVICE) is SignInMethod.DEVICE
        await auth.start_device_sign_in(DEVICE)
        rig.device.user_approves("bob")
        assert (await auth.complete_device_sign_in()).tokens.provider == DEVICE
        assert (await auth.link_identities()).identity_id == credentials.identity_id
        assert (await auth.status()).providers[0].username == "bob"
        assert auth.botocore_credential_provider() is not None
        assert await auth.boto3_session("us-west-2") is not None
        assert set(await auth.sign_out()) == {"cognito", DEVICE}
        await auth.reset()
        assert not await auth.has_persisted_logins()

    asyncio.run(scenario())


def test_a_challenge_is_answered_and_typed_errors_reach_the_coroutine(rig: Rig) -> None:
    auth = rig.auth

    async def scenario() -> None:
        await auth.sign_in("alice", PASSWORD)
        await auth.enable_mfa("sms")
        await auth.sign_out()
        step = await auth.sign_in("alice", PASSWORD)
        assert isinstance(step, Challenge)
        assert isinstance(await auth.pending(), Challenge)
        with pytest.raises(e.CodeMismatch):
            await auth.confirm_sign_in("000000")
        step = await auth.confirm_sign_in("123456")
        assert step.done
        with pytest.raises(e.UserNotFound):
            await auth.sign_in("nobody", PASSWORD)
        with pytest.raises(e.NoPendingSignIn):
            await auth.complete_device_sign_in(wait=False)

    asyncio.run(scenario())


def test_blocking_work_runs_off_the_loop(rig: Rig) -> None:
    """The pool answers only once a coroutine on the loop lets it: a call made on the loop would never return."""
    allowed = threading.Event()
    sign_in = rig.pool.sign_in

    def blocking_sign_in(*args: object) -> object:
        assert allowed.wait(5), "the loop was blocked while the call waited"
        return sign_in(*args)  # type: ignore[arg-type]

    rig.pool.sign_in = blocking_sign_in  # type: ignore[method-assign,assignment]

    async def scenario() -> None:
        signing_in = asyncio.create_task(rig.auth.sign_in("alice", PASSWORD))
        await asyncio.sleep(0.05)
        allowed.set()
        assert (await signing_in).done

    asyncio.run(scenario())


def test_a_hundred_concurrent_credential_calls_make_one_fetch(rig: Rig) -> None:
    fetched: list[Event] = []

    async def scenario() -> list[Credentials]:
        rig.auth.subscribe(CredentialsObtained, fetched.append)
        await rig.auth.sign_in("alice", PASSWORD)
        return await asyncio.gather(*(rig.auth.get_credentials() for _ in range(100)))

    results = asyncio.run(scenario())
    assert rig.world.identity_pool.credential_calls == 1
    assert rig.world.identity_pool.get_id_calls == 1
    assert len(fetched) == 1
    assert {c.access_key_id for c in results} == {results[0].access_key_id}


def test_callbacks_subscribed_on_a_loop_run_on_it(rig: Rig) -> None:
    threads: list[int] = []

    def on_signed_in(event: SignedIn) -> None:
        threads.append(threading.get_ident())

    async def scenario() -> int:
        unsubscribe = rig.auth.subscribe(SignedIn, on_signed_in)
        await rig.auth.sign_in("alice", PASSWORD)
        await asyncio.sleep(0)  # the handler was scheduled on the loop: let it run
        unsubscribe()
        await rig.auth.sign_out()
        await rig.auth.sign_in("alice", PASSWORD)
        await asyncio.sleep(0)
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert threads == [loop_thread]


def test_callbacks_subscribed_without_a_loop_run_where_the_event_happens(rig: Rig) -> None:
    threads: list[int] = []
    rig.auth.subscribe(SignedIn, lambda event: threads.append(threading.get_ident()))
    asyncio.run(rig.auth.sign_in("alice", PASSWORD))
    assert len(threads) == 1
    assert threads != [threading.get_ident()]  # a worker thread of the loop that ran the call


def test_events_as_an_async_iterator(rig: Rig) -> None:
    async def scenario() -> None:
        with rig.auth.events() as everything, rig.auth.events(SignedOut) as sign_outs:
            await rig.auth.sign_in("alice", PASSWORD)
            await rig.auth.sign_out()
            first = await anext(everything)
            assert isinstance(first, SignedIn)
            assert isinstance(await anext(sign_outs), SignedOut)
        reader = rig.auth.events()
        seen: list[Event] = []

        async def read() -> None:
            async for event in reader:
                seen.append(event)

        reading = asyncio.create_task(read())
        await rig.auth.sign_in("alice", PASSWORD)
        await asyncio.sleep(0.01)
        reader.close()
        await asyncio.wait_for(reading, 5)  # closing ends the iteration
        assert any(isinstance(event, SignedIn) for event in seen)
        await rig.auth.sign_out()
        await asyncio.sleep(0.01)
        with pytest.raises(StopAsyncIteration):  # nothing arrives once closed
            await anext(reader)

    asyncio.run(scenario())


def test_a_reader_that_falls_behind_keeps_only_the_latest_events(rig: Rig) -> None:
    async def scenario() -> list[Event]:
        with rig.auth.events(limit=2) as stream:
            for _ in range(3):
                await rig.auth.sign_in("alice", PASSWORD)
                await rig.auth.sign_out()
            await asyncio.sleep(0.01)
            return [await anext(stream), await anext(stream)]

    kept = asyncio.run(scenario())
    assert [type(event) for event in kept] == [SignedIn, SignedOut]


def test_cancelling_a_device_wait_stops_polling_at_once_and_keeps_the_code(rig: Rig) -> None:
    rig.world.auth.container.sleeper.override(SystemSleeper())  # a wait that takes time (the interval: 5 s)
    failures: list[SignInFailed] = []
    rig.auth.subscribe(SignInFailed, failures.append)

    async def scenario() -> float:
        await rig.auth.start_device_sign_in(DEVICE)
        waiting = asyncio.create_task(rig.auth.complete_device_sign_in())
        while not rig.device.polls:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # now in the 5 s wait before the next poll
        began = time.monotonic()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        took = time.monotonic() - began
        await asyncio.sleep(0.3)
        return took

    took = asyncio.run(scenario())
    assert took < 0.5
    assert len(rig.device.polls) == 1
    assert [f.error_code for f in failures] == ["cancelled"]
    pending = rig.auth.sync.pending()
    assert isinstance(pending, DeviceAuthorization)

    rig.world.clock.advance(5)
    rig.device.user_approves("dana")
    step = asyncio.run(rig.auth.complete_device_sign_in(wait=False))
    assert step.tokens.username == "dana"


def test_a_provider_registered_in_code_signs_in_like_the_built_in_ones(rig: Rig) -> None:
    name = ProviderName("example")
    users = testing.FakeUserPool(rig.world.clock, name)
    device = testing.FakeDeviceSignIn(rig.world.clock, users)
    rig.auth.register_provider(
        name, lambda: AuthProvider(name, "id.example.com", LoginToken.ACCESS, users, device=device)
    )

    async def scenario() -> str | None:
        assert await rig.auth.sign_in_method(name) is SignInMethod.DEVICE
        await rig.auth.start_device_sign_in(name)
        device.user_approves("erin")
        return (await rig.auth.complete_device_sign_in()).tokens.username

    assert asyncio.run(scenario()) == "erin"


def test_the_same_methods_as_the_sync_facade() -> None:
    """Every public method of ClientAuth, as a coroutine unless it neither waits nor touches the network."""
    import inspect

    from aws_client_auth.entrypoints.scripting import ClientAuth

    immediate = {"from_config", "from_container", "register_provider", "subscribe", "botocore_credential_provider"}
    immediate |= {"requests_auth", "machine_requests_auth", "sigv4_auth"}  # build requests auth objects only
    immediate |= {"answer_custom_challenges", "client_metadata"}  # set what later calls use
    public = {name for name in vars(ClientAuth) if not name.startswith("_") and name != "container"}
    missing = sorted(name for name in public if not hasattr(AsyncClientAuth, name))
    assert missing == [], f"AsyncClientAuth lacks {missing}"
    for name in public - immediate:
        assert inspect.iscoroutinefunction(getattr(AsyncClientAuth, name)), name
