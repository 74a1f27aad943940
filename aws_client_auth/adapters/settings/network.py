"""Where configuration may send secrets: the endpoint policy the settings loader applies once every layer is in.

Passwords, refresh tokens, device codes and client secrets go to the configured endpoints, so a configuration
file (a shared O3DE project, a copied example) must not be able to send them elsewhere without saying so:

* plain ``http`` is refused unless the host is this machine (127.0.0.0/8, ::1, ``localhost``), where a local
  emulator or test server runs; ``[network] allow_insecure_http = true`` permits it, with a warning on every load;
* a built-in provider (Login with Amazon, Google) talks to its official hosts, or to a local server; another host
  needs ``[network] allow_custom_provider_urls = true``, again warned about on every load;
* the built-in provider names (``lwa``, ``cognito``) cannot be taken by a ``[providers.<name>]`` section: a custom
  provider has a name of its own, so it can never stand in for a built-in one.

Browser sign-in and machine tokens add two destinations: Cognito's managed-login domain (``[cognito] domain``: a
prefix, a custom domain's host, or a URL, whose http form follows the rule above) and ``[machine] token_url``; and
one place the authorization code goes, the redirect URI, which must be this computer (a loopback ``http`` URL with
its port: RFC 8252), where the one-shot listener receives it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
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
    """Every configured URL that requests go to: AWS's endpoint, the JWKS, the managed-login domain, the machine
    token URL, the built-in providers' URLs, and every http(s) URL in a custom provider's section (a plugin's keys
    are its own, so values are looked at)."""
    for section, key in (("aws", "endpoint_url"), ("cognito", "jwks_url")):
        url = values[section][key]
        if url:
            yield Endpoint(section, key, url, origin.get((section, key), "defaults"))
    cognito = values.get("cognito", {})
    domain = cognito.get("domain", "")
    if domain:
        url = managed_login_url(domain, pool_region(cognito.get("user_pool_id", ""), values["aws"]["region"]))
        yield Endpoint("cognito", "domain", url, origin.get(("cognito", "domain"), "defaults"))
    token_url = values.get("machine", {}).get("token_url", "")
    if token_url:
        yield Endpoint("machine", "token_url", token_url, origin.get(("machine", "token_url"), "defaults"))
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


# --- Cognito's managed login and the redirect URI ---------------------------------------------------------------

_DOMAIN_PREFIX: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
"""A Cognito domain prefix: lowercase letters, digits and hyphens (``myapp`` of myapp.auth.<region>...)."""
_HOST_NAME: Final = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$", re.IGNORECASE
)
_DOMAIN_FORMS: Final = "a domain prefix (myapp), a custom domain (auth.example.com) or a URL (https://auth.example.com)"
LOOPBACK_REDIRECT_FORMS: Final = "http://localhost:PORT/path, http://127.0.0.1:PORT/path or http://[::1]:PORT/path"


def pool_region(pool_id: str, default: str) -> str:
    """The region a user pool id names (``us-west-2_AbC``), else ``default``."""
    region = pool_id.split("_", 1)[0] if "_" in pool_id else ""
    return region if "-" in region else default


def domain_problem(value: str) -> str | None:
    """What is wrong with a ``[cognito] domain`` value, or None; the empty string means "not set"."""
    if value == "":
        return None
    if "://" in value:
        problem = url_problem(value)
        if problem is not None:
            return problem
        parts = urlsplit(value)
        if parts.path.strip("/") or parts.query or parts.fragment:
            return f"the domain is a host without a path, query or fragment; expected {_DOMAIN_FORMS}"
        return None
    if _DOMAIN_PREFIX.match(value) or _HOST_NAME.match(value):
        return None
    return f"expected {_DOMAIN_FORMS}"


def managed_login_url(domain: str, region: str) -> str:
    """The managed-login base URL: ``https://<prefix>.auth.<region>.amazoncognito.com`` for a prefix,
    ``https://<host>`` for a custom domain, or the URL given (a local stand-in), without a trailing slash."""
    domain = domain.strip()
    if not domain:
        return ""
    if "://" in domain:
        return domain.rstrip("/")
    if "." in domain:
        return f"https://{domain.lower()}"
    return f"https://{domain}.auth.{region}.amazoncognito.com"


def machine_token_url(token_url: str, domain: str, region: str) -> str:
    """``[machine] token_url``, else the managed-login domain's ``/oauth2/token``; empty when neither is set."""
    if token_url:
        return token_url
    base = managed_login_url(domain, region)
    return f"{base}/oauth2/token" if base else ""


def loopback_redirect_problem(uri: str) -> str | None:
    """What makes ``uri`` unusable as the redirect URI of a browser sign-in, or None; the empty string means "not
    set". The authorization code is sent there, so it must be this computer: plain ``http`` (on loopback it
    crosses no network, and the one-shot listener has no certificate) to ``localhost``, 127.0.0.0/8 or ``::1``
    (not an IPv4-mapped address, which cannot be listened on), with the port registered on the app client."""
    if uri == "":
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return f"is not a URL; use {LOOPBACK_REDIRECT_FORMS}"
    host = (parts.hostname or "").lower()
    problems = (
        (any(ch.isspace() or ch == "\\" for ch in uri), "must not hold spaces or backslashes"),
        (
            parts.scheme != "http",
            (
                "must be plain http to this computer (a loopback redirect crosses no network, and the one-shot "
                "listener has no certificate)"
            ),
        ),
        ("@" in parts.netloc or bool(parts.query or parts.fragment), "must not carry a user name, query or fragment"),
        (
            not is_bindable_loopback(host),
            (
                f"names {clean(host, 80) or 'no host'}, which is not this computer: the browser must come back to "
                "a listener here"
            ),
        ),
        (not port, "must name its port (the one registered on the app client)"),
    )
    found = next((problem for failed, problem in problems if failed), None)
    return None if found is None else f"{found}; use {LOOPBACK_REDIRECT_FORMS}"


def is_bindable_loopback(host: str) -> bool:
    """``localhost``, an IPv4 loopback address or ``::1``: loopback addresses a listener can bind."""
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback and getattr(address, "ipv4_mapped", None) is None
