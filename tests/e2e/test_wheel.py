"""The built wheel shares an environment politely: one top-level package, nothing shadowed.

Editor tooling embeds the library in its own environment, beside the public ``entrypoints`` package (one of the
most installed on the index) and beside its own packages, often named ``domain``. The wheel is built from this
tree, installed into a fresh virtual environment, and used there.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("aws_client_auth-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding the wheel and the public ``entrypoints`` package; the library's own
    dependencies come from this test run's environment through a .pth file (added after the venv's own
    site-packages, so nothing there can shadow what the wheel installed)."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel), "entrypoints"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_wheel_installs_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"aws_client_auth", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "aws_client_auth/domain/session.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "aws_client_auth.entrypoints.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_public_entrypoints_package_still_works_beside_it(fresh_python: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import entrypoints
        from aws_client_auth import ClientAuth
        import aws_client_auth.entrypoints.scripting as ours

        assert entrypoints.__file__ != ours.__file__
        print(type(entrypoints.get_group_named("console_scripts")).__name__, ClientAuth.__name__)
        """
    )
    run = subprocess.run(
        [str(fresh_python), "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["dict", "ClientAuth"]


def test_a_project_with_its_own_domain_package_can_use_client_auth(fresh_python: Path, tmp_path: Path) -> None:
    project = tmp_path / "editor_tool"
    (project / "domain").mkdir(parents=True)
    (project / "domain" / "__init__.py").write_text("")
    (project / "domain" / "credentials.py").write_text("OWNER = 'editor_tool'\n")
    (project / "client-auth.toml").write_text('[storage]\nbackend = "memory"\n')
    (project / "tool.py").write_text(
        textwrap.dedent(
            """
            from domain.credentials import OWNER
            from aws_client_auth import ClientAuth

            auth = ClientAuth.from_config("client-auth.toml")
            status = auth.status()
            import domain.credentials
            print(OWNER, domain.credentials.__file__.endswith("editor_tool/domain/credentials.py"), status.providers)
            """
        )
    )
    run = subprocess.run(
        [str(fresh_python), "tool.py"], cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["editor_tool", "True", "()"]
