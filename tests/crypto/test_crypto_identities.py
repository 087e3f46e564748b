"""Identities and recipients: generation, parsing, passphrase protection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crypto import (
    CryptoError,
    Identity,
    Recipient,
    generate_identity,
    open_sealed,
    parse_identity,
    parse_recipient,
    protect_identity,
    seal,
    unprotect_identity,
)
from crypto.identities import MIN_PASSPHRASE_LENGTH

if TYPE_CHECKING:
    from conftest import Protected

# Verbatim output of the stock age-keygen, made for this test suite only (the key
# protects nothing). Pins our parser to the real tool's format.
KEYGEN_OUTPUT = """\
# created: 2026-11-26T15:29:55Z
# public key: age1dka6c4azrwrwd83st6x65yhtlrsg0emrrnpswfxjwg24cs4zl9gqwkdnlp
AGE-SECRET-KEY-1N6CNYFXLCHRM2NFMD6PDQSPV7LH4AX9A6UNSMU9WV5PDSL8AAWKSDH06CN
"""
KEYGEN_PUBLIC = "age1dka6c4azrwrwd83st6x65yhtlrsg0emrrnpswfxjwg24cs4zl9gqwkdnlp"
KEYGEN_SECRET = "AGE-SECRET-KEY-1N6CNYFXLCHRM2NFMD6PDQSPV7LH4AX9A6UNSMU9WV5PDSL8AAWKSDH06CN"


def _secret_of(identity: Identity) -> str:
    """The secret line, read the way an operator would: from the key file."""
    return identity.to_age_identity_file().decode().splitlines()[-1]


# --- generation ----------------------------------------------------------------------


def test_generated_identities_are_fresh_and_usable() -> None:
    one, two = generate_identity(), generate_identity()
    assert one != two
    assert one.recipient != two.recipient
    assert one.recipient.text.startswith("age1")
    assert _secret_of(one).startswith("AGE-SECRET-KEY-1")
    assert open_sealed(seal(b"x", [one.recipient]), [one]) == b"x"


def test_secrets_do_not_leak_through_repr_or_str() -> None:
    identity = generate_identity()
    secret = _secret_of(identity)
    for shown in (repr(identity), str(identity), f"{identity!r} {identity}"):
        assert secret not in shown
        assert secret.lower() not in shown.lower()
    assert identity.recipient.text in repr(identity)  # what *is* shown: the public part


def test_key_file_has_the_age_keygen_layout() -> None:
    identity = generate_identity()
    lines = identity.to_age_identity_file().decode("ascii").splitlines()
    assert lines[0].startswith("# created: ")
    assert lines[1] == f"# public key: {identity.recipient}"
    assert lines[2].startswith("AGE-SECRET-KEY-1")
    assert len(lines) == 3
    assert parse_identity(identity.to_age_identity_file()) == identity


# --- parse_recipient -------------------------------------------------------------------


def test_parse_recipient_accepts_age_keygen_output_and_trims() -> None:
    assert parse_recipient(KEYGEN_PUBLIC) == Recipient(KEYGEN_PUBLIC)
    assert parse_recipient(f"  {KEYGEN_PUBLIC}\n").text == KEYGEN_PUBLIC
    assert str(parse_recipient(KEYGEN_PUBLIC)) == KEYGEN_PUBLIC


def test_parse_recipient_canonicalises_upper_case() -> None:
    # Bech32 may be written in upper case. Regression: the upper-case text was
    # kept, so the same key made two unequal Recipients (two wraps, failed look-ups).
    upper = parse_recipient(KEYGEN_PUBLIC.upper())
    assert upper.text == KEYGEN_PUBLIC
    assert upper == parse_recipient(KEYGEN_PUBLIC)
    assert len({upper, parse_recipient(KEYGEN_PUBLIC)}) == 1


def _with_broken_checksum(text: str) -> str:
    last = "q" if text[-1] != "q" else "p"
    return text[:-1] + last


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "age1",
    KEYGEN_PUBLIC[:-1],  # truncated
    KEYGEN_PUBLIC + "q",  # too long
    _with_broken_checksum(KEYGEN_PUBLIC),
    KEYGEN_PUBLIC.replace("age1", "agf1"),
    KEYGEN_SECRET,  # a secret key is not a recipient, and must not be accepted as one
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHGm3Oq8rwPzhvy3L6FeoV5YDkzFZmeeYT0ruoxAfgmw",
    "age1" + "q" * 58,
    f"{KEYGEN_PUBLIC} {KEYGEN_PUBLIC}",
])
def test_parse_recipient_rejects_bad_input(text: str) -> None:
    with pytest.raises(CryptoError):
        parse_recipient(text)


def test_recipient_cannot_be_constructed_from_garbage() -> None:
    # Regression: Recipient("garbage") was accepted and later made seal() raise
    # pyrage.RecipientError instead of CryptoError.
    with pytest.raises(CryptoError):
        Recipient("garbage")
    with pytest.raises(CryptoError):
        seal(b"x", [Recipient("age1garbage")])


def test_identity_cannot_be_constructed_from_garbage() -> None:
    # Regression: the same for Identity and pyrage.IdentityError in open_sealed.
    with pytest.raises(CryptoError):
        Identity("AGE-SECRET-KEY-1garbage")


# --- parse_identity --------------------------------------------------------------------


def test_parse_identity_reads_an_age_keygen_file() -> None:
    identity = parse_identity(KEYGEN_OUTPUT)
    assert identity.recipient.text == KEYGEN_PUBLIC
    assert parse_identity(KEYGEN_OUTPUT.encode()) == identity
    assert parse_identity(KEYGEN_OUTPUT.replace("\n", "\r\n")) == identity
    assert parse_identity(KEYGEN_SECRET) == identity
    assert parse_identity(f"\n# a comment\n\n{KEYGEN_SECRET}\n\n") == identity


@pytest.mark.parametrize("key_file", [
    "",
    "\n\n",
    "# created: 2024-05-01\n# public key: age1...\n",
    KEYGEN_SECRET[:-1],
    _with_broken_checksum(KEYGEN_SECRET),
    KEYGEN_PUBLIC,
    f"{KEYGEN_SECRET}\n{generate_identity().to_age_identity_file().decode()}",  # two keys
    f"not a comment\n{KEYGEN_SECRET}\n",  # the age CLI rejects this line too
    f"{KEYGEN_SECRET} trailing",
    "AGE-SECRET-KEY-1",
    b"\xff\xfe" + KEYGEN_SECRET.encode(),
], ids=["empty", "blank", "comments-only", "truncated", "checksum", "recipient", "two-keys",
        "stray-line", "trailing-text", "prefix-only", "non-ascii"])
def test_parse_identity_rejects_bad_input(key_file: str | bytes) -> None:
    with pytest.raises(CryptoError):
        parse_identity(key_file)


# --- passphrase protection --------------------------------------------------------------


@pytest.fixture(scope="module")
def unprotected(protected: Protected) -> Identity:
    return unprotect_identity(protected.blob, protected.passphrase)


def test_protected_identity_is_an_age_scrypt_file_without_the_secret(
        protected: Protected) -> None:
    secret = _secret_of(protected.identity)
    assert protected.blob.startswith(b"age-encryption.org/v1\n-> scrypt ")
    # scrypt must be the only stanza: the stock CLI refuses anything else.
    assert protected.blob.count(b"\n-> ") == 1
    assert secret.encode() not in protected.blob
    assert protected.passphrase.encode() not in protected.blob


def test_protect_then_unprotect_returns_the_identity(protected: Protected,
                                                    unprotected: Identity) -> None:
    assert unprotected == protected.identity
    ciphertext = seal(b"for the reviewer", [protected.identity.recipient])
    assert open_sealed(ciphertext, [unprotected]) == b"for the reviewer"


def test_wrong_passphrase_is_refused(protected: Protected) -> None:
    with pytest.raises(CryptoError):
        unprotect_identity(protected.blob, protected.passphrase[:-1] + "X")


def test_a_work_factor_beyond_what_this_machine_does_is_refused_as_such(
        protected: Protected) -> None:
    # An honest file whose scrypt work factor is far above the machine's
    # (log2 N = 40: weeks) says so, after retries that cost no scrypt run;
    # it is not called a wrong passphrase.
    stanza = next(line for line in protected.blob.split(b"\n") if line.startswith(b"-> scrypt"))
    heavy = protected.blob.replace(stanza, b" ".join([*stanza.split(b" ")[:-1], b"40"]))
    with pytest.raises(CryptoError, match="more work than this machine will do"):
        unprotect_identity(heavy, protected.passphrase)


def test_tampered_protected_identity_is_refused(protected: Protected) -> None:
    damaged = bytearray(protected.blob)
    damaged[-5] ^= 0x01  # inside the encrypted key file; the header stays intact
    with pytest.raises(CryptoError):
        unprotect_identity(bytes(damaged), protected.passphrase)


@pytest.mark.parametrize("passphrase", ["", "short", "x" * (MIN_PASSPHRASE_LENGTH - 1)])
def test_too_short_passphrase_is_refused_before_any_work(passphrase: str) -> None:
    with pytest.raises(CryptoError):
        protect_identity(generate_identity(), passphrase)


@pytest.mark.parametrize("blob", [b"", b"garbage", b"age-encryption.org/v1\n"],
                         ids=["empty", "garbage", "header-only"])
def test_unprotect_rejects_non_age_input(blob: bytes, protected: Protected) -> None:
    with pytest.raises(CryptoError):
        unprotect_identity(blob, protected.passphrase)


def test_unprotect_rejects_a_file_sealed_to_a_key_not_a_passphrase(
        protected: Protected) -> None:
    key_file = protected.identity.to_age_identity_file()
    with pytest.raises(CryptoError):
        unprotect_identity(seal(key_file, [generate_identity().recipient]),
                           protected.passphrase)
