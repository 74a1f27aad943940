"""The console-script fixtures, shared by every end-to-end module."""

from tests.e2e.test_cli import cli, stack

__all__ = ["cli", "stack"]
