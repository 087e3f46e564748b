"""crypto.minisign against the stock ``minisign`` CLI, both ways."""

from __future__ import annotations

import base64
import binascii
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from crypto.errors import CryptoError
from crypto.minisign import (
    MinisignPublicKey,
    MinisignSecretKey,
    SignatureInvalid,
    parse_public_key,
    public_key_text,
    sign,
    verify,
)

MESSAGE = b"Testimony bundle manifest\n" * 100


def _cli_verifies(minisign: str, public_key: Path, message: Path, signature: Path,
                  *quiet: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([minisign, "-V", *quiet, "-p", str(public_key), "-m", str(message),
                           "-x", str(signature)], capture_output=True, text=True, timeout=30,
                          check=False)


@pytest.fixture
def key() -> MinisignSecretKey:
    return MinisignSecretKey.generate()


@pytest.fixture
def signed_files(tmp_path: Path, key: MinisignSecretKey) -> tuple[Path, Path, Path]:
    """(public key file, message file, signature file) made by our code."""
    public, message, signature = (tmp_path / "key.pub", tmp_path / "file",
                                  tmp_path / "file.minisig")
    public.write_text(public_key_text(key))
    message.write_bytes(MESSAGE)
    signature.write_text(sign(key, MESSAGE, "timestamp:1764000000\tfile:file"))
    return public, message, signature


@pytest.fixture
def cli_signed(tmp_path: Path, minisign_bin: str) -> tuple[Path, Path, Path]:
    """(public key file, message file, signature file) made by the minisign CLI."""
    public, secret = tmp_path / "cli.pub", tmp_path / "cli.key"
    subprocess.run([minisign_bin, "-G", "-W", "-p", str(public), "-s", str(secret)],
                   capture_output=True, check=True, timeout=30)
    message = tmp_path / "cli-file"
    message.write_bytes(MESSAGE)
    subprocess.run([minisign_bin, "-S", "-s", str(secret), "-m", str(message),
                    "-t", "signed by the CLI, 한국어"], capture_output=True, check=True,
                   timeout=30)
    return public, message, Path(f"{message}.minisig")


def test_the_cli_verifies_our_signature_and_shows_our_trusted_comment(
        minisign_bin: str, signed_files: tuple[Path, Path, Path]) -> None:
    loud = _cli_verifies(minisign_bin, *signed_files)
    assert loud.returncode == 0, loud.stderr
    assert "Trusted comment: timestamp:1764000000\tfile:file" in loud.stdout
    quiet = _cli_verifies(minisign_bin, *signed_files, "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""


def test_the_cli_accepts_our_public_key_given_inline(
        minisign_bin: str, signed_files: tuple[Path, Path, Path]) -> None:
    public, message, signature = signed_files
    inline = public.read_text().splitlines()[1]
    result = subprocess.run([minisign_bin, "-Vq", "-P", inline, "-m", str(message),
                             "-x", str(signature)], capture_output=True, timeout=30,
                            check=False)
    assert result.returncode == 0


def test_we_verify_a_signature_made_by_the_cli(cli_signed: tuple[Path, Path, Path]) -> None:
    public, message, signature = cli_signed
    key = parse_public_key(public.read_text())
    comment_line = public.read_text().splitlines()[0]
    assert comment_line == f"untrusted comment: minisign public key {key.key_id_text}"
    with message.open("rb") as stream:
        assert verify(key, stream, signature.read_text()) == "signed by the CLI, 한국어"


def test_a_legacy_cli_signature_is_refused(tmp_path: Path, minisign_bin: str) -> None:
    public, secret = tmp_path / "cli.pub", tmp_path / "cli.key"
    subprocess.run([minisign_bin, "-G", "-W", "-p", str(public), "-s", str(secret)],
                   capture_output=True, check=True, timeout=30)
    message = tmp_path / "file"
    message.write_bytes(MESSAGE)
    subprocess.run([minisign_bin, "-S", "-l", "-s", str(secret), "-m", str(message)],
                   capture_output=True, check=True, timeout=30)
    with pytest.raises(SignatureInvalid, match="legacy"):
        verify(parse_public_key(public.read_text()), MESSAGE,
               Path(f"{message}.minisig").read_text())


def test_a_cli_signature_fails_under_another_key(cli_signed: tuple[Path, Path, Path],
                                                 key: MinisignSecretKey) -> None:
    _, message, signature = cli_signed
    with pytest.raises(SignatureInvalid, match=r"signed by key [0-9A-F]{1,16}, not by key"):
        verify(key.public_key, message.read_bytes(), signature.read_text())


def test_a_key_with_the_same_id_but_another_secret_fails_both(
        tmp_path: Path, minisign_bin: str, signed_files: tuple[Path, Path, Path],
        key: MinisignSecretKey) -> None:
    _, message, signature = signed_files
    impostor = MinisignSecretKey(key.key_id, MinisignSecretKey.generate().to_bytes()[-32:])
    impostor_pub = tmp_path / "impostor.pub"
    impostor_pub.write_text(public_key_text(impostor))
    assert _cli_verifies(minisign_bin, impostor_pub, message, signature).returncode != 0
    with pytest.raises(SignatureInvalid, match="does not match the file"):
        verify(impostor.public_key, MESSAGE, signature.read_text())


@pytest.mark.parametrize("position", [0, len(MESSAGE) // 2, len(MESSAGE) - 1],
                         ids=["first", "middle", "last"])
def test_a_flipped_message_byte_fails_both(
        minisign_bin: str, signed_files: tuple[Path, Path, Path], key: MinisignSecretKey,
        position: int) -> None:
    public, message, signature = signed_files
    tampered = bytearray(MESSAGE)
    tampered[position] ^= 0x01
    message.write_bytes(tampered)
    assert _cli_verifies(minisign_bin, public, message, signature).returncode != 0
    with pytest.raises(SignatureInvalid, match="does not match the file"):
        verify(key.public_key, bytes(tampered), signature.read_text())


def _same_signature_reencoded(original: bytes, tampered: bytes) -> bool:
    """True when only unused low bits of a base64 line's last character differ.

    minisign 0.11 decodes such a non-canonical line to the very same signature
    bytes and accepts it (nothing is forged: the signature is unchanged); ours
    insists on canonical base64 and refuses.
    """
    before, after = original.split(b"\n"), tampered.split(b"\n")
    if len(before) != len(after):
        return False
    for old, new in zip(before, after, strict=True):
        if old == new:
            continue
        try:
            return base64.b64decode(old) == base64.b64decode(new)
        except binascii.Error:
            return False
    return False


def test_every_flipped_signed_byte_of_the_signature_file_fails_both(
        minisign_bin: str, signed_files: tuple[Path, Path, Path],
        key: MinisignSecretKey) -> None:
    """Every byte from the prefix of the first line to the final newline,
    except the free text of the untrusted comment (signed by nothing). The
    key is fresh each run, so the last base64 characters vary between runs."""
    public, message, signature = signed_files
    original = signature.read_bytes()
    free_text = range(len(b"untrusted comment: "), original.index(b"\n"))
    accepted = []
    for position in range(len(original)):
        if position in free_text:
            continue
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        signature.write_bytes(tampered)
        if _cli_verifies(minisign_bin, public, message, signature, "-q").returncode == 0 \
                and not _same_signature_reencoded(original, bytes(tampered)):
            accepted.append(f"cli@{position}")
        try:
            verify(key.public_key, MESSAGE, tampered.decode("utf-8"))
            accepted.append(f"ours@{position}")
        except SignatureInvalid:
            pass
    assert accepted == []


def test_the_untrusted_comment_is_not_signed_by_either(
        minisign_bin: str, signed_files: tuple[Path, Path, Path],
        key: MinisignSecretKey) -> None:
    """What minisign promises and no more: a rewritten first line still verifies."""
    public, message, signature = signed_files
    lines = signature.read_text().splitlines(keepends=True)
    signature.write_text("untrusted comment: rewritten by anyone\n" + "".join(lines[1:]))
    assert _cli_verifies(minisign_bin, public, message, signature).returncode == 0
    assert verify(key.public_key, MESSAGE, signature.read_text()) == \
        "timestamp:1764000000\tfile:file"


def test_a_rewritten_trusted_comment_fails_both(
        minisign_bin: str, signed_files: tuple[Path, Path, Path],
        key: MinisignSecretKey) -> None:
    public, message, signature = signed_files
    text = signature.read_text().replace("file:file", "file:other")
    signature.write_text(text)
    assert _cli_verifies(minisign_bin, public, message, signature).returncode != 0
    with pytest.raises(SignatureInvalid, match="trusted comment's signature"):
        verify(key.public_key, MESSAGE, text)


def test_signing_a_stream_equals_signing_its_bytes(key: MinisignSecretKey) -> None:
    streamed = sign(key, io.BytesIO(MESSAGE * 50), "big")
    assert verify(key.public_key, MESSAGE * 50, streamed) == "big"
    assert verify(key.public_key, io.BytesIO(MESSAGE * 50), streamed) == "big"


@pytest.mark.parametrize("comment", ["two\nlines", "carriage\rreturn", "nul\x00", "esc\x1b[0m",
                                     "line\u2028separator", "x" * 1025],
                         ids=["lf", "cr", "nul", "escape", "u2028", "too-long"])
def test_a_trusted_comment_must_be_one_short_clean_line(key: MinisignSecretKey,
                                                        comment: str) -> None:
    with pytest.raises(CryptoError, match="trusted comment"):
        sign(key, MESSAGE, comment)


def test_a_trusted_comment_may_hold_tabs_and_any_script(key: MinisignSecretKey) -> None:
    comment = "scope:증언 5건\tпострадавшие"
    assert verify(key.public_key, MESSAGE, sign(key, MESSAGE, comment)) == comment


def test_the_secret_key_round_trips_and_never_shows_its_seed(key: MinisignSecretKey) -> None:
    stored = key.to_bytes()
    assert stored.startswith(b"WBMS\x01")
    assert len(stored) == 5 + 8 + 32
    again = MinisignSecretKey.from_bytes(stored)
    assert again.public_key == key.public_key
    seed = stored[-32:]
    assert seed.hex() not in repr(key)
    assert repr(seed) not in repr(key)
    assert "_seed" not in repr(key)


@pytest.mark.parametrize("blob", [b"", b"WBMS\x02" + bytes(40), b"WBMS\x01" + bytes(39),
                                  b"XXXX\x01" + bytes(40)],
                         ids=["empty", "version-2", "short", "magic"])
def test_a_stored_key_in_another_format_is_refused(blob: bytes) -> None:
    with pytest.raises(CryptoError, match="not a Witnessbox minisign secret key"):
        MinisignSecretKey.from_bytes(blob)


@pytest.mark.parametrize("text", [
    "", "untrusted comment: x\n", "no comment line\nRWQAAAAAAAAAAA==\n",
    "untrusted comment: x\nnot base64!\n",
    "untrusted comment: x\n" + "A" * 56 + "\n",  # "\0\0": not the Ed algorithm
], ids=["empty", "one-line", "no-prefix", "not-base64", "wrong-algorithm"])
def test_malformed_public_keys_are_refused(text: str) -> None:
    with pytest.raises(SignatureInvalid):
        parse_public_key(text)


def test_our_public_key_file_parses_back(key: MinisignSecretKey) -> None:
    parsed = parse_public_key(public_key_text(key))
    assert parsed == key.public_key
    assert isinstance(parsed, MinisignPublicKey)
    assert public_key_text(parsed) == public_key_text(key)


@pytest.mark.parametrize("mangle", [
    lambda text: "",
    lambda text: text.replace("\ntrusted comment: ", "\ntrusted-comment: "),
    lambda text: text + "extra line\n",
    lambda text: "\n".join(text.splitlines()[:3]),
], ids=["empty", "no-trusted-prefix", "extra-line", "no-global-signature"])
def test_malformed_signature_files_are_refused(key: MinisignSecretKey,
                                              mangle: Callable[[str], str]) -> None:
    text = mangle(sign(key, MESSAGE, "c"))
    with pytest.raises(SignatureInvalid):
        verify(key.public_key, MESSAGE, text)


def test_a_non_canonical_base64_signature_is_refused_by_ours(
        minisign_bin: str, signed_files: tuple[Path, Path, Path],
        key: MinisignSecretKey) -> None:
    """Setting an unused low bit of the last base64 character keeps the same
    signature bytes: minisign accepts that spelling, ours does not (one
    signature, one spelling)."""
    public, message, signature = signed_files
    lines = signature.read_text().split("\n")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = lines[1].rstrip("=")
    lines[1] = body[:-1] + alphabet[alphabet.index(body[-1]) | 1] + "="
    assert base64.b64decode(lines[1]) == base64.b64decode(signature.read_text().split("\n")[1])
    signature.write_text("\n".join(lines))
    assert _cli_verifies(minisign_bin, public, message, signature).returncode == 0
    with pytest.raises(SignatureInvalid, match="canonical"):
        verify(key.public_key, MESSAGE, signature.read_text())


def test_key_ids_are_printed_as_minisign_prints_them_without_leading_zeros() -> None:
    # minisign formats the little-endian id with "%" PRIX64: a key whose top
    # nibble is 0 is printed with 15 digits (this made a CLI test fail 1 in 16).
    public = MinisignPublicKey(bytes([0x6C, 0x1F, 0x71, 0xAD, 0x84, 0x76, 0xBE, 0x0C]),
                               bytes(32))
    assert public.key_id_text == "CBE7684AD711F6C"
    assert MinisignPublicKey(bytes([1]) + bytes(7), bytes(32)).key_id_text == "1"
