"""The relying party is the configured one, never the one a server names: a key is not touched for another site,
and what an authenticator does wrong is a typed error that names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.webauthn.guard import RelyingPartyGuard
from aws_client_auth.domain import errors as e
from aws_client_auth.entrypoints.scripting import ClientAuth
from aws_client_auth.entrypoints.wiring import relying_party
from tests.cognito_standin import cognito_standin
from tests.software_authenticator import SoftwareAuthenticator

PASSWORD = "Passw0rd!-long"


class Recorder:
    def __init__(self, answer: Any = None, failure: BaseException | None = None) -> None:
        self.calls = 0
        self.answer = answer if answer is not None else {"id": "cred-1", "type": "public-key"}
        self.failure = failure

    def create_credential(self, options: Any) -> Any:
        return self._call()

    def get_assertion(self, options: Any) -> Any:
        return self._call()

    def _call(self) -> Any:
        self.calls += 1
        if self.failure is not None:
            raise self.failure
        return self.answer


def test_another_sites_request_never_reaches_the_key() -> None:
    inner = Recorder()
    guard = RelyingPartyGuard(inner, "auth.example.com")
    with pytest.raises(e.PasskeyError, match=r"accounts\.evil\.example"):
        guard.get_assertion({"rpId": "accounts.evil.example", "challenge": "c"})
    with pytest.raises(e.PasskeyError, match="none"):
        guard.get_assertion({"challenge": "c"})
    with pytest.raises(e.PasskeyError):
        guard.create_credential({"rp": {"id": "auth.example.com.evil.example"}, "challenge": "c"})
    assert inner.calls == 0
    assert guard.get_assertion({"rpId": "Auth.Example.com", "challenge": "c"})["id"] == "cred-1"
    assert guard.create_credential({"rp": {"id": "auth.example.com"}, "challenge": "c"})["id"] == "cred-1"


def test_without_a_configured_relying_party_passkeys_say_what_to_set() -> None:
    inner = Recorder()
    with pytest.raises(e.ConfigurationError, match=r"\[passkeys\] relying_party"):
        RelyingPartyGuard(inner, None).get_assertion({"rpId": "auth.example.com"})
    assert inner.calls == 0


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        (Recorder(failure=RuntimeError("internal detail")), "authenticator failed \\(RuntimeError\\)"),
        (Recorder(answer=["not", "a", "credential"]), "not a WebAuthn credential"),
        (Recorder(answer={"id": ""}), "not a WebAuthn credential"),
        (Recorder(answer={"id": "x", "rawId": b"bytes"}), "not JSON"),
    ],
)
def test_an_authenticators_mistakes_are_passkey_errors(inner: Recorder, message: str) -> None:
    with pytest.raises(e.PasskeyError, match=message) as raised:
        RelyingPartyGuard(inner, "auth.example.com").get_assertion({"rpId": "auth.example.com"})
    assert "internal detail" not in str(raised.value)


def test_the_relying_party_comes_from_the_configuration() -> None:
    def settings(**sections: dict[str, Any]) -> Any:
        return load_settings([], environ={}, overrides=sections)

    assert relying_party(settings(passkeys={"relying_party": "login.example.com"})) == "login.example.com"
    pool = {"user_pool_id": "eu-west-1_Abc", "domain": "myapp"}
    assert relying_party(settings(cognito=pool)) == "myapp.auth.eu-west-1.amazoncognito.com"
    assert relying_party(settings(cognito={"domain": "auth.example.com"})) == "auth.example.com"
    assert relying_party(settings()) is None


def test_a_pool_naming_another_relying_party_gets_no_passkey(tmp_path: Path) -> None:
    store = tmp_path / "keys.json"
    with cognito_standin(rp_id="accounts.evil.example") as standin:
        standin.add_user("alice", PASSWORD, email="alice@example.com", email_verified="true")
        text = standin.settings_toml(
            passkeys_authenticator="tests.software_authenticator:factory", passkeys_store=str(store)
        ).replace('relying_party = "accounts.evil.example"', 'relying_party = "auth.standin.example"')
        config = tmp_path / "client-auth.toml"
        config.write_text(text, encoding="utf-8")
        auth = ClientAuth.from_config(config, environ={"CLIENT_AUTH_HOME": str(tmp_path / "home")})
        auth.sign_in("alice", PASSWORD)
        with pytest.raises(e.PasskeyError, match="refused before your key was used"):
            auth.register_passkey()
        assert SoftwareAuthenticator(store).credential_ids() == []
        assert standin.users["alice"].passkeys == []
