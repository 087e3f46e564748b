"""What the audio and document cleaners share: the report and the byte stream.

These cleaners are called as ``clean(head, source, report)``: ``head`` is what the
caller already read from the upload to sniff its type, ``source`` gives the rest
through ``read(n)``. The cleaner yields the cleaned file in bounded pieces.

The contract the caller relies on (the report is how a witness's file is
labelled "metadata removed" or not, so it must never claim more than was done):

* ``CannotClean`` is raised only before the first piece is yielded (it comes
  out of the first ``next()``). By then the cleaner may have read past ``head``
  (an MP4 movie box before its audio can be tens of megabytes), so the
  exception carries ``consumed``: every byte already taken from the upload,
  ``head`` included, in order. The original file is ``consumed`` followed by
  whatever ``source`` still yields; the caller seals that as it is and shows
  "metadata not removed". ``consumed`` is bounded (64 MB plus a little).
  (:class:`CannotClean` and :class:`Reader` are the package's, from
  :mod:`.errors` and :mod:`.streams`.)
* Once a piece has been yielded the cleaner never raises ``CannotClean``. If it
  meets something it does not understand later on, it passes the rest of the
  upload through unchanged and sets ``report.outcome = "not removed"`` with a
  reason. Read the report only after the iterator is exhausted; a report read
  earlier (or after the consumer gave up) still says "not removed".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from app.intake.media.errors import CannotClean, CleanerContractError
from app.intake.media.streams import CHUNK, Reader

Outcome = Literal["removed", "none found", "not removed"]

PIECE_SIZE = CHUNK


@dataclass
class CleanReport:
    """Filled in by a cleaner when its iterator ends.

    ``removed`` names what was taken out (kinds of tags or chunks, never their
    content: tag text can be a witness's name). ``reason`` explains "not removed".
    """

    outcome: Outcome = "not removed"
    reason: str = "cleaning did not finish"
    removed: list[str] = field(default_factory=list)

    def note_removed(self, what: str) -> None:
        if what not in self.removed:
            self.removed.append(what)

    def finish(self) -> None:
        """The whole file went through the cleaner."""
        if self.removed:
            self.outcome = "removed"
            self.reason = "removed: " + ", ".join(self.removed)
        else:
            self.outcome = "none found"
            self.reason = ""

    def give_up(self, reason: str) -> None:
        """Part of the output is the original, uncleaned: say so."""
        self.outcome = "not removed"
        self.reason = reason


class Truncated(Exception):
    """The upload ended inside a structure that announced more bytes."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("truncated")
        self.partial = partial


class ByteStream:
    """``head`` followed by ``source``, with exact reads and a one-step push back."""

    def __init__(self, head: bytes, source: Reader) -> None:
        self._pending = bytearray(head)
        self._source = source
        self.position = 0  # bytes handed out so far (minus those pushed back)
        # Everything taken from the upload until the first piece goes out, so a
        # refusal can hand the original back (see CannotClean.consumed).
        self._recorded: bytearray | None = bytearray(head)

    def recorded(self) -> bytes:
        return bytes(self._recorded or b"")

    def stop_recording(self) -> None:
        self._recorded = None

    def read_some(self, limit: int) -> bytes:
        """Up to ``limit`` bytes (fewer only at the end of the upload, then b"")."""
        if self._pending:
            out = bytes(self._pending[:limit])
            del self._pending[:limit]
        else:
            out = self._source.read(limit)
            if self._recorded is not None:
                self._recorded += out
        self.position += len(out)
        return out

    def take(self, size: int) -> bytes:
        """Exactly ``size`` bytes; raises Truncated (carrying what was read) otherwise."""
        pieces: list[bytes] = []
        remaining = size
        while remaining:
            piece = self.read_some(min(remaining, PIECE_SIZE))
            if not piece:
                raise Truncated(b"".join(pieces))
            pieces.append(piece)
            remaining -= len(piece)
        return b"".join(pieces)

    def take_upto(self, size: int) -> bytes:
        """``size`` bytes, or fewer if the upload ends first."""
        try:
            return self.take(size)
        except Truncated as short:
            return short.partial

    def push_back(self, data: bytes) -> None:
        self._pending[:0] = data
        self.position -= len(data)

    def pieces(self, size: int | None) -> Iterator[bytes]:
        """The next ``size`` bytes (or all the rest if None) in bounded pieces.

        Stops early, without error, if the upload ends: the caller checks
        ``position`` when a shortfall matters.
        """
        remaining = size
        while remaining is None or remaining > 0:
            want = PIECE_SIZE if remaining is None else min(remaining, PIECE_SIZE)
            piece = self.read_some(want)
            if not piece:
                return
            if remaining is not None:
                remaining -= len(piece)
            yield piece

    def rest(self) -> Iterator[bytes]:
        return self.pieces(None)


def refusable(stream: ByteStream, cleaner: Iterator[bytes]) -> Iterator[bytes]:
    """Run ``cleaner`` so that a refusal carries the bytes it consumed.

    Also stops recording once the first piece is out: from then on the cleaner
    must not refuse, and memory must stay bounded.
    """
    try:
        first = next(cleaner)
    except CannotClean as refusal:
        raise CannotClean(refusal.reason, stream.recorded()) from None
    except StopIteration:
        return
    stream.stop_recording()
    yield first
    try:
        yield from cleaner
    except CannotClean as late:
        # A bug in a cleaner, not a property of the file: the caller has
        # already written pieces and must not treat this as "nothing yielded".
        raise CleanerContractError(f"cleaner refused after yielding: {late.reason}") from None


def zeroed(stream: ByteStream, size: int | None) -> Iterator[tuple[bytes, bool]]:
    """Consume ``size`` bytes and yield as many zero bytes, flagging non-zero input."""
    for piece in stream.pieces(size):
        yield bytes(len(piece)), piece.count(0) != len(piece)
