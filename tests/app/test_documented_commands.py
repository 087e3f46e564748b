"""Every ``witnessbox`` command that README.md and docs/*.md show, as written.

The fenced ``sh`` blocks are parsed and every line starting with
``witnessbox `` is collected. Each must be classified below (so a newly
documented command fails here until someone decides how to check it), must
exist with help text, and the safe ones really run, as subprocesses of the
venv's ``witnessbox``, against a fresh demo instance in a temporary folder made
the way ``make run`` makes one (its ``witnessbox`` steps are read from the
Makefile): afterwards no WITNESSBOX_DEMO_MODE, as a user typing them would.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from app.cli import main

PROJECT = Path(__file__).resolve().parents[2]
WITNESSBOX = Path(sys.executable).parent / "witnessbox"

# Run on the demo instance after `make run`'s steps; must exit 0.
RUNS = (
    "witnessbox demo init",
    "witnessbox db upgrade",
    "witnessbox blobs gc --dry-run",
    "witnessbox audit verify",
    "witnessbox audit checkpoint",
    "witnessbox cases sign-receipts",
    "witnessbox totp rekey",
    "witnessbox org list",
    # Sealed to the demo organisation's recovery recipient, into the temporary folder.
    "witnessbox backup create --output backup.age",
)
# Run as written; must fail with exit code 1 and one line on stderr.
FAILS_CLEANLY = {
    # `make run` made the demo organisation already.
    "witnessbox demo bootstrap": "the demo organisation exists already",
    # No such files in the fresh instance.
    "witnessbox export verify bundle.tar --public-key export-key.pub": "export-key.pub",
    "witnessbox export verify witnessbox-export-EX-….tar --public-key export-key.pub":
        "export-key.pub",
    # The recovery identity is never on the server (here: no such file).
    "witnessbox backup verify backup.age --identity recovery.key": "recovery.key",
    "witnessbox backup restore backup.age --identity recovery.key": "recovery.key",
}
# Placeholders (EMAIL, PATH, EX-…, FILE) or real input needed: --help only.
HELP_ONLY = (
    "witnessbox audit keygen PATH",
    "witnessbox org create Name NGO --admin EMAIL --shares-dir DIR --invitation-file PATH",
    "witnessbox recovery status --org SLUG",
    "witnessbox recovery rotate --org SLUG --shares-dir DIR",
    "witnessbox recovery rotate --org SLUG --identity-file recovery.key --shares-dir DIR",
    "witnessbox recovery rotate --org SLUG --resume",
    "witnessbox export build --org SLUG --admin EMAIL --purpose share_un",
    "witnessbox export list --org SLUG --admin EMAIL",
    "witnessbox export download EX-… --org SLUG --admin EMAIL -o bundle.tar",
    "witnessbox redact spans IN.jsonl -o OUT.json",
    "witnessbox redact text FILE",
    "witnessbox account reset-2fa EMAIL --reason lost_device",
    "witnessbox backup verify backup.age --identity offsite.key --public-key BASE64",
)


def documented_commands() -> list[str]:
    """Every ``witnessbox …`` line of a fenced sh block, comments removed."""
    found: list[str] = []
    for document in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]:
        fence: str | None = None
        for line in document.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("```"):
                fence = None if fence is not None else stripped[3:].strip()
                continue
            if fence in {"sh", "bash", "shell"} and stripped.startswith("witnessbox "):
                command = " ".join(shlex.split(stripped, comments=True))
                if command not in found:
                    found.append(command)
    return found


def command_path(command: str) -> list[str]:
    """The group and subcommand names of a documented line (``export verify``)."""
    words = command.split()[1:3]
    return [word for word in words if re.fullmatch(r"[a-z][a-z-]*", word)]


def make_run_steps() -> list[tuple[dict[str, str], list[str]]]:
    """The ``$(BIN)/witnessbox`` lines of the Makefile's run recipe: env and args."""
    recipe = PROJECT.joinpath("Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1]
    steps = []
    for line in recipe.split("\n\n", 1)[0].splitlines()[1:]:
        if "$(BIN)/witnessbox " not in line:
            continue
        words = shlex.split(line.strip())
        at = words.index("$(BIN)/witnessbox")
        env = dict(word.split("=", 1) for word in words[:at])
        steps.append((env, words[at + 1:]))
    return steps


def test_every_documented_command_is_classified_once() -> None:
    documented = documented_commands()
    classified = [*RUNS, *FAILS_CLEANLY, *HELP_ONLY]
    unclassified = [command for command in documented if command not in classified]
    assert not unclassified, f"documented but not classified in this test: {unclassified}"
    assert len(set(classified)) == len(classified)
    assert "witnessbox audit verify" in documented  # the parser finds the README's block


def test_every_command_has_one_line_help_and_no_flask_extras() -> None:
    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in group.commands.items():
            yield f"{prefix} {name}", command
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix} {name}")

    missing = [name for name, command in walk(main, "witnessbox")
               if not command.get_short_help_str().strip()]
    assert not missing, f"commands without help: {missing}"
    # As `--help` lists them (80 columns): whole sentences, never cut off with "...".
    groups: list[list[str]] = [[]] + [
        name.split()[1:] for name, command in walk(main, "witnessbox")
        if isinstance(command, click.Group)]
    for path in groups:
        listing = CliRunner().invoke(main, [*path, "--help"], terminal_width=80).output
        commands = listing.split("Commands:\n", 1)[1].splitlines()
        cut = [line.strip() for line in commands if line.strip().endswith("...")]
        assert not cut, f"witnessbox {' '.join(path)} --help cuts off: {cut}"
    top = CliRunner().invoke(main, ["--help"])
    assert top.exit_code == 0
    for flask_extra in ("--env-file", "--app", "--debug", "--version", "limiter", "routes"):
        assert flask_extra not in top.output


def test_every_documented_command_exists_in_the_command_tree() -> None:
    for command in documented_commands():
        path = command_path(command)
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert f"Usage: main {' '.join(path)}" in result.output


def _environment(config: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("WITNESSBOX_")}
    # This checkout's code, whichever checkout the venv's editable install names.
    env["PYTHONPATH"] = str(PROJECT)
    env["WITNESSBOX_CONFIG"] = str(config)
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WITNESSBOX), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=180, check=False)


def _error_lines(stderr: str) -> list[str]:
    # Libraries log at INFO on stderr (alembic, weasyprint); the error is the rest.
    return [line for line in stderr.splitlines()
            if line.strip() and not re.match(r"(INFO|DEBUG):", line)]


@pytest.mark.slow
def test_documented_commands_run_as_written_after_make_run(tmp_path: Path) -> None:
    config = tmp_path / "instance" / "config.toml"
    for step_env, args in make_run_steps():
        step = _run(args, _environment(config, **step_env), tmp_path)
        assert step.returncode == 0, (args, step.stdout, step.stderr)
        assert "Traceback" not in step.stdout + step.stderr
        if args[:2] == ["demo", "bootstrap"]:
            # Not a terminal: the secrets go to a private file, not the output.
            secrets = tmp_path / "instance" / "demo-secrets.txt"
            assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
            assert "password:" in secrets.read_text(encoding="utf-8")
            assert "password:" not in step.stdout + step.stderr
            assert "AGE-SECRET-KEY" not in step.stdout + step.stderr
            assert str(secrets) in step.stdout
    assert "demo_mode = true" in config.read_text(encoding="utf-8")

    # What a user types afterwards: no WITNESSBOX_DEMO_MODE, only the config.
    user = _environment(config)
    for command in RUNS:
        done = _run(shlex.split(command)[1:], user, tmp_path)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
    for command, expected in FAILS_CLEANLY.items():
        failed = _run(shlex.split(command)[1:], user, tmp_path)
        errors = _error_lines(failed.stderr)
        assert failed.returncode == 1, (command, failed.stdout, failed.stderr)
        assert len(errors) == 1, (command, failed.stderr)
        assert expected in errors[0]
        assert "Traceback" not in failed.stdout + failed.stderr


@pytest.mark.slow
def test_documented_commands_have_help_from_the_installed_command(tmp_path: Path) -> None:
    env = _environment(tmp_path / "absent" / "config.toml")  # --help needs no config

    def help_of(command: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        return command, _run([*command_path(command), "--help"], env, tmp_path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(help_of, ["witnessbox", *documented_commands()]))
    for command, result in results:
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert f"Usage: witnessbox {' '.join(command_path(command))}".strip() \
            in result.stdout


def test_a_configuration_error_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[witnessbox]\nsecret_key = \"short\"\n", encoding="utf-8")
    result = _run(["audit", "verify"], _environment(config), tmp_path)
    assert result.returncode == 1
    assert _error_lines(result.stderr) == [
        "Error: configuration: secret_key must have at least 32 characters"]
    assert result.stdout == ""
