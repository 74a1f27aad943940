"""The signed-in user's attributes: list, set, verify (a code to the changed email or phone) and delete.

Standard attributes (``email``, ``given_name``, ``phone_number``) and the pool's own (``custom:team``) alike;
the pool decides which may be written and checks their format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_client_auth.application.ports.event_publisher import EventPublisher
from aws_client_auth.application.ports.user_directory import UserAccount, account_of
from aws_client_auth.application.services.events import failures_published
from aws_client_auth.application.services.providers import ProviderRegistry
from aws_client_auth.application.services.tokens import TokenKeeper
from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.events import (
    AttributeCodeSent,
    AttributesDeleted,
    AttributesUpdated,
    AttributeVerified,
    OperationFailed,
)
from aws_client_auth.domain.secret import Secret
from aws_client_auth.domain.sign_in import CodeDelivery
from aws_client_auth.domain.tokens import COGNITO
from aws_client_auth.domain.user import attribute_name, attribute_value, verification_code

READ_ONLY = frozenset({"sub", "email_verified", "phone_number_verified"})
"""Attributes the pool sets itself: a user changes them only through verification."""


def _writable(name: str) -> str:
    checked = attribute_name(name)
    if checked in READ_ONLY:
        raise InvalidInput(f"{checked} is set by the user pool, not by you.")
    return checked


def _names(names: Iterable[str]) -> tuple[str, ...]:
    checked = tuple(dict.fromkeys(_writable(name) for name in names))
    if not checked:
        raise InvalidInput("No attribute named: give at least one.")
    return checked


class _AccountUseCase:
    def __init__(self, providers: ProviderRegistry, tokens: TokenKeeper, events: EventPublisher) -> None:
        self._providers = providers
        self._tokens = tokens
        self._events = events

    def _account(self) -> tuple[UserAccount, Secret]:
        account = account_of(self._providers.directory(COGNITO))
        return account, self._tokens.fresh(COGNITO).access_token


class ListAttributes(_AccountUseCase):
    def execute(self) -> Mapping[str, str]:
        with failures_published(self._events, lambda e: OperationFailed.of("list_attributes", e, COGNITO)):
            account, access_token = self._account()
            return account.get_user(access_token).attributes


class UpdateAttributes(_AccountUseCase):
    """Set attributes; a changed email or phone number is unverified until its code is given (where it went is
    returned)."""

    def execute(self, values: Mapping[str, str]) -> tuple[CodeDelivery, ...]:
        with failures_published(self._events, lambda e: OperationFailed.of("update_attributes", e, COGNITO)):
            checked = {_writable(name): attribute_value(value, name=name) for name, value in values.items()}
            if not checked:
                raise InvalidInput("No attribute given: give NAME=VALUE pairs.")
            account, access_token = self._account()
            deliveries = account.update_attributes(access_token, checked)
        self._events.publish(AttributesUpdated(names=tuple(checked), deliveries=deliveries))
        return deliveries


class SendAttributeCode(_AccountUseCase):
    def execute(self, name: str) -> CodeDelivery | None:
        with failures_published(self._events, lambda e: OperationFailed.of("send_attribute_code", e, COGNITO)):
            checked = attribute_name(name)
            account, access_token = self._account()
            delivery = account.send_attribute_code(access_token, checked)
        self._events.publish(AttributeCodeSent(name=checked, delivery=delivery))
        return delivery


class VerifyAttribute(_AccountUseCase):
    def execute(self, name: str, code: str) -> None:
        with failures_published(self._events, lambda e: OperationFailed.of("verify_attribute", e, COGNITO)):
            checked, checked_code = attribute_name(name), verification_code(code)
            account, access_token = self._account()
            account.verify_attribute(access_token, checked, checked_code)
        self._events.publish(AttributeVerified(name=checked))


class DeleteAttributes(_AccountUseCase):
    def execute(self, names: Iterable[str]) -> tuple[str, ...]:
        with failures_published(self._events, lambda e: OperationFailed.of("delete_attributes", e, COGNITO)):
            checked = _names(names)
            account, access_token = self._account()
            account.delete_attributes(access_token, checked)
        self._events.publish(AttributesDeleted(names=checked))
        return checked
