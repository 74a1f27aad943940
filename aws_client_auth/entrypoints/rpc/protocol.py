"""JSON-RPC 2.0 messages, one per line: parsing a request, writing a response, notification or error.

Only what the server needs: named parameters (an object, or none), ids that are strings or integers, no batches.
Every rule broken is an :class:`RpcError` with the standard code; nothing a client sends ends the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
METHOD_NOT_FOUND: Final = -32601
INVALID_PARAMS: Final = -32602
INTERNAL_ERROR: Final = -32603
CLIENT_AUTH_ERROR: Final = -32000
"""A domain error (``aws_client_auth.domain.errors``): ``data`` holds its ``type``, ``code`` and ``message``."""
REQUEST_CANCELLED: Final = -32800
"""The request was cancelled (by ``cancel``, ``shutdown`` or the end of input) before it finished."""

MAX_LINE: Final = 1024 * 1024
"""The longest message read, in bytes; a longer line is answered with an Invalid Request error and skipped."""

RequestId = str | int


class RpcError(Exception):
    """An error response; ``request_id`` is the id of the request it answers, when one could be read."""

    def __init__(
        self, code: int, message: str, data: dict[str, Any] | None = None, *, request_id: RequestId | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.request_id = request_id


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    params: dict[str, Any]
    id: RequestId | None
    """None for a notification: a request that gets no response."""

    @property
    def is_notification(self) -> bool:
        return self.id is None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(line: bytes) -> Request:
    """One line as a request, or :class:`RpcError` (with the request's id, when one was read)."""
    try:
        message = json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RpcError(PARSE_ERROR, "Parse error: a message is one line of UTF-8 JSON.") from None
    if isinstance(message, list):
        raise RpcError(INVALID_REQUEST, "Invalid Request: batches are not supported; send one request per line.")
    if not isinstance(message, dict):
        raise RpcError(INVALID_REQUEST, "Invalid Request: a request is a JSON object.")
    request_id = _request_id(message)
    method, params = message.get("method"), message.get("params", {})
    if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
        message_text = 'Invalid Request: "jsonrpc" must be "2.0" and "method" a string.'
        raise RpcError(INVALID_REQUEST, message_text, request_id=request_id)
    if not isinstance(params, dict):
        raise RpcError(INVALID_PARAMS, "Invalid params: parameters are named (a JSON object).", request_id=request_id)
    return Request(method, params, request_id)


def _request_id(message: dict[str, Any]) -> RequestId | None:
    """The id of a request (None: a notification); an id of another type makes the message invalid."""
    value = message.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RpcError(INVALID_REQUEST, "Invalid Request: an id is a string or an integer.")
    return value


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line: JSON escapes every line break inside strings."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode() + b"\n"


def response(request_id: RequestId | None, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_response(error: RpcError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.data is not None:
        body["data"] = error.data
    return {"jsonrpc": "2.0", "id": error.request_id, "error": body}


def notification(method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": method, "params": params}
