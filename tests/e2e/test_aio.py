"""AsyncClientAuth against a local moto server, and against a local OAuth server for a device wait cancelled
mid-way: the real adapters, the real sleeper, the real session store."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.domain import errors as e
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import CredentialsObtained, Event, SignInFailed
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.entrypoints.aio import AsyncClientAuth
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.scripting import ClientAuth
from tests.oauth_server import oauth_server

PASSWORD = "Passw0rd!"


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


@pytest.fixture
def auth(stack: LocalStack, tmp_path: Path) -> AsyncClientAuth:
    settings = stack.settings()
    return AsyncClientAuth.from_config(
        environ={"CLIENT_AUTH_HOME": str(tmp_path)}, aws=settings["aws"], cognito=settings["cognito"]
    )


def test_sign_in_credentials_and_events_against_moto(auth: AsyncClientAuth) -> None:
    async def scenario() -> list[Event]:
        seen: list[Event] = []
        with auth.events() as events:
            guest = await auth.get_credentials()
            assert guest.authenticated is False
            await auth.sign_up("alice", PASSWORD, email="alice@example.com")
            await auth.confirm_sign_up("alice", "123456")
            assert (await auth.sign_in("alice", PASSWORD)).done
            credentials = await auth.get_credentials()
            assert credentials.authenticated
            assert (await auth.status()).authenticated_identity_id == credentials.identity_id
            with pytest.raises(e.UserNotFound):
                await auth.sign_in("nobody", PASSWORD)
            async with asyncio.timeout(10):
                async for event in events:
                    seen.append(event)
                    if isinstance(event, SignInFailed):
                        break
        return seen

    kinds = [type(event).__name__ for event in asyncio.run(scenario())]
    assert kinds.index("SignedIn") < kinds.index("SignInFailed")
    assert kinds.count("CredentialsObtained") == 2  # the guest's, then the user's


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_a_hundred_concurrent_credential_calls_make_one_fetch(auth: AsyncClientAuth, signed_in: bool) -> None:
    fetches: list[CredentialsObtained] = []

    async def scenario() -> list[Credentials]:
        if signed_in:
            await auth.sign_up("bob", PASSWORD, email="bob@example.com")
            await auth.confirm_sign_up("bob", "123456")
            await auth.sign_in("bob", PASSWORD)
        auth.subscribe(CredentialsObtained, fetches.append)
        return await asyncio.gather(*(auth.get_credentials() for _ in range(100)))

    results = asyncio.run(scenario())
    assert len(fetches) == 1
    assert {c.access_key_id for c in results} == {results[0].access_key_id}
    assert all(c.authenticated is signed_in for c in results)


def test_a_device_wait_cancelled_mid_way_stops_polling_and_keeps_the_code(tmp_path: Path) -> None:
    with oauth_server() as lwa:
        lwa.answer(
            "/codepair",
            (
                200,
                {
                    "device_code": "dc-7f3a",
                    "user_code": "WDJB-MJHT",
                    "verification_uri": f"{lwa.url}/code",
                    "expires_in": 600,
                    "interval": 1,
                },
            ),
        )
        lwa.answer("/token", (400, {"error": "authorization_pending"}))
        lwa_settings: Any = {
            "app_client_id": "amzn1.app",
            "oauth_code_url": f"{lwa.url}/codepair",
            "oauth_tokens_url": f"{lwa.url}/token",
        }
        overrides: dict[str, Any] = {"providers.login_with_amazon": lwa_settings}
        auth = AsyncClientAuth(ClientAuth.from_config(environ={"CLIENT_AUTH_HOME": str(tmp_path)}, **overrides))

        async def cancelled_mid_way() -> float:
            await auth.start_device_sign_in("lwa")
            waiting = asyncio.create_task(auth.complete_device_sign_in())
            while lwa.count("/token") < 2:  # a poll, a wait of one interval, a poll: now in the second wait
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
            began = time.monotonic()
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            return time.monotonic() - began

        took = asyncio.run(cancelled_mid_way())
        assert took < 0.5  # no join of the worker: it stops by itself
        polls = lwa.count("/token")
        time.sleep(2.5)  # more than two intervals
        assert lwa.count("/token") == polls == 2
        pending = asyncio.run(auth.pending())
        assert isinstance(pending, DeviceAuthorization)
        assert pending.user_code == "WDJB-MJHT"

        lwa.script["/token"] = [(200, {"access_token": "Atza|t", "refresh_token": "Atzr|r", "expires_in": 3600})]
        step = asyncio.run(auth.complete_device_sign_in(wait=False))
    assert step.tokens.provider == "lwa"
    assert lwa.requests[-1][1]["device_code"] == "dc-7f3a"  # the kept code, not a new one
    assert asyncio.run(auth.pending()) is None
