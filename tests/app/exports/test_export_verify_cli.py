"""``witnessbox export verify``: what a recipient runs, with no configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bag_support import PAYLOAD, TRUSTED_COMMENT, build_bag, out_of_band_key
from click.testing import CliRunner

from app.cli import main
from app.exports.bag import pack
from crypto.minisign import MinisignSecretKey

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def key() -> MinisignSecretKey:
    return MinisignSecretKey.generate()


@pytest.fixture
def bag(tmp_path: Path, key: MinisignSecretKey) -> Path:
    return build_bag(tmp_path / "bundle", key)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", "verify", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_good_bundle_exits_0_and_names_files_key_and_comment(
        bag: Path, tmp_path: Path, key: MinisignSecretKey) -> None:
    code, out, err = _run(str(bag), "--public-key", str(out_of_band_key(tmp_path, key)))
    assert code == 0, err
    assert out == (f"bundle verified: {len(PAYLOAD)} files, signed by key "
                   f"{key.public_key.key_id_text}, trusted comment: {TRUSTED_COMMENT}\n")
    assert err == ""


def test_without_a_key_it_passes_but_warns_that_origin_is_unproven(bag: Path) -> None:
    code, out, err = _run(str(bag))
    assert code == 0
    assert out.startswith("bundle verified:")
    assert "warning:" in err
    assert "not who made it" in err


def test_a_packed_bundle_verifies_too(bag: Path, tmp_path: Path,
                                      key: MinisignSecretKey) -> None:
    archive = tmp_path / "bundle.tar"
    with archive.open("wb") as out:
        pack(bag, out)
    code, out_text, _ = _run(str(archive), "--public-key", str(out_of_band_key(tmp_path, key)))
    assert code == 0
    assert out_text.startswith(f"bundle verified: {len(PAYLOAD)} files")


def test_a_tampered_bundle_exits_1_with_one_line_per_problem(
        bag: Path, tmp_path: Path, key: MinisignSecretKey) -> None:
    cases = bag / "data" / "cases.json"
    signed_size = sum(len(b"".join(chunks)) for chunks in PAYLOAD.values())
    now_size = signed_size - cases.stat().st_size + len(b"[]\n") + len(b"x")
    cases.write_bytes(b"[]\n")
    (bag / "data" / "planted.txt").write_bytes(b"x")
    code, out, err = _run(str(bag), "--public-key", str(out_of_band_key(tmp_path, key)))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "FAILED: data/cases.json: its SHA-256 does not match manifest-sha256.txt",
        "FAILED: 'data/planted.txt': in data/ but not in manifest-sha256.txt",
        f"FAILED: Payload-Oxum is '{signed_size}.3', the payload is {now_size}.4",
    ]


def test_another_organisations_key_exits_1(bag: Path, tmp_path: Path) -> None:
    other = out_of_band_key(tmp_path, MinisignSecretKey.generate())
    code, _, err = _run(str(bag), "--public-key", str(other))
    assert code == 1
    assert "FAILED: tagmanifest-sha256.txt.minisig: signed by key" in err


@pytest.mark.parametrize("which", ["bundle", "key"])
def test_missing_or_unreadable_inputs_exit_1(bag: Path, tmp_path: Path, which: str) -> None:
    if which == "bundle":
        code, _, err = _run(str(tmp_path / "no-such-bundle"))
    else:
        (tmp_path / "garbage.pub").write_text("not a key\n")
        code, _, err = _run(str(bag), "--public-key", str(tmp_path / "garbage.pub"))
    assert code == 1
    assert err.startswith("FAILED: ")


def test_a_recipient_with_no_configuration_at_all_can_run_it(
        bag: Path, tmp_path: Path, key: MinisignSecretKey) -> None:
    """A fresh process, no WITNESSBOX_* variables, no config file, no database,
    run from an empty folder: the command never builds the app."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("WITNESSBOX", "FLASK"))}
    env["PYTHONPATH"] = str(ROOT)
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "verify", str(bag),
         "--public-key", str(out_of_band_key(tmp_path, key))],
        cwd=empty, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"bundle verified: {len(PAYLOAD)} files")
    assert list(empty.iterdir()) == []  # no instance folder, no SQLite file made
