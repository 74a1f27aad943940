"""The last guard of an adapter: an answer of the wrong shape becomes a typed error, never a traceback.

botocore checks types against the service model, but a field can still be missing, and emulators, proxies
and future API versions answer in ways the code did not foresee.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from aws_client_auth.domain.errors import ServiceError

P = ParamSpec("P")
R = TypeVar("R")
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def checked_answers(service: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except SHAPE_ERRORS as error:
                raise ServiceError(
                    f"{service} answered {method.__name__.strip('_').replace('_', ' ')} with something this client "
                    f"cannot read ({type(error).__name__}); try again, and report it if it persists."
                ) from error

        return guarded

    return decorate
