"""Parallel re-wrap of case keys from an old identity to a new recipient."""

from __future__ import annotations

import pytest

from crypto import CaseKey, CryptoError, generate_identity
from crypto.rewrap import rewrap


@pytest.mark.parametrize("processes", [1, 2])
def test_rewrapped_keys_open_with_the_new_identity_only_and_in_order(processes: int) -> None:
    old, new = generate_identity(), generate_identity()
    case_keys = [CaseKey.create() for _ in range(23)]
    wrapped = [key.wrap([old.recipient]) for key in case_keys]

    result = rewrap(wrapped, old, new.recipient, processes=processes)

    assert len(result) == len(case_keys)
    # Same case key at the same position: order is kept.
    assert [CaseKey.unwrap(w, [new]).recipient for w in result] \
        == [key.recipient for key in case_keys]
    for w in result:
        with pytest.raises(CryptoError):
            CaseKey.unwrap(w, [old])


@pytest.mark.parametrize("processes", [1, 2])
def test_a_wrap_that_does_not_open_is_named_by_its_index_only(processes: int) -> None:
    old, stranger, new = generate_identity(), generate_identity(), generate_identity()
    wrapped = [CaseKey.create().wrap([old.recipient]) for _ in range(12)]
    wrapped[7] = CaseKey.create().wrap([stranger.recipient])  # another identity's wrap
    damaged = bytearray(wrapped[9])
    damaged[-2] ^= 1
    wrapped[9] = bytes(damaged)

    with pytest.raises(CryptoError) as raised:
        rewrap(wrapped, old, new.recipient, processes=processes)

    # The lowest failing index, and nothing of any key.
    assert str(raised.value) == "wrap 7 does not open with the given identity"
    assert raised.value.__cause__ is None


def test_nothing_to_rewrap_and_bad_arguments() -> None:
    old, new = generate_identity(), generate_identity()
    assert rewrap([], old, new.recipient) == []
    with pytest.raises(CryptoError):
        rewrap(b"not a list", old, new.recipient)  # type: ignore[arg-type]
    with pytest.raises(CryptoError):
        rewrap([b"x"], old, old)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="processes"):
        rewrap([CaseKey.create().wrap([old.recipient])], old, new.recipient, processes=0)
