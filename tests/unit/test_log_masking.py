"""Log records are redacted by pattern and by value; one shown on purpose (a sign-in address) by value only."""

from __future__ import annotations

import logging

from aws_client_auth.adapters.redaction import REDACTED, masked
from aws_client_auth.domain.secret import MASK, Secret
from aws_client_auth.domain.text import SHOWN_ON_PURPOSE

STATE = "kP3x9QmZr7Lw2VbN8cYt5HsJ4dFg6aEu1oIqRzXyWvU"  # 43 url-safe characters, as PKCE and state are


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("aws_client_auth", logging.WARNING, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_an_address_shown_on_purpose_keeps_its_state_but_not_a_secret() -> None:
    secret = Secret("client-secret-never-in-a-url-42")
    url = f"https://login.example.com/oauth2/authorize?state={STATE}&x={secret.reveal()}"
    shown = masked(record(url, **{SHOWN_ON_PURPOSE: True}))
    assert STATE in shown
    assert secret.reveal() not in shown
    assert MASK in shown


def test_any_other_message_is_redacted_by_pattern_too() -> None:
    assert masked(record(f"state {STATE}")) == f"state {REDACTED}"
