"""The last step before anything reaches a terminal or a log: secrets masked by value, text made inert.

Servers choose much of what the CLI shows (user codes, URIs, error messages, user names, delivery
destinations), and any of them may echo a password, a token or a device code it was sent, or carry escape
sequences that rewrite the screen. So every value a server sent is rendered with :func:`server_text` where it is
put into a message, and every message then passes :func:`for_terminal` (human output), :func:`for_json`
(``--json``: exact JSON, only secrets masked) or :func:`redacted_traceback` (``--debug``). The only values shown
on purpose are named by the caller (``revealed``): the TOTP secret a user must copy, for instance.
"""

from __future__ import annotations

import traceback
from collections.abc import Collection
from typing import Any, Final

from aws_client_auth.adapters.redaction import redact
from aws_client_auth.domain.secret import Secret, scrub, scrub_except
from aws_client_auth.domain.text import LIMIT, clean, clean_lines

LINE_LIMIT: Final = 4000
"""Cap for one line this project composed: its server-sent parts were capped already (at ``text.LIMIT``)."""
_CAUSE: Final = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT: Final = "\nDuring handling of the above exception, another exception occurred:\n\n"


def server_text(value: object, limit: int = LIMIT) -> str:
    """A value a server sent, as one inert line: secrets masked, escape sequences gone, line breaks folded."""
    return clean(scrub(value if isinstance(value, str) else str(value)), limit)


def for_terminal(text: str, revealed: Collection[str] = ()) -> str:
    """A message for a person: no secret but the ``revealed`` ones, no terminal control, our line breaks kept."""
    return clean_lines(scrub_except(text, revealed), LINE_LIMIT)


def one_line(text: str) -> str:
    """An error or a log message: one line, whatever a server put into it."""
    return clean(scrub(text), LINE_LIMIT)


def for_json(data: Any, revealed: Collection[str] = ()) -> Any:
    """``data`` with every string scrubbed (but the ``revealed`` values); the JSON encoder escapes the rest."""
    if isinstance(data, str):
        return scrub_except(data, revealed)
    if isinstance(data, dict):
        return {key: for_json(value, revealed) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [for_json(value, revealed) for value in data]
    return data


def redacted_traceback(error: BaseException) -> str:
    """The traceback of ``error`` and of every exception chained to it, as Python prints it, except that no
    secret survives and nothing controls the terminal: frames are scrubbed by value, and each exception's
    message, where servers' words end up (a botocore error quoting the request, for one), is redacted by value
    and by pattern, on one line."""
    blocks: list[str] = []
    current: traceback.TracebackException | None = traceback.TracebackException.from_exception(error)
    while current is not None:
        older, link = _older(current)
        frames = "".join(current.stack.format())
        header = "Traceback (most recent call last):\n" if frames else ""
        blocks.append(f"{link}{header}{scrub(frames)}{_exception_line(current)}\n")
        current = older
    lines = "".join(reversed(blocks)).rstrip("\n").split("\n")
    return "\n".join(clean(line, LINE_LIMIT) for line in lines)


def _exception_line(exception: traceback.TracebackException) -> str:
    """``module.Type: message`` with the message redacted (the type's dotted name is no token to mask)."""
    name, colon, message = "".join(exception.format_exception_only()).rstrip("\n").partition(": ")
    return f"{name}{colon}{clean(redact(message), LINE_LIMIT)}"


def _older(current: traceback.TracebackException) -> tuple[traceback.TracebackException | None, str]:
    """The exception ``current`` was raised from or while handling, and the sentence that links them."""
    if current.__cause__ is not None:
        return current.__cause__, _CAUSE
    if current.__context__ is not None and not current.__suppress_context__:
        return current.__context__, _CONTEXT
    return None, ""


def shown_on_purpose(secret: Secret) -> str:
    """A secret the user must see (the TOTP secret to copy): as it is shown, inert like any server value."""
    return clean(secret.reveal(), LINE_LIMIT)
