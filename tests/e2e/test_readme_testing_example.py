"""The README's "Testing your own tool" runs as written, from the built wheel in a fresh environment: the tool and
its pytest file are taken from the README itself, so the documented test is the tested one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_wheel import fresh_python, wheel

__all__ = ["fresh_python", "wheel"]  # the wheel installed in a fresh virtual environment (see test_wheel)

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Testing your own tool"
pytestmark = pytest.mark.slow


def readme_files() -> dict[str, str]:
    """Each Python block of the section, whole, by the file name its first line gives (``# asset_tool.py``)."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    blocks = re.findall(r"```python\n(# (\S+\.py)\n.*?)```", section, flags=re.DOTALL)
    return {name: body for body, name in blocks}


def test_the_section_holds_a_tool_and_its_tests() -> None:
    files = readme_files()
    assert set(files) == {"asset_tool.py", "test_asset_tool.py"}
    assert "from aws_client_auth import testing" in files["test_asset_tool.py"]


def test_the_readme_example_passes_from_the_installed_wheel(fresh_python: Path, tmp_path: Path) -> None:
    for name, body in readme_files().items():
        (tmp_path / name).write_text(body)
    run = subprocess.run(
        [str(fresh_python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_asset_tool.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
    where = subprocess.run(
        [str(fresh_python), "-c", "import aws_client_auth.testing as t; print(t.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert str(ROOT) not in where.stdout  # the wheel's copy, not this checkout's
