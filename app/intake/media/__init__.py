"""Remove identifying metadata from attachments while they stream, whatever
the interviewer chose in the dropdown.

EXIF carries GPS positions, camera serial numbers and timestamps; those must
never be sealed with a photo, let alone leave in an export. Every attachment
goes through :func:`clean`: it reads the first bytes, decides what the file is
from its magic number (:mod:`.sniff`), and runs the cleaner for that format.
The dropdown is only the interviewer's label.

Outcome, recorded per attachment in the sealed metadata and on the receipt:

- ``"removed"``: a cleaner ran and the sealed bytes differ from the upload.
- ``"none found"``: a cleaner ran and had nothing to drop (the sealed bytes
  are the upload, byte for byte).
- ``"not removed"``: no cleaner for this format (GIF, WebP, HEIF, TIFF; audio
  and documents until their cleaners land; unknown files), or the cleaner
  declined with :class:`CannotClean`. The file is sealed exactly as uploaded
  and the receipt says so: never claimed clean.

A malformed JPEG or PNG is refused (:class:`UnsupportedPhoto`), as is any
file a cleaner finds broken after it started writing (:class:`MalformedMedia`).

Cleaner interface (for :mod:`.audio`, :mod:`.documents` and any later one)::

    Cleaner = Callable[[bytes, Reader], Iterator[bytes]]

    def strip_audio(head: bytes, source: Reader) -> Iterator[bytes]: ...

- ``head`` is the first bytes of the file, already read for sniffing (up to
  ``SNIFF_BYTES``; fewer only if the file is that short). ``source.read(n)``
  returns what follows, at most ``n`` bytes at a time and ``b""`` at the end.
  ``ExactReader(source, head)`` gives exact reads over the whole file.
- The cleaner yields the cleaned file, in pieces of at most about ``CHUNK``
  bytes; it must never hold a whole large structure in memory.
- It may raise ``CannotClean(reason)`` only before it yields anything (yield
  ``b""`` to commit early). The dispatcher then seals the file as uploaded
  with outcome "not removed". To make that possible it keeps what the
  cleaner read until the first yield: a cleaner must decide within
  ``REPLAY_LIMIT`` bytes (reading further first is a
  :class:`CleanerContractError`).
- After its first yield, bad input is :class:`MalformedMedia` (or a
  subclass): the upload is refused with that message. A ``CannotClean``
  raised then is turned into ``MalformedMedia``.
- It need not read to the end: what it leaves unread (bytes after the end of
  the image, say) is dropped, and counts as "removed".
- Import errors and helpers from :mod:`.errors` and :mod:`.streams`, never
  from this module (which imports the cleaners).

To plug a cleaner in, add its formats (as named by :mod:`.sniff`) to
``CLEANERS`` below; nothing else changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping

from app.intake.media.errors import (
    CannotClean,
    CleanerContractError,
    MalformedMedia,
    UnsupportedPhoto,
)
from app.intake.media.jpeg import strip_jpeg
from app.intake.media.png import strip_png
from app.intake.media.sniff import SNIFF_BYTES, Detected, sniff
from app.intake.media.streams import CHUNK, ExactReader, IteratorReader, Reader

__all__ = [
    "CHUNK", "CLEANERS", "NONE_FOUND", "NOT_REMOVED", "REMOVED", "REPLAY_LIMIT", "SNIFF_BYTES",
    "CannotClean", "Cleaned", "Cleaner", "CleanerContractError", "Detected", "ExactReader",
    "IteratorReader", "MalformedMedia", "Reader", "UnsupportedPhoto", "clean", "sniff",
]

Cleaner = Callable[[bytes, Reader], Iterator[bytes]]

REMOVED, NONE_FOUND, NOT_REMOVED = "removed", "none found", "not removed"
REPLAY_LIMIT = 1024 * 1024

CLEANERS: Mapping[str, Cleaner] = {
    "jpeg": strip_jpeg,
    "png": strip_png,
    # HOOK audio (sniff formats: mp3, aac, wav, mp4, ogg, flac, aiff, amr), e.g.
    #   **dict.fromkeys(("mp3", "wav", "mp4", "ogg", "flac"), audio.strip_audio),
    # HOOK documents (sniff formats: pdf, ooxml, odf, ole, rtf), e.g.
    #   **dict.fromkeys(("pdf", "ooxml", "odf"), documents.strip_document),
    # Until then those files are sealed as uploaded, outcome "not removed".
}


class Cleaned:
    """One attachment on its way to the sealer: ``read(n)`` gives the bytes to
    seal. ``detected`` is known at once; ``metadata`` (the outcome) once
    ``read`` has returned ``b""``; ``reason`` says why it was not removed."""

    def __init__(self, detected: Detected, head: bytes, stream: Reader,
                 cleaner: Cleaner | None) -> None:
        self.detected = detected
        self.reason: str | None = None
        self._outcome: str | None = None
        if cleaner is None:
            self.reason = f"no cleaner for {detected.format} files"
            pieces = self._as_uploaded(head, stream)
        else:
            pieces = self._cleaned(cleaner, head, stream)
        self._reader = IteratorReader(pieces)

    @property
    def kind(self) -> str:
        return self.detected.kind

    @property
    def format(self) -> str:
        return self.detected.format

    @property
    def metadata(self) -> str:
        if self._outcome is None:
            raise RuntimeError("the outcome is known only after the stream is read to the end")
        return self._outcome

    def read(self, size: int = -1) -> bytes:
        return self._reader.read(size)

    def _as_uploaded(self, head: bytes, stream: Reader) -> Iterator[bytes]:
        if head:
            yield head
        yield from _rest(stream)
        self._outcome = NOT_REMOVED

    def _cleaned(self, cleaner: Cleaner, head: bytes, stream: Reader) -> Iterator[bytes]:
        tap = _UploadTap(stream, head)
        produced = cleaner(head, tap)
        try:
            first = next(produced)
        except CannotClean as exc:
            self.reason = exc.reason
            replayed, tap.replay = tap.replay or [], None
            yield from self._as_uploaded(head + b"".join(replayed), stream)
            return
        except StopIteration:
            raise CleanerContractError(
                f"the {self.format} cleaner produced nothing") from None
        tap.replay = None
        written = hashlib.sha256(first)
        written_size = len(first)
        yield first
        try:
            for piece in produced:
                written.update(piece)
                written_size += len(piece)
                yield piece
        except CannotClean as exc:
            raise MalformedMedia(f"the {self.format} file could not be cleaned "
                                 f"({exc.reason})") from exc
        for _ in _rest(tap):
            pass  # what the cleaner left unread is dropped; hashed for the comparison
        same = written_size == tap.size and written.digest() == tap.digest.digest()
        self._outcome = NONE_FOUND if same else REMOVED


def clean(stream: Reader, cleaners: Mapping[str, Cleaner] = CLEANERS) -> Cleaned:
    """Sniff ``stream`` and return it cleaned (lazily: nothing past the first
    bytes is read until the caller reads)."""
    head = _read_head(stream)
    detected = sniff(head)
    return Cleaned(detected, head, stream, cleaners.get(detected.format))


def _read_head(stream: Reader) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while size < SNIFF_BYTES and (piece := stream.read(SNIFF_BYTES - size)):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _rest(stream: Reader) -> Iterator[bytes]:
    while piece := stream.read(CHUNK):
        yield piece


class _UploadTap:
    """What a cleaner reads of the upload: hashed and counted (to tell "removed"
    from "none found"), and kept until the cleaner's first yield, so that a
    file it declines can still be sealed as uploaded."""

    def __init__(self, source: Reader, head: bytes) -> None:
        self._source = source
        self.digest = hashlib.sha256(head)
        self.size = len(head)
        self.replay: list[bytes] | None = []
        self._replay_size = 0

    def read(self, size: int = CHUNK) -> bytes:
        data = self._source.read(size if size > 0 else CHUNK)
        self.digest.update(data)
        self.size += len(data)
        if self.replay is not None:
            self._replay_size += len(data)
            if self._replay_size > REPLAY_LIMIT:
                raise CleanerContractError(
                    f"a cleaner read more than {REPLAY_LIMIT} bytes before deciding")
            self.replay.append(data)
        return data
