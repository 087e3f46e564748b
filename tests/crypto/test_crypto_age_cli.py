"""Interoperability with the stock ``age`` CLI (Debian package ``age``).

An NGO must be able to open its archive with standard tools if Witnessbox
disappears (docs/recovery.md). These tests drive /usr/bin/age exactly as a
person would, including typing a passphrase at a terminal.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crypto import (
    CaseKey,
    Identity,
    generate_identity,
    open_sealed,
    open_stream,
    parse_identity,
    seal,
    seal_stream,
    unprotect_identity,
)

if TYPE_CHECKING:
    from conftest import Protected

pytestmark = pytest.mark.age_cli

CHUNK = 64 * 1024
TIMEOUT = 60


def run_age(*argv: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run a non-interactive age command; fail the test with its stderr if it fails.

    stdin is /dev/null and the child gets a new session without a controlling
    terminal, so an unexpected passphrase prompt fails at once instead of
    waiting on the developer's terminal.
    """
    completed = subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=TIMEOUT,
                               start_new_session=True, check=False)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed


def run_age_at_terminal(argv: list[str | Path], passphrase: str) -> bytes:
    """Run age on a pseudo-terminal and type ``passphrase`` at each prompt.

    The stock CLI reads passphrases only from a terminal: /dev/tty, or stdin
    when stdin is one. A new session has no controlling terminal, so age falls
    back to stdin, which here is the pty's slave end. Returns the transcript.
    """
    master, slave = os.openpty()
    try:
        process = subprocess.Popen([str(a) for a in argv], stdin=slave, stdout=slave,
                                   stderr=slave, start_new_session=True)
    finally:
        os.close(slave)
    transcript = b""
    answered = 0
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"age did not finish; transcript: {transcript!r}"
            ready, _, _ = select.select([master], [], [], min(remaining, 0.5))
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every slave descriptor is closed, age has exited
                break
            if not data:
                break
            transcript += data
            # One answer per prompt: "Enter passphrase...", "Confirm passphrase:".
            while transcript.lower().count(b"passphrase") > answered:
                os.write(master, passphrase.encode() + b"\n")
                answered += 1
        returncode = process.wait(timeout=TIMEOUT)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert answered > 0, f"age never asked for a passphrase; transcript: {transcript!r}"
    assert returncode == 0, f"age failed; transcript: {transcript!r}"
    return transcript


def write_key_file(path: Path, identity: Identity) -> Path:
    path.write_bytes(identity.to_age_identity_file())
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def age_keygen_bin(age_bin: str) -> str:
    path = shutil.which("age-keygen") or str(Path(age_bin).with_name("age-keygen"))
    if not Path(path).exists():
        pytest.fail("`age` is installed but `age-keygen` (same Debian package) is missing")
    return path


# --- what we write, age reads ----------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK, 150_000])
def test_age_cli_decrypts_what_we_seal(size: int, age_bin: str, tmp_path: Path,
                                       alice: Identity, bob: Identity) -> None:
    plaintext = os.urandom(size)
    sealed = tmp_path / "sealed.age"
    sealed.write_bytes(seal(plaintext, [alice.recipient, bob.recipient]))
    for reader in (alice, bob):
        key = write_key_file(tmp_path / "key.txt", reader)
        # stdout, not -o: age creates the -o file only on its first write, so
        # an empty plaintext would leave no file at all.
        assert run_age(age_bin, "-d", "-i", key, sealed).stdout == plaintext


def test_age_cli_decrypts_what_we_seal_as_a_stream(age_bin: str, tmp_path: Path,
                                                   alice: Identity) -> None:
    plaintext = os.urandom(3 * CHUNK + 11)
    (tmp_path / "in").write_bytes(plaintext)
    with (tmp_path / "in").open("rb") as source, (tmp_path / "in.age").open("wb") as sink:
        seal_stream(source, sink, [alice.recipient])
    key = write_key_file(tmp_path / "key.txt", alice)
    run_age(age_bin, "-d", "-i", key, "-o", tmp_path / "out", tmp_path / "in.age")
    assert (tmp_path / "out").read_bytes() == plaintext


def test_age_cli_refuses_our_file_for_a_stranger(age_bin: str, tmp_path: Path,
                                                 alice: Identity, mallory: Identity) -> None:
    # The CLI agrees with us about who can read: guards against testing a no-op.
    (tmp_path / "sealed.age").write_bytes(seal(b"secret", [alice.recipient]))
    key = write_key_file(tmp_path / "key.txt", mallory)
    completed = subprocess.run([age_bin, "-d", "-i", str(key), str(tmp_path / "sealed.age")],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT, start_new_session=True, check=False)
    assert completed.returncode != 0
    assert b"secret" not in completed.stdout


# --- what age writes, we read -----------------------------------------------------------


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armored"])
@pytest.mark.parametrize("size", [0, 1, 150_000])
def test_we_open_what_age_cli_encrypts(armor: bool, size: int, age_bin: str, tmp_path: Path,
                                       alice: Identity, bob: Identity) -> None:
    plaintext = os.urandom(size)
    (tmp_path / "in").write_bytes(plaintext)
    armor_flag = ["-a"] if armor else []
    run_age(age_bin, "-e", *armor_flag, "-r", str(alice.recipient), "-r", str(bob.recipient),
            "-o", tmp_path / "in.age", tmp_path / "in")
    ciphertext = (tmp_path / "in.age").read_bytes()
    if armor:
        assert ciphertext.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")

    for reader in (alice, bob):
        assert open_sealed(ciphertext, [reader]) == plaintext
        with (tmp_path / "in.age").open("rb") as source, (tmp_path / "out").open("wb") as sink:
            open_stream(source, sink, [reader])
        assert (tmp_path / "out").read_bytes() == plaintext


def test_we_read_age_keygen_key_files(age_bin: str, age_keygen_bin: str,
                                      tmp_path: Path) -> None:
    key = tmp_path / "keygen.txt"
    run_age(age_keygen_bin, "-o", key)
    identity = parse_identity(key.read_bytes())
    public = run_age(age_keygen_bin, "-y", key).stdout.decode().strip()
    assert identity.recipient.text == public

    (tmp_path / "in").write_bytes(b"made with stock tools")
    run_age(age_bin, "-e", "-i", key, "-o", tmp_path / "in.age", tmp_path / "in")
    assert open_sealed((tmp_path / "in.age").read_bytes(), [identity]) == b"made with stock tools"


# --- case keys: the two-command recovery path of docs/recovery.md ---------------------------


def test_case_is_recovered_with_two_age_commands(age_bin: str, tmp_path: Path,
                                                 alice: Identity) -> None:
    recovery = generate_identity()  # the organisation's offline recovery identity
    case_key = CaseKey.create()
    narrative = "하루 18시간 일했습니다. The passports were held by the site manager.".encode()
    (tmp_path / "narrative.age").write_bytes(seal(narrative, [case_key.recipient]))
    (tmp_path / "wrap.age").write_bytes(case_key.wrap([alice.recipient, recovery.recipient]))
    identity_file = write_key_file(tmp_path / "identity.txt", recovery)

    # 1. age -d -i identity.txt wrap.age > case.key
    case_key_file = tmp_path / "case.key"
    case_key_file.write_bytes(run_age(age_bin, "-d", "-i", identity_file,
                                      tmp_path / "wrap.age").stdout)
    # 2. age -d -i case.key narrative.age
    recovered = run_age(age_bin, "-d", "-i", case_key_file, tmp_path / "narrative.age").stdout
    assert recovered == narrative


# --- passphrase-protected identities ---------------------------------------------------------


def test_age_cli_opens_a_protected_identity_with_its_passphrase(
        age_bin: str, tmp_path: Path, protected: Protected) -> None:
    (tmp_path / "member-key.age").write_bytes(protected.blob)
    key_file = tmp_path / "member-key.txt"
    run_age_at_terminal([age_bin, "-d", "-o", key_file, tmp_path / "member-key.age"],
                        protected.passphrase)
    assert parse_identity(key_file.read_bytes()) == protected.identity

    # ...and that decrypted key file opens what was sealed to the member.
    (tmp_path / "sealed.age").write_bytes(seal(b"for the reviewer",
                                               [protected.identity.recipient]))
    opened = run_age(age_bin, "-d", "-i", key_file, tmp_path / "sealed.age").stdout
    assert opened == b"for the reviewer"


def test_we_unprotect_an_identity_protected_with_age_cli(age_bin: str, tmp_path: Path) -> None:
    # The reverse direction: staff protect a key with `age -p` and the app opens it.
    identity = generate_identity()
    passphrase = "sea-of-japan-2017"
    key_file = write_key_file(tmp_path / "key.txt", identity)
    run_age_at_terminal([age_bin, "-p", "-o", tmp_path / "key.age", key_file], passphrase)
    assert unprotect_identity((tmp_path / "key.age").read_bytes(), passphrase) == identity
