"""crypto.ssss against the stock Debian ``ssss`` binaries, in both directions.

The promise: shares this software makes combine with ``ssss-combine -t K``
into exactly the secret (and, for the recovery identity, into a key file
``age -d`` accepts); K-1 shares say nothing about it.
"""

from __future__ import annotations

import itertools
import random
import string
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stock_tools import require_tool

import crypto
from crypto import ssss
from crypto.ssss import Share, combine_identity, combine_shares, parse_share, split_secret

PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


def ssss_combine(shares: list[str], threshold: int | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """``ssss-combine -t K -q`` with the shares on a pipe: it reads one line per
    share and prints the secret (alone, with -q) on standard error."""
    return subprocess.run(
        [require_tool("ssss-combine", "ssss"), "-t", str(threshold or len(shares)), "-q"],
        input="".join(f"{share}\n" for share in shares), capture_output=True, text=True,
        timeout=30, check=False)


def ssss_split(secret: str, threshold: int, count: int) -> list[str]:
    result = subprocess.run(
        [require_tool("ssss-split", "ssss"), "-t", str(threshold), "-n", str(count), "-q"],
        input=f"{secret}\n", capture_output=True, text=True, timeout=30, check=True)
    return result.stdout.split()


def random_secret(rng: random.Random, length: int) -> str:
    # ssss strips the line ending only; a leading blank would survive, but keep
    # to what a key looks like at the edges.
    middle = "".join(rng.choice(PRINTABLE) for _ in range(max(0, length - 2)))
    return ("K" + middle + "Y")[:length]


def test_every_field_size_combines_with_stock_ssss_combine() -> None:
    """All 128 of ssss's fields (8 to 1024 bits): its own polynomial for each,
    the diffusion layer from 64 bits on, odd and even byte counts."""
    rng = random.Random(20261206)
    for length in range(1, 129):
        secret = random_secret(rng, length)
        threshold = rng.randint(2, 5)
        shares = split_secret(secret, threshold, threshold + rng.randint(0, 3))
        chosen = rng.sample(shares, threshold)
        result = ssss_combine([share.text for share in chosen])
        assert result.returncode == 0, (length, result.stderr)
        # Below 64 bits ssss warns that there is no diffusion layer, on stderr too.
        assert result.stderr.splitlines()[-1] == secret, length


def test_shares_of_stock_ssss_split_combine_here() -> None:
    rng = random.Random(7)
    for length in (1, 7, 8, 9, 15, 16, 33, 74, 127, 128):
        secret = random_secret(rng, length)
        shares = ssss_split(secret, 3, 5)
        for chosen in itertools.combinations(shares, 3):
            assert combine_shares(list(chosen)) == secret


def test_share_format_is_what_ssss_split_prints() -> None:
    secret = "AGE-SECRET-KEY-1" + "Q" * 58
    ours = split_secret(secret, 2, 12)
    theirs = ssss_split(secret, 2, 12)
    assert [share.text.split("-")[0] for share in ours] == \
        [share.split("-")[0] for share in theirs] == [f"{i:02d}" for i in range(1, 13)]
    assert {len(share.text) for share in ours} == {len(share) for share in theirs} == {151}
    assert all(share.text == share.text.lower() for share in ours)


@pytest.mark.parametrize(("threshold", "count"), [(2, 3), (3, 5), (5, 5)])
def test_recovery_identity_k_shares_open_with_age_and_k_minus_1_do_not(
        tmp_path: Path, threshold: int, count: int) -> None:
    age = require_tool("age", "age")
    identity = crypto.generate_identity()
    sealed = crypto.seal(b"recovered by the custodians", [identity.recipient])
    (tmp_path / "sealed.age").write_bytes(sealed)
    shares = ssss.split_identity(identity, threshold, count)
    assert len(shares) == count

    for chosen in itertools.combinations(shares, threshold):
        result = ssss_combine([share.text for share in chosen])
        assert result.returncode == 0, result.stderr
        key = tmp_path / "recovery.key"
        key.write_text(result.stderr)  # docs/recovery.md: `ssss-combine -q 2> recovery.key`
        opened = subprocess.run([age, "-d", "-i", str(key), str(tmp_path / "sealed.age")],
                                capture_output=True, check=True, timeout=30)
        assert opened.stdout == b"recovered by the custodians"
        assert combine_identity(list(chosen)).recipient == identity.recipient

    def recovers(chosen: tuple[Share, ...]) -> bool:
        try:
            return combine_identity(list(chosen)).recipient == identity.recipient
        except crypto.CryptoError:
            return False

    secret_line = identity.to_age_identity_file().decode().splitlines()[-1]
    for chosen in itertools.combinations(shares, threshold - 1):
        if len(chosen) >= 2:  # combining needs two at least
            result = ssss_combine([share.text for share in chosen])
            assert secret_line not in result.stderr
            assert not recovers(chosen)
        # Told to expect K shares, ssss-combine waits for the missing one and fails.
        short = ssss_combine([share.text for share in chosen], threshold)
        assert short.returncode != 0
        assert "AGE-SECRET-KEY" not in short.stderr


def test_k_minus_1_shares_are_equally_likely_for_every_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Information-theoretic secrecy, checked exhaustively in GF(2^8) (a
    one-character secret, where ssss has no diffusion layer): over every choice
    of the random coefficients, two shares of a 3-of-n split are distributed
    identically whatever the secret."""
    draws: list[int] = []
    monkeypatch.setattr(ssss, "_random_bits", lambda _bits: draws.pop())

    def distribution(secret: str) -> Counter[tuple[str, str]]:
        seen: Counter[tuple[str, str]] = Counter()
        for c1, c2 in itertools.product(range(256), repeat=2):
            draws[:] = [c2, c1]
            shares = split_secret(secret, 3, 3)
            seen[(shares[0].text, shares[2].text)] += 1
        return seen

    first = distribution("a")
    assert len(first) == 256 * 256  # every pair of shares exactly once: uniform
    assert first == distribution("Z")


@settings(max_examples=40, deadline=None)
@given(secret=st.text(alphabet=PRINTABLE, min_size=1, max_size=128).filter(
    lambda text: text == text.strip()),
       threshold=st.integers(2, 6), extra=st.integers(0, 4), seed=st.integers(0, 2**32))
def test_any_threshold_shares_combine(secret: str, threshold: int, extra: int,
                                      seed: int) -> None:
    shares = split_secret(secret, threshold, threshold + extra)
    chosen = random.Random(seed).sample(shares, threshold)
    assert combine_shares(chosen) == secret
    assert combine_shares([share.text for share in chosen]) == secret


def test_parse_accepts_what_ssss_combine_accepts() -> None:
    assert parse_share("  3-0a1b  \n") == Share(3, "3-0a1b")
    assert parse_share("token-07-ABCD").index == 7
    for bad in ("", "3", "3-", "-0a", "0-0a1b", "3-0a1g", "3 -0a", "x-y-z-0a", "3-0a 1b"):
        with pytest.raises(crypto.CryptoError):
            parse_share(bad)


def test_combine_refuses_duplicates_mixed_lengths_and_too_few() -> None:
    shares = split_secret("AGE-SECRET-KEY-1" + "Q" * 58, 2, 3)
    with pytest.raises(crypto.CryptoError, match="twice"):
        combine_shares([shares[0], shares[0]])
    other = split_secret("short secret", 2, 3)
    with pytest.raises(crypto.CryptoError, match="different lengths"):
        combine_shares([shares[0], other[1]])
    with pytest.raises(crypto.CryptoError):
        combine_shares([shares[0]])


def test_split_refuses_what_ssss_would_refuse() -> None:
    for threshold, count in ((1, 3), (3, 2), (2, 256)):
        with pytest.raises(crypto.CryptoError):
            split_secret("secret", threshold, count)
    for secret in ("", "x" * 129, "tab\there", "ünïcode"):
        with pytest.raises(crypto.CryptoError):
            split_secret(secret, 2, 3)


def test_a_share_never_shows_in_its_repr() -> None:
    share = split_secret("AGE-SECRET-KEY-1" + "Q" * 58, 2, 2)[0]
    assert share.text not in repr(share)
    assert share.text[2:20] not in repr(share)
