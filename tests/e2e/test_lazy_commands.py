"""The command tree loads a command's module only when that command runs: ``--help`` lists every command from a
static table, which must say what each command's own help says; global options still go anywhere on the line,
and shell completion still lists every command."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from aws_client_auth.entrypoints import environment
from aws_client_auth.entrypoints.cli import commands
from aws_client_auth.entrypoints.cli.commands import COMMANDS
from tests.e2e.cli_in_process import run_main

COMMAND_MODULES = ("account", "attributes", "credentials", "devices", "mfa", "passkeys", "session")
SINGLE_COMMANDS = {"demo": "demo", "serve": "serve", "token": "token"}
PACKAGE = "aws_client_auth.entrypoints.cli"
EVERY_MODULE = sorted({*COMMAND_MODULES, *SINGLE_COMMANDS})


def real_commands() -> dict[str, click.Command]:
    """Every command the modules define (their COMMANDS lists, and the single-command modules)."""
    found: dict[str, click.Command] = {}
    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"{PACKAGE}.{name}").COMMANDS:
            assert command.name is not None
            found[command.name] = command
    for module, attribute in SINGLE_COMMANDS.items():
        command = getattr(importlib.import_module(f"{PACKAGE}.{module}"), attribute)
        found[command.name] = command
    return found


def test_the_table_names_every_command_and_where_it_lives() -> None:
    real = real_commands()
    assert set(COMMANDS) == set(real)
    for name, (module, attribute, _) in COMMANDS.items():
        assert getattr(importlib.import_module(f"{PACKAGE}.{module}"), attribute) is real[name]


@pytest.mark.parametrize("limit", [2, 10, 30, 45, 60, 74, 80, 100, 200, 1000])
def test_the_tables_short_help_is_each_commands_own(limit: int) -> None:
    """The stand-in --help lists (a Command holding the table's text) shortens to each command's own line."""
    for name, command in real_commands().items():
        assert not command.hidden
        stand_in = click.Command(name, help=COMMANDS[name][2])
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name


@pytest.mark.parametrize("name", ["default", "work", "a", "A.b_c-9", "x" * 64, "x" * 65, "", ".hidden", "a/b", "a b"])
def test_the_quick_profile_check_is_the_stores(name: str) -> None:
    from aws_client_auth.domain.errors import InvalidInput
    from aws_client_auth.entrypoints.cli.fast import plain_profile

    try:
        environment.check_profile_name(name)
    except InvalidInput:
        assert not plain_profile(name)
    else:
        assert plain_profile(name)


def test_the_environment_variable_names_are_the_environment_modules() -> None:
    assert (commands.ENV_HOME, commands.ENV_PROFILE, commands.ENV_O3DE_PROJECT) == (
        environment.ENV_HOME,
        environment.ENV_PROFILE,
        environment.ENV_O3DE_PROJECT,
    )


HELP_BOTH_WAYS = """
import json, sys
from click.testing import CliRunner
from aws_client_auth.entrypoints.cli.commands import COMMANDS, cli
width = int(sys.argv[1])
lazy = CliRunner().invoke(cli, ["--help"], prog_name="client-auth", terminal_width=width)
loaded = sorted(m for m in sys.modules if m.startswith("aws_client_auth.entrypoints.cli."))
for name in COMMANDS:
    cli.get_command(None, name)
full = CliRunner().invoke(cli, ["--help"], prog_name="client-auth", terminal_width=width)
codes = [lazy.exit_code, full.exit_code]
print(json.dumps({"lazy": lazy.output, "full": full.output, "codes": codes, "loaded": loaded}))
"""


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_help_lists_every_command_as_the_loaded_commands_would(width: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_BOTH_WAYS, str(width)], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(done.stdout)
    assert report["codes"] == [0, 0]
    assert report["lazy"] == report["full"]
    for name in COMMANDS:
        assert f"  {name} " in report["lazy"]
    assert not {f"{PACKAGE}.{m}" for m in EVERY_MODULE} & set(report["loaded"])


def loaded(args: list[str], tmp_path: Path, extra: dict[str, str] | None = None) -> tuple[object, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENT_AUTH_")}
    env |= {"CLIENT_AUTH_HOME": str(tmp_path / "sessions")} | (extra or {})
    ran = run_main(args, env, tmp_path, [f"{PACKAGE}.{m}" for m in EVERY_MODULE])
    return ran.code, ran.stdout, [m.rsplit(".", 1)[1] for m in ran.loaded]


def imported_with(module: str) -> list[str]:
    """The command modules that importing ``module`` loads (itself, and the helpers it imports from others)."""
    probe = f"import sys, json, {PACKAGE}.{module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    return [m for m in EVERY_MODULE if f"{PACKAGE}.{m}" in json.loads(done.stdout)]


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["--help"], None),
        (["status"], "session"),
        (["status", "--json"], "session"),
        (["--json", "status"], "session"),
        (["status", "--profile", "work", "--json"], "session"),
        (["sign-in", "--help"], "session"),
        (["passkeys", "--help"], "passkeys"),
        (["token", "--help"], "token"),
        (["credentials", "--help"], "credentials"),
    ],
)
def test_only_the_invoked_commands_module_is_loaded(tmp_path: Path, args: list[str], module: str | None) -> None:
    code, out, found = loaded(args, tmp_path)
    assert code in (0, None)
    assert found == ([] if module is None else imported_with(module))
    assert len(found) < len(EVERY_MODULE) - 3
    if "--json" in args:
        assert json.loads(out)["profile"] == ("work" if "work" in args else "default")


def test_an_unknown_command_is_a_usage_error_that_loads_nothing(tmp_path: Path) -> None:
    code, _, found = loaded(["no-such-command"], tmp_path)
    assert code == 2
    assert found == []


def test_shell_completion_lists_every_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENT_AUTH_")}
    env |= {"_CLIENT_AUTH_COMPLETE": "bash_complete", "COMP_WORDS": "client-auth ", "COMP_CWORD": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from aws_client_auth.entrypoints.cli.main import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = {line.split(",", 1)[1] for line in done.stdout.splitlines() if line.startswith("plain,")}
    assert listed == set(COMMANDS)
    env |= {"COMP_WORDS": "client-auth sign", "COMP_CWORD": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from aws_client_auth.entrypoints.cli.main import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert {line.split(",", 1)[1] for line in done.stdout.splitlines()} == {"sign-in", "sign-out", "sign-up"}
