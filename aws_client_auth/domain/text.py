"""Text that came from outside (a server, a file) made safe to show on a terminal or write to a log.

A server's strings are data: escape sequences could rewrite the screen (forge a "Signed in" line, hide a URL
behind a hyperlink), newlines could forge log lines, and a megabyte of text is no message. :func:`clean`
removes escape sequences, shows other control characters escaped, folds line breaks and caps the length.
"""

from __future__ import annotations

import re
from typing import Final

LIMIT: Final = 300
"""Default cap, in characters, for one server-supplied string shown to a person."""
ELLIPSIS: Final = "…"
SHOWN_ON_PURPOSE: Final = "client_auth_shown_on_purpose"
"""A log record attribute (``extra={SHOWN_ON_PURPOSE: True}``) for a message that only looks secret (a sign-in
address with its state and PKCE challenge): handlers mask known secrets in it by value, not by pattern."""

# ESC-introduced sequences: CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC strings (ESC ] ... BEL or ST),
# and two-character escapes; the 8-bit C1 forms (U+009B CSI, U+009D OSC, ...) likewise.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?"  # other escapes (and a lone ESC)
)
_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, limit: int = LIMIT) -> str:
    """One line of plain, printable text, at most ``limit`` characters (an ellipsis marks a cut)."""
    value = text if isinstance(text, str) else str(text)
    if len(value) > limit * 8:  # bound the work on absurd input before the regexes run
        value = value[: limit * 8]
    value = _ESCAPES.sub("", value)
    value = _BREAKS.sub(" ", value).replace("\t", " ")
    value = _CONTROLS.sub(_escaped, value)
    if len(value) > limit:
        value = value[: max(limit - 1, 0)] + ELLIPSIS
    return value


def clean_lines(text: str, limit: int = LIMIT) -> str:
    """Like :func:`clean`, line by line: keeps the line breaks of a multi-line message this project wrote."""
    return "\n".join(clean(line, limit) for line in _BREAKS.split(text))
