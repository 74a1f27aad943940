"""Where configuration may send secrets: the endpoint policy the settings loader applies once every layer is in.

Passwords, refresh tokens, device codes and client secrets go to the configured endpoints, so a configuration
file (a shared O3DE project, a copied example) must not be able to send them elsewhere without saying so:

* plain ``http`` is refused unless the host is this machine (127.0.0.0/8, ::1, ``localhost``), where a local
  emulator or test server runs; ``[network] allow_insecure_http = true`` permits it, with a warning on every load;
* a built-in provider (Login with Amazon, Google) talks to its official hosts, or to a local server; another host
  needs ``[network] allow_custom_provider_urls = true``, again warned about on every load;
* the built-in provider names (``lwa``, ``cognito``) cannot be taken by a ``[providers.<name>]`` section: a custom
  provider has a name of its own, so it can never stand in for a built-in one.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import SplitResult, urlsplit

from aws_client_auth.domain.errors import ConfigurationError
from aws_client_auth.domain.text import clean

log = logging.getLogger(__name__)

LWA_SECTION: Final = "providers.login_with_amazon"
GOOGLE_SECTION: Final = "providers.google"
OFFICIAL_HOSTS: Final[Mapping[str, frozenset[str]]] = {
    # Login with Amazon's North America, Europe and Far East endpoints.
    LWA_SECTION: frozenset({"api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp"}),
    # Google's current OAuth host, and the older device and token endpoints' hosts.
    GOOGLE_SECTION: frozenset({"oauth2.googleapis.com", "accounts.google.com", "www.googleapis.com"}),
}
PROVIDER_URL_KEYS: Final = ("oauth_code_url", "oauth_tokens_url")
RESERVED_PROVIDER_NAMES: Final[Mapping[str, str]] = {
    "lwa": "[providers.login_with_amazon]",
    "cognito": "[cognito]",
    "login_with_amazon": "[providers.login_with_amazon]",
    "google": "[providers.google]",
}
"""Built-in provider names, and the section that configures each; a custom section may not use them."""
_LOCAL_NAMES: Final = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: 127.0.0.0/8, ::1 (also IPv4-mapped) or ``localhost``.

    Anything else, including names that merely resolve to a loopback address today, is treated as remote.
    """
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_loopback_url(url: str) -> bool:
    try:
        return is_loopback(urlsplit(url).hostname or "")
    except ValueError:
        return False


def url_problem(value: str) -> str | None:
    """What is wrong with an endpoint URL's shape, or None; the empty string means "not set".

    No user name or password in it (they would be sent, and shown), no backslash (parsers disagree on where
    such a host ends), and a readable port.
    """
    if value == "":
        return None
    expected = "expected something like https://host/path"
    if any(ch.isspace() or ch == "\\" for ch in value):
        return expected
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        return expected
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return expected
    if "@" in parts.netloc:
        return "a URL must not carry a user name or password"
    return None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One configured URL, where it was set, and the hosts it may name (None: any host)."""

    section: str
    key: str
    url: str
    source: str
    official_hosts: frozenset[str] | None = None

    @property
    def where(self) -> str:
        """The file (or variable) and key, as a message names them; a custom section's name is the file's text."""
        return clean(f"{self.source}: [{self.section}] {self.key}", 200)


@dataclass(frozen=True, slots=True)
class EndpointPolicy:
    allow_insecure_http: bool = False
    allow_custom_provider_urls: bool = False

    def check(self, endpoint: Endpoint) -> None:
        """Raises ConfigurationError for an endpoint the policy refuses; warns about one it allows by exception."""
        parts = _parsed(endpoint)
        host = parts.hostname or ""
        if is_loopback(host):
            return
        if parts.scheme == "http":
            self._plain_http(endpoint, clean(host, 80))
        if endpoint.official_hosts is not None and host not in endpoint.official_hosts:
            self._unofficial_host(endpoint, clean(host, 80))

    def _plain_http(self, endpoint: Endpoint, host: str) -> None:
        if not self.allow_insecure_http:
            raise ConfigurationError(
                f"{endpoint.where} is plain http to {host}, which would send secrets unencrypted: use https, "
                "a loopback address (127.0.0.1, ::1, localhost) for a local server, or set "
                "[network] allow_insecure_http = true."
            )
        log.warning(
            "%s sends requests unencrypted (plain http) to %s: allowed by [network] allow_insecure_http",
            endpoint.where,
            host,
        )

    def _unofficial_host(self, endpoint: Endpoint, host: str) -> None:
        if not self.allow_custom_provider_urls:
            official = ", ".join(sorted(endpoint.official_hosts or ()))
            raise ConfigurationError(
                f"{endpoint.where} names {host}, which is not the provider's ({official}): the provider's "
                "tokens and secrets would go there. Use the official URL, a local server, a custom provider "
                "under a name of its own, or set [network] allow_custom_provider_urls = true."
            )
        log.warning(
            "%s sends a built-in provider's secrets to %s, not to its official host: allowed by "
            "[network] allow_custom_provider_urls",
            endpoint.where,
            host,
        )


def _parsed(endpoint: Endpoint) -> SplitResult:
    try:
        return urlsplit(endpoint.url.strip())
    except ValueError:
        raise ConfigurationError(f"{endpoint.where} is not a URL.") from None


def check_provider_name(source: str, name: str) -> None:
    """A ``[providers.<name>]`` section that is not a built-in one may not take a built-in provider's name."""
    configured_in = RESERVED_PROVIDER_NAMES.get(name.lower())
    if configured_in is not None:
        raise ConfigurationError(
            f"{source}: [providers.{clean(name, 40)}] would redefine the built-in provider {name.lower()!r} "
            f"(configured in {configured_in}): give a custom provider a name of its own."
        )


def endpoints(
    values: Mapping[str, Mapping[str, Any]],
    custom: Mapping[str, Mapping[str, str]],
    origin: Mapping[tuple[str, str], str],
) -> Iterator[Endpoint]:
    """Every configured URL that requests go to: AWS's endpoint, the JWKS, the built-in providers' URLs, and
    every http(s) URL in a custom provider's section (a plugin's keys are its own, so values are looked at)."""
    for section, key in (("aws", "endpoint_url"), ("cognito", "jwks_url")):
        url = values[section][key]
        if url:
            yield Endpoint(section, key, url, origin.get((section, key), "defaults"))
    for section, hosts in OFFICIAL_HOSTS.items():
        for key in PROVIDER_URL_KEYS:
            url = values[section][key]
            if url:
                yield Endpoint(section, key, url, origin.get((section, key), "defaults"), hosts)
    for name, keys in custom.items():
        section = f"providers.{name}"
        for key, value in keys.items():
            if value.strip().lower().startswith(("http://", "https://")):
                yield Endpoint(section, key, value, origin.get((section, key), "configuration"))
