"""The backup archive: a plain tar, streamed, with a signed manifest at its end.

Layout (every member a regular file, mode 0600)::

    database/witnessbox.sqlite3   or   database/witnessbox.pgdump
    blobs/<organisation>/<case>/<object>.age     (ciphertext, as in blob_dir)
    audit/checkpoints.jsonl       the audit_checkpoint_log file, if one is configured
    manifest.json     format, time, software, database kind, counts, and the
                      size and SHA-256 of every member above
    manifest.sig      Ed25519 signature of manifest.json by the audit signing key

The manifest comes last because the members are hashed as they stream past:
nothing is read twice and nothing is held in memory but the hashes. The whole
tar is then sealed with age (app.backup.service), so ``age -d -i KEY | tar -t``
lists it with stock tools.

Why a signature: age to an X25519 recipient does not authenticate the sender,
and a recovery recipient is public. Anyone could seal a forged archive (an
extra admin key in the database, say) to it; the manifest's hashes alone would
only catch accidents. The audit signing key lives outside the database and
outside the backups, so a forger does not have it.

Nothing here knows about Flask or SQLAlchemy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import tarfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from crypto.errors import CryptoError
from crypto.signing import SigningKey, VerifyKey

FORMAT = "witnessbox-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_DOMAIN = b"witnessbox-backup-manifest-v1\n"
DATABASE_MEMBERS = {"sqlite": "database/witnessbox.sqlite3",
                    "postgresql": "database/witnessbox.pgdump"}
BLOB_PREFIX = "blobs/"
CHECKPOINT_LOG = "audit/checkpoints.jsonl"
# What app.storage.BlobStore.object_path makes: organisation id, case id, object id.
BLOB_PATH = re.compile(r"[0-9]+/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}\.age")
CHUNK = 64 * 1024
BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE
# A manifest lists every blob (about 150 bytes each): this allows millions.
MAX_MANIFEST_BYTES = 512 * 1024 * 1024


class BackupError(Exception):
    """The backup cannot be made, verified or restored; the message says why in one line."""


@dataclass(frozen=True)
class MemberSource:
    """One member to write: its name, size, and a function that opens its bytes."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]
    # Called with the SHA-256 of what was written (a blob checks its recorded hash).
    check: Callable[[str], None] | None = None


@dataclass
class Written:
    """The size and SHA-256 of each member written so far, in order."""

    members: list[dict[str, Any]] = field(default_factory=list)


def _header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, mtime, 0o600, tarfile.REGTYPE
    info.uname = info.gname = ""
    return info.tobuf(format=tarfile.PAX_FORMAT, encoding="utf-8", errors="strict")


def _padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def tar_stream(members: Iterable[MemberSource], finish: Callable[[Written], list[tuple[str,
               bytes]]], mtime: int) -> Iterator[bytes]:
    """The tar's bytes, member by member: file contents in 64 KiB chunks.

    ``finish`` is called after the last member with what was written and
    returns the closing members (manifest and signature) as (name, bytes).
    """
    written = Written()
    total = 0

    def emit(chunk: bytes) -> bytes:
        nonlocal total
        total += len(chunk)
        return chunk

    for member in members:
        yield emit(_header(member.name, member.size, mtime))
        digest, count = hashlib.sha256(), 0
        with member.open() as source:
            while count < member.size:
                chunk = source.read(min(CHUNK, member.size - count))
                if not chunk:
                    break
                digest.update(chunk)
                count += len(chunk)
                yield emit(chunk)
            if count != member.size or source.read(1):
                raise BackupError(f"{member.name} changed size while it was copied "
                                  f"(expected {member.size} bytes)")
        if member.check is not None:
            member.check(digest.hexdigest())
        yield emit(_padding(member.size))
        written.members.append({"name": member.name, "size": member.size,
                                "sha256": digest.hexdigest()})
    for name, data in finish(written):
        yield emit(_header(name, len(data), mtime))
        yield emit(data)
        yield emit(_padding(len(data)))
    end = b"\0" * (2 * BLOCK)
    yield emit(end)
    yield b"\0" * (-total % RECORD)


class ChunkReader:
    """``read(n)`` over an iterator of byte chunks (what pyrage's encryption pulls from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return b""
        if size is None or size < 0:
            size = len(self._buffer)
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=True).encode("ascii")


def sign_manifest(data: bytes, key: SigningKey) -> bytes:
    return json.dumps({
        "public_key": base64.b64encode(key.verify_key.raw).decode("ascii"),
        "signature": base64.b64encode(key.sign(SIGNATURE_DOMAIN + data)).decode("ascii"),
    }, sort_keys=True).encode("ascii") + b"\n"


def check_signature(data: bytes, signature: bytes, accepted: Iterable[VerifyKey]) -> str:
    """The signer's public key (base64) if ``signature`` signs ``data`` by an accepted key."""
    try:
        parsed = json.loads(signature)
        public_key = str(parsed["public_key"])
        raw = base64.b64decode(parsed["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BackupError("manifest.sig is unreadable") from None
    keys = {base64.b64encode(key.raw).decode("ascii"): key for key in accepted}
    key = keys.get(public_key)
    if key is None:
        raise BackupError(f"the manifest is signed by {public_key}, which is not this "
                          "instance's audit signing key nor one of audit_verify_keys")
    try:
        key.verify(raw, SIGNATURE_DOMAIN + data)
    except CryptoError:
        raise BackupError("the manifest's signature does not verify (manifest changed)") \
            from None
    return public_key


class MemberSink(Protocol):
    """Where verify and restore put a member's bytes as they stream past."""

    def open(self, name: str) -> IO[bytes] | None: ...


@dataclass(frozen=True)
class Checked:
    manifest: dict[str, Any]
    signer: str


def _allowed(name: str) -> bool:
    if name in DATABASE_MEMBERS.values() or name == CHECKPOINT_LOG:
        return True
    return name.startswith(BLOB_PREFIX) and bool(BLOB_PATH.fullmatch(name[len(BLOB_PREFIX):]))


def read_archive(plaintext: IO[bytes], accepted: Iterable[VerifyKey],
                 sink: MemberSink | None = None) -> Checked:
    """Walk the tar ``plaintext``, hash every member, and check them against the
    signed manifest; members go to ``sink`` when given (restore). Raises
    BackupError (or CryptoError from a damaged age stream) on the first problem."""
    seen: dict[str, tuple[int, str]] = {}
    manifest_data = signature = None
    try:
        with tarfile.open(fileobj=plaintext, mode="r|") as tar:
            for info in tar:
                name = info.name
                if signature is not None:
                    raise BackupError(f"member {name!r} follows the manifest's signature")
                if not info.isreg():
                    raise BackupError(f"member {name!r} is not a regular file")
                if name in seen or (name == MANIFEST and manifest_data is not None):
                    raise BackupError(f"member {name!r} appears twice")
                source = tar.extractfile(info)
                assert source is not None  # a regular file
                if name in (MANIFEST, SIGNATURE):
                    if name == SIGNATURE and manifest_data is None:
                        raise BackupError("manifest.sig comes before manifest.json")
                    if info.size > MAX_MANIFEST_BYTES:
                        raise BackupError(f"{name} is implausibly large")
                    data = source.read()
                    if name == MANIFEST:
                        manifest_data = data
                    else:
                        signature = data
                    continue
                if manifest_data is not None:
                    raise BackupError(f"member {name!r} follows the manifest")
                if not _allowed(name):
                    raise BackupError(f"unexpected member {name!r} (not in a backup's layout)")
                seen[name] = _copy(source, sink.open(name) if sink else None)
    except tarfile.TarError as exc:
        raise BackupError(f"not a readable tar inside: {exc}") from None
    # The rest of the stream is the tar's zero padding; reading it to the end
    # lets age check that the file was not cut short.
    while block := plaintext.read(CHUNK):
        if block.strip(b"\0"):
            raise BackupError("data after the end of the tar")
    if manifest_data is None or signature is None:
        raise BackupError("the archive has no manifest (cut short, or not a backup)")
    return Checked(*_check_manifest(manifest_data, signature, seen, accepted))


def _copy(source: IO[bytes], target: IO[bytes] | None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if target is not None:
                target.write(chunk)
    finally:
        if target is not None:
            target.close()
    return size, digest.hexdigest()


def _check_manifest(data: bytes, signature: bytes, seen: dict[str, tuple[int, str]],
                    accepted: Iterable[VerifyKey]) -> tuple[dict[str, Any], str]:
    signer = check_signature(data, signature, accepted)
    try:
        manifest = json.loads(data)
        if manifest.get("format") != FORMAT:
            raise BackupError("manifest.json is not a Witnessbox backup manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"backup format version {manifest.get('format_version')!r} is "
                              f"not {FORMAT_VERSION}, the one this software reads")
        listed = {str(m["name"]): (int(m["size"]), str(m["sha256"]))
                  for m in manifest["members"]}
        kind = manifest["database"]["kind"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError("manifest.json is unreadable") from None
    if DATABASE_MEMBERS.get(kind) not in listed:
        raise BackupError("the manifest lists no database member")
    for name in sorted(listed.keys() - seen.keys()):
        raise BackupError(f"member {name!r} is listed in the manifest but missing")
    for name in sorted(seen.keys() - listed.keys()):
        raise BackupError(f"member {name!r} is not listed in the manifest (added)")
    for name, (size, sha256) in seen.items():
        if listed[name] != (size, sha256):
            raise BackupError(f"member {name!r} does not match its SHA-256 in the manifest "
                              "(changed)")
    return manifest, signer
