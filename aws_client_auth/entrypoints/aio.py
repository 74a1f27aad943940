"""``AsyncClientAuth``: the facade for code that runs an event loop (asyncio services, Qt editors with qasync).

Every method is :class:`ClientAuth`'s, run in a thread pool so that the loop never waits on the network or on
a person; the use cases, the events and the session store are the same as the CLI's.

    auth = AsyncClientAuth.from_config("client-auth.toml")
    step = await auth.sign_in("alice", password)
    if not step.done:
        step = await auth.confirm_sign_in(await ask(step.kind.prompt))
    creds = await auth.get_credentials()
    async for event in auth.events():
        print(type(event).__name__)

Cancelling the task that awaits :meth:`AsyncClientAuth.complete_device_sign_in` stops the polling at once (the
wait between polls ends, no poll follows) and leaves the device code pending, so a later call picks it up.
Other calls are single requests: as with :func:`asyncio.to_thread`, cancelling the awaiting task returns at once
while the request in flight runs to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar, overload

from aws_client_auth.application.services.providers import AuthProvider, SignInMethod
from aws_client_auth.application.use_cases.browser_sign_in import DEFAULT_TIMEOUT
from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.events import Event
from aws_client_auth.domain.identity import Identity
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.session import Pending
from aws_client_auth.domain.sign_in import (
    AuthFactor,
    Challenge,
    CodeDelivery,
    ContextDataProvider,
    DeviceAuthorization,
    MfaSetup,
    Passkey,
    SignedIn,
    SignInStep,
    SignUpResult,
)
from aws_client_auth.domain.tokens import COGNITO, MachineToken, ProviderName, Tokens
from aws_client_auth.domain.user import MfaPreferences, MfaType, RememberedDevice, TrackedDevice
from aws_client_auth.entrypoints.container import Container
from aws_client_auth.entrypoints.scripting import ClientAuth, Status

E = TypeVar("E", bound=Event)
T = TypeVar("T")
P = ParamSpec("P")


class AsyncClientAuth:
    def __init__(self, auth: ClientAuth, *, executor: Executor | None = None) -> None:
        """``executor`` runs the blocking calls; by default the loop's own thread pool."""
        self._auth = auth
        self._executor = executor

    @classmethod
    def from_config(
        cls,
        *paths: str | os.PathLike[str],
        profile: str | None = None,
        o3de_project: str | os.PathLike[str] | None = None,
        environ: dict[str, str] | None = None,
        executor: Executor | None = None,
        context_data: ContextDataProvider | None = None,
        passkey_notice: Callable[[str], None] | None = None,
        passkey_pin: Callable[[], str | None] | None = None,
        **overrides: dict[str, Any],
    ) -> AsyncClientAuth:
        """As :meth:`ClientAuth.from_config` (it reads the settings files: a few small reads, no network)."""
        auth = ClientAuth.from_config(
            *paths,
            profile=profile,
            o3de_project=o3de_project,
            environ=environ,
            context_data=context_data,
            passkey_notice=passkey_notice,
            passkey_pin=passkey_pin,
            **overrides,
        )
        return cls(auth, executor=executor)

    @classmethod
    def from_container(cls, container: Container, *, executor: Executor | None = None) -> AsyncClientAuth:
        """As :meth:`ClientAuth.from_container`: for tooling that overrides the container's providers."""
        return cls(ClientAuth.from_container(container), executor=executor)

    @property
    def sync(self) -> ClientAuth:
        """The blocking facade underneath, for worker threads and for what needs no waiting."""
        return self._auth

    async def _run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the caller's client metadata (``client_metadata``) goes along
        return await loop.run_in_executor(self._executor, functools.partial(context.run, call, *args, **kwargs))

    # --- user management ----------------------------------------------------------------------------
    async def sign_up(
        self,
        username: str,
        password: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        return await self._run(
            self._auth.sign_up, username, password, email=email, phone=phone, client_metadata=client_metadata
        )

    async def confirm_sign_up(
        self, username: str, code: str, *, sign_in: bool = False, client_metadata: Mapping[str, str] | None = None
    ) -> SignInStep | None:
        return await self._run(
            self._auth.confirm_sign_up, username, code, sign_in=sign_in, client_metadata=client_metadata
        )

    async def resend_confirmation_code(self, username: str) -> CodeDelivery | None:
        return await self._run(self._auth.resend_confirmation_code, username)

    async def forgot_password(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDelivery | None:
        return await self._run(self._auth.forgot_password, username, client_metadata=client_metadata)

    async def confirm_forgot_password(
        self, username: str, code: str, new_password: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> None:
        await self._run(
            self._auth.confirm_forgot_password, username, code, new_password, client_metadata=client_metadata
        )

    async def change_password(self, old_password: str, new_password: str) -> None:
        await self._run(self._auth.change_password, old_password, new_password)

    async def enable_mfa(self, mfa_type: str | MfaType = MfaType.SMS) -> MfaSetup | None:
        return await self._run(self._auth.enable_mfa, mfa_type)

    async def verify_mfa(self, code: str) -> None:
        await self._run(self._auth.verify_mfa, code)

    async def disable_mfa(self, mfa_type: str | MfaType | None = None) -> MfaPreferences:
        return await self._run(self._auth.disable_mfa, mfa_type)

    # --- account and devices (issue 14) ---------------------------------------------------------------
    async def mfa_preference(self) -> MfaPreferences:
        return await self._run(self._auth.mfa_preference)

    async def set_mfa_preference(self, mfa_type: str | MfaType) -> MfaPreferences:
        return await self._run(self._auth.set_mfa_preference, mfa_type)

    async def attributes(self) -> Mapping[str, str]:
        return await self._run(self._auth.attributes)

    async def update_attributes(
        self, values: Mapping[str, str], *, client_metadata: Mapping[str, str] | None = None
    ) -> tuple[CodeDelivery, ...]:
        return await self._run(self._auth.update_attributes, values, client_metadata=client_metadata)

    async def send_attribute_code(self, name: str) -> CodeDelivery | None:
        return await self._run(self._auth.send_attribute_code, name)

    async def verify_attribute(self, name: str, code: str) -> None:
        await self._run(self._auth.verify_attribute, name, code)

    async def delete_attributes(self, *names: str) -> tuple[str, ...]:
        return await self._run(self._auth.delete_attributes, *names)

    async def remember_device(self) -> RememberedDevice:
        return await self._run(self._auth.remember_device)

    async def devices(self) -> tuple[TrackedDevice, ...]:
        return await self._run(self._auth.devices)

    async def forget_device(self, key: str | None = None) -> str:
        return await self._run(self._auth.forget_device, key)

    async def delete_account(self) -> str | None:
        return await self._run(self._auth.delete_account)

    # --- authentication -----------------------------------------------------------------------------
    async def sign_in_method(self, provider: str = COGNITO) -> SignInMethod:
        return await self._run(self._auth.sign_in_method, provider)

    async def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        provider: str = COGNITO,
        factor: str | AuthFactor | None = None,
        custom: bool = False,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInStep:
        return await self._run(
            self._auth.sign_in,
            username,
            password,
            provider=provider,
            factor=factor,
            custom=custom,
            client_metadata=client_metadata,
        )

    async def confirm_sign_in(
        self, answer: str = "", *, client_metadata: Mapping[str, str] | None = None
    ) -> SignInStep:
        return await self._run(self._auth.confirm_sign_in, answer, client_metadata=client_metadata)

    def answer_custom_challenges(
        self, answerer: Callable[[Challenge], str | None] | None, *, provider: str = COGNITO
    ) -> None:
        """As :meth:`ClientAuth.answer_custom_challenges`; ``answerer`` runs in the worker thread of the call."""
        self._auth.answer_custom_challenges(answerer, provider=provider)

    @contextlib.contextmanager
    def client_metadata(self, pairs: Mapping[str, str]) -> Iterator[None]:
        """As :meth:`ClientAuth.client_metadata`, for the calls awaited inside (in this task)."""
        with self._auth.client_metadata(pairs):
            yield

    # --- passkeys and sign-in factors (issue 15) -----------------------------------------------------
    async def register_passkey(self) -> str:
        return await self._run(self._auth.register_passkey)

    async def passkeys(self) -> tuple[Passkey, ...]:
        return await self._run(self._auth.passkeys)

    async def delete_passkey(self, credential_id: str) -> None:
        await self._run(self._auth.delete_passkey, credential_id)

    async def auth_factors(self) -> tuple[AuthFactor, ...]:
        return await self._run(self._auth.auth_factors)

    async def start_device_sign_in(self, provider: str) -> DeviceAuthorization:
        return await self._run(self._auth.start_device_sign_in, provider)

    async def complete_device_sign_in(self, *, wait: bool = True, timeout: float | None = None) -> SignedIn:
        """Wait for the user's approval of the pending device code. Cancel the awaiting task to stop: the
        wait between polls ends at once, no further poll is made and the code stays pending."""
        cancel = threading.Event()
        try:
            return await self._run(self._auth.complete_device_sign_in, wait=wait, timeout=timeout, cancel=cancel)
        except asyncio.CancelledError:
            cancel.set()  # the worker's sleeper returns now and the use case raises Cancelled before polling
            raise

    def register_provider(self, name: str, factory: Callable[[], AuthProvider]) -> None:
        self._auth.register_provider(name, factory)

    async def pending(self) -> Pending | None:
        return await self._run(self._auth.pending)

    async def refresh_tokens(self, provider: str = COGNITO) -> Tokens:
        return await self._run(self._auth.refresh_tokens, provider)

    async def get_tokens(self, provider: str = COGNITO) -> Tokens:
        return await self._run(self._auth.get_tokens, provider)

    async def is_signed_in(self, provider: str = COGNITO) -> bool:
        return await self._run(self._auth.is_signed_in, provider)

    async def signed_in_providers(self) -> tuple[ProviderName, ...]:
        return await self._run(self._auth.signed_in_providers)

    async def sign_out(self, provider: str | None = None, *, globally: bool = False) -> tuple[ProviderName, ...]:
        return await self._run(self._auth.sign_out, provider, globally=globally)

    # --- authorization ------------------------------------------------------------------------------
    async def get_credentials(self, *, force_refresh: bool = False) -> Credentials:
        """Concurrent callers share one fetch: the credential service lets one caller fetch while the others
        wait for its answer (in memory, or in the store for other processes)."""
        return await self._run(self._auth.get_credentials, force_refresh=force_refresh)

    async def link_identities(self) -> Identity:
        return await self._run(self._auth.link_identities)

    async def identity_id(self) -> str | None:
        return await self._run(self._auth.identity_id)

    async def has_persisted_logins(self) -> bool:
        return await self._run(self._auth.has_persisted_logins)

    async def reset(self) -> None:
        await self._run(self._auth.reset)

    async def boto3_session(self, region: str | None = None) -> Any:
        """A boto3 Session with refreshing credentials; its clients block, so call them with ``to_thread``."""
        return await self._run(self._auth.boto3_session, region)

    def botocore_credential_provider(self) -> Any:
        return self._auth.botocore_credential_provider()

    async def credential_process(self) -> dict[str, Any]:
        return await self._run(self._auth.credential_process)

    async def status(self) -> Status:
        return await self._run(self._auth.status)

    # --- browser sign-in, machine tokens and the HTTP helpers (issue 16) ----------------------------
    async def sign_in_with_browser(
        self,
        *,
        identity_provider: str | None = None,
        open_browser: bool = True,
        paste: Callable[[], str] | None = None,
        show_url: Callable[[str, bool], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SignedIn:
        """As :meth:`ClientAuth.sign_in_with_browser`; ``show_url`` and ``paste`` are called on a worker thread.
        Cancel the awaiting task to stop waiting for the browser: the listener closes at once."""
        cancel = threading.Event()
        try:
            return await self._run(
                self._auth.sign_in_with_browser,
                identity_provider=identity_provider,
                open_browser=open_browser,
                paste=paste,
                show_url=show_url,
                timeout=timeout,
                cancel=cancel,
            )
        except asyncio.CancelledError:
            cancel.set()
            raise

    async def sign_out_of_browser(
        self,
        provider: str | None = None,
        *,
        globally: bool = False,
        open_browser: bool = True,
        show_url: Callable[[str, bool], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> tuple[ProviderName, ...]:
        """As :meth:`ClientAuth.sign_out_of_browser`; cancelling the awaiting task closes the listener at once."""
        cancel = threading.Event()
        try:
            return await self._run(
                self._auth.sign_out_of_browser,
                provider,
                globally=globally,
                open_browser=open_browser,
                show_url=show_url,
                timeout=timeout,
                cancel=cancel,
            )
        except asyncio.CancelledError:
            cancel.set()
            raise

    async def bearer_token(self, token: str = "access", *, provider: str = COGNITO) -> Secret:
        return await self._run(self._auth.bearer_token, token, provider=provider)

    async def machine_token(
        self, scopes: str | Iterable[str] | None = None, *, force_refresh: bool = False
    ) -> MachineToken:
        """Concurrent callers share one fetch, as for credentials."""
        return await self._run(self._auth.machine_token, scopes, force_refresh=force_refresh)

    def requests_auth(self, token: str = "access", *, provider: str = COGNITO, scheme: str | None = "Bearer") -> Any:
        """For ``requests`` (which blocks: call it with ``to_thread``)."""
        return self._auth.requests_auth(token, provider=provider, scheme=scheme)

    def machine_requests_auth(self, scopes: str | Iterable[str] | None = None, *, scheme: str | None = "Bearer") -> Any:
        return self._auth.machine_requests_auth(scopes, scheme=scheme)

    def sigv4_auth(self, service: str = "execute-api", region: str | None = None) -> Any:
        return self._auth.sigv4_auth(service, region)

    # --- events -------------------------------------------------------------------------------------
    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for each event of ``event_type``. Subscribed while a loop runs, the handler runs on
        that loop (events happen on worker threads); otherwise on the thread that raised the event."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._auth.subscribe(event_type, handler)
        return self._auth.subscribe(event_type, functools.partial(_call_on, loop, handler))

    @overload
    def events(self, *, limit: int = ...) -> EventStream[Event]: ...
    @overload
    def events(self, event_type: type[E], *, limit: int = ...) -> EventStream[E]: ...
    def events(self, event_type: type[Event] = Event, *, limit: int = 1000) -> EventStream[Any]:
        """Events of ``event_type`` from now on, as an async iterator read on the running loop; ``close()`` it
        (or use ``with``) to stop listening."""
        return EventStream(self._auth, event_type, limit)


def _call_on(loop: asyncio.AbstractEventLoop, handler: Callable[[E], None], event: E) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is left to tell
        loop.call_soon_threadsafe(handler, event)


class EventStream(Generic[E]):
    """An async iterator of events, subscribed from the moment it is made, on the running loop.

    At most ``limit`` events wait to be read; beyond that the oldest are dropped (a reader that stopped
    reading must not grow memory without bound).
    """

    def __init__(self, auth: ClientAuth, event_type: type[E], limit: int) -> None:
        loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[E | None] = asyncio.Queue()
        self._limit = limit
        self._closed = False
        self._unsubscribe = auth.subscribe(event_type, functools.partial(_call_on, loop, self._put))

    def _put(self, event: E) -> None:
        if self._closed:
            return
        if self._queue.qsize() >= self._limit:
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    def close(self) -> None:
        """Stop listening; a reader waiting for the next event ends its iteration."""
        if not self._closed:
            self._closed = True
            self._unsubscribe()
            self._queue.put_nowait(None)

    def __aiter__(self) -> EventStream[E]:
        return self

    async def __anext__(self) -> E:
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # every later read ends too
            raise StopAsyncIteration
        return event

    def __enter__(self) -> EventStream[E]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
