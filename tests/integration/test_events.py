from __future__ import annotations

import logging

import pytest

from aws_client_auth.adapters.events import EventBus
from aws_client_auth.domain.events import Event, OperationFailed, SignedOut, SignInFailed
from aws_client_auth.domain.tokens import COGNITO


def test_handlers_get_their_type_and_its_subtypes() -> None:
    bus = EventBus()
    failures: list[Event] = []
    everything: list[Event] = []
    bus.subscribe(OperationFailed, failures.append)
    bus.subscribe(Event, everything.append)
    bus.publish(SignInFailed("sign_in", "not_authorized", "Incorrect username or password.", COGNITO))
    bus.publish(SignedOut(COGNITO, False))
    assert [type(ev) for ev in failures] == [SignInFailed]
    assert len(everything) == 2


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen: list[SignedOut] = []
    unsubscribe = bus.subscribe(SignedOut, seen.append)
    unsubscribe()
    unsubscribe()
    bus.publish(SignedOut(COGNITO, False))
    assert seen == []


def test_a_failing_handler_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[Event] = []

    def broken(_: Event) -> None:
        raise RuntimeError("handler bug")

    bus.subscribe(Event, broken)
    bus.subscribe(Event, seen.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(SignedOut(COGNITO, True))
    assert len(seen) == 1
    assert "handler for SignedOut failed" in caplog.text
