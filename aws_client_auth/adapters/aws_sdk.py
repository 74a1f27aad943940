"""boto3 clients for the Cognito APIs an app calls without AWS credentials of its own."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from aws_client_auth.domain.credentials import Credentials

log = logging.getLogger(__name__)


def unsigned_client(service: str, *, region: str, endpoint_url: str, timeout: float, max_attempts: int) -> Any:
    """A client with no request signing, a timeout on every call and botocore's bounded standard retries.

    Returned as Any: each adapter types its client with that service's stub.
    """
    import boto3  # heavy: imported only when a Cognito adapter is first built
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(  # type: ignore[call-arg]  # the stubs lag behind: ignore_configured_endpoint_urls exists
        signature_version=UNSIGNED,
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},  # attempts, first one included
        # Only the configured endpoint (already checked: https, or http to this machine) is used: botocore's own
        # AWS_ENDPOINT_URL_* variables and ~/.aws/config endpoint_url would bypass that check.
        ignore_configured_endpoint_urls=True,
    )
    make_client: Any = boto3.session.Session().client  # typed per service by the caller, not here
    client = make_client(service, endpoint_url=endpoint_url or None, config=config)
    log_calls(client)
    return client


class LazyClient:
    """A boto3 client built on first use, not when the adapters are wired: a command that answers from the
    session store (cached credentials, a fresh token, a local sign-out) never pays for botocore's service
    models. Any attribute (an operation, ``meta``, ``exceptions``) builds it, once for all threads."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._client is not None

    def __getattr__(self, name: str) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build()
                client = self._client
        return getattr(client, name)


def lazy_client(service: str, *, region: str, endpoint_url: str, timeout: float, max_attempts: int) -> Any:
    """:func:`unsigned_client`, built on first use (see :class:`LazyClient`); the settings are checked now."""
    return LazyClient(
        partial(
            unsigned_client,
            service,
            region=region,
            endpoint_url=endpoint_url,
            timeout=timeout,
            max_attempts=max_attempts,
        )
    )


def log_calls(client: Any) -> None:
    """One line per call at INFO (``-v``): service, operation, HTTP status, duration; with DEBUG (``--debug``) the
    request id and the retries botocore made. Never a parameter: they carry passwords, codes and tokens."""
    events = client.meta.events
    events.register("before-call", _call_started)
    events.register("after-call", _call_answered)
    events.register("after-call-error", _call_failed)


# botocore passes these hooks keyword arguments that vary by event and version: every one is optional here, so
# that a log line can never break a call.


def _call_started(context: dict[str, Any] | None = None, **_: Any) -> None:
    if context is not None:
        context["client_auth_started"] = time.monotonic()


def _call_name(model: Any, context: dict[str, Any] | None) -> tuple[str, str, float]:
    service = getattr(getattr(model, "service_model", None), "service_name", "?")
    started = (context or {}).get("client_auth_started")
    elapsed = (time.monotonic() - started) * 1000 if isinstance(started, float) else 0.0
    return service, getattr(model, "name", "?"), elapsed


def _call_answered(
    http_response: Any = None,
    parsed: dict[str, Any] | None = None,
    model: Any = None,
    context: dict[str, Any] | None = None,
    **_: Any,
) -> None:
    service, operation, elapsed = _call_name(model, context)
    status = getattr(http_response, "status_code", "?")
    log.info("%s %s: HTTP %s in %.0f ms", service, operation, status, elapsed)
    metadata = parsed.get("ResponseMetadata", {}) if isinstance(parsed, dict) else {}
    log.debug(
        "%s %s: request id %s, %s retries",
        service,
        operation,
        metadata.get("RequestId") or "-",
        metadata.get("RetryAttempts", 0),
    )


def _call_failed(
    exception: BaseException | None = None, model: Any = None, context: dict[str, Any] | None = None, **_: Any
) -> None:
    service, operation, elapsed = _call_name(model, context)
    log.info("%s %s: no answer (%s) after %.0f ms", service, operation, type(exception).__name__, elapsed)


def botocore_credentials(fetch: Callable[[], Credentials]) -> Any:
    """botocore credentials that ask ``fetch`` each time a request is signed.

    ``fetch`` is the credential service: it answers from memory while the credentials are fresh and
    refreshes them, once for all threads, on windows that follow their lifetime, which botocore's own
    fixed 15/10-minute windows cannot do for 90-second credentials.
    """
    from botocore.credentials import Credentials as BotocoreCredentials
    from botocore.credentials import ReadOnlyCredentials

    class _Shared(BotocoreCredentials):
        """botocore's Credentials whose values are read from ``fetch`` on every use, never stored."""

        def __init__(self) -> None:  # no super().__init__: the key fields are properties here
            self.method = "custom-client-auth"
            self.account_id = None

        def get_frozen_credentials(self) -> ReadOnlyCredentials:
            current = fetch()
            return ReadOnlyCredentials(
                current.access_key_id, current.secret_key.reveal(), current.session_token.reveal()
            )

        @property
        def access_key(self) -> str:  # type: ignore[override]
            return str(self.get_frozen_credentials().access_key)

        @property
        def secret_key(self) -> str:  # type: ignore[override]
            return str(self.get_frozen_credentials().secret_key)

        @property
        def token(self) -> str:  # type: ignore[override]
            return str(self.get_frozen_credentials().token)

    return _Shared()


def credential_provider(fetch: Callable[[], Credentials]) -> Any:
    """A botocore CredentialProvider to put in any botocore session's chain."""
    from botocore.credentials import CredentialProvider

    class ClientAuthProvider(CredentialProvider):
        METHOD = "custom-client-auth"
        CANONICAL_NAME = "custom-client-auth"

        def load(self) -> Any:
            return botocore_credentials(fetch)

    return ClientAuthProvider()


def boto3_session(fetch: Callable[[], Credentials], region: str, endpoint_url: str = "") -> Any:
    """A boto3 Session whose clients all sign with the shared, refreshing credentials."""
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.get_component("credential_provider").insert_before("env", credential_provider(fetch))
    if endpoint_url:
        # The same store AWS_ENDPOINT_URL feeds: every client of the session goes to the local endpoint.
        core.get_component("config_store").set_config_variable("endpoint_url", endpoint_url)
    return boto3.Session(botocore_session=core, region_name=region)


def credential_process_json(credentials: Credentials) -> dict[str, Any]:
    """The AWS CLI / SDK ``credential_process`` answer (version 1)."""
    return {
        "Version": 1,
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_key.reveal(),
        "SessionToken": credentials.session_token.reveal(),
        "Expiration": credentials.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
