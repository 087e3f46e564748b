"""Export bags: written by BagWriter, checked by verify_bag, by the stock
minisign + sha256sum chain a recipient runs, and by the Library of Congress
bagit validator."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from bag_support import (
    BAG_FILES,
    INFO,
    PAYLOAD,
    TRUSTED_COMMENT,
    build_bag,
    files_of,
    out_of_band_key,
    recipient_chain,
)

from app.exports.bag import BagError, BagWriter, check_payload_path, pack, verify_bag
from crypto.errors import CryptoError
from crypto.minisign import MinisignSecretKey, parse_public_key


@pytest.fixture(scope="module")
def key() -> MinisignSecretKey:
    return MinisignSecretKey.generate()


@pytest.fixture
def bag(tmp_path: Path, key: MinisignSecretKey) -> Path:
    return build_bag(tmp_path / "witnessbox-export-7", key)


@pytest.fixture
def key_file(tmp_path: Path, key: MinisignSecretKey) -> Path:
    return out_of_band_key(tmp_path, key)


def test_a_finished_bag_holds_exactly_the_documented_files(bag: Path) -> None:
    assert files_of(bag) == BAG_FILES
    assert (bag / "bagit.txt").read_bytes() == \
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def test_a_fresh_bag_verifies_with_ours_against_the_given_key(
        bag: Path, key: MinisignSecretKey) -> None:
    report = verify_bag(bag, key.public_key)
    assert report.problems == []
    assert report.ok
    assert report.warnings == []
    assert report.trusted_comment == TRUSTED_COMMENT
    assert report.key_id == key.public_key.key_id_text
    assert report.payload_files == len(PAYLOAD)
    size = sum(len(b"".join(chunks)) for chunks in PAYLOAD.values())
    assert report.info == {**INFO, "Payload-Oxum": f"{size}.{len(PAYLOAD)}"}


def test_without_a_key_ours_uses_the_bundled_one_and_warns_about_origin(bag: Path) -> None:
    report = verify_bag(bag)
    assert report.ok, report.problems
    assert any("intact, not who made it" in warning for warning in report.warnings)


def test_a_bag_signed_by_another_key_fails_against_ours(bag: Path) -> None:
    report = verify_bag(bag, MinisignSecretKey.generate().public_key)
    assert not report.ok
    assert any("signed by key" in problem for problem in report.problems)
    assert any("export-key.pub is key" in warning for warning in report.warnings)


def test_a_fresh_bag_passes_the_recipients_stock_tool_chain(
        minisign_bin: str, bag: Path, key_file: Path) -> None:
    result = recipient_chain(minisign_bin, bag, key_file)
    assert result.failed_step is None, result.output
    assert f"Trusted comment: {TRUSTED_COMMENT}" in result.output
    for name in PAYLOAD:
        assert f"data/{name}: OK" in result.output
    # The documented one-liner, with the key shipped in the bag, as well.
    bundled = recipient_chain(minisign_bin, bag, Path("export-key.pub"))
    assert bundled.failed_step is None, bundled.output


def test_a_fresh_bag_is_valid_to_the_library_of_congress_validator(bag: Path) -> None:
    pytest.importorskip("bagit", reason="bagit (a dev dependency) is not installed")
    done = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(bag)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


def _flip(path: Path, position: int) -> None:
    content = bytearray(path.read_bytes())
    content[position] ^= 0x01
    path.write_bytes(bytes(content))


# The step of the recipient's chain that must catch a change to each file.
CATCHING_STEP = {
    "bagit.txt": "tagmanifest", "bag-info.txt": "tagmanifest",
    "export-key.pub": "tagmanifest", "manifest-sha256.txt": "tagmanifest",
    "tagmanifest-sha256.txt": "minisign", "tagmanifest-sha256.txt.minisig": "minisign",
    **{f"data/{name}": "manifest" for name in PAYLOAD},
}


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("name", BAG_FILES)
def test_one_flipped_byte_in_any_file_fails_ours_and_the_stock_chain(
        minisign_bin: str, bag: Path, key_file: Path, key: MinisignSecretKey,
        name: str, where: str) -> None:
    """None of the three positions falls in the free text of the .minisig's
    untrusted comment, the one part signed by nothing (see test_minisign).
    export-key.pub, untrusted comment included, is covered by the tag manifest."""
    target = bag / name
    size = target.stat().st_size
    _flip(target, {"first": 0, "middle": size // 2, "last": size - 1}[where])

    result = recipient_chain(minisign_bin, bag, key_file)
    assert result.failed_step == CATCHING_STEP[name], result.output
    for public_key in (key.public_key, None):
        report = verify_bag(bag, public_key)
        assert not report.ok
        assert report.problems


def test_an_extra_payload_file_is_caught_by_ours_though_sha256sum_misses_it(
        minisign_bin: str, bag: Path, key_file: Path, key: MinisignSecretKey) -> None:
    (bag / "data" / "planted.pdf").write_bytes(b"%PDF forged")
    # sha256sum -c checks only what a manifest lists: the plant goes unseen.
    assert recipient_chain(minisign_bin, bag, key_file).failed_step is None
    report = verify_bag(bag, key.public_key)
    assert not report.ok
    assert "'data/planted.pdf': in data/ but not in manifest-sha256.txt" in report.problems


def test_an_extra_tag_file_is_caught_by_ours(bag: Path, key: MinisignSecretKey) -> None:
    (bag / "README-FIRST.txt").write_text("these cases are fabricated")
    report = verify_bag(bag, key.public_key)
    assert "'README-FIRST.txt': not covered by the signed tagmanifest-sha256.txt" \
        in report.problems


def test_a_removed_payload_file_fails_both(minisign_bin: str, bag: Path, key_file: Path,
                                           key: MinisignSecretKey) -> None:
    (bag / "data" / "cases.json").unlink()
    assert recipient_chain(minisign_bin, bag, key_file).failed_step == "manifest"
    report = verify_bag(bag, key.public_key)
    assert "data/cases.json: listed in manifest-sha256.txt but missing" in report.problems


def test_a_symlink_in_the_payload_is_refused(bag: Path, key: MinisignSecretKey,
                                             tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("not part of the bag")
    (bag / "data" / "link").symlink_to(tmp_path / "outside")
    report = verify_bag(bag, key.public_key)
    assert not report.ok
    assert any("not a regular file" in problem for problem in report.problems)


def test_the_manifests_are_sorted_sha256sum_lines(bag: Path) -> None:
    manifest = (bag / "manifest-sha256.txt").read_text().splitlines()
    expected = [f"{hashlib.sha256(b''.join(PAYLOAD[name])).hexdigest()}  data/{name}"
                for name in sorted(PAYLOAD)]  # sorted by path, whatever the write order
    assert manifest == expected
    tags = [line.split("  ")[1] for line in
            (bag / "tagmanifest-sha256.txt").read_text().splitlines()]
    assert tags == ["bag-info.txt", "bagit.txt", "export-key.pub", "manifest-sha256.txt"]


# --------------------------------------------------------------- the tar


def _pack(bag: Path) -> bytes:
    out = io.BytesIO()
    pack(bag, out)
    return out.getvalue()


def test_the_tar_round_trips_and_verifies_without_extraction(
        bag: Path, tmp_path: Path, key: MinisignSecretKey) -> None:
    archive = tmp_path / "bundle.tar"
    archive.write_bytes(_pack(bag))
    report = verify_bag(archive, key.public_key)
    assert report.ok, report.problems
    assert report.trusted_comment == TRUSTED_COMMENT
    with tarfile.open(archive) as opened:
        members = opened.getmembers()
    assert members[0].name == "witnessbox-export-7"
    assert all(member.name.startswith("witnessbox-export-7") for member in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    assert {m.mode for m in members if m.isfile()} == {0o644}
    assert {m.mode for m in members if m.isdir()} == {0o755}


def test_the_unpacked_tar_passes_the_stock_chain(
        minisign_bin: str, bag: Path, tmp_path: Path, key_file: Path) -> None:
    archive = tmp_path / "bundle.tar"
    archive.write_bytes(_pack(bag))
    unpacked = tmp_path / "recipient"
    unpacked.mkdir()
    subprocess.run(["tar", "-xf", str(archive), "-C", str(unpacked)], check=True, timeout=60)
    assert recipient_chain(minisign_bin, unpacked / "witnessbox-export-7",
                           key_file).failed_step is None


def test_the_same_export_packs_to_the_same_bytes(tmp_path: Path,
                                                 key: MinisignSecretKey) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = build_bag(tmp_path / "one" / "bundle", key)
    second = build_bag(tmp_path / "two" / "bundle", key, order=list(reversed(PAYLOAD)))
    assert _pack(first) == _pack(second)


def test_a_tampered_payload_inside_the_tar_fails_ours(
        bag: Path, tmp_path: Path, key: MinisignSecretKey) -> None:
    packed = bytearray(_pack(bag))
    marker = packed.index(b"\x00\xff\x00\xff")  # inside data/report.pdf
    packed[marker] ^= 0x01
    archive = tmp_path / "bundle.tar"
    archive.write_bytes(bytes(packed))
    report = verify_bag(archive, key.public_key)
    assert "data/report.pdf: its SHA-256 does not match manifest-sha256.txt" in report.problems


def _tar_with(bag: Path, extra: tarfile.TarInfo, content: bytes = b"") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(_pack(bag))) as source, \
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        extra.size = len(content) if extra.isfile() else 0
        target.addfile(extra, io.BytesIO(content) if extra.isfile() else None)
    return out.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, link
    return member


@pytest.mark.parametrize(("member", "problem"), [
    (_member("../escaped.txt"), "unsafe name"),
    (_member("/etc/witnessbox-test"), "unsafe name"),
    (_member("witnessbox-export-7/./data/x"), "unsafe name"),
    (_member("witnessbox-export-7/data/link", tarfile.SYMTYPE, "/etc/passwd"),
     "not a regular file"),
    (_member("witnessbox-export-7/data/hard", tarfile.LNKTYPE,
             "witnessbox-export-7/bagit.txt"), "not a regular file"),
    (_member("witnessbox-export-7/data/report.pdf"), "twice"),
    (_member("another-root/file.txt"), "one folder"),
], ids=["dotdot", "absolute", "dot-part", "symlink", "hardlink", "duplicate", "second-root"])
def test_hostile_tar_members_are_reported_and_nothing_is_extracted(
        bag: Path, tmp_path: Path, key: MinisignSecretKey, member: tarfile.TarInfo,
        problem: str) -> None:
    archive = tmp_path / "hostile" / "bundle.tar"
    archive.parent.mkdir()
    archive.write_bytes(_tar_with(bag, member, b"planted"))
    report = verify_bag(archive, key.public_key)
    assert not report.ok
    assert any(problem in line for line in report.problems), report.problems
    assert sorted(p.name for p in archive.parent.iterdir()) == ["bundle.tar"]
    assert not (tmp_path / "escaped.txt").exists()


def test_garbage_instead_of_a_tar_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.tar"
    archive.write_bytes(b"this is not a tar archive at all" * 20)
    report = verify_bag(archive)
    assert not report.ok
    assert report.problems[0].startswith("not a readable tar archive")


# --------------------------------------------------------------- writing


@pytest.mark.parametrize("path", [
    "/etc/passwd", "../x", "a/../b", "./a", "a\\b", "a//b", "a/", "", ".",
    "line\nbreak", "nul\x00", "tab\tname", "100%.csv", "a:b", " lead", "trail ",
    "dot.", "\u202egpj.exe", "e\u0301.txt", "x" * 256,
], ids=["absolute", "dotdot", "inner-dotdot", "dot", "backslash", "empty-part",
        "trailing-slash", "empty", "only-dot", "newline", "nul", "tab", "percent", "colon",
        "leading-space", "trailing-space", "trailing-dot", "rtl-override", "not-nfc",
        "too-long"])
def test_unsafe_payload_paths_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(BagError, match="payload path"):
        check_payload_path(path)
    writer = BagWriter(tmp_path / "bag", INFO)
    with pytest.raises(BagError, match="payload path"):
        writer.add_file(path, [b"x"])
    assert list((tmp_path / "bag" / "data").iterdir()) == []
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("first", "second"), [
    ("report.pdf", "report.pdf"), ("Report.pdf", "report.pdf"), ("a", "a/b"), ("a/b", "a"),
], ids=["same", "case-only", "file-then-under-it", "folder-then-file"])
def test_colliding_payload_paths_are_refused(tmp_path: Path, first: str,
                                             second: str) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)
    writer.add_file(first, [b"one"])
    with pytest.raises(BagError, match="payload path"):
        writer.add_file(second, [b"two"])


def test_safe_unicode_paths_are_kept(tmp_path: Path, key: MinisignSecretKey) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)
    writer.add_file("증언/사례 1.txt", [b"x"])
    writer.finish(key, "c")
    assert verify_bag(tmp_path / "bag", key.public_key).ok
    archive = tmp_path / "bag.tar"
    archive.write_bytes(_pack(tmp_path / "bag"))
    assert _pack(tmp_path / "bag") == archive.read_bytes()
    assert verify_bag(archive, key.public_key).ok
    with tarfile.open(archive) as opened:
        assert "bag/data/증언/사례 1.txt" in opened.getnames()


def test_a_bad_trusted_comment_leaves_the_bag_finishable(tmp_path: Path,
                                                         key: MinisignSecretKey) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)
    writer.add_file("a.txt", [b"a"])
    with pytest.raises(CryptoError, match="trusted comment"):
        writer.finish(key, "two\nlines")
    assert files_of(tmp_path / "bag") == ["data/a.txt"]
    writer.finish(key, "one line")
    assert verify_bag(tmp_path / "bag", key.public_key).ok


@pytest.mark.parametrize("info", [
    {"Witnessbox-Scope": "all\nPayload-Oxum: 1.1"}, {"Witnessbox-Scope": "a\rb"},
    {"Bad Label": "x"}, {"Bad:Label": "x"}, {"Payload-Oxum": "1.1"},
    {"Witnessbox-Scope": ""}, {"Witnessbox-Scope": " padded"},
    {"Bagging-Date": "30/11/2026"}, {"Source-Organization": "a", "source-organization": "b"},
], ids=["newline-injection", "carriage-return", "space-in-label", "colon-in-label",
        "computed-label", "empty-value", "padded-value", "date-format", "twice"])
def test_bad_bag_info_is_refused_before_anything_is_written(tmp_path: Path,
                                                             info: dict[str, str]) -> None:
    with pytest.raises(BagError, match=r"bag-info|computed|given twice"):
        BagWriter(tmp_path / "bag", info)
    assert not (tmp_path / "bag").exists()


def test_a_long_value_stays_on_one_line(tmp_path: Path, key: MinisignSecretKey) -> None:
    scope = " ".join(["cases filed by the field office"] * 10)
    writer = BagWriter(tmp_path / "bag", {**INFO, "Witnessbox-Scope": scope})
    writer.finish(key, "c")
    lines = (tmp_path / "bag" / "bag-info.txt").read_text().splitlines()
    assert f"Witnessbox-Scope: {scope}" in lines
    assert verify_bag(tmp_path / "bag", key.public_key).info["Witnessbox-Scope"] == scope


def test_an_existing_folder_is_never_written_into(tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    with pytest.raises(FileExistsError):
        BagWriter(tmp_path / "bag", INFO)


def test_a_payload_that_fails_midway_leaves_no_trace(tmp_path: Path,
                                                     key: MinisignSecretKey) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)

    def failing() -> Iterator[bytes]:
        yield b"half a report"
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        writer.add_file("report.pdf", failing())
    assert not (tmp_path / "bag" / "data" / "report.pdf").exists()
    writer.add_file("report.pdf", [b"whole report"])
    writer.finish(key, "c")
    report = verify_bag(tmp_path / "bag", key.public_key)
    assert report.ok
    assert report.payload_files == 1


def test_the_writer_refuses_misuse(tmp_path: Path, key: MinisignSecretKey) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)
    with writer.open_payload("a.txt") as stream:
        stream.write(b"a")
        with pytest.raises(BagError, match="one payload file at a time"):
            writer.add_file("b.txt", [b"b"])
    writer.finish(key, "c")
    with pytest.raises(BagError, match="finished"):
        writer.add_file("c.txt", [b"c"])
    with pytest.raises(BagError, match="finish"):
        writer.finish(key, "c")


def test_the_payload_stream_works_as_a_text_file(tmp_path: Path,
                                                 key: MinisignSecretKey) -> None:
    writer = BagWriter(tmp_path / "bag", INFO)
    with writer.open_payload("cases.csv") as raw, \
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        text.write("사례,국가\r\nWB-1,RU\r\n")
    writer.finish(key, "c")
    assert (tmp_path / "bag" / "data" / "cases.csv").read_bytes() == \
        "사례,국가\r\nWB-1,RU\r\n".encode()
    assert verify_bag(tmp_path / "bag", key.public_key).ok


def test_a_large_payload_is_written_in_flat_memory(tmp_path: Path,
                                                   key: MinisignSecretKey) -> None:
    chunk = b"\x5a" * (1 << 16)
    writer = BagWriter(tmp_path / "bag", INFO)
    tracemalloc.start()
    try:
        writer.add_file("big.bin", (chunk for _ in range(512)))  # 32 MiB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024
    writer.finish(key, "c")
    assert verify_bag(tmp_path / "bag", key.public_key).info["Payload-Oxum"] == \
        f"{32 * 1024 * 1024}.1"


def test_the_bundled_public_key_is_a_minisign_key_file(bag: Path,
                                                       key: MinisignSecretKey) -> None:
    assert parse_public_key((bag / "export-key.pub").read_text()) == key.public_key
