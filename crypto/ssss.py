"""k-of-n shares of a text secret, in the format of the stock ``ssss`` tool.

The organisation's recovery identity is split so that ``threshold`` of its
custodians together, and no fewer, can rebuild it. The shares must outlive
this software: Debian's ``ssss-combine -t K`` (package ``ssss``, B. Poettering's
ssss 0.5) turns them back into the identity, and ``age -d`` then opens the
archive (docs/recovery.md). So this module makes exactly what ``ssss-split``
makes for an ASCII secret, and reads what it reads:

* The field is GF(2^d) with d = 8 × the secret's length (ssss's "dynamic
  security level"), reduced by ssss's own pentanomial for that d
  (x^d + x^a + x^b + x^c + 1, from the table below, which ssss took from
  HP Labs report HPL-98-135).
* The secret, as a big-endian number, first goes through ssss's diffusion
  layer (XTEA over overlapping 8-byte windows, 40 passes) when d >= 64, so
  that a share says nothing about any part of the secret either.
* The polynomial is ssss's monic one: P(x) = x^k + c(k-1) x^(k-1) + … + c1 x + c0,
  c0 the diffused secret and the other coefficients random; share i is
  ``i-HEX`` with P(i) in d/4 hex digits and i zero-padded to the width of n.
  (A textbook Shamir polynomial of degree k-1 would not combine with ssss,
  which adds the x^k term back itself.)

Why not call ``ssss-split``: it would be one more process that reads the
secret, and this code is small enough to check against the real binary for
every field size (tests/crypto/test_ssss.py does, in both directions). Combining
here lets ``witnessbox recovery rotate`` take the custodians' shares without
the identity ever touching a file.

No checksum: ssss has none. A mistyped share combines to a wrong secret; the
callers check the result against the recipient they know.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from crypto.errors import CryptoError
from crypto.identities import Identity, parse_identity

# ssss.c: the coefficients a, b, c of x^d + x^a + x^b + x^c + 1 for d = 8, 16, … 1024.
_IRREDUCIBLE = (
    4, 3, 1, 5, 3, 1, 4, 3, 1, 7, 3, 2, 5, 4, 3, 5, 3, 2, 7, 4, 2, 4, 3, 1, 10, 9, 3, 9, 4, 2,
    7, 6, 2, 10, 9, 6, 4, 3, 1, 5, 4, 3, 4, 3, 1, 7, 2, 1, 5, 3, 2, 7, 4, 2, 6, 3, 2, 5, 3, 2,
    15, 3, 2, 11, 3, 2, 9, 8, 7, 7, 2, 1, 5, 3, 2, 9, 3, 1, 7, 3, 1, 9, 8, 3, 9, 4, 2, 8, 5, 3,
    15, 14, 10, 10, 5, 2, 9, 6, 2, 9, 3, 2, 9, 5, 2, 11, 10, 1, 7, 3, 2, 11, 2, 1, 9, 7, 4, 4,
    3, 1, 8, 3, 1, 7, 4, 1, 7, 2, 1, 13, 11, 6, 5, 3, 2, 7, 3, 2, 8, 7, 5, 12, 3, 2, 13, 10, 6,
    5, 3, 2, 5, 3, 2, 9, 5, 2, 9, 7, 2, 13, 4, 3, 4, 3, 1, 11, 6, 4, 18, 9, 6, 19, 18, 13, 11,
    3, 2, 15, 9, 6, 4, 3, 1, 16, 5, 2, 15, 14, 6, 8, 5, 2, 15, 11, 2, 11, 6, 2, 7, 5, 3, 8, 3,
    1, 19, 16, 9, 11, 9, 6, 15, 7, 6, 13, 4, 3, 14, 13, 3, 13, 6, 3, 9, 5, 2, 19, 13, 6, 19,
    10, 3, 11, 6, 5, 9, 2, 1, 14, 3, 2, 13, 3, 1, 7, 5, 4, 11, 9, 8, 11, 6, 5, 23, 16, 9, 19,
    14, 6, 23, 10, 2, 8, 3, 2, 5, 4, 3, 9, 6, 4, 4, 3, 2, 13, 8, 6, 13, 11, 1, 13, 10, 3, 11,
    6, 5, 19, 17, 4, 15, 14, 7, 13, 9, 6, 9, 7, 3, 9, 7, 1, 14, 3, 2, 11, 8, 2, 11, 6, 4, 13,
    5, 2, 11, 5, 1, 11, 4, 1, 19, 10, 3, 21, 10, 6, 13, 3, 1, 15, 7, 5, 19, 18, 10, 7, 5, 3,
    12, 7, 2, 7, 5, 1, 14, 9, 6, 10, 3, 2, 15, 13, 12, 12, 11, 9, 16, 9, 7, 12, 9, 3, 9, 5, 2,
    17, 10, 6, 24, 9, 3, 17, 15, 13, 5, 4, 3, 19, 17, 8, 15, 6, 3, 19, 6, 1,
)
MAX_DEGREE = 1024
# ssss reads an index with atoi and keeps shares apart by it; this many is plenty
# for people who each keep a sheet of paper.
MAX_SHARES = 255
# The random coefficients (a name of its own so that a test can enumerate them).
_random_bits = secrets.randbits
_XTEA_DELTA = 0x9E3779B9
_MASK32 = 0xFFFFFFFF
# [token-]index-hex, as ssss-combine parses it (the token has no hyphen).
_SHARE = re.compile(r"^(?:[^-\s]+-)?([0-9]+)-([0-9a-fA-F]+)$")


@dataclass(frozen=True)
class Share:
    """One custodian's share: ``text`` is the line ``ssss-combine`` reads."""

    index: int
    text: str = field(repr=False)


class _Field:
    """GF(2^degree) with ssss's reduction polynomial; elements are ints."""

    def __init__(self, degree: int) -> None:
        if degree < 8 or degree > MAX_DEGREE or degree % 8:
            raise CryptoError("the secret must have 1 to 128 characters")
        a, b, c = _IRREDUCIBLE[3 * (degree // 8 - 1):3 * (degree // 8)]
        self.degree = degree
        self.poly = (1 << degree) | (1 << a) | (1 << b) | (1 << c) | 1

    def mul(self, x: int, y: int) -> int:
        product = 0
        top = 1 << self.degree
        while y:
            if y & 1:
                product ^= x
            y >>= 1
            x <<= 1
            if x & top:
                x ^= self.poly
        return product

    def inv(self, x: int) -> int:
        """Extended Euclid over GF(2)[x], as ssss's field_invert."""
        if x == 0:
            raise CryptoError("shares do not combine (an index used twice?)")
        u, v, z, g = x, self.poly, 1, 0
        while u != 1:
            shift = u.bit_length() - v.bit_length()
            if shift < 0:
                u, v, z, g = v, u, g, z
                shift = -shift
            u ^= v << shift
            z ^= g << shift
        return z


def _xtea_encipher(v0: int, v1: int) -> tuple[int, int]:
    total = 0
    for _ in range(32):
        v0 = (v0 + ((((v1 << 4) ^ (v1 >> 5)) + v1) ^ total)) & _MASK32
        total = (total + _XTEA_DELTA) & _MASK32
        v1 = (v1 + ((((v0 << 4) ^ (v0 >> 5)) + v0) ^ total)) & _MASK32
    return v0, v1


def _xtea_decipher(v0: int, v1: int) -> tuple[int, int]:
    total = (_XTEA_DELTA * 32) & _MASK32
    for _ in range(32):
        v1 = (v1 - ((((v0 << 4) ^ (v0 >> 5)) + v0) ^ total)) & _MASK32
        total = (total - _XTEA_DELTA) & _MASK32
        v0 = (v0 - ((((v1 << 4) ^ (v1 >> 5)) + v1) ^ total)) & _MASK32
    return v0, v1


def _diffuse(x: int, degree: int, *, encode: bool) -> int:
    """ssss's encode_mpz: XTEA over overlapping windows of the number's bytes.

    ssss lays the number out as 16-bit words, least significant first, each
    big-endian (mpz_export(-1, 2, 1)); for a d that is an odd number of
    bytes the top byte is moved down so the d/8 bytes are contiguous.
    """
    length = degree // 8
    words = (degree + 8) // 16
    data = bytearray(2 * words)
    for k in range(words):
        word = (x >> (16 * k)) & 0xFFFF
        data[2 * k], data[2 * k + 1] = word >> 8, word & 0xFF
    if degree % 16 == 8:
        data[length - 1] = data[length]
    starts = range(0, 40 * length, 2) if encode else range(40 * length - 2, -1, -2)
    process = _xtea_encipher if encode else _xtea_decipher
    for start in starts:
        at = [(start + offset) % length for offset in range(8)]
        v0 = int.from_bytes(bytes(data[i] for i in at[:4]), "big")
        v1 = int.from_bytes(bytes(data[i] for i in at[4:]), "big")
        v0, v1 = process(v0, v1)
        for i, byte in zip(at, v0.to_bytes(4, "big") + v1.to_bytes(4, "big"), strict=True):
            data[i] = byte
    if degree % 16 == 8:
        data[length] = data[length - 1]
        data[length - 1] = 0
    return sum(((data[2 * k] << 8) | data[2 * k + 1]) << (16 * k) for k in range(words))


def _check_counts(threshold: int, count: int) -> None:
    if not isinstance(threshold, int) or not isinstance(count, int):
        raise CryptoError("threshold and share count are integers")
    if threshold < 2:
        raise CryptoError("the threshold must be at least 2")
    if count < threshold:
        raise CryptoError("there must be at least as many shares as the threshold")
    if count > MAX_SHARES:
        raise CryptoError(f"at most {MAX_SHARES} shares")


def split_secret(secret: str, threshold: int, count: int) -> list[Share]:
    """``count`` shares of ``secret`` (printable ASCII), any ``threshold`` of which
    rebuild it: what ``ssss-split -t threshold -n count`` prints."""
    _check_counts(threshold, count)
    if not isinstance(secret, str) or not secret.isascii() or not secret.isprintable():
        raise CryptoError("the secret must be printable ASCII")
    gf = _Field(8 * len(secret))
    constant = int.from_bytes(secret.encode("ascii"), "big")
    if gf.degree >= 64:
        constant = _diffuse(constant, gf.degree, encode=True)
    coefficients = [constant, *(_random_bits(gf.degree) for _ in range(threshold - 1))]
    width = len(str(count))
    shares = []
    for index in range(1, count + 1):
        # ssss's horner(): x^k + c(k-1) x^(k-1) + … + c0.
        value = index
        for coefficient in reversed(coefficients[1:]):
            value = gf.mul(value ^ coefficient, index)
        value ^= coefficients[0]
        shares.append(Share(index, f"{index:0{width}d}-{value:0{gf.degree // 4}x}"))
    return shares


def parse_share(text: str) -> Share:
    """A share line as ``ssss-combine`` accepts it (surrounding blanks ignored)."""
    if not isinstance(text, str):
        raise CryptoError("a share is text")
    match = _SHARE.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise CryptoError("not a share: expected NUMBER-HEXDIGITS, e.g. 1-3f09…")
    return Share(int(match.group(1)), text.strip())


def combine_shares(shares: Sequence[Share | str]) -> str:
    """The secret rebuilt from exactly threshold-many shares, as
    ``ssss-combine -t len(shares)`` would print it.

    Fewer shares than the threshold, or a mistyped one, give a wrong secret
    or a :class:`CryptoError`; only a caller who knows what to expect (a
    recipient) can tell a wrong secret from the right one.
    """
    parsed = [parse_share(share) if isinstance(share, str) else share for share in shares]
    if len(parsed) < 2:
        raise CryptoError("at least two shares are needed")
    if len(parsed) > MAX_SHARES:
        raise CryptoError(f"at most {MAX_SHARES} shares")
    digits = {len(_SHARE.match(share.text).group(2)) for share in parsed}  # type: ignore[union-attr]
    if len(digits) != 1:
        raise CryptoError("the shares have different lengths: they are not of one secret")
    gf = _Field(4 * digits.pop())
    xs = [share.index for share in parsed]
    if len(set(xs)) != len(xs):
        raise CryptoError("the same share was given twice")
    threshold = len(parsed)
    # Each y is P(x) = x^k + Q(x), Q of degree k-1 with Q(0) the diffused
    # secret: take x^k off and interpolate Q at 0 (Lagrange; in GF(2^d)
    # subtraction is addition).
    points = []
    for share in parsed:
        y = int(_SHARE.match(share.text).group(2), 16)  # type: ignore[union-attr]
        power = 1
        for _ in range(threshold):
            power = gf.mul(power, share.index)
        points.append((share.index, y ^ power))
    constant = 0
    for i, (x_i, y_i) in enumerate(points):
        numerator, denominator = 1, 1
        for j, (x_j, _) in enumerate(points):
            if i != j:
                numerator = gf.mul(numerator, x_j)
                denominator = gf.mul(denominator, x_j ^ x_i)
        constant ^= gf.mul(y_i, gf.mul(numerator, gf.inv(denominator)))
    if gf.degree >= 64:
        constant = _diffuse(constant, gf.degree, encode=False)
    raw = constant.to_bytes(gf.degree // 8, "big").lstrip(b"\0")
    if not raw or not all(32 <= byte < 127 for byte in raw):
        raise CryptoError("the shares do not combine to a text secret "
                          "(too few, mistyped, or of different secrets)")
    return raw.decode("ascii")


def split_identity(identity: Identity, threshold: int, count: int) -> list[Share]:
    """Shares of an age identity's ``AGE-SECRET-KEY-1…`` line."""
    if not isinstance(identity, Identity):
        raise CryptoError("expected an Identity")
    key_file = identity.to_age_identity_file().decode("ascii")
    secret_line = key_file.strip().splitlines()[-1]
    return split_secret(secret_line, threshold, count)


def combine_identity(shares: Sequence[Share | str]) -> Identity:
    """The age identity the shares rebuild; CryptoError if they rebuild none.

    A wrong identity is still possible in principle (it would be a valid key
    by chance); compare its recipient with the expected one.
    """
    return parse_identity(combine_shares(shares))
