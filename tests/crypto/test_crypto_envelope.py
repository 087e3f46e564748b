"""seal / open_sealed / seal_stream / open_stream: round trips and every way to fail.

The rule under test: a caller gets either the exact plaintext or CryptoError,
never another exception and never garbage. ``pytest.raises(CryptoError)`` lets
any other exception type through as a test error, so each failure test also
checks "nothing else".
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import (
    CryptoError,
    Identity,
    generate_identity,
    open_sealed,
    open_stream,
    seal,
    seal_stream,
)

CHUNK = 64 * 1024  # age v1 STREAM plaintext chunk size
TAG = 16  # Poly1305 tag after every chunk
NONCE = 16  # payload key nonce between header and first chunk
MiB = 1024 * 1024


def header_length(ciphertext: bytes) -> int:
    """Bytes up to and including the header's MAC line ``--- <mac>\\n``."""
    mac_line = ciphertext.index(b"\n--- ") + 1
    return ciphertext.index(b"\n", mac_line) + 1


def chunk_offsets(ciphertext: bytes) -> list[int]:
    """Start offsets of each encrypted chunk in the payload."""
    start = header_length(ciphertext) + NONCE
    return list(range(start, len(ciphertext), CHUNK + TAG))


def open_stream_bytes(ciphertext: bytes, identities: list[Identity]) -> bytes:
    sink = io.BytesIO()
    open_stream(io.BytesIO(ciphertext), sink, identities)
    return sink.getvalue()


def flip(data: bytes, position: int, mask: int = 0x01) -> bytes:
    damaged = bytearray(data)
    damaged[position] ^= mask
    return bytes(damaged)


@functools.cache
def _fixed_identity() -> Identity:
    # Hypothesis re-runs the test body many times; a function-scoped fixture
    # would not be reset between examples, so the material is made once here.
    return generate_identity()


@functools.cache
def _sealed_sample(size: int) -> tuple[bytes, bytes]:
    plaintext = bytes(i % 251 for i in range(size))
    return plaintext, seal(plaintext, [_fixed_identity().recipient])


# --- round trips ----------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, MiB],
    ids=["empty", "1B", "chunk-1", "chunk", "chunk+1", "2chunks", "1MiB"],
)
def test_seal_then_open_returns_the_plaintext(size: int, alice: Identity) -> None:
    plaintext = os.urandom(size)
    ciphertext = seal(plaintext, [alice.recipient])

    assert ciphertext.startswith(b"age-encryption.org/v1\n")
    if size >= 16:  # shorter random strings turn up in any ciphertext by chance
        assert plaintext not in ciphertext
    assert open_sealed(ciphertext, [alice]) == plaintext


def test_sealing_twice_gives_different_ciphertexts(alice: Identity) -> None:
    # Fresh file key and nonce inside every call: equal plaintexts must not be linkable.
    assert seal(b"same", [alice.recipient]) != seal(b"same", [alice.recipient])


def test_each_of_several_recipients_alone_can_open(alice: Identity, bob: Identity,
                                                   mallory: Identity) -> None:
    carol = generate_identity()
    plaintext = b"testimony for three readers"
    ciphertext = seal(plaintext, [alice.recipient, bob.recipient, carol.recipient])

    for reader in (alice, bob, carol):
        assert open_sealed(ciphertext, [reader]) == plaintext
        assert open_stream_bytes(ciphertext, [reader]) == plaintext
    with pytest.raises(CryptoError):
        open_sealed(ciphertext, [mallory])


def test_duplicate_recipients_are_sealed_once(alice: Identity) -> None:
    once = seal(b"x", [alice.recipient])
    twice = seal(b"x", [alice.recipient, alice.recipient])
    # One X25519 stanza per distinct recipient; a duplicate would add a second one.
    assert once.count(b"\n-> X25519 ") == twice.count(b"\n-> X25519 ") == 1


def test_any_matching_identity_in_the_list_opens(alice: Identity, mallory: Identity) -> None:
    ciphertext = seal(b"x", [alice.recipient])
    assert open_sealed(ciphertext, [mallory, alice]) == b"x"


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=3 * 1024))
def test_round_trip_for_arbitrary_bytes(plaintext: bytes) -> None:
    identity = _fixed_identity()
    assert open_sealed(seal(plaintext, [identity.recipient]), [identity]) == plaintext


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7])
def test_stream_round_trip_and_same_format_as_bytes(size: int, alice: Identity) -> None:
    plaintext = os.urandom(size)
    sealed = io.BytesIO()
    seal_stream(io.BytesIO(plaintext), sealed, [alice.recipient])

    # A streamed file is an ordinary age file: the bytes API opens it and vice versa.
    assert open_stream_bytes(sealed.getvalue(), [alice]) == plaintext
    assert open_sealed(sealed.getvalue(), [alice]) == plaintext
    assert open_stream_bytes(seal(plaintext, [alice.recipient]), [alice]) == plaintext


def test_stream_with_real_files(tmp_path: Path, alice: Identity) -> None:
    plaintext = os.urandom(2 * CHUNK + 123)
    source, sealed, opened = tmp_path / "in", tmp_path / "in.age", tmp_path / "out"
    source.write_bytes(plaintext)
    with source.open("rb") as src, sealed.open("wb") as dst:
        seal_stream(src, dst, [alice.recipient])
    with sealed.open("rb") as src, opened.open("wb") as dst:
        open_stream(src, dst, [alice])
    assert opened.read_bytes() == plaintext


class _TrickleSource:
    """Returns at most a few bytes per read, like a slow network upload."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._offset = 0
        self._step = 0

    def read(self, size: int = -1) -> bytes:
        self._step = self._step % 7 + 1
        n = min(size, self._step) if size >= 0 else self._step
        chunk = bytes(self._data[self._offset:self._offset + n])
        self._offset += len(chunk)
        return chunk


class _PartialSink:
    """Accepts at most 1000 bytes per write and says so, like a raw non-buffered file."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> int:
        taken = bytes(data[:1000])
        self.data += taken
        return len(taken)


def test_stream_copes_with_short_reads_and_partial_writes(alice: Identity) -> None:
    plaintext = os.urandom(CHUNK + 5000)
    sealed = _PartialSink()
    seal_stream(_TrickleSource(plaintext), sealed, [alice.recipient])
    opened = _PartialSink()
    open_stream(_TrickleSource(bytes(sealed.data)), opened, [alice])
    assert bytes(opened.data) == plaintext


# --- wrong key, no key -------------------------------------------------------------


def test_wrong_identity_cannot_open(alice: Identity, mallory: Identity) -> None:
    ciphertext = seal(b"secret", [alice.recipient])
    with pytest.raises(CryptoError):
        open_sealed(ciphertext, [mallory])
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(ciphertext), sink, [mallory])
    assert sink.getvalue() == b""


def test_no_recipients_is_refused() -> None:
    with pytest.raises(CryptoError):
        seal(b"nobody could read this", [])
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        seal_stream(io.BytesIO(b"nobody"), sink, [])
    assert sink.getvalue() == b""


def test_no_identities_is_refused(alice: Identity) -> None:
    ciphertext = seal(b"x", [alice.recipient])
    with pytest.raises(CryptoError):
        open_sealed(ciphertext, [])
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(ciphertext), io.BytesIO(), [])


# --- malformed input --------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\n",
        b"hello, this is not an age file",
        b"age-encryption.org/v1\n",
        b"age-encryption.org/v2\n-> X25519 abc\n--- abc\n",
        b"-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n",
        bytes(range(256)) * 4,
    ],
    ids=["empty", "newline", "text", "version-only", "wrong-version", "empty-armor", "binary"],
)
def test_garbage_is_refused(junk: bytes, alice: Identity) -> None:
    with pytest.raises(CryptoError):
        open_sealed(junk, [alice])
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(junk), sink, [alice])
    assert sink.getvalue() == b""


# --- tampering --------------------------------------------------------------------

# 150 000 bytes = two full 64 KiB chunks and a short final one.
_MULTI = 150_000


@pytest.fixture
def multi_chunk(alice: Identity) -> tuple[bytes, bytes]:
    plaintext = os.urandom(_MULTI)
    ciphertext = seal(plaintext, [alice.recipient])
    assert len(chunk_offsets(ciphertext)) == 3
    return plaintext, ciphertext


def _tamper_position(ciphertext: bytes, where: str) -> int:
    header = header_length(ciphertext)
    chunks = chunk_offsets(ciphertext)
    return {
        "version-line": 3,
        "stanza-type": ciphertext.index(b"X25519") + 1,
        "stanza-body": ciphertext.index(b"\n", ciphertext.index(b"-> X25519")) + 5,
        "mac-line": ciphertext.index(b"\n--- ") + 10,
        "mac-line-last-char": header - 2,
        "nonce": header + 3,
        "first-chunk": chunks[0] + 100,
        "first-chunk-tag": chunks[1] - 1,
        "middle-chunk": chunks[1] + CHUNK // 2,
        "last-chunk": chunks[2] + 7,
        "last-chunk-tag": len(ciphertext) - 1,
    }[where]


@pytest.mark.parametrize("where", [
    "version-line", "stanza-type", "stanza-body", "mac-line", "mac-line-last-char",
    "nonce", "first-chunk", "first-chunk-tag", "middle-chunk", "last-chunk", "last-chunk-tag",
])
def test_tampering_is_detected(where: str, multi_chunk: tuple[bytes, bytes],
                               alice: Identity) -> None:
    plaintext, ciphertext = multi_chunk
    damaged = flip(ciphertext, _tamper_position(ciphertext, where))

    with pytest.raises(CryptoError):
        open_sealed(damaged, [alice])

    # A stream may already have released chunks authenticated before the damage
    # (the caller discards the sink). What it released must be a true prefix of
    # the plaintext, in whole chunks: never a byte of garbage.
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(damaged), sink, [alice])
    released = sink.getvalue()
    assert plaintext.startswith(released)
    assert len(released) % CHUNK == 0


def test_appended_bytes_are_detected(multi_chunk: tuple[bytes, bytes], alice: Identity) -> None:
    _, ciphertext = multi_chunk
    with pytest.raises(CryptoError):
        open_sealed(ciphertext + b"\x00", [alice])
    with pytest.raises(CryptoError):
        open_sealed(ciphertext + seal(b"more", [alice.recipient]), [alice])


def test_swapped_chunks_are_detected(multi_chunk: tuple[bytes, bytes], alice: Identity) -> None:
    _, ciphertext = multi_chunk
    first, second, _ = chunk_offsets(ciphertext)
    swapped = (ciphertext[:first] + ciphertext[second:second + CHUNK + TAG]
               + ciphertext[first:second] + ciphertext[second + CHUNK + TAG:])
    assert len(swapped) == len(ciphertext)
    with pytest.raises(CryptoError):
        open_sealed(swapped, [alice])


def test_payload_moved_under_another_header_is_detected(alice: Identity) -> None:
    # Same recipient, two files: the payload key is per file, so a spliced file fails.
    one, two = seal(b"a" * 100, [alice.recipient]), seal(b"b" * 100, [alice.recipient])
    spliced = one[:header_length(one)] + two[header_length(two):]
    with pytest.raises(CryptoError):
        open_sealed(spliced, [alice])


# --- truncation -------------------------------------------------------------------


def _cut_position(ciphertext: bytes, where: str) -> int:
    header = header_length(ciphertext)
    chunks = chunk_offsets(ciphertext)
    return {
        "mid-version-line": 10,
        "mid-stanza": ciphertext.index(b"-> X25519") + 20,
        "before-mac": ciphertext.index(b"\n--- ") + 1,
        "mid-mac": header - 10,
        "after-header": header,
        "mid-nonce": header + NONCE // 2,
        "after-nonce": header + NONCE,
        "mid-first-chunk": chunks[0] + 1000,
        "chunk-boundary-1": chunks[1],
        "chunk-boundary-2": chunks[2],  # the final chunk is missing entirely
        "mid-last-chunk": chunks[2] + 100,
        "last-byte": len(ciphertext) - 1,
    }[where]


@pytest.mark.parametrize("where", [
    "mid-version-line", "mid-stanza", "before-mac", "mid-mac", "after-header", "mid-nonce",
    "after-nonce", "mid-first-chunk", "chunk-boundary-1", "chunk-boundary-2",
    "mid-last-chunk", "last-byte",
])
def test_truncation_is_detected(where: str, multi_chunk: tuple[bytes, bytes],
                                alice: Identity) -> None:
    plaintext, ciphertext = multi_chunk
    cut = ciphertext[:_cut_position(ciphertext, where)]

    with pytest.raises(CryptoError):
        open_sealed(cut, [alice])
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(cut), sink, [alice])
    assert plaintext.startswith(sink.getvalue())


@pytest.mark.parametrize("full_chunks", [1, 2])
def test_dropping_the_final_full_chunk_is_detected(full_chunks: int, alice: Identity) -> None:
    # When the plaintext is an exact multiple of 64 KiB the final chunk is a full
    # chunk, so a cut at a chunk boundary leaves a file that *looks* complete.
    # age marks the final chunk in its nonce; a stream ending on a non-final
    # chunk must be refused.
    plaintext = os.urandom((full_chunks + 1) * CHUNK)
    ciphertext = seal(plaintext, [alice.recipient])
    chunks = chunk_offsets(ciphertext)
    assert len(chunks) == full_chunks + 1
    cut = ciphertext[:chunks[-1]]

    with pytest.raises(CryptoError):
        open_sealed(cut, [alice])
    with pytest.raises(CryptoError):
        open_stream_bytes(cut, [alice])


def test_empty_plaintext_missing_its_only_chunk_is_detected(alice: Identity) -> None:
    ciphertext = seal(b"", [alice.recipient])
    assert len(ciphertext) == header_length(ciphertext) + NONCE + TAG
    with pytest.raises(CryptoError):
        open_sealed(ciphertext[:-TAG], [alice])


# --- any single flipped byte (property) ----------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), mask=st.integers(min_value=1, max_value=255))
def test_flipping_any_byte_of_a_small_message_raises(data: st.DataObject, mask: int) -> None:
    _, ciphertext = _sealed_sample(200)
    position = data.draw(st.integers(min_value=0, max_value=len(ciphertext) - 1))
    with pytest.raises(CryptoError):
        open_sealed(flip(ciphertext, position, mask), [_fixed_identity()])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), mask=st.integers(min_value=1, max_value=255))
def test_flipping_any_byte_of_a_multi_chunk_message_raises(data: st.DataObject,
                                                           mask: int) -> None:
    plaintext, ciphertext = _sealed_sample(2 * CHUNK + 999)
    header = header_length(ciphertext)
    # Half the draws in the small header, half in the large payload, so both get hit.
    position = data.draw(st.one_of(st.integers(0, header - 1),
                                   st.integers(header, len(ciphertext) - 1)))
    damaged = flip(ciphertext, position, mask)
    with pytest.raises(CryptoError):
        open_sealed(damaged, [_fixed_identity()])
    sink = io.BytesIO()
    with pytest.raises(CryptoError):
        open_stream(io.BytesIO(damaged), sink, [_fixed_identity()])
    assert plaintext.startswith(sink.getvalue())


# --- the caller's source and sink failing ---------------------------------------------


class _RefusingSink:
    """Fails every write after ``limit`` bytes, like a full disk or a dead blob store."""

    def __init__(self, limit: int, error: Exception | None = None) -> None:
        self.limit = limit
        self.error = error or OSError(28, "No space left on device")
        self.data = bytearray()
        self.writes_after_failure = 0
        self._failed = False

    def write(self, data: bytes) -> int:
        if self._failed:
            self.writes_after_failure += 1
        if len(self.data) + len(data) > self.limit:
            self._failed = True
            raise self.error
        self.data += data
        return len(data)


@pytest.mark.parametrize("size", [0, 100, 5000, 70_000])
def test_seal_stream_reports_a_sink_that_refuses_every_write(size: int,
                                                            alice: Identity) -> None:
    # Regression: pyrage writes the last (for small files: all) ciphertext while
    # dropping a Rust BufWriter, which ignores errors; seal_stream used to return
    # normally having written nothing.
    sink = _RefusingSink(limit=0)
    with pytest.raises(CryptoError) as raised:
        seal_stream(io.BytesIO(os.urandom(size)), sink, [alice.recipient])
    assert raised.value.__cause__ is sink.error
    assert sink.data == b""


@pytest.mark.parametrize("size", [0, 100, 5000, 70_000, 200_000])
def test_seal_stream_never_reports_success_for_an_incomplete_ciphertext(
        size: int, alice: Identity) -> None:
    # A sink that takes ``limit`` bytes and then fails, with limits swept across
    # the ciphertext's end, so that in some runs the failing write is the very
    # last one (the one pyrage used to drop). The header carries a random-length
    # "grease" stanza (about 170 bytes of spread), hence the wide sweep.
    # Invariant: either CryptoError caused by the sink, or a complete file.
    plaintext = os.urandom(size)
    typical = len(seal(plaintext, [alice.recipient]))
    failures = successes = 0
    for limit in range(typical - 200, typical + 200, 3):
        sink = _RefusingSink(limit=limit)
        error: CryptoError | None = None
        try:
            seal_stream(io.BytesIO(plaintext), sink, [alice.recipient])
        except CryptoError as exc:
            error = exc
        if error is None:
            assert open_sealed(bytes(sink.data), [alice]) == plaintext
            successes += 1
        else:
            assert error.__cause__ is sink.error
            assert sink.writes_after_failure == 0
            failures += 1
    # Both outcomes occurred, so the sweep really straddled the end of the file.
    assert failures > 0
    assert successes > 0


def test_no_write_reaches_the_sink_after_a_failed_one(alice: Identity) -> None:
    class FlakySink(_RefusingSink):
        """Fails once, then would accept again: output after the gap would be corrupt."""

        def write(self, data: bytes) -> int:
            if not self._failed:
                self._failed = True
                raise self.error
            self.writes_after_failure += 1
            self.data += data
            return len(data)

    sink = FlakySink(limit=0)
    with pytest.raises(CryptoError):
        seal_stream(io.BytesIO(os.urandom(3 * CHUNK)), sink, [alice.recipient])
    assert sink.writes_after_failure == 0


@pytest.mark.parametrize("error", [OSError(5, "I/O error"), RuntimeError("blob store down")])
def test_open_stream_reports_a_failing_sink_as_crypto_error(error: Exception,
                                                            alice: Identity) -> None:
    # Regression: a sink raising anything but OSError escaped open_stream as itself.
    ciphertext = seal(os.urandom(3 * CHUNK), [alice.recipient])
    sink = _RefusingSink(limit=CHUNK, error=error)
    with pytest.raises(CryptoError) as raised:
        open_stream(io.BytesIO(ciphertext), sink, [alice])
    assert raised.value.__cause__ is error


class _BrokenSource:
    """Serves ``data``, then raises ``error``: a connection lost mid-transfer."""

    def __init__(self, data: bytes, error: BaseException) -> None:
        self._data = io.BytesIO(data)
        self.error = error

    def read(self, size: int = -1) -> bytes:
        chunk = self._data.read(size)
        if not chunk:
            raise self.error
        return chunk


@pytest.mark.parametrize("after", [0, 50, CHUNK + 1])
def test_a_failing_source_raises_crypto_error_caused_by_it(after: int,
                                                           alice: Identity) -> None:
    # The original exception is kept as __cause__ (pyrage alone flattens it to a string).
    error = ConnectionResetError("client went away mid-upload")
    with pytest.raises(CryptoError) as raised:
        seal_stream(_BrokenSource(b"\x00" * after, error), io.BytesIO(), [alice.recipient])
    assert raised.value.__cause__ is error

    ciphertext = seal(os.urandom(2 * CHUNK), [alice.recipient])
    error = ConnectionResetError("storage went away")
    with pytest.raises(CryptoError) as raised:
        open_stream(_BrokenSource(ciphertext[:after], error), io.BytesIO(), [alice])
    assert raised.value.__cause__ is error


def test_keyboard_interrupt_in_the_source_is_not_turned_into_crypto_error(
        alice: Identity) -> None:
    # pyrage converts even KeyboardInterrupt into its own error; an operator's
    # Ctrl-C must stop the program, not look like a damaged file.
    with pytest.raises(KeyboardInterrupt):
        seal_stream(_BrokenSource(b"x" * 10, KeyboardInterrupt()), io.BytesIO(),
                    [alice.recipient])


def test_sink_returning_none_is_refused(alice: Identity) -> None:
    # write() must report how many bytes it took; a sink that does not cannot be
    # trusted to have taken them all.
    class Silent:
        def write(self, data: bytes) -> None:
            pass

    with pytest.raises(CryptoError):
        seal_stream(io.BytesIO(b"x" * 100), Silent(), [alice.recipient])  # type: ignore[arg-type]
