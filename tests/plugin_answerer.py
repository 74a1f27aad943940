"""A custom-challenge answerer a configuration names (``[cognito] custom_challenge_answerer =
"tests.plugin_answerer:answer"``), as a game's tool would fetch a store ticket: it answers each round from what the
challenge shows, with no person asked."""

from __future__ import annotations

from aws_client_auth.domain.sign_in import Challenge

ANSWERS: dict[str, str] = {}
"""Question shown -> answer; a question not here is left to a person (None)."""
SEEN: list[dict[str, str]] = []


def answer(challenge: Challenge) -> str | None:
    SEEN.append(dict(challenge.public))
    return ANSWERS.get(challenge.public.get("question", ""))


def broken(challenge: Challenge) -> str | None:
    raise RuntimeError("the ticket service is down: token=do-not-show-me")
