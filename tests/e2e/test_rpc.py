"""``python -m aws_client_auth.entrypoints.rpc`` as a subprocess, driven over pipes by a test client the way an
editor would drive it: against a local moto server, and against a local OAuth server for device sign-ins."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aws_client_auth.domain.sign_in import ChallengeKind
from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from aws_client_auth.entrypoints.rpc import protocol
from tests.aws import totp
from tests.e2e.test_cli import ClientAuthCli
from tests.oauth_server import OAuthServer, oauth_server
from tests.rpc_client import RpcClient, RpcFailed, rpc_server

PASSWORD = "Passw0rd!"


@pytest.fixture
def stack(moto_endpoint: str) -> LocalStack:
    return provision(moto_endpoint)


@pytest.fixture
def config(stack: LocalStack, tmp_path: Path) -> Path:
    path = tmp_path / "client-auth.toml"
    path.write_text(stack.toml())
    return path


@pytest.fixture
def lwa(tmp_path: Path) -> Iterator[tuple[OAuthServer, Path]]:
    """A Login with Amazon stand-in that keeps every device code pending, and settings that use it."""
    with oauth_server() as server:
        server.answer(
            "/codepair",
            (
                200,
                {
                    "device_code": "dc-secret-7f3a",
                    "user_code": "WDJB-MJHT",
                    "verification_uri": f"{server.url}/code",
                    "expires_in": 600,
                    "interval": 1,
                },
            ),
        )
        server.answer("/token", (400, {"error": "authorization_pending"}))
        path = tmp_path / "lwa.toml"
        path.write_text(
            '[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
            f'oauth_code_url = "{server.url}/codepair"\noauth_tokens_url = "{server.url}/token"\n'
        )
        yield server, path


def failure(client: RpcClient, method: str, **params: object) -> RpcFailed:
    with pytest.raises(RpcFailed) as caught:
        client.call(method, **params)
    return caught.value


def test_a_whole_sign_in_with_a_totp_challenge(stack: LocalStack, config: Path, tmp_path: Path) -> None:
    with rpc_server(home=tmp_path) as client:
        hello = client.call("initialize", config=[str(config)], profile="editor")
        assert hello["profile"] == "editor"
        assert {"sign_in", "confirm_sign_in", "complete_device_sign_in", "cancel", "shutdown"} <= set(hello["methods"])

        guest = client.call("get_credentials")
        assert guest["Authenticated"] is False
        signed_up = client.call("sign_up", username="alice", password=PASSWORD, email="alice@example.com")
        assert signed_up["username"] == "alice"
        assert client.call("confirm_sign_up", username="alice", code="123456") == {
            "username": "alice",
            "confirmed": True,
        }
        assert client.call("sign_in", username="alice", password=PASSWORD)["status"] == "signed_in"
        setup = client.call("enable_mfa", mfa_type="totp")
        assert setup["enabled"] is False
        assert setup["otpauth_uri"].startswith("otpauth://")
        assert client.call("verify_mfa", code=totp(setup["secret"])) == {"mfa": "totp", "enabled": True}
        assert client.call("sign_out") == {"signed_out": ["cognito"], "global": False}

        step = client.call("sign_in", username="alice", password=PASSWORD)
        assert step["status"] == "challenge"
        assert step["challenge"] == ChallengeKind.TOTP_CODE.value
        assert client.call("pending")["challenge"] == ChallengeKind.TOTP_CODE.value
        wrong = failure(client, "confirm_sign_in", answer="000000")
        assert wrong.code == protocol.CLIENT_AUTH_ERROR
        assert wrong.data["type"] == "CodeMismatch"
        assert wrong.data["code"] == "code_mismatch"
        assert "code is wrong" in wrong.data["message"]
        done = client.call("confirm_sign_in", answer=totp(setup["secret"]))
        assert done["status"] == "signed_in"
        assert done["username"] == "alice"

        credentials = client.call("get_credentials")
        assert credentials["Authenticated"] is True
        tokens = client.call("get_tokens")
        assert tokens["access_token"]
        assert "refresh_token" not in tokens
        process = client.call("credential_process")
        assert process["SecretAccessKey"] == credentials["SecretAccessKey"]
        status = client.call("status")
        assert status["providers"][0]["username"] == "alice"
        assert status["credentials_authenticated"] is True
        assert client.call("refresh_tokens")["status"] == "refreshed"
        assert failure(client, "link_identities").data["type"] == "InvalidInput"  # one provider: nothing to link

        types = [event["type"] for event in client.events()]
        for kind in ("SignedUp", "SignUpConfirmed", "MfaSetupStarted", "MfaEnabled", "SignedOut", "ChallengeIssued"):
            assert kind in types
        assert "SignInFailed" in types
        assert types.count("SignedIn") == 2
        assert "CredentialsObtained" in types
        challenge = client.events("ChallengeIssued")[0]
        assert challenge == {
            "type": "ChallengeIssued",
            "provider": "cognito",
            "kind": ChallengeKind.TOTP_CODE.value,
            "delivery": None,
        }

        secrets = [PASSWORD, setup["secret"], tokens["access_token"], tokens["id_token"]]
        secrets += [credentials["SecretAccessKey"], credentials["SessionToken"]]
        for line in [json.dumps(n) for n in client.notifications] + [json.dumps(status), client.stderr()]:
            for secret in secrets:
                assert secret not in line

        # The same store and the same answers as the CLI's --json output.
        cli = ClientAuthCli(stack, tmp_path)
        assert cli("--profile", "editor", "--json", "status").data == client.call("status")
        assert cli("--profile", "editor", "credentials").data == client.call("get_credentials")

        assert client.call("shutdown") is None
        assert client.wait() == 0


def test_a_device_wait_does_not_block_status_and_cancel_stops_it(lwa: tuple[OAuthServer, Path], tmp_path: Path) -> None:
    server, settings = lwa
    with rpc_server("--config", str(settings), home=tmp_path) as client:
        started = client.call("start_device_sign_in", provider="lwa")
        assert started["user_code"] == "WDJB-MJHT"
        assert "dc-secret-7f3a" not in json.dumps(started)
        (issued,) = client.events("DeviceCodeIssued")
        assert issued["user_code"] == "WDJB-MJHT"

        waiting = client.request("complete_device_sign_in", "wait-1")
        client.wait_for(lambda: server.count("/token") >= 1)
        began = time.monotonic()
        status = client.call("status")
        assert time.monotonic() - began < 5
        assert status["pending"].startswith("lwa: device code WDJB-MJHT")
        assert not client.answered(waiting)
        assert client.call("cancel", id="status-is-not-a-wait") == {"cancelled": False}

        assert client.call("cancel", id=waiting) == {"cancelled": True}
        error = client.response(waiting, timeout=2)["error"]
        assert error["code"] == protocol.REQUEST_CANCELLED
        time.sleep(0.2)  # a poll sent just before the cancel may reach the server just after it
        polls = server.count("/token")
        time.sleep(2.5)  # more than two intervals
        assert server.count("/token") == polls
        assert client.call("pending")["user_code"] == "WDJB-MJHT"  # the code stays for later

        once = client.call("complete_device_sign_in", wait=False)
        assert once["status"] == "pending"
        assert once["user_code"] == "WDJB-MJHT"
        server.script["/token"] = [(200, {"access_token": "Atza|t", "refresh_token": "Atzr|r", "expires_in": 3600})]
        assert client.call("complete_device_sign_in")["status"] == "signed_in"
        assert client.call("status")["providers"][0]["provider"] == "lwa"
        assert "dc-secret-7f3a" not in b"".join(client.lines).decode()


def test_malformed_messages_are_answered_and_never_end_the_server(tmp_path: Path) -> None:
    with rpc_server(home=tmp_path) as client:
        bad: list[tuple[bytes, int]] = [
            (b"not json", protocol.PARSE_ERROR),
            (b'{"jsonrpc": "2.0", "id": 1, "method": "status"', protocol.PARSE_ERROR),
            (b"\xff\xfe{}", protocol.PARSE_ERROR),
            (b'{"jsonrpc": "2.0", "id": NaN, "method": "status"}', protocol.PARSE_ERROR),
            (b"[" * 100_000, protocol.PARSE_ERROR),
            (b'[{"jsonrpc": "2.0", "id": 1, "method": "status"}]', protocol.INVALID_REQUEST),
            (b'"status"', protocol.INVALID_REQUEST),
            (b'{"jsonrpc": "2.0", "id": true, "method": "status"}', protocol.INVALID_REQUEST),
            (b'{"jsonrpc": "2.0", "id": 1.5, "method": "status"}', protocol.INVALID_REQUEST),
            (b"x" * (protocol.MAX_LINE + 10), protocol.INVALID_REQUEST),
        ]
        for line, _ in bad:
            client.send_line(line)
        client.wait_for(lambda: len(client.lines) == len(bad))
        answers = [json.loads(line) for line in client.lines]
        assert [a["error"]["code"] for a in answers] == [code for _, code in bad]
        assert all(a["id"] is None for a in answers)

        client.send({"id": 7, "method": "status"})
        assert client.response(7)["error"]["code"] == protocol.INVALID_REQUEST
        client.send({"jsonrpc": "2.0", "id": "p", "method": "status", "params": [1]})
        assert client.response("p")["error"]["code"] == protocol.INVALID_PARAMS
        assert failure(client, "no_such_method").code == protocol.METHOD_NOT_FOUND
        assert failure(client, "\x1b[2Jsign_in").error["message"] == "Method not found: sign_in"
        # (sign_in with a username alone is choice-based sign-in since issue 15: the password is optional)
        assert failure(client, "sign_in", password="x").code == protocol.INVALID_PARAMS
        wrong_type = failure(client, "sign_in", username=5, password="x")
        assert wrong_type.error["message"] == "Invalid params: username must be a string."
        assert failure(client, "initialize", config="one.toml").code == protocol.INVALID_PARAMS
        assert failure(client, "complete_device_sign_in", timeout="soon").code == protocol.INVALID_PARAMS
        assert failure(client, "sign_in", username="a", password="b", provider="Not A Name").data["type"] == (
            "InvalidInput"
        )
        client.notify("no_such_method")
        client.send_line(b"")
        assert client.call("status")["profile"] == "default"
        client.close_stdin()
        assert client.wait() == 0


def test_the_end_of_input_answers_what_is_in_flight_then_ends_the_server(
    lwa: tuple[OAuthServer, Path], tmp_path: Path
) -> None:
    server, settings = lwa
    with rpc_server("--config", str(settings), "-v", home=tmp_path) as client:
        client.call("start_device_sign_in", provider="lwa")
        waiting = client.request("complete_device_sign_in")
        client.wait_for(lambda: server.count("/token") >= 1)
        status = client.request("status")
        client.close_stdin()
        assert client.wait() == 0
        assert client.response(waiting)["error"]["code"] == protocol.REQUEST_CANCELLED
        assert client.response(status)["result"]["pending"].startswith("lwa: ")


def test_shutdown_stops_waits_answers_last_and_ends(lwa: tuple[OAuthServer, Path], tmp_path: Path) -> None:
    server, settings = lwa
    with rpc_server("--config", str(settings), home=tmp_path) as client:
        client.call("start_device_sign_in", provider="lwa")
        waiting = client.request("complete_device_sign_in")
        client.wait_for(lambda: server.count("/token") >= 1)
        stop = client.request("shutdown")
        assert client.result(stop) is None
        assert client.response(waiting)["error"]["code"] == protocol.REQUEST_CANCELLED
        assert client.wait() == 0
        answered = [message["id"] for message in map(json.loads, client.lines) if "id" in message]
        assert answered[-2:] == [waiting, stop]  # the shutdown answer comes last


def test_the_cli_command_serves_with_the_global_options_as_defaults(config: Path, tmp_path: Path) -> None:
    """``client-auth serve --stdio`` as the CLI group will run it: with the group's Cli object."""
    script = (
        "from aws_client_auth.entrypoints.cli.app import Cli\n"
        "from aws_client_auth.entrypoints.cli.serve import serve\n"
        f"serve.main(['--stdio'], obj=Cli(config=({str(config)!r},), profile='cli'), prog_name='client-auth serve')\n"
    )
    with rpc_server(home=tmp_path, command=[sys.executable, "-c", script]) as client:
        assert client.call("status")["profile"] == "cli"
        assert client.call("get_credentials")["Authenticated"] is False  # the --config file's identity pool
        client.close_stdin()
        assert client.wait() == 0
    usage = subprocess.run(
        [sys.executable, "-c", script.replace("['--stdio']", "[]")], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert "--stdio" in usage.stderr
