"""Case keys: one age identity per case, wrapped to each permitted reader."""

from __future__ import annotations

import pytest

from crypto import (
    CaseKey,
    CryptoError,
    Identity,
    generate_identity,
    open_sealed,
    parse_identity,
    seal,
)

# Testimonies arrive in Korean and Russian as well: UTF-8, not ASCII.
NARRATIVE = "하루 18시간 일했습니다. Паспорта забрал менеджер.".encode()


@pytest.fixture
def case_key() -> CaseKey:
    return CaseKey.create()


@pytest.fixture
def narrative(case_key: CaseKey) -> bytes:
    """Case material sealed once, before any wrap, grant or rotation."""
    return seal(NARRATIVE, [case_key.recipient])


def test_each_case_gets_its_own_key() -> None:
    one, two = CaseKey.create(), CaseKey.create()
    assert one != two
    assert one.recipient != two.recipient
    assert one.recipient == one.identity.recipient


def test_case_key_repr_hides_the_secret(case_key: CaseKey) -> None:
    secret = case_key.identity.to_age_identity_file().decode().splitlines()[-1]
    assert secret not in repr(case_key)
    assert secret not in str(case_key)


def test_wrap_is_an_age_file_holding_an_age_key_file(case_key: CaseKey, alice: Identity) -> None:
    wrapped = case_key.wrap([alice.recipient])
    assert wrapped.startswith(b"age-encryption.org/v1\n")
    # Inside: exactly what age-keygen writes, so `age -d -i` can use it directly.
    assert parse_identity(open_sealed(wrapped, [alice])) == case_key.identity


def test_each_wrapped_reader_alone_unwraps(case_key: CaseKey, narrative: bytes,
                                           alice: Identity, bob: Identity,
                                           mallory: Identity) -> None:
    wrapped = case_key.wrap([alice.recipient, bob.recipient])
    for reader in (alice, bob):
        unwrapped = CaseKey.unwrap(wrapped, [reader])
        assert unwrapped == case_key
        assert open_sealed(narrative, [unwrapped.identity]) == NARRATIVE
    with pytest.raises(CryptoError):
        CaseKey.unwrap(wrapped, [mallory])


def test_the_case_key_itself_is_not_a_reader(case_key: CaseKey, alice: Identity) -> None:
    with pytest.raises(CryptoError):
        CaseKey.unwrap(case_key.wrap([alice.recipient]), [case_key.identity])


def test_wrapping_for_nobody_is_refused(case_key: CaseKey) -> None:
    with pytest.raises(CryptoError):
        case_key.wrap([])


# A recipient (public key) is not a case key either; made once at import, with
# a fixed id so that every pytest-xdist process collects the same tests.
A_RECIPIENT = f"{generate_identity().recipient}\n".encode()


@pytest.mark.parametrize("inner", [
    b"",
    b"not a key file",
    b"# created: 2024\n# public key: age1...\n",
    A_RECIPIENT,
], ids=["empty", "text", "comment-only", "a-recipient"])
def test_unwrap_of_something_that_is_not_a_case_key_fails(inner: bytes, alice: Identity) -> None:
    with pytest.raises(CryptoError):
        CaseKey.unwrap(seal(inner, [alice.recipient]), [alice])


@pytest.mark.parametrize("damage", ["flip-last", "truncate", "empty"])
def test_damaged_wrap_fails(damage: str, case_key: CaseKey, alice: Identity) -> None:
    wrapped = case_key.wrap([alice.recipient])
    damaged = {
        "flip-last": wrapped[:-1] + bytes([wrapped[-1] ^ 0x01]),
        "truncate": wrapped[:-1],
        "empty": b"",
    }[damage]
    with pytest.raises(CryptoError):
        CaseKey.unwrap(damaged, [alice])


def test_destroying_every_wrap_destroys_the_case(narrative: bytes, alice: Identity) -> None:
    # Crypto-shredding: a reader with a valid identity but no wrap has no way in.
    # Content is sealed to the case key only, never to readers directly.
    with pytest.raises(CryptoError):
        open_sealed(narrative, [alice])
