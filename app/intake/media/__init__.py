"""Remove identifying metadata from attachments while they stream, whatever
the interviewer chose in the dropdown.

EXIF carries GPS positions, camera serial numbers and timestamps; audio tags
and document properties name witnesses and interviewers; none of it may be
sealed with a file, let alone leave in an export. Every attachment goes
through :func:`clean`: it reads the first bytes, decides what the file is from
its magic number (:mod:`.sniff`), and runs the cleaner for that format. The
dropdown is only the interviewer's label.

Cleaned (see each module for the details and what stays):

- JPEG, PNG (:mod:`.jpeg`, :mod:`.png`): decode-only segments and chunks kept.
- MP3, WAV, MP4/M4A, FLAC (:mod:`.audio`, :mod:`.wav`, :mod:`.mp4`): tags,
  non-audio chunks and metadata boxes go (same-size zeroed filler where
  offsets matter); audio bytes pass through unchanged.
- PDF, OOXML, ODF (:mod:`.documents`): in memory, up to a limit
  (``max_document_bytes`` of :func:`cleaners_for`, from the
  ``max_document_clean_mb`` setting); larger ones are sealed as uploaded.
  Comment authors inside document bodies, EXIF of embedded pictures and
  embedded files are NOT removed.
- Everything else (Ogg, AAC, AIFF, AMR, OLE, RTF, GIF, WebP, HEIF, TIFF,
  unknown): no cleaner, sealed as uploaded.

Outcome, recorded per attachment in the sealed metadata and on the receipt:

- ``"removed"``: a cleaner ran and the sealed bytes differ from the upload.
- ``"none found"``: a cleaner ran and had nothing to drop (the sealed bytes
  are the upload, byte for byte, or the cleaner rewrote the file and its
  report says it found nothing, as for a PDF saved anew).
- ``"not removed"``: no cleaner for this format, or the cleaner declined with
  :class:`CannotClean`, or its report says it passed part of the file through
  uncleaned. In the first two cases the file is sealed exactly as uploaded.
  The receipt says so: never claimed clean. ``Cleaned.reason`` says why.

A malformed JPEG or PNG is refused (:class:`UnsupportedPhoto`), as is any
file a cleaner finds broken after it started writing (:class:`MalformedMedia`).
The audio and document cleaners never refuse: what they do not understand is
declined (sealed as is) or passed through as "not removed". Any file starting
with 11 set bits is sniffed as MPEG audio; the MP3 cleaner declines unless it
finds a chain of frames, so random bytes are sealed as is.

Cleaner interface::

    Cleaner = Callable[[bytes, Reader], Iterator[bytes]]

    def strip_audio(head: bytes, source: Reader) -> Generator[bytes, None, CleanReport]: ...

- ``head`` is the first bytes of the file, already read for sniffing (up to
  ``SNIFF_BYTES``; fewer only if the file is that short). ``source.read(n)``
  returns what follows, at most ``n`` bytes at a time and ``b""`` at the end.
  ``ExactReader(source, head)`` gives exact reads over the whole file.
- The cleaner yields the cleaned file, in pieces of at most about ``CHUNK``
  bytes; it must never hold a whole large structure in memory (documents and
  MP4 movie boxes are the bounded exceptions).
- It may raise ``CannotClean(reason)`` only before it yields anything (yield
  ``b""`` to commit early). The dispatcher then seals the file as uploaded
  with outcome "not removed". To make that possible it keeps what the
  cleaner read until the first yield, up to ``REPLAY_LIMIT`` bytes. A cleaner
  that reads further before its first yield must, if it then declines, hand
  every byte it read (``head`` included, in order) back in
  ``CannotClean(reason, consumed=...)``; the dispatcher checks their size and
  SHA-256 against what was read, so nothing is lost or doubled. Declining
  past the limit without them, or with other bytes, is a
  :class:`CleanerContractError`.
- After its first yield, bad input is :class:`MalformedMedia` (or a
  subclass): the upload is refused with that message. A ``CannotClean``
  raised then is turned into ``MalformedMedia``.
- A generator cleaner may ``return`` a :class:`CleanReport`. If it says "not
  removed" (part of the file passed through uncleaned after a structural
  problem), that is the outcome, with its reason, whatever the bytes say; if
  it says "none found", a rewritten file is not claimed as "removed".
- It need not read to the end: what it leaves unread (bytes after the end of
  the image, say) is dropped, and counts as "removed".
- Import errors and helpers from :mod:`.errors`, :mod:`.streams` and
  :mod:`.common`, never from this module (which imports the cleaners).

To plug a cleaner in, add its formats (as named by :mod:`.sniff`) to
:func:`cleaners_for` below; nothing else changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from app.intake.media import documents
from app.intake.media.audio import strip_audio
from app.intake.media.common import CleanReport
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
    "CHUNK", "CLEANERS", "MAX_DOCUMENT_BYTES", "NONE_FOUND", "NOT_REMOVED", "REMOVED",
    "REPLAY_LIMIT", "SNIFF_BYTES", "CannotClean", "CleanReport", "Cleaned", "Cleaner",
    "CleanerContractError", "Detected", "ExactReader", "IteratorReader", "MalformedMedia",
    "Reader", "UnsupportedPhoto", "clean", "cleaners_for", "sniff",
]

Cleaner = Callable[[bytes, Reader], Iterator[bytes]]

REMOVED, NONE_FOUND, NOT_REMOVED = "removed", "none found", "not removed"
REPLAY_LIMIT = 1024 * 1024

# Documents are cleaned in memory (app.intake.media.documents); larger ones are
# sealed as uploaded, "not removed". The app passes its own limit
# (Settings.max_document_clean_mb) through cleaners_for().
MAX_DOCUMENT_BYTES = documents.MAX_DOCUMENT_SIZE
_DOCUMENT_FORMATS = ("pdf", "ooxml", "odf")
# Ogg, AAC (ADTS), AIFF and AMR have no cleaner; nor have OLE (legacy Office)
# and RTF documents: sealed as uploaded, "not removed".
_AUDIO_FORMATS = ("mp3", "wav", "mp4", "flac")


def cleaners_for(max_document_bytes: int = MAX_DOCUMENT_BYTES) -> Mapping[str, Cleaner]:
    """The cleaner for each format (as named by :mod:`.sniff`)."""
    return {
        "jpeg": strip_jpeg,
        "png": strip_png,
        **dict.fromkeys(_AUDIO_FORMATS, strip_audio),
        **{kind: partial(documents.strip_document, kind=kind, max_size=max_document_bytes)
           for kind in _DOCUMENT_FORMATS},
    }


CLEANERS: Mapping[str, Cleaner] = cleaners_for()


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
            yield from self._as_uploaded(tap.handed_back(exc), stream)
            return
        except StopIteration:
            raise CleanerContractError(
                f"the {self.format} cleaner produced nothing") from None
        tap.replay = None
        written = hashlib.sha256(first)
        written_size = len(first)
        yield first
        while True:
            try:
                piece = next(produced)
            except StopIteration as finished:
                verdict = finished.value
                break
            except CannotClean as exc:
                raise MalformedMedia(f"the {self.format} file could not be cleaned "
                                     f"({exc.reason})") from exc
            written.update(piece)
            written_size += len(piece)
            yield piece
        for _ in _rest(tap):
            pass  # what the cleaner left unread is dropped; hashed for the comparison
        same = written_size == tap.size and written.digest() == tap.digest.digest()
        if isinstance(verdict, CleanReport) and verdict.outcome == NOT_REMOVED:
            # The cleaner passed part of the file through uncleaned: the bytes
            # differ from the upload, but they are not clean. Never "removed".
            self.reason = verdict.reason
            self._outcome = NOT_REMOVED
        elif same:
            self._outcome = NONE_FOUND
        elif isinstance(verdict, CleanReport) and verdict.outcome == NONE_FOUND:
            # Rewritten (a PDF or zip is saved anew) with no metadata in it.
            self._outcome = NONE_FOUND
        else:
            self._outcome = REMOVED


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
    from "none found", and to check bytes a declining cleaner hands back), and
    kept until the cleaner's first yield, up to REPLAY_LIMIT, so that a file it
    declines can still be sealed as uploaded."""

    def __init__(self, source: Reader, head: bytes) -> None:
        self._source = source
        self._head = head
        self.digest = hashlib.sha256(head)
        self.size = len(head)
        self.replay: list[bytes] | None = []
        self._replay_size = 0
        self._overflowed = False

    def read(self, size: int = CHUNK) -> bytes:
        data = self._source.read(size if size > 0 else CHUNK)
        self.digest.update(data)
        self.size += len(data)
        if self.replay is not None and not self._overflowed:
            self._replay_size += len(data)
            if self._replay_size > REPLAY_LIMIT:
                # Past the limit the cleaner must hand back what it read if it
                # declines (CannotClean.consumed); holding a second copy here
                # would double the memory of a 64 MB movie box.
                self._overflowed = True
                self.replay = []
            else:
                self.replay.append(data)
        return data

    def handed_back(self, refusal: CannotClean) -> bytes:
        """Everything read so far, head included, for a cleaner that declined:
        the bytes it handed back if it did (checked against what it really
        read: a byte lost or repeated would seal a different file), else ours."""
        if refusal.consumed is not None:
            consumed = refusal.consumed
            if len(consumed) != self.size or hashlib.sha256(consumed).digest() != \
                    self.digest.digest():
                raise CleanerContractError(
                    f"a cleaner declined and handed back {len(consumed)} bytes that are not "
                    f"the {self.size} it read")
            return consumed
        if self._overflowed or self.replay is None:
            raise CleanerContractError(
                f"a cleaner read more than {REPLAY_LIMIT} bytes, then declined without "
                "handing them back")
        return self._head + b"".join(self.replay)
