"""Named parameters checked against a handler's signature: its keyword-only parameters, their types and defaults
are the method's parameters, so the table of methods is its own schema."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, Final

from aws_client_auth.domain.errors import InvalidInput
from aws_client_auth.domain.secret import remember
from aws_client_auth.domain.sign_in import AuthFactor
from aws_client_auth.domain.user import MfaType
from aws_client_auth.entrypoints.rpc.protocol import INVALID_PARAMS, RpcError
from aws_client_auth.entrypoints.rpc.results import one_line

SECRET_PARAMS: Final = frozenset({"password", "old_password", "new_password", "answer"})
"""Remembered as secrets on arrival (an answer may be a new password, the password or a custom challenge's
answer), so that an echo of one is masked; but an answer that names a sign-in factor or an MFA method, a public
word (see :func:`names_a_choice`)."""

_NAMES: Final[dict[object, str]] = {
    str: "a string",
    bool: "true or false",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


def parameters(handler: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    """The method's parameters: the handler's keyword-only ones (the first, positional, is the facade)."""
    signature = inspect.signature(handler)
    return {name: p for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


def bind(handler: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` if the handler takes them, else an Invalid params error naming what is wrong."""
    expected = parameters(handler)
    unknown = sorted(set(params) - set(expected))
    if unknown:
        raise RpcError(INVALID_PARAMS, one_line(f"Invalid params: unknown parameter(s) {', '.join(unknown)}."))
    missing = [name for name, p in expected.items() if p.default is p.empty and name not in params]
    if missing:
        raise RpcError(INVALID_PARAMS, f"Invalid params: missing parameter(s) {', '.join(missing)}.")
    hints = typing.get_type_hints(handler)
    for name, value in params.items():
        if not accepts(hints[name], value):
            raise RpcError(INVALID_PARAMS, f"Invalid params: {name} must be {describe(hints[name])}.")
        if name in SECRET_PARAMS and isinstance(value, str) and not (name == "answer" and names_a_choice(value)):
            remember(value)
    return params


def names_a_choice(answer: str) -> bool:
    """Whether ``answer`` names a sign-in factor or an MFA method (``email-otp``, ``password``, ``totp``): the
    answer to a choice among public words. Remembered as a secret, the word would be masked in every later result
    (the ``password`` challenge, ``auth_factors``, ``enable_mfa``'s ``totp``). A password that is such a word is
    still remembered by the sign-in itself as soon as it is used as one."""
    for parse in (AuthFactor.parse, MfaType.parse):
        try:
            parse(answer)
        except InvalidInput:
            continue
        return True
    return False


def accepts(hint: Any, value: Any) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(accepts(option, value) for option in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(accepts(item, v) for v in value)
    if typing.get_origin(hint) is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(accepts(key, k) and accepts(item, v) for k, v in value.items())
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def describe(hint: Any) -> str:
    """The JSON type a parameter takes, in words (``a string or null``)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(describe(option) for option in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return f"a list of {describe(item).split(' ', 1)[-1]}s"
    if typing.get_origin(hint) is dict:
        item = typing.get_args(hint)[1]
        return f"an object of {describe(item).split(' ', 1)[-1]}s"
    return _NAMES.get(hint, getattr(hint, "__name__", str(hint)))
