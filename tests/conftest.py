from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(autouse=True)
def _independent_secret_registry() -> None:
    """Each test starts with no remembered secret values: one test's short fake token must not mask words in
    another's output."""
    from aws_client_auth.domain.secret import forget_remembered

    forget_remembered()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The demo's local moto server, on a free port for the whole run; tests reset it through ``moto_endpoint``."""
    from aws_client_auth.entrypoints.local_stack import local_server

    with local_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    return moto_server


SLOW_FIXTURES = frozenset({"moto_server", "moto_endpoint", "stack", "cli"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the local moto server or the console script are slow: `pytest -m "not slow"` is the quick loop."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
