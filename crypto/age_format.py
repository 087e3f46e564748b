"""Checking the shape of an age v1 file without any key (C2SP age spec).

A browser that seals a case itself (app.intake.presealed) sends only
ciphertext; the server cannot open it, and an age header does not name its
recipients. What it can check is structure: a v1 header whose only stanza
is one X25519 stanza (a 32-byte ephemeral share, a 32-byte wrapped file key),
a header MAC of the right length, a 16-byte payload nonce and a payload whose
length is a whole number of STREAM chunks with a proper last chunk. A file
that passes can still be garbage under a valid shape; the browser's
self-check, and later the reviewer, are what notice that.

:class:`AgeShapeCheck` is fed the bytes as they stream (in any pieces) and
keeps only the header in memory.
"""

from __future__ import annotations

import base64
import binascii
import re

from crypto.errors import CryptoError

INTRO = b"age-encryption.org/v1\n"
MAX_HEADER = 4096  # one X25519 stanza needs about 150 bytes
NONCE_SIZE = 16
TAG_SIZE = 16
CHUNK_SIZE = 64 * 1024
_SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE
_ARGUMENT = re.compile(rb"[\x21-\x7e]+")
_B64_LINE = re.compile(rb"[A-Za-z0-9+/]*")


class MalformedAge(CryptoError):
    """Not a well-formed age v1 file with exactly one X25519 stanza."""


def _b64(text: bytes, what: str) -> bytes:
    # The spec's canonical unpadded base64; padding or stray characters are refused.
    if not _B64_LINE.fullmatch(text):
        raise MalformedAge(f"{what} is not canonical base64")
    try:
        return base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise MalformedAge(f"{what} is not canonical base64") from exc


def parse_header(header: bytes) -> list[bytes]:
    """Check a complete header (through the MAC line's newline) and return the
    type of each stanza; X25519 stanzas are checked in full. Raises MalformedAge."""
    if not header.startswith(INTRO):
        raise MalformedAge("not an age v1 file")
    lines = header[len(INTRO):].split(b"\n")
    if lines[-1] != b"":
        raise MalformedAge("the age header does not end with a newline")
    lines = lines[:-1]
    stanzas: list[bytes] = []
    index = 0
    while index < len(lines) and lines[index].startswith(b"-> "):
        parts = lines[index][3:].split(b" ")
        if not parts or not all(_ARGUMENT.fullmatch(part) for part in parts):
            raise MalformedAge("a recipient stanza has a malformed header line")
        index += 1
        body = b""
        while True:
            if index >= len(lines):
                raise MalformedAge("a recipient stanza is cut short")
            line = lines[index]
            index += 1
            if len(line) > 64:
                raise MalformedAge("a recipient stanza's body line is too long")
            body += line
            if len(line) < 64:
                break
        stanzas.append(parts[0])
        if parts[0] != b"X25519":
            continue
        if len(parts) != 2 or len(_b64(parts[1], "an X25519 share")) != 32:
            raise MalformedAge("an X25519 stanza does not carry one 32-byte share")
        if len(_b64(body, "an X25519 stanza body")) != 32:
            raise MalformedAge("an X25519 stanza does not wrap a 16-byte file key")
    if index != len(lines) - 1 or not lines[index].startswith(b"--- "):
        raise MalformedAge("the age header has no MAC line where it should")
    if len(_b64(lines[index][4:], "the header MAC")) != 32:
        raise MalformedAge("the age header MAC is not 32 bytes")
    return stanzas


def check_payload_size(payload: int) -> None:
    """A nonce and STREAM chunks: every chunk but the last is full, the last
    holds at least its tag, and is empty only if it is the only one."""
    rest = payload - NONCE_SIZE
    if rest < TAG_SIZE:
        raise MalformedAge("the age payload is cut short")
    full, last = divmod(rest, _SEALED_CHUNK)
    if last == 0:
        return  # the last chunk is a full one
    if last < TAG_SIZE or (last == TAG_SIZE and full > 0):
        raise MalformedAge("the age payload does not end with a whole chunk")


class AgeShapeCheck:
    """Feed an age file in pieces; :meth:`finish` says whether it was well formed."""

    def __init__(self) -> None:
        self._header = bytearray()
        self._header_done = False
        self.size = 0
        self._payload = 0

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        if self._header_done:
            self._payload += len(data)
            return
        self._header.extend(data)
        end = self._header.find(b"\n--- ")
        if end != -1:
            newline = self._header.find(b"\n", end + 1)
            if newline != -1:
                header = bytes(self._header[:newline + 1])
                self._payload = len(self._header) - len(header)
                self._header_done = True
                del self._header[len(header):]
                self._check(header)
                return
        if not INTRO.startswith(bytes(self._header[:len(INTRO)])):
            raise MalformedAge("not an age v1 file")
        if len(self._header) > MAX_HEADER:
            raise MalformedAge("the age header is longer than 4 KiB (more than one recipient?)")

    @staticmethod
    def _check(header: bytes) -> None:
        stanzas = parse_header(header)
        if len(stanzas) != 1:
            raise MalformedAge(f"the age file has {len(stanzas)} recipient stanzas, "
                               "not exactly one")
        if stanzas[0] != b"X25519":
            raise MalformedAge("the age file's recipient stanza is not X25519")

    def finish(self) -> None:
        if not self._header_done:
            raise MalformedAge("not an age v1 file (no complete header)")
        check_payload_size(self._payload)


def check_age_file(data: bytes) -> None:
    """The whole-file form of :class:`AgeShapeCheck`, for small objects."""
    check = AgeShapeCheck()
    check.feed(data)
    check.finish()
