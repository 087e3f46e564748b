"""Errors shared by the dispatcher and every cleaner (a leaf module, so a
cleaner can import it without importing the dispatcher)."""

from __future__ import annotations


class MalformedMedia(ValueError):
    """The file claims a format (by its first bytes) but its structure is broken,
    or it broke part way through cleaning. The upload is refused: sealing a
    half-cleaned file would be worse than asking for it again. The message is
    shown to the interviewer, so it names the problem, never the content."""


class UnsupportedPhoto(MalformedMedia):
    """A JPEG or PNG that cannot be parsed (truncated, bad structure, bad checksum)."""


class CannotClean(Exception):
    """Raised by a cleaner, before it yields anything, when it recognises the file
    but cannot clean it (an unsupported variant, say). The dispatcher then seals
    the file exactly as uploaded and records the metadata as "not removed".

    ``consumed``, if given, is every byte the cleaner took from the upload so
    far, the sniffed head included, in order: a cleaner that had to read far
    (an MP4 movie box, a whole document) hands it back, since the dispatcher
    keeps only ``REPLAY_LIMIT`` bytes itself. The dispatcher checks it against
    the size and SHA-256 of what was really read before sealing it."""

    def __init__(self, reason: str, consumed: bytes | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.consumed = consumed


class CleanerContractError(RuntimeError):
    """A cleaner broke the contract in :mod:`app.intake.media` (declined after
    reading past the replay limit without handing the bytes back, or handed
    back bytes that are not what it read). A bug, not bad input."""
