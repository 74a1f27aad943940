"""One identity per user and per pool, through the console script against a local moto server.

A profile is shared by whoever signs in on it and by every configuration used with it: bob must never be handed
alice's identity, and a staging configuration must never serve, refresh or delete production's session.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_client_auth.entrypoints.local_stack import LocalStack, provision
from tests.aws import totp
from tests.e2e.test_cli import PASSWORD, ClientAuthCli, ok, register
from tests.oauth_server import OAuthServer, oauth_server


def _signed_in(status: dict[str, object]) -> list[tuple[str, str]]:
    providers = status["providers"]
    assert isinstance(providers, list)
    return [(p["provider"], p["username"]) for p in providers]


def _lwa_approves(server: OAuthServer) -> None:
    server.answer(
        "/codepair",
        (
            200,
            {
                "device_code": "device-code-for-alice",
                "user_code": "ALICE-1",
                "verification_uri": f"{server.url}/activate",
                "expires_in": 600,
                "interval": 1,
            },
        ),
    )
    server.answer("/token", (200, {"access_token": "lwa-access-alice", "expires_in": 3600}))


def _use_lwa(cli: ClientAuthCli, server: OAuthServer) -> None:
    with cli.config.open("a") as f:
        f.write(
            f'\n[providers.login_with_amazon]\napp_client_id = "amzn1.app"\n'
            f'oauth_code_url = "{server.url}/codepair"\noauth_tokens_url = "{server.url}/token"\n'
        )


def test_bob_signing_in_after_alice_gets_his_own_identity_and_none_of_her_links(cli: ClientAuthCli) -> None:
    register(cli, "alice")
    register(cli, "bob")
    with oauth_server() as lwa:
        _lwa_approves(lwa)
        _use_lwa(cli, lwa)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        assert cli("sign-in", "--provider", "lwa", "--no-wait").code == 3
        ok(cli("confirm-sign-in"))
        ok(cli("link-identities"))
        alice = ok(cli("--json", "credentials")).data
        before = ok(cli("--json", "status")).data
        assert before["linked_logins"], before
        assert [name for name, _ in _signed_in(before)] == ["cognito", "lwa"]

        switched = ok(cli("sign-in", "bob", "--password-stdin", stdin=PASSWORD + "\n"))

    assert "alice" in switched.err  # said on stderr: the previous user's session was dropped
    status = ok(cli("--json", "status")).data
    assert _signed_in(status) == [("cognito", "bob")]
    assert status["linked_logins"] == []
    assert status["authenticated_identity_id"] in (None, "")
    bob = ok(cli("--json", "credentials")).data
    assert bob["Authenticated"] is True
    assert bob["IdentityId"] != alice["IdentityId"]
    assert ok(cli("--json", "status")).data["authenticated_identity_id"] == bob["IdentityId"]


def test_the_same_user_signing_in_again_keeps_the_other_providers(cli: ClientAuthCli) -> None:
    register(cli, "alice")
    with oauth_server() as lwa:
        _lwa_approves(lwa)
        _use_lwa(cli, lwa)
        ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
        assert cli("sign-in", "--provider", "lwa", "--no-wait").code == 3
        ok(cli("confirm-sign-in"))
        again = ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
    assert "alice" not in again.err
    assert [name for name, _ in _signed_in(ok(cli("--json", "status")).data)] == ["cognito", "lwa"]


def test_two_configurations_on_one_profile_never_see_or_delete_each_others_session(
    cli: ClientAuthCli, moto_endpoint: str, tmp_path: Path
) -> None:
    production = cli
    staging_stack: LocalStack = provision(moto_endpoint)
    (tmp_path / "staging").mkdir()
    staging = ClientAuthCli(staging_stack, tmp_path / "staging")
    staging.env = production.env  # one CLIENT_AUTH_HOME, one profile ("default")

    register(production, "alice")
    ok(production("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
    production_creds = ok(production("credentials", "--format", "process")).data

    # Staging sees no session, and never gets production's cached credentials, not even on the fast path: it
    # fetched guest credentials of its own pool (moto hands out the same keys every time, so the identity and
    # what staging cached tell them apart, not the keys).
    assert ok(staging("--json", "status")).data["providers"] == []
    ok(staging("credentials", "--format", "process"))
    staging_status = ok(staging("--json", "status")).data
    assert staging_status["credentials_authenticated"] is False
    assert str(staging_status["guest_identity_id"]).startswith(staging_stack.region)
    assert ok(staging("--json", "credentials")).data["Authenticated"] is False

    register(staging, "sam")
    ok(staging("sign-in", "sam", "--password-stdin", stdin=PASSWORD + "\n"))
    assert "alice" not in ok(staging("sign-in", "sam", "--password-stdin", stdin=PASSWORD + "\n")).err

    # Refresh, sign-out and reset under staging leave production's session as it was.
    ok(staging("refresh"))
    ok(staging("sign-out"))
    ok(staging("reset"))
    status = ok(production("--json", "status")).data
    assert _signed_in(status) == [("cognito", "alice")]
    assert ok(production("credentials", "--format", "process")).data == production_creds
    ok(production("refresh"))

    document = json.loads((Path(production.env["CLIENT_AUTH_HOME"]) / "default.json").read_text())
    assert document["version"] == 2
    assert list(document["sessions"]) == [f"{production_stack_scope(production)}"]


def production_stack_scope(cli: ClientAuthCli) -> str:
    import tomllib

    config = tomllib.loads(cli.config.read_text())
    cognito, aws = config["cognito"], config["aws"]
    return f"{cognito['user_pool_id']}/{cognito['app_client_id']}/{cognito['identity_pool_id']}@{aws['endpoint_url']}"


def test_a_failed_sign_in_leaves_no_pending_step(cli: ClientAuthCli) -> None:
    register(cli, "alice")
    ok(cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n"))
    setup = ok(cli("--json", "enable-mfa", "--totp")).data
    ok(cli("verify-mfa", totp(str(setup["secret"]))))
    ok(cli("sign-out"))
    assert cli("sign-in", "alice", "--password-stdin", stdin=PASSWORD + "\n").code == 3
    assert ok(cli("--json", "status")).data["pending"]

    failed = cli("sign-in", "nobody", "--password-stdin", stdin=PASSWORD + "\n")  # moto checks no SRP proof

    assert failed.code == 1
    assert ok(cli("--json", "status")).data["pending"] is None
    assert cli("confirm-sign-in", totp(str(setup["secret"]))).code == 1  # nothing left to answer
