"""The bounds of this project's own small JSON files, in the standard library alone: the session store, the machine
token cache and the ``credential_process`` fast path (which loads no domain and no store code) check them alike."""

from __future__ import annotations

import re

SESSION_MAX_BYTES = 1024 * 1024
"""A profile's session file holds a few kilobytes per configuration; anything past this cap is not ours."""
SESSION_MAX_DEPTH = 32
"""Our session documents nest five levels at most; checked before parsing, so it holds whatever the recursion limit."""
_JSON_SPECIAL = re.compile(r'[\[\]{}"\\]')


def too_deep(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests arrays and objects more than ``limit`` levels (brackets in strings do not count).

    Linear, and checked before ``json.loads``: the parser recurses in C, so a deep enough document overflows the
    stack (a crash, not a RecursionError) wherever the host raised the recursion limit.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_SPECIAL.finditer(text):
        position = match.start()
        if position == escaped_at:
            continue
        char = match.group()
        if in_string:
            if char == "\\":
                escaped_at = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False
