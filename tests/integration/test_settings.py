from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from aws_client_auth.adapters.settings.loader import load_settings
from aws_client_auth.adapters.settings.model import defaults
from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.secret import Secret

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_defaults_are_the_built_in_ones() -> None:
    documented = tomllib.loads((ROOT / "config" / "default.toml").read_text())
    assert set(documented) == {"aws", "cognito", "machine", "providers", "storage", "session", "network"}
    settings = load_settings([ROOT / "config" / "default.toml"], environ={})
    built_in = defaults()
    for section, keys in built_in.items():
        for name, default in keys.items():
            value = settings.get(section, name)
            assert (value.reveal() if isinstance(value, Secret) else value) == default, f"[{section}] {name}"


def test_layers_apply_in_order_with_environment_last(tmp_path: Path) -> None:
    first = write(tmp_path / "a.toml", '[aws]\nregion = "eu-west-1"\n[cognito]\nuser_pool_id = "eu-west-1_AAA"\n')
    second = write(tmp_path / "b.toml", '[cognito]\nuser_pool_id = "eu-west-1_BBB"\napp_client_id = "abc"\n')
    settings = load_settings(
        [first, second], environ={"AWS_REGION": "eu-central-1", "CLIENT_AUTH_COGNITO__APP_CLIENT_ID": "fromenv"}
    )
    assert settings.get("cognito", "user_pool_id") == "eu-west-1_BBB"
    assert settings.get("cognito", "app_client_id") == "fromenv"
    assert settings.get("aws", "region") == "eu-central-1"


def test_config_env_var_lists_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", '[aws]\nregion = "eu-west-1"\n')
    b = write(tmp_path / "b.toml", "[network]\ntimeout_seconds = 3\n")
    settings = load_settings(environ={"CLIENT_AUTH_CONFIG": f"{a}:{b}"})
    assert settings.get("aws", "region") == "eu-west-1"
    assert settings.get("network", "timeout_seconds") == 3.0


def test_standard_aws_variables_are_honoured() -> None:
    settings = load_settings(environ={"AWS_DEFAULT_REGION": "ap-south-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"})
    assert settings.get("aws", "region") == "ap-south-1"
    assert settings.get("aws", "endpoint_url") == "http://127.0.0.1:5000"


def test_environment_values_are_typed(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"CLIENT_AUTH_NETWORK__MAX_ATTEMPTS": "2", "CLIENT_AUTH_STORAGE__KEYRING_FALLBACK_TO_FILE": "yes"}
    )
    assert settings.get("network", "max_attempts") == 2
    assert settings.get("storage", "keyring_fallback_to_file") is True
    with pytest.raises(ConfigurationError, match="CLIENT_AUTH_NETWORK__MAX_ATTEMPTS: expected a int"):
        load_settings(environ={"CLIENT_AUTH_NETWORK__MAX_ATTEMPTS": "many"})
    with pytest.raises(ConfigurationError, match="expected a bool"):
        load_settings(environ={"CLIENT_AUTH_STORAGE__KEYRING_FALLBACK_TO_FILE": "perhaps"})


def test_secrets_are_wrapped_and_never_shown(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.toml",
        '[cognito]\napp_client_secret = "canary-client-secret"\n[providers.google]\nclient_secret = "canary-google"\n',
    )
    settings = load_settings([path], environ={})
    assert settings.secret("cognito", "app_client_secret") == Secret("canary-client-secret")
    assert "canary" not in repr(settings)
    assert load_settings(environ={}).secret("cognito", "app_client_secret") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[cognito]\nuser_pol_id = "x"\n', r"\[cognito\] has no key 'user_pol_id'; known keys are user_pool_id"),
        ('[cognitoo]\nuser_pool_id = "x"\n', r"unknown section \[cognitoo\]"),
        ('[network]\ntimeout_seconds = "ten"\n', r"\[network\] timeout_seconds: expected a float, got a str"),
        ("[network]\nmax_attempts = true\n", r"max_attempts: expected a int, got a bool"),
        ('[cognito]\nauth_flow = "PLAIN"\n', "expected one of USER_SRP_AUTH, USER_PASSWORD_AUTH"),
        ('[aws]\nregion = "mars"\n', "expected something like us-west-2"),
        ('[aws]\nendpoint_url = "localhost:5000"\n', "https://host/path"),
        ("[network]\ntimeout_seconds = 0\n", "positive"),
        ("[network]\ntimeout_seconds = inf\n", "expected a positive number of at most 600"),
        ("[network]\ntimeout_seconds = nan\n", "expected a positive number of at most 600"),
        ("[network]\nmax_attempts = 9223372036854775807\n", "expected a number from 1 to 10"),
        ("[session]\nrefresh_skew_seconds = 100000000000000\n", "expected a number from 0 to 86400"),
        ("[cognito]\nid_token_leeway_seconds = 301\n", "expected a number from 0 to 300"),
        ("[cognito]\nid_token_leeway_seconds = -1\n", "expected a number from 0 to 300"),
        ('[network]\nallow_insecure_http = "yes"\n', "allow_insecure_http: expected a bool, got a str"),
        ('aws = "x"\n', "must be a \\[section\\] table"),
        ("[aws\n", "malformed TOML"),
        ('[providers]\ngoogle = "x"\n', r"\[providers.google\] table"),
        ("[providers.okta]\nissuer = 3\n", r"\[providers.okta\] issuer: expected a string"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigurationError, match=message) as raised:
        load_settings([path], environ={})
    assert str(path) in str(raised.value)


def test_secret_values_are_not_echoed_in_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.toml", "[cognito]\napp_client_secret = 12345\n")
    with pytest.raises(ConfigurationError) as raised:
        load_settings([path], environ={})
    assert "12345" not in str(raised.value)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        load_settings([tmp_path / "nope.toml"], environ={})
    directory = tmp_path / "dir.toml"
    directory.mkdir()
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_settings([directory], environ={})
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_settings([binary], environ={})


def test_custom_provider_sections_are_kept_for_their_factories(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[providers.okta]\nissuer = "https://example.okta.com"\n')
    settings = load_settings([path], environ={"CLIENT_AUTH_PROVIDERS__OKTA__CLIENT_ID": "cid"})
    assert settings.custom_providers["okta"] == {"issuer": "https://example.okta.com", "client_id": "cid"}
    assert settings.as_config()["providers"]["okta"]["issuer"] == "https://example.okta.com"


def test_resource_mapping_file(tmp_path: Path) -> None:
    settings = load_settings([ROOT / "config" / "o3de" / "Config" / "example_resource_mapping.json"], environ={})
    assert settings.get("cognito", "user_pool_id") == "us-west-2_Example1"
    assert settings.get("cognito", "app_client_id") == "1example23456789abcdefghij"
    assert settings.get("cognito", "identity_pool_id") == "us-west-2:01234567-89ab-cdef-0123-456789abcdef"
    assert settings.get("aws", "account_id") == "123456789012"


def test_resource_mapping_entry_region_overrides_the_global_one(tmp_path: Path) -> None:
    data = {
        "AWSResourceMappings": {
            "AWSClientAuth.CognitoUserPoolId": {"Type": "x", "Name/ID": "eu-west-1_X", "Region": "eu-west-1"}
        },
        "Region": "us-east-1",
    }
    path = write(tmp_path / "m.json", json.dumps(data))
    assert load_settings([path], environ={}).get("aws", "region") == "eu-west-1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"AWSResourceMappings": []}, "must be an object"),
        ({"AWSResourceMappings": {"AWSClientAuth.CognitoUserPoolId": {"Type": "x"}}}, "Name/ID"),
        ({"AWSResourceMappings": {}, "Region": 5}, "Region must be a string"),
        ({"AWS": {"Google": []}}, "/AWS/Google must be an object"),
        ({"AWS": {"Google": {"AppClientId": 1}}}, "/AWS/Google/AppClientId must be a string"),
        ({"AWS": []}, "/AWS must be an object"),
        ({"Amazon": {"AWSCore": {"ResourceMappingConfigFileName": "../x.json"}}}, "file name in Config/"),
        ({"Amazon": {"AWSCore": 1}}, "/Amazon/AWSCore must be an object"),
        ({"Something": 1}, "neither an AWSCore resource mapping"),
    ],
)
def test_bad_o3de_files_are_clear_errors(tmp_path: Path, data: object, message: str) -> None:
    path = write(tmp_path / "o3de.json", json.dumps(data))
    with pytest.raises(ConfigurationError, match=message):
        load_settings([path], environ={})


def test_malformed_json_says_where(tmp_path: Path) -> None:
    path = write(tmp_path / "x.setreg", '{"AWS": {,}}')
    with pytest.raises(ConfigurationError, match="malformed JSON at line 1"):
        load_settings([path], environ={})
    array = write(tmp_path / "a.json", "[1]")
    with pytest.raises(ConfigurationError):
        load_settings([array], environ={})


def test_o3de_project_is_read_the_way_the_engine_finds_it(tmp_path: Path) -> None:
    project = tmp_path / "MyGame"
    shutil.copytree(ROOT / "config" / "o3de", project)
    settings = load_settings(environ={}, o3de_project=project)
    assert settings.get("cognito", "user_pool_id") == "us-west-2_Example1"
    assert settings.get("providers.login_with_amazon", "app_client_id") == "amzn1.application-oa2-client.example"
    assert settings.secret("providers.google", "client_secret") == Secret("example-google-client-secret")


def test_a_single_setreg_finds_its_resource_mapping_in_config(tmp_path: Path) -> None:
    project = tmp_path / "MyGame"
    shutil.copytree(ROOT / "config" / "o3de", project)
    settings = load_settings([project / "Registry" / "awscoreconfiguration.setreg"], environ={})
    assert settings.get("cognito", "identity_pool_id").startswith("us-west-2:")


def test_not_an_o3de_project(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no Registry/ folder"):
        load_settings(environ={}, o3de_project=tmp_path)


def test_overrides_win_over_everything(tmp_path: Path) -> None:
    settings = load_settings(environ={"AWS_REGION": "eu-west-1"}, overrides={"aws": {"region": "us-east-2"}})
    assert settings.get("aws", "region") == "us-east-2"


def test_the_id_token_leeway_may_be_up_to_its_bound(tmp_path: Path) -> None:
    path = write(tmp_path / "leeway.toml", "[cognito]\nid_token_leeway_seconds = 300\n")
    assert load_settings([path], environ={}).get("cognito", "id_token_leeway_seconds") == 300
