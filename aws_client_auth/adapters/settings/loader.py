"""Settings from layers, later winning: defaults, files (TOML, O3DE resource mapping, O3DE setreg), environment.

Every problem is a ConfigurationError naming the file (or variable) and the key, and saying what to write.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aws_client_auth.adapters.settings import network
from aws_client_auth.adapters.settings.model import GOOGLE, LWA, SCHEMA, Key, Settings, defaults
from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.secret import Secret

Layer = dict[str, dict[str, Any]]

ENV_PREFIX = "CLIENT_AUTH_"
ENV_CONFIG = "CLIENT_AUTH_CONFIG"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

RESOURCE_KEYS = {
    "AWSClientAuth.CognitoUserPoolId": "user_pool_id",
    "AWSClientAuth.CognitoUserPoolAppClientId": "app_client_id",
    "AWSClientAuth.CognitoIdentityPoolId": "identity_pool_id",
}
SETREG_PROVIDERS = {
    "LoginWithAmazon": (
        LWA,
        {"AppClientId": "app_client_id", "OAuthCodeURL": "oauth_code_url", "OAuthTokensURL": "oauth_tokens_url"},
    ),
    "Google": (
        GOOGLE,
        {
            "AppClientId": "app_client_id",
            "ClientSecret": "client_secret",
            "OAuthCodeURL": "oauth_code_url",
            "OAuthTokensURL": "oauth_tokens_url",
        },
    ),
}


def load_settings(
    paths: Iterable[str | os.PathLike[str]] = (),
    *,
    environ: Mapping[str, str] | None = None,
    o3de_project: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Load once: defaults, the O3DE project, ``paths`` (or CLIENT_AUTH_CONFIG), environment, then ``overrides``."""
    env = os.environ if environ is None else environ
    layers: list[tuple[str, Layer]] = []
    if o3de_project is not None:
        layers.append((str(o3de_project), read_o3de_project(Path(o3de_project))))
    files = [Path(p) for p in paths] or [Path(p) for p in env.get(ENV_CONFIG, "").split(os.pathsep) if p]
    layers.extend((str(path), read_file(path)) for path in files)
    layers.append(("environment", read_environment(env)))
    if overrides:
        layers.append(("overrides", {section: dict(keys) for section, keys in overrides.items()}))

    values = defaults()
    custom: dict[str, dict[str, str]] = {}
    metadata: dict[str, str] = {}
    passkeys: dict[str, str] = {}
    origin: dict[tuple[str, str], str] = {}
    for source, layer in layers:
        for section, keys in layer.items():
            table = _free_tables(source, section, keys, metadata)  # free-form tables taken out
            if section == "passkeys":
                passkeys.update(_custom_section(source, section, keys))
            elif section in SCHEMA:
                for name, raw in table.items():
                    values[section][name] = _checked(source, section, name, raw)
            elif section.startswith("providers."):
                provider = section.removeprefix("providers.")
                network.check_provider_name(source, provider)
                custom.setdefault(provider, {}).update(_custom_section(source, section, keys))
            else:
                known = ", ".join(f"[{s}]" for s in (*SCHEMA, "passkeys", "cognito.client_metadata"))
                raise ConfigurationError(f"{source}: unknown section [{section}]; known sections are {known}.")
            origin.update({(section, key): source for key in table})
    _check_endpoints(values, custom, origin)
    for section, schema in SCHEMA.items():
        for name, key in schema.items():
            if key.secret and not isinstance(values[section][name], Secret):
                values[section][name] = Secret(values[section][name])
    return Settings(
        values=values,
        custom_providers=custom,
        client_metadata=metadata,
        passkeys=passkeys,
        sources=tuple(source for source, _ in layers),
    )


def _check_endpoints(
    values: Layer, custom: Mapping[str, Mapping[str, str]], origin: Mapping[tuple[str, str], str]
) -> None:
    """The endpoint policy, once every layer is in: a later layer may set [network] allow_insecure_http."""
    policy = network.EndpointPolicy(
        allow_insecure_http=values["network"]["allow_insecure_http"],
        allow_custom_provider_urls=values["network"]["allow_custom_provider_urls"],
    )
    for endpoint in network.endpoints(values, custom, origin):
        policy.check(endpoint)


def read_file(path: Path) -> Layer:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: configuration file not found.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{path}: cannot read configuration file ({type(error).__name__}).") from None
    return parse_text(text, str(path), base_dir=path.parent)


def parse_text(text: str, source: str, *, base_dir: Path | None = None) -> Layer:
    """Detect the format by content: JSON objects are O3DE files, anything else is the project's TOML."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigurationError(f"{source}: malformed JSON at line {error.lineno}: {error.msg}.") from None
        if not isinstance(data, dict):
            raise ConfigurationError(f"{source}: expected a JSON object.")
        if "AWSResourceMappings" in data:
            return parse_resource_mapping(data, source)
        if "AWS" in data or "Amazon" in data:
            return parse_setreg(data, source, base_dir=base_dir)
        raise ConfigurationError(
            f"{source}: JSON file is neither an AWSCore resource mapping (no 'AWSResourceMappings') "
            "nor an O3DE settings registry file (no 'AWS' or 'Amazon' object)."
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: malformed TOML: {error}.") from None
    return _toml_layer(data, source)


def _toml_layer(data: dict[str, Any], source: str) -> Layer:
    layer: Layer = {}
    for section, keys in data.items():
        if not isinstance(keys, dict):
            raise ConfigurationError(f"{source}: '{section}' must be a [section] table, not a single value.")
        if section == "providers":
            for name, provider_keys in keys.items():
                if not isinstance(provider_keys, dict):
                    raise ConfigurationError(f"{source}: [providers] {name} must be a [providers.{name}] table.")
                layer[f"providers.{name}"] = dict(provider_keys)
        else:
            layer[section] = dict(keys)
    return layer


def parse_resource_mapping(data: dict[str, Any], source: str) -> Layer:
    """An O3DE AWSCore resource-mapping file; an entry's own Region / AccountId overrides the global ones."""
    mappings = data.get("AWSResourceMappings")
    if not isinstance(mappings, dict):
        raise ConfigurationError(f"{source}: 'AWSResourceMappings' must be an object of resource entries.")
    aws: dict[str, Any] = {}
    for field, key in (("Region", "region"), ("AccountId", "account_id")):
        if field in data:
            aws[key] = _json_string(source, field, data[field])
    cognito: dict[str, Any] = {}
    for resource_key, setting in RESOURCE_KEYS.items():
        entry = mappings.get(resource_key)
        if entry is None:
            continue
        if not isinstance(entry, dict) or "Name/ID" not in entry:
            raise ConfigurationError(f"{source}: AWSResourceMappings.{resource_key} must be an object with 'Name/ID'.")
        cognito[setting] = _json_string(source, f"AWSResourceMappings.{resource_key}.Name/ID", entry["Name/ID"])
        if setting == "user_pool_id":
            for field, key in (("Region", "region"), ("AccountId", "account_id")):
                if field in entry:
                    aws[key] = _json_string(source, f"AWSResourceMappings.{resource_key}.{field}", entry[field])
    return {"aws": aws, "cognito": cognito}


def parse_setreg(data: dict[str, Any], source: str, *, base_dir: Path | None) -> Layer:
    """An O3DE settings registry file: /AWS/LoginWithAmazon, /AWS/Google, and the resource-mapping file name
    in /Amazon/AWSCore/ResourceMappingConfigFileName (read from the project's Config/ folder)."""
    layer: Layer = {}
    aws_object = data.get("AWS", {})
    if not isinstance(aws_object, dict):
        raise ConfigurationError(f"{source}: /AWS must be an object.")
    for setreg_name, (section, fields) in SETREG_PROVIDERS.items():
        provider = aws_object.get(setreg_name)
        if provider is None:
            continue
        if not isinstance(provider, dict):
            raise ConfigurationError(f"{source}: /AWS/{setreg_name} must be an object.")
        layer[f"providers.{section}"] = {
            key: _json_string(source, f"/AWS/{setreg_name}/{field}", provider[field])
            for field, key in fields.items()
            if field in provider
        }
    mapping_name = _resource_mapping_name(data, source)
    if mapping_name is not None and base_dir is not None:
        config_dir = base_dir.parent / "Config" if base_dir.name == "Registry" else base_dir
        mapped = read_file(config_dir / mapping_name)
        layer = {**mapped, **layer}
    return layer


def _resource_mapping_name(data: dict[str, Any], source: str) -> str | None:
    core = data.get("Amazon", {})
    core = core.get("AWSCore", {}) if isinstance(core, dict) else None
    if not isinstance(core, dict):
        raise ConfigurationError(f"{source}: /Amazon/AWSCore must be an object.")
    name = core.get("ResourceMappingConfigFileName")
    if name is None:
        return None
    name = _json_string(source, "/Amazon/AWSCore/ResourceMappingConfigFileName", name)
    if Path(name).name != name:
        raise ConfigurationError(f"{source}: ResourceMappingConfigFileName must be a file name in Config/, not a path.")
    return name


def read_o3de_project(project: Path) -> Layer:
    """Settings the way the engine finds them: every Registry/*.setreg merged, then the named resource mapping."""
    registry = project / "Registry"
    if not registry.is_dir():
        raise ConfigurationError(f"{project}: not an O3DE project (no Registry/ folder).")
    layer: Layer = {}
    for path in sorted(registry.glob("*.setreg")):
        for section, keys in read_file(path).items():
            layer.setdefault(section, {}).update(keys)
    return layer


def read_environment(env: Mapping[str, str]) -> Layer:
    """AWS_REGION / AWS_DEFAULT_REGION / AWS_ENDPOINT_URL, then CLIENT_AUTH_<SECTION>__<KEY> (``__`` nests)."""
    layer: Layer = {}
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        layer.setdefault("aws", {})["region"] = region
    if env.get("AWS_ENDPOINT_URL"):
        layer.setdefault("aws", {})["endpoint_url"] = env["AWS_ENDPOINT_URL"]
    for variable, value in env.items():
        if not variable.startswith(ENV_PREFIX) or "__" not in variable:
            continue
        *sections, key = variable.removeprefix(ENV_PREFIX).lower().split("__")
        section = ".".join(sections)
        schema_key = SCHEMA.get(section, {}).get(key)
        layer.setdefault(section, {})[key] = _from_text(variable, schema_key, value)
    return layer


def _from_text(variable: str, key: Key | None, text: str) -> Any:
    if key is None or key.kind is str:
        return text
    try:
        if key.kind is bool:
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        return key.kind(text)
    except ValueError:
        raise ConfigurationError(f"{variable}: expected a {key.kind.__name__}, got {text!r}.") from None


def _checked(source: str, section: str, name: str, raw: Any) -> Any:
    key = SCHEMA[section].get(name)
    where = f"{source}: [{section}] {name}"
    if key is None:
        known = ", ".join(SCHEMA[section])
        raise ConfigurationError(f"{source}: [{section}] has no key '{name}'; known keys are {known}.")
    value = raw.reveal() if isinstance(raw, Secret) else raw
    if key.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, key.kind) or (key.kind is not bool and isinstance(value, bool)):
        raise ConfigurationError(f"{where}: expected a {key.kind.__name__}, got a {type(value).__name__}.")
    problem = key.check(value) if key.check is not None else None
    if problem is not None:
        shown = "the secret value" if key.secret else repr(value)
        raise ConfigurationError(f"{where}: {shown} is not valid; {problem}.")
    return Secret(str(value)) if key.secret else value


def _custom_section(source: str, section: str, keys: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in keys.items():
        if not isinstance(value, str):
            raise ConfigurationError(f"{source}: [{section}] {name}: expected a string, got a {type(value).__name__}.")
        out[name] = value
    return out


def _free_tables(source: str, section: str, keys: Mapping[str, Any], metadata: dict[str, str]) -> Mapping[str, Any]:
    """``[cognito.client_metadata]`` taken out of ``[cognito]`` (into ``metadata``); the section's other keys."""
    if section != "cognito" or "client_metadata" not in keys:
        return keys
    rest = dict(keys)
    metadata.update(client_metadata(source, rest.pop("client_metadata")))
    return rest


MAX_METADATA_PAIRS = 50
MAX_METADATA_TEXT = 1024


def client_metadata(source: str, table: Any) -> dict[str, str]:
    """``[cognito.client_metadata]``: string keys and values for the pool's Lambda triggers, bounded in number and
    size (Cognito passes them on as they are)."""
    if not isinstance(table, dict):
        raise ConfigurationError(f"{source}: [cognito] client_metadata must be a [cognito.client_metadata] table.")
    if len(table) > MAX_METADATA_PAIRS:
        raise ConfigurationError(f"{source}: [cognito.client_metadata] has more than {MAX_METADATA_PAIRS} keys.")
    out = _custom_section(source, "cognito.client_metadata", table)
    for name, value in out.items():
        if not name or len(name) > MAX_METADATA_TEXT or len(value) > MAX_METADATA_TEXT:
            raise ConfigurationError(
                f"{source}: [cognito.client_metadata] keys and values are 1 to {MAX_METADATA_TEXT} characters."
            )
    return out


def _json_string(source: str, where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(f"{source}: {where} must be a string, got a {type(value).__name__}.")
    return value
