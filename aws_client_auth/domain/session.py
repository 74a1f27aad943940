"""Everything kept for one profile between runs: tokens, a pending step, identity ids, cached credentials, and
this machine's remembered devices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from aws_client_auth.domain.credentials import Credentials
from aws_client_auth.domain.sign_in import Challenge, DeviceAuthorization, SignUpSession
from aws_client_auth.domain.tokens import ProviderName, Tokens
from aws_client_auth.domain.user import RememberedDevice

Pending = Challenge | DeviceAuthorization


def _frozen(tokens: Mapping[ProviderName, Tokens]) -> Mapping[ProviderName, Tokens]:
    return MappingProxyType(dict(tokens))


def device_entry(provider: ProviderName, login: str) -> str:
    """Where a remembered device is kept: by provider and the name typed at sign-in (in any case), which is
    what the next sign-in knows before it has any token."""
    return f"{provider}/{login.casefold()}"


@dataclass(frozen=True, slots=True)
class Session:
    tokens: Mapping[ProviderName, Tokens] = field(default_factory=lambda: _frozen({}))
    pending: Pending | None = None
    authenticated_identity_id: str | None = None
    guest_identity_id: str | None = None
    credentials: Credentials | None = None
    linked_logins: frozenset[str] = frozenset()
    devices: Mapping[str, RememberedDevice] = field(default_factory=lambda: MappingProxyType({}))
    """This machine as each user's tracked device (see :func:`device_entry`): kept across a local sign-out, so
    that a remembered device signs in again without MFA; a global sign-out, a reset or forgetting it drop it."""
    sign_up: SignUpSession | None = None
    """The latest sign-up's session, for confirming it with an immediate sign-in."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", _frozen(self.tokens))
        object.__setattr__(self, "devices", MappingProxyType(dict(self.devices)))

    @property
    def signed_in_providers(self) -> tuple[ProviderName, ...]:
        return tuple(sorted(self.tokens))

    @property
    def current_identity_id(self) -> str | None:
        """The identity in use: the authenticated one while anyone is signed in, else the guest one (if any yet)."""
        return self.authenticated_identity_id if self.tokens else self.guest_identity_id

    def cached_credentials(self, now: datetime, *, fresh: bool = True) -> Credentials | None:
        """The kept credentials, if they may be handed out without asking the identity pool: of the kind the
        session calls for (authenticated while signed in, else guest) and with no refresh due yet; with
        ``fresh=False``, still safe to use though a refresh is due (what is kept when a refresh fails)."""
        credentials = self.credentials
        if credentials is None or credentials.authenticated != bool(self.tokens):
            return None
        return credentials if (credentials.is_fresh(now) if fresh else credentials.is_usable(now)) else None

    def with_tokens(self, tokens: Tokens) -> Session:
        """A provider refreshed (same user): its logins changed, so cached credentials are dropped."""
        merged = {**self.tokens, tokens.provider: tokens}
        return replace(self, tokens=merged, credentials=None, pending=self._pending_unless(tokens.provider))

    def signed_in(self, tokens: Tokens) -> Session:
        """A provider signed in. What is kept depends on who signed in (see :meth:`previous_user`).

        - Another user than the one stored: everything tied to the previous user goes (their authenticated
          identity, credentials, linked logins and the other providers' tokens); the guest identity stays.
        - The same user, known by subject: as a refresh.
        - Not known (no subject on either side): the identity is asked for again (the pool answers the same
          identity for the same logins), so a stored identity is never handed to someone else.
        """
        if self.previous_user(tokens) is not None:
            return Session(
                tokens={tokens.provider: tokens}, guest_identity_id=self.guest_identity_id, devices=self.devices
            )
        session = self.with_tokens(tokens)
        stored = self.tokens.get(tokens.provider)
        if stored is not None and (stored.subject is None or tokens.subject is None):
            session = replace(session, authenticated_identity_id=None, linked_logins=frozenset())
        return session

    def previous_user(self, tokens: Tokens) -> str | None:
        """Who was signed in with ``tokens.provider`` if that was someone else, else None.

        Users are told apart by subject (``sub``), else by user name, where both sides know it.
        """
        stored = self.tokens.get(tokens.provider)
        if stored is None:
            return None
        if stored.subject and tokens.subject:
            differs = stored.subject != tokens.subject
        elif stored.username and tokens.username:
            differs = stored.username.casefold() != tokens.username.casefold()
        else:
            differs = False
        return (stored.username or stored.subject or "another user") if differs else None

    def without_provider(self, provider: ProviderName) -> Session:
        """Sign-out of one provider; leaving no provider forgets the authenticated identity too, so that the next
        user of this machine cannot reuse it."""
        remaining = {name: t for name, t in self.tokens.items() if name != provider}
        session = replace(self, tokens=remaining, credentials=None, pending=self._pending_unless(provider))
        return session if remaining else replace(session, authenticated_identity_id=None, linked_logins=frozenset())

    def without_providers(self, providers: Iterable[ProviderName]) -> Session:
        """Sign-out of each of ``providers`` (see :meth:`without_provider`)."""
        session = self
        for provider in providers:
            session = session.without_provider(provider)
        return session

    # --- remembered devices (issue 14) ---------------------------------------------------------------------
    def device_for(self, provider: ProviderName, login: str) -> RememberedDevice | None:
        """The device kept for ``login`` (the name typed at sign-in) with ``provider``, if any."""
        return self.devices.get(device_entry(provider, login))

    def with_device_for(self, provider: ProviderName, login: str, device: RememberedDevice | None) -> Session:
        """Keep ``device`` for ``login`` with ``provider`` (None drops what was kept)."""
        devices = {**self.devices}
        if device is None:
            devices.pop(device_entry(provider, login), None)
        else:
            devices[device_entry(provider, login)] = device
        return replace(self, devices=devices)

    def replacing_device(self, key: str, device: RememberedDevice | None) -> Session:
        """Every kept device and every provider's tokens holding the device ``key``, with ``device`` instead (None
        forgets it)."""
        devices: dict[str, RememberedDevice] = {}
        for entry, kept in self.devices.items():
            if kept.key != key:
                devices[entry] = kept
            elif device is not None:
                devices[entry] = device
        tokens = {
            name: (t.with_device(device) if t.device is not None and t.device.key == key else t)
            for name, t in self.tokens.items()
        }
        return replace(self, devices=devices, tokens=tokens)

    def with_pending(self, pending: Pending | None) -> Session:
        return replace(self, pending=pending)

    def without_pending(self, provider: ProviderName) -> Session:
        """Drops the pending step of ``provider`` (a failed or abandoned sign-in), keeping another provider's."""
        return replace(self, pending=self._pending_unless(provider))

    @property
    def is_empty(self) -> bool:
        return self == Session()

    def with_credentials(self, credentials: Credentials | None) -> Session:
        if credentials is None:
            return replace(self, credentials=None)
        if credentials.authenticated:
            return replace(self, credentials=credentials, authenticated_identity_id=credentials.identity_id)
        return replace(self, credentials=credentials, guest_identity_id=credentials.identity_id)

    def with_identity_id(self, identity_id: str, *, authenticated: bool) -> Session:
        if authenticated:
            return replace(self, authenticated_identity_id=identity_id)
        return replace(self, guest_identity_id=identity_id)

    def with_linked(self, logins: frozenset[str]) -> Session:
        return replace(self, linked_logins=logins)

    def _pending_unless(self, provider: ProviderName) -> Pending | None:
        return None if self.pending is not None and self.pending.provider == provider else self.pending
