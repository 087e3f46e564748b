"""Export bundles: BagIt bags (RFC 8493) whose tag manifest is minisign-signed.

Layout (the bag's root folder is the bundle's name)::

    bagit.txt  bag-info.txt  data/...  manifest-sha256.txt
    export-key.pub  tagmanifest-sha256.txt  tagmanifest-sha256.txt.minisig

The manifests are in exactly ``sha256sum``'s format, and the tag manifest
covers every tag file (export-key.pub included) except its own signature, so a
recipient checks a bundle from its root with stock tools alone::

    minisign -Vm tagmanifest-sha256.txt -p export-key.pub \\
      && sha256sum -c tagmanifest-sha256.txt && sha256sum -c manifest-sha256.txt

``sha256sum -c`` does not notice files that no manifest lists; :func:`verify_bag`
does, and reports each one.

Payload paths are refused unless they are plain relative paths that every
platform can hold and that need no escaping in either format (no ``%``, no
backslash, no control characters), because sha256sum and RFC 8493 escape such
names differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import tarfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from crypto.errors import CryptoError
from crypto.minisign import (
    MinisignPublicKey,
    MinisignSecretKey,
    parse_public_key,
    public_key_text,
    sign,
    verify,
)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

BAGIT_TXT = "bagit.txt"
BAG_INFO_TXT = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
SIGNATURE = TAG_MANIFEST + ".minisig"
PUBLIC_KEY = "export-key.pub"
PAYLOAD_DIR = "data"
BAGIT_DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
# Labels this module computes; a caller may not supply them.
COMPUTED_LABELS = frozenset({"Payload-Oxum"})

_CHUNK = 1 << 16
_FILE_MODE = 0o600  # on the exporting server; pack() writes 0644 into the tar
_MAX_TAG_FILE_BYTES = 1 << 20
_MAX_COMPONENT = 255
_MAX_PATH = 1024
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]{64}) [ *](.+)\Z")
# Characters Windows cannot hold in a name; recipients may well use Windows.
_NON_PORTABLE = set('<>:"|?*\\%')


class BagError(ValueError):
    """A bag cannot be written as asked: an unsafe path, a bad label, misuse."""


def _bad_character(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}:
            return f"U+{ord(char):04X}"
    return None


def check_payload_path(relative_path: str) -> str:
    """Return ``relative_path`` if it is a safe payload path (below data/), else
    raise :class:`BagError` saying why. Separators are ``/``."""
    if not isinstance(relative_path, str) or not relative_path:
        raise BagError("a payload path is a non-empty string")
    shown = ascii(relative_path)
    if len(relative_path.encode("utf-8")) > _MAX_PATH:
        raise BagError(f"payload path too long: {shown}")
    if (bad := _bad_character(relative_path)) is not None:
        raise BagError(f"payload path has a control or format character ({bad}): {shown}")
    if unicodedata.normalize("NFC", relative_path) != relative_path:
        raise BagError(f"payload path is not in Unicode NFC form: {shown}")
    if relative_path.startswith("/"):
        raise BagError(f"payload path is absolute: {shown}")
    for part in relative_path.split("/"):
        if part in {"", ".", ".."}:
            raise BagError(f"payload path has an empty, '.' or '..' part: {shown}")
        if used := sorted(_NON_PORTABLE & set(part)):
            raise BagError(f"payload path has {' '.join(used)}: {shown}")
        if part != part.strip() or part.endswith("."):
            raise BagError(f"payload path part starts or ends with a space or dot: {shown}")
        if len(part.encode("utf-8")) > _MAX_COMPONENT:
            raise BagError(f"payload path part too long: {shown}")
    return relative_path


def _collision_key(path: str) -> str:
    # Two names a case-insensitive file system (a recipient's Mac or Windows
    # machine) would unpack onto one file are duplicates.
    return path.casefold()


def _check_info(info: Mapping[str, str]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    checked: list[tuple[str, str]] = []
    for label, value in info.items():
        if not isinstance(label, str) or not _LABEL.match(label):
            raise BagError(f"bag-info label must be letters, digits, '.', '_', '-': "
                           f"{label!a}")
        if label.casefold() in seen:
            raise BagError(f"bag-info label given twice: {label}")
        if label in COMPUTED_LABELS:
            raise BagError(f"{label} is computed by the bag writer, not given")
        seen.add(label.casefold())
        if not isinstance(value, str) or not value or value != value.strip():
            raise BagError(f"bag-info {label}: a value is non-empty text without "
                           "leading or trailing space")
        if (bad := _bad_character(value)) is not None:
            # Newlines would inject labels; other control characters have no
            # business in a tag file either.
            raise BagError(f"bag-info {label}: control or format character {bad}")
        if label == "Bagging-Date" and not _DATE.match(value):
            raise BagError("bag-info Bagging-Date is YYYY-MM-DD")
        checked.append((label, value))
    return checked


class PayloadWriter(io.RawIOBase):
    """A payload file being written: bytes go to disk and into its SHA-256."""

    def __init__(self, handle: BinaryIO, relative_path: str) -> None:
        super().__init__()
        self._handle = handle
        self._digest = hashlib.sha256()
        self._name = relative_path
        self.size = 0

    @property
    def name(self) -> str:
        """The payload path below data/ (what io.TextIOWrapper shows as its name)."""
        return self._name

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        if self.closed:
            raise ValueError("write to a closed payload file")
        view = memoryview(data).cast("B")
        self._handle.write(view)
        self._digest.update(view)
        self.size += len(view)
        return len(view)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class _Entry:
    sha256: str
    size: int


class BagWriter:
    """Write a bag into a new ``directory``, one payload file at a time.

    Memory stays flat: each file is hashed while written. Nothing is signed
    until :meth:`finish`; a bag abandoned before that has no signature and no
    manifests, so it can never pass as complete.
    """

    def __init__(self, directory: Path, info: Mapping[str, str]) -> None:
        self._info = _check_info(info)
        self.directory = Path(directory)
        self.directory.mkdir()  # never into an existing folder
        (self.directory / PAYLOAD_DIR).mkdir()
        self._entries: dict[str, _Entry] = {}
        self._files: set[str] = set()
        self._dirs: set[str] = set()
        self._writing = False
        self._finished = False

    def _claim(self, relative_path: str) -> None:
        check_payload_path(relative_path)
        key = _collision_key(relative_path)
        parents = ["/".join(key.split("/")[:n]) for n in range(1, key.count("/") + 1)]
        if key in self._files or key in self._dirs:
            raise BagError(f"payload path used twice: {relative_path!a}")
        if any(parent in self._files for parent in parents):
            raise BagError(f"payload path lies under a file: {relative_path!a}")
        self._files.add(key)
        self._dirs.update(parents)

    @contextmanager
    def open_payload(self, relative_path: str) -> Iterator[PayloadWriter]:
        """A writable binary stream for ``data/<relative_path>``. If the block
        raises, the partial file is removed and the path can be used again."""
        if self._finished:
            raise BagError("the bag is finished")
        if self._writing:
            raise BagError("one payload file at a time")
        self._claim(relative_path)
        target = self.directory / PAYLOAD_DIR / relative_path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                                 _FILE_MODE)
        except BaseException:
            self._files.discard(_collision_key(relative_path))
            raise
        self._writing = True
        try:
            with os.fdopen(descriptor, "wb") as handle:
                writer = PayloadWriter(handle, relative_path)
                yield writer
            self._entries[relative_path] = _Entry(writer.sha256, writer.size)
        except BaseException:
            target.unlink(missing_ok=True)
            self._files.discard(_collision_key(relative_path))
            raise
        finally:
            self._writing = False

    def add_file(self, relative_path: str, chunks: Iterable[bytes]) -> None:
        """Write ``data/<relative_path>`` from ``chunks`` (bytes, one at a time)."""
        with self.open_payload(relative_path) as writer:
            for chunk in chunks:
                writer.write(chunk)

    def finish(self, key: MinisignSecretKey, trusted_comment: str) -> None:
        """Write the tag files and sign the tag manifest with ``key``."""
        if self._finished or self._writing:
            raise BagError("finish() once, after the last payload file is closed")
        root = self.directory
        manifest = "".join(f"{entry.sha256}  {PAYLOAD_DIR}/{path}\n"
                           for path, entry in sorted(self._entries.items()))
        labels = dict(self._info)
        labels.setdefault("Bagging-Date", dt.datetime.now(dt.UTC).date().isoformat())
        octets = sum(entry.size for entry in self._entries.values())
        labels["Payload-Oxum"] = f"{octets}.{len(self._entries)}"
        # No line folding: RFC 8493 allows it, but readers unfold differently
        # (bagit.py keeps the line break), so long values stay on one line.
        bag_info = "".join(f"{label}: {value}\n" for label, value in labels.items())
        tag_files = {
            BAGIT_TXT: BAGIT_DECLARATION,
            BAG_INFO_TXT: bag_info.encode("utf-8"),
            MANIFEST: manifest.encode("utf-8"),
            PUBLIC_KEY: public_key_text(key).encode("ascii"),
        }
        tag_manifest = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n"
                               for name, content in sorted(tag_files.items()))
        tag_files[TAG_MANIFEST] = tag_manifest.encode("utf-8")
        # Signed before anything is written: a bad trusted comment or key
        # leaves the bag unfinished but still finishable.
        tag_files[SIGNATURE] = sign(key, tag_files[TAG_MANIFEST],
                                    trusted_comment).encode("utf-8")
        for name, content in tag_files.items():
            _write_new(root / name, content)
        self._finished = True


def _write_new(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         _FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


# ---------------------------------------------------------------- packing


def _walk(directory: Path) -> Iterator[tuple[str, Path, bool]]:
    """(relative posix path, path, is_dir) in sorted order, parents first;
    refuses anything but regular files and directories."""
    def visit(folder: Path, prefix: str) -> Iterator[tuple[str, Path, bool]]:
        for child in sorted(folder.iterdir(), key=lambda p: p.name.encode("utf-8")):
            relative = f"{prefix}{child.name}"
            mode = child.lstat().st_mode
            if stat.S_ISDIR(mode):
                yield relative, child, True
                yield from visit(child, relative + "/")
            elif stat.S_ISREG(mode):
                yield relative, child, False
            else:
                raise BagError(f"not a regular file or folder: {relative!a}")
    yield from visit(directory, "")


def pack(directory: Path, out: BinaryIO, mtime: int = 0) -> None:
    """Write the bag at ``directory`` to ``out`` as an uncompressed tar whose
    one root folder is the bag's name. Reproducible: sorted names, fixed
    mtime, uid/gid 0, no owner names, modes 0755/0644. Streams file by file."""
    directory = Path(directory)
    root = directory.name
    check_payload_path(root)

    def info(name: str, is_dir: bool, size: int = 0) -> tarfile.TarInfo:
        entry = tarfile.TarInfo(name)
        entry.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
        entry.mode = 0o755 if is_dir else 0o644
        entry.size = size
        entry.mtime = mtime
        entry.uid = entry.gid = 0
        entry.uname = entry.gname = ""
        return entry

    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(info(root, True))
        for relative, path, is_dir in _walk(directory):
            if is_dir:
                archive.addfile(info(f"{root}/{relative}", True))
                continue
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                archive.addfile(info(f"{root}/{relative}", False, size), handle)


# ---------------------------------------------------------------- verifying


@dataclass
class BagReport:
    """What :func:`verify_bag` found. ``ok`` only with no problem at all."""

    ok: bool
    problems: list[str]
    info: dict[str, str]
    trusted_comment: str | None
    warnings: list[str] = field(default_factory=list)
    key_id: str | None = None  # the verified signer, as minisign prints it
    payload_files: int = 0


@dataclass
class _Seen:
    sha256: str
    size: int
    content: bytes | None  # kept for tag files (outside data/) only


def _hash_stream(stream: IO[bytes], keep: bool) -> _Seen:
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if keep and size <= _MAX_TAG_FILE_BYTES:
            kept += chunk
    content = bytes(kept) if keep and size <= _MAX_TAG_FILE_BYTES else None
    return _Seen(digest.hexdigest(), size, content)


def _is_tag_file(relative: str) -> bool:
    return not relative.startswith(PAYLOAD_DIR + "/")


def _read_directory(directory: Path, problems: list[str]) -> dict[str, _Seen]:
    seen: dict[str, _Seen] = {}
    try:
        for relative, path, is_dir in _walk(directory):
            if not is_dir:
                descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(descriptor, "rb") as handle:
                    seen[relative] = _hash_stream(handle, _is_tag_file(relative))
    except BagError as exc:
        problems.append(str(exc))
    return seen


def _read_tar(path: Path, problems: list[str]) -> dict[str, _Seen]:
    """Hash every member as it streams past; nothing is extracted anywhere."""
    seen: dict[str, _Seen] = {}
    roots: set[str] = set()
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            name = member.name.removesuffix("/") if member.isdir() else member.name
            parts = name.split("/")
            if name.startswith("/") or "\\" in name or {"", ".", ".."} & set(parts):
                problems.append(f"unsafe name in the archive: {member.name!a}")
                continue
            roots.add(parts[0])
            if member.isdir():
                continue
            relative = "/".join(parts[1:])
            if not member.isfile() or not relative:
                problems.append(f"not a regular file in the archive: {member.name!a}")
                continue
            if relative in seen:
                problems.append(f"the archive holds {relative!a} twice")
                continue
            stream = archive.extractfile(member)
            assert stream is not None  # a regular file always has a stream
            seen[relative] = _hash_stream(stream, _is_tag_file(relative))
    if len(roots) != 1:
        problems.append(f"the archive must hold one folder, it holds {len(roots)}")
    return seen


def parse_manifest(text: str, what: str, problems: list[str]) -> dict[str, str]:
    """``sha256sum`` lines as {path: lowercase hex}; bad lines go to problems."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        match = _MANIFEST_LINE.match(line)
        if match is None:
            problems.append(f"{what} line {number} is not '<sha256>  <path>'")
            continue
        digest, name = match.group(1).lower(), match.group(2)
        if name in entries:
            problems.append(f"{what} lists {name!a} twice")
        entries[name] = digest
    return entries


def parse_tags(text: str) -> dict[str, str]:
    """bag-info.txt as a dict; folded lines are joined as RFC 2822 unfolds them."""
    tags: dict[str, str] = {}
    label: str | None = None
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if line[0] in " \t" and label is not None:
            tags[label] += line
            continue
        label, _, value = line.partition(":")
        label = label.strip()
        tags[label] = value.strip()
    return {name: value.strip() for name, value in tags.items()}


def _text(seen: dict[str, _Seen], name: str, problems: list[str]) -> str | None:
    entry = seen.get(name)
    if entry is None:
        problems.append(f"{name} is missing")
        return None
    if entry.content is None:
        problems.append(f"{name} is larger than {_MAX_TAG_FILE_BYTES} bytes")
        return None
    try:
        return entry.content.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name} is not UTF-8")
        return None


def _check_signature(seen: dict[str, _Seen], tag_manifest: str | None,
                     public_key: MinisignPublicKey | None, report: BagReport) -> None:
    problems, warnings = report.problems, report.warnings
    bundled: MinisignPublicKey | None = None
    if (bundled_text := _text(seen, PUBLIC_KEY, [])) is not None:
        try:
            bundled = parse_public_key(bundled_text)
        except CryptoError as exc:
            (warnings if public_key else problems).append(f"{PUBLIC_KEY}: {exc}")
    if public_key is None:
        public_key = bundled
        if public_key is not None:
            warnings.append(f"checked against the bag's own {PUBLIC_KEY}: this proves the "
                            "bundle is intact, not who made it; obtain the exporting "
                            "organisation's public key by another channel and pass it")
        elif PUBLIC_KEY not in seen:
            problems.append(f"no public key given and {PUBLIC_KEY} is missing")
    elif bundled is not None and bundled != public_key:
        warnings.append(f"the bag's {PUBLIC_KEY} is key {bundled.key_id_text}, not the "
                        "key given; only the given key was used")
    signature = _text(seen, SIGNATURE, problems)
    if public_key is None or signature is None or tag_manifest is None:
        return
    try:
        report.trusted_comment = verify(public_key, tag_manifest.encode("utf-8"), signature)
        report.key_id = public_key.key_id_text
    except CryptoError as exc:
        problems.append(f"{SIGNATURE}: {exc}")


def _check_digests(listed: dict[str, str], seen: dict[str, _Seen], what: str,
                   problems: list[str]) -> None:
    for name, digest in sorted(listed.items()):
        entry = seen.get(name)
        if entry is None:
            problems.append(f"{name}: listed in {what} but missing")
        elif entry.sha256 != digest:
            problems.append(f"{name}: its SHA-256 does not match {what}")


def _check(seen: dict[str, _Seen], public_key: MinisignPublicKey | None,
           problems: list[str]) -> BagReport:
    report = BagReport(ok=False, problems=problems, info={}, trusted_comment=None)
    declaration = _text(seen, BAGIT_TXT, problems)
    if declaration is not None:
        tags = parse_tags(declaration)
        if tags.get("BagIt-Version") != "1.0" \
                or tags.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
            problems.append(f"{BAGIT_TXT} does not declare BagIt 1.0 in UTF-8")
    tag_text = _text(seen, TAG_MANIFEST, problems)
    _check_signature(seen, tag_text, public_key, report)
    tag_listed = parse_manifest(tag_text, TAG_MANIFEST, problems) if tag_text else {}
    for required in (BAGIT_TXT, BAG_INFO_TXT, MANIFEST):
        if required not in tag_listed:
            problems.append(f"{TAG_MANIFEST} does not cover {required}")
    if unsafe := [name for name in tag_listed if "/" in name or name in {".", ".."}]:
        problems.append(f"{TAG_MANIFEST} lists files outside the bag's root: "
                        f"{', '.join(map(ascii, unsafe))}")
    _check_digests(tag_listed, seen, TAG_MANIFEST, problems)

    manifest_text = _text(seen, MANIFEST, [])
    listed = parse_manifest(manifest_text, MANIFEST, problems) if manifest_text else {}
    for name in listed:
        if not name.startswith(PAYLOAD_DIR + "/"):
            problems.append(f"{MANIFEST} lists {name!a}, outside {PAYLOAD_DIR}/")
    _check_digests(listed, seen, MANIFEST, problems)
    report.payload_files = len(listed)

    for name in sorted(seen):
        if _is_tag_file(name):
            if name not in tag_listed and name not in {TAG_MANIFEST, SIGNATURE}:
                problems.append(f"{name!a}: not covered by the signed {TAG_MANIFEST}")
        elif name not in listed:
            problems.append(f"{name!a}: in {PAYLOAD_DIR}/ but not in {MANIFEST}")

    if (info_text := _text(seen, BAG_INFO_TXT, problems)) is not None:
        report.info = parse_tags(info_text)
        payload = [entry for name, entry in seen.items() if not _is_tag_file(name)]
        oxum = f"{sum(entry.size for entry in payload)}.{len(payload)}"
        if report.info.get("Payload-Oxum") != oxum:
            problems.append(f"Payload-Oxum is {report.info.get('Payload-Oxum')!r}, "
                            f"the payload is {oxum}")
    report.ok = not problems
    return report


def verify_bag(path: Path, public_key: MinisignPublicKey | None = None) -> BagReport:
    """Check a bag (a folder, or a tar of one; gzip is fine) and report every
    problem found. Without ``public_key`` the bag's own export-key.pub is used,
    and the report warns that this proves integrity, not origin."""
    path = Path(path)
    problems: list[str] = []
    if path.is_dir():
        seen = _read_directory(path, problems)
    elif path.is_file():
        try:
            seen = _read_tar(path, problems)
        except (tarfile.TarError, EOFError, OSError) as exc:
            problems.append(f"not a readable tar archive: {type(exc).__name__}")
            return BagReport(ok=False, problems=problems, info={}, trusted_comment=None)
    else:
        problems.append(f"{path} is neither a folder nor a file")
        return BagReport(ok=False, problems=problems, info={}, trusted_comment=None)
    return _check(seen, public_key, problems)
