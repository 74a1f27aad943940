"""ClientAuth, the scripting entrypoint, against a local moto server (slow) and against the shipped fakes."""

from __future__ import annotations

import threading
from pathlib import Path

import boto3
import botocore.session
import pytest

from aws_client_auth import testing
from aws_client_auth.domain import errors as e
from aws_client_auth.domain.events import CredentialsObtained, Event, SignedIn, SignedOut
from aws_client_auth.domain.sign_in import DeviceAuthorization
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.scripting import ClientAuth, SignInMethod

PASSWORD = "Passw0rd!"
slow = pytest.mark.slow


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


@pytest.fixture
def auth(stack: LocalStack, tmp_path: Path) -> ClientAuth:
    settings = stack.settings()
    return ClientAuth.from_config(
        environ={"CLIENT_AUTH_HOME": str(tmp_path)}, aws=settings["aws"], cognito=settings["cognito"]
    )


def signed_up(auth: ClientAuth, name: str = "alice") -> None:
    auth.sign_up(name, PASSWORD, email=f"{name}@example.com")
    auth.confirm_sign_up(name, "123456")


@slow
def test_events_reach_subscribers_until_they_unsubscribe(auth: ClientAuth) -> None:
    seen: list[Event] = []
    unsubscribe = auth.subscribe(Event, seen.append)
    signed_up(auth)
    auth.sign_in("alice", PASSWORD)
    auth.get_credentials()
    assert any(isinstance(ev, SignedIn) for ev in seen)
    assert any(isinstance(ev, CredentialsObtained) and ev.authenticated for ev in seen)
    unsubscribe()
    auth.sign_out()
    assert not any(isinstance(ev, SignedOut) for ev in seen)


@slow
def test_state_queries(auth: ClientAuth) -> None:
    assert auth.identity_id() is None
    guest = auth.get_credentials()
    assert auth.identity_id() == guest.identity_id
    signed_up(auth)
    auth.sign_in("alice", PASSWORD)
    assert auth.is_signed_in()
    assert auth.has_persisted_logins()
    assert auth.signed_in_providers() == ("cognito",)
    assert auth.get_tokens().username == "alice"
    creds = auth.get_credentials()
    assert auth.identity_id() == creds.identity_id
    status = auth.status()
    assert status.providers[0].username == "alice"
    assert status.credentials_authenticated is True
    assert "Secret" not in repr(status)
    assert creds.secret_key.reveal() not in repr(status)
    assert auth.credential_process()["Version"] == 1
    auth.reset()
    assert not auth.has_persisted_logins()


@slow
def test_boto3_session_clients_share_refreshing_credentials(auth: ClientAuth, stack: LocalStack) -> None:
    signed_up(auth)
    auth.sign_in("alice", PASSWORD)
    session = auth.boto3_session()
    assert session.client("sts").get_caller_identity()["Account"]
    s3 = session.client("s3")
    s3.create_bucket(Bucket="shared")
    errors: list[BaseException] = []

    def use() -> None:
        try:
            for i in range(5):
                s3.put_object(Bucket="shared", Key=f"{threading.get_ident()}-{i}", Body=b"x")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert s3.list_objects_v2(Bucket="shared")["KeyCount"] == 40
    frozen = session.get_credentials().get_frozen_credentials()
    assert frozen.access_key == auth.get_credentials().access_key_id


@slow
def test_botocore_provider_in_a_session_of_your_own(auth: ClientAuth, stack: LocalStack) -> None:
    core = botocore.session.get_session()
    core.get_component("credential_provider").insert_before("env", auth.botocore_credential_provider())
    sts = boto3.Session(botocore_session=core, region_name=stack.region).client("sts", endpoint_url=stack.endpoint_url)
    assert sts.get_caller_identity()["Account"]
    creds = core.get_credentials()
    assert creds is not None
    assert creds.method == "custom-client-auth"
    assert creds.access_key
    assert creds.secret_key
    assert creds.token


@slow
def test_typed_errors_reach_the_script(auth: ClientAuth) -> None:
    with pytest.raises(e.UserNotFound):
        auth.sign_in("nobody", PASSWORD)
    with pytest.raises(e.NotSignedIn):
        auth.refresh_tokens()
    with pytest.raises(e.NoPendingSignIn):
        auth.complete_device_sign_in(wait=False)


@slow
def test_worker_threads_can_share_one_facade(auth: ClientAuth) -> None:
    signed_up(auth)
    auth.sign_in("alice", PASSWORD)
    ids: set[str] = set()
    lock = threading.Lock()

    def work() -> None:
        creds = auth.get_credentials()
        with lock:
            ids.add(creds.identity_id)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 1


def test_every_method_on_the_shipped_fakes() -> None:
    world = testing.fake_world({"alice": PASSWORD})
    auth = world.auth
    assert auth.sign_in_method() is SignInMethod.PASSWORD
    assert auth.sign_in_method("google") is SignInMethod.DEVICE
    assert auth.identity_id() is None
    guest = auth.get_credentials()
    assert auth.identity_id() == guest.identity_id
    auth.sign_in("alice", PASSWORD)
    assert auth.is_signed_in()
    assert auth.has_persisted_logins()
    auth.enable_mfa("sms")
    auth.disable_mfa()
    auth.change_password(PASSWORD, "N3w-passw0rd")
    assert auth.forgot_password("alice") is not None
    auth.confirm_forgot_password("alice", "123456", "Another-1")
    assert auth.resend_confirmation_code("alice") is not None
    creds = auth.get_credentials()
    assert creds.authenticated
    assert auth.identity_id() == creds.identity_id != guest.identity_id
    assert auth.credential_process()["AccessKeyId"] == creds.access_key_id
    assert auth.pending() is None
    authorization = auth.start_device_sign_in("lwa")
    assert auth.pending() == authorization
    status = auth.status()
    assert status.pending == f"lwa: device code {authorization.user_code} at {authorization.verification_uri}"
    assert [p.provider for p in status.providers] == ["cognito"]
    world.lwa_device.user_approves("alice")
    auth.complete_device_sign_in()
    assert auth.signed_in_providers() == ("cognito", "lwa")
    assert auth.link_identities().logins == {testing.COGNITO_KEY, testing.LWA_KEY}
    auth.reset()
    assert not auth.has_persisted_logins()
    assert auth.identity_id() is None


def test_sdk_clients_ask_the_same_use_case_as_get_credentials() -> None:
    world = testing.fake_world({"alice": PASSWORD})
    world.auth.sign_in("alice", PASSWORD)
    provider = world.auth.botocore_credential_provider()
    frozen = provider.load().get_frozen_credentials()
    assert frozen.access_key == world.auth.get_credentials().access_key_id
    assert world.identity_pool.credential_calls == 1
    world.clock.advance(3600)
    assert provider.load().access_key != frozen.access_key  # refreshed, once, for every client
    assert world.identity_pool.credential_calls == 2


def test_a_client_auth_built_for_a_test_needs_nothing_but_users() -> None:
    auth = testing.client_auth(users={"alice": PASSWORD})
    step = auth.sign_in("alice", PASSWORD)
    assert step.done
    assert not isinstance(auth.pending(), DeviceAuthorization)
    with pytest.raises(e.NotAuthorized):
        auth.sign_in("alice", "wrong-password")
