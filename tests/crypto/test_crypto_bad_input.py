"""Every public function and method of :mod:`crypto` turns bad input into CryptoError.

The cases are keyed by public name; the last test enumerates ``crypto.__all__``
(functions, and the constructors and methods of exported classes that take
arguments) and fails when a public callable has no case here.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable
from typing import Any

import pytest

import crypto
from crypto import (
    CaseKey,
    CryptoError,
    Identity,
    Recipient,
    SecretBox,
    SigningKey,
    VerifyKey,
)

ALICE = crypto.generate_identity()
BOB = crypto.generate_identity()
CASE_KEY = CaseKey.create()
BOX = SecretBox(SecretBox.random_key())
SEALED = crypto.seal(b"testimony", [ALICE.recipient])
SIGNER = SigningKey.generate()
WRONG: Any = object()  # stands for any value of a type nothing here accepts


def _read_all(reader: crypto.DecryptingReader) -> bytes:
    with reader:
        return reader.read()


def _tampered(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


BAD: dict[str, list[Callable[[], object]]] = {
    "CaseKey": [lambda: CaseKey(WRONG), lambda: CaseKey("AGE-SECRET-KEY-1NOPE")],
    "CaseKey.wrap": [lambda: CASE_KEY.wrap([ALICE]),  # Identity where a Recipient belongs
                     lambda: CASE_KEY.wrap(ALICE.recipient.text),  # type: ignore[arg-type]
                     lambda: CASE_KEY.wrap(b"age1"),  # type: ignore[arg-type]
                     lambda: CASE_KEY.wrap([])],
    "CaseKey.unwrap": [lambda: CaseKey.unwrap(SEALED, [ALICE.recipient]),  # type: ignore[list-item]
                       lambda: CaseKey.unwrap(SEALED, [ALICE]),  # not a case key inside
                       lambda: CaseKey.unwrap("text", [ALICE])],  # type: ignore[arg-type]
    "Identity": [lambda: Identity("nope"), lambda: Identity(WRONG)],
    "Recipient": [lambda: Recipient("age1nope"), lambda: Recipient(WRONG)],
    "SecretBox": [lambda: SecretBox(b"short"), lambda: SecretBox("x" * 32),  # type: ignore[arg-type]
                  lambda: SecretBox(WRONG)],
    "SecretBox.derive": [lambda: SecretBox.derive(b"short", "totp"),
                         lambda: SecretBox.derive("x" * 40, "totp"),  # type: ignore[arg-type]
                         lambda: SecretBox.derive(b"x" * 40, WRONG)],
    "SecretBox.seal": [lambda: BOX.seal("text"),  # type: ignore[arg-type]
                       lambda: BOX.seal(b"ok", "context")],  # type: ignore[arg-type]
    "SecretBox.open": [lambda: BOX.open(b"short"),
                       lambda: BOX.open(_tampered(BOX.seal(b"secret"))),
                       lambda: BOX.open(BOX.seal(b"secret")[:-1]),
                       lambda: BOX.open(BOX.seal(b"secret", b"user:1"), b"user:2"),
                       lambda: BOX.open("text"),  # type: ignore[arg-type]
                       lambda: BOX.open(BOX.seal(b"secret"), WRONG)],
    "SigningKey": [lambda: SigningKey(b"short"), lambda: SigningKey(WRONG)],
    "SigningKey.from_bytes": [lambda: SigningKey.from_bytes(b"x" * 31),
                              lambda: SigningKey.from_bytes("x" * 32)],  # type: ignore[arg-type]
    "SigningKey.sign": [lambda: SIGNER.sign("text")],  # type: ignore[arg-type]
    "VerifyKey": [lambda: VerifyKey(b"short"), lambda: VerifyKey(WRONG)],
    "VerifyKey.verify": [
        lambda: SIGNER.verify_key.verify(_tampered(SIGNER.sign(b"m")), b"m"),
        lambda: SIGNER.verify_key.verify(SIGNER.sign(b"m"), b"other"),
        lambda: SIGNER.verify_key.verify("sig", b"m"),  # type: ignore[arg-type]
        lambda: SIGNER.verify_key.verify(SIGNER.sign(b"m"), WRONG)],
    "open_sealed": [lambda: crypto.open_sealed(SEALED, [ALICE.recipient]),  # type: ignore[list-item]
                    lambda: crypto.open_sealed(SEALED, ALICE),  # type: ignore[arg-type]
                    lambda: crypto.open_sealed(_tampered(SEALED), [ALICE]),
                    lambda: crypto.open_sealed(SEALED[:-5], [ALICE]),
                    lambda: crypto.open_sealed(WRONG, [ALICE])],
    "open_stream": [
        lambda: crypto.open_stream(io.BytesIO(SEALED), io.BytesIO(),
                                   [ALICE.recipient]),  # type: ignore[list-item]
        lambda: crypto.open_stream(io.BytesIO(_tampered(SEALED)), io.BytesIO(), [ALICE]),
        lambda: crypto.open_stream(WRONG, io.BytesIO(), [ALICE])],
    "parse_identity": [lambda: crypto.parse_identity(b"garbage"),
                       lambda: crypto.parse_identity(WRONG)],
    "parse_recipient": [lambda: crypto.parse_recipient("age1nope"),
                        lambda: crypto.parse_recipient(WRONG)],
    "protect_identity": [lambda: crypto.protect_identity(ALICE, "short"),
                         lambda: crypto.protect_identity(ALICE.recipient,  # type: ignore[arg-type]
                                                         "a long enough passphrase"),
                         lambda: crypto.protect_identity(ALICE, WRONG)],
    "seal": [lambda: crypto.seal(b"x", [ALICE]),  # type: ignore[list-item]
             lambda: crypto.seal(b"x", ALICE.recipient),  # type: ignore[arg-type]
             lambda: crypto.seal(b"x", ALICE.recipient.text),  # type: ignore[arg-type]
             lambda: crypto.seal("text", [ALICE.recipient]),  # type: ignore[arg-type]
             lambda: crypto.seal(b"x", [])],
    "seal_stream": [
        lambda: crypto.seal_stream(io.BytesIO(b"x"), io.BytesIO(), [ALICE]),  # type: ignore[list-item]
        lambda: crypto.seal_stream(io.BytesIO(b"x"), io.BytesIO(), b"age1"),  # type: ignore[arg-type]
        lambda: crypto.seal_stream(WRONG, io.BytesIO(), [ALICE.recipient])],
    # The constructor starts the decryption; its errors surface from read().
    "DecryptingReader": [
        lambda: _read_all(crypto.DecryptingReader(io.BytesIO(b"not an age file"), [ALICE])),
        lambda: _read_all(crypto.DecryptingReader(io.BytesIO(SEALED), [BOB])),
        lambda: _read_all(crypto.DecryptingReader(io.BytesIO(SEALED), [WRONG]))],
    "DecryptingReader.read": [
        lambda: _read_all(crypto.DecryptingReader(io.BytesIO(_tampered(SEALED)), [ALICE])),
        lambda: _read_all(crypto.DecryptingReader(io.BytesIO(SEALED[:-20]), [ALICE]))],
    "unprotect_identity": [lambda: crypto.unprotect_identity(SEALED, "a long enough passphrase"),
                           lambda: crypto.unprotect_identity("text", "passphrase"),  # type: ignore[arg-type]
                           lambda: crypto.unprotect_identity(SEALED, WRONG)],
}

CASES = [(name, index, call) for name, calls in BAD.items() for index, call in enumerate(calls)]


@pytest.mark.parametrize(("name", "index", "call"), CASES,
                         ids=[f"{name}-{index}" for name, index, _ in CASES])
def test_bad_input_raises_crypto_error_only(name: str, index: int,
                                            call: Callable[[], object]) -> None:
    with pytest.raises(CryptoError):
        call()


def _takes_arguments(function: Callable[..., object], *, bound: bool) -> bool:
    parameters = list(inspect.signature(function).parameters.values())
    return len(parameters) > (1 if bound else 0)


def _public_callables() -> set[str]:
    names = set()
    for name in crypto.__all__:
        value = getattr(crypto, name)
        if value is CryptoError:
            continue
        if inspect.isclass(value):
            names.add(name)  # the constructor
            for attr, raw in vars(value).items():
                if attr.startswith("_") or isinstance(raw, property):
                    continue
                if isinstance(raw, classmethod | staticmethod):
                    if _takes_arguments(raw.__func__, bound=isinstance(raw, classmethod)):
                        names.add(f"{name}.{attr}")
                elif callable(raw) and _takes_arguments(raw, bound=True):
                    names.add(f"{name}.{attr}")
        elif callable(value) and _takes_arguments(value, bound=False):
            names.add(name)
    return names


def test_every_public_callable_that_takes_input_has_a_bad_input_case() -> None:
    public = _public_callables()
    assert public - set(BAD) == set(), "public API without a bad-input case"
    assert set(BAD) - public == set(), "cases for names that are no longer public"
