"""A fully worked case to shred, what it was sealed as, and scanners for its bytes."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_data import receipt_key
from media_samples import wav_bytes
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import crypto
from app.cases import service as cases
from app.clusters.service import create_cluster
from app.intake.schema import IntakeAnswers
from app.intake.sealing import AGE_SEALER
from app.intake.service import IntakeSubmission
from app.models import (
    Case,
    CaseKeyWrap,
    ClusterReason,
    LayerEvent,
    RedactionVersion,
    Role,
    SealedObject,
)
from app.storage import BlobStore


@dataclass
class Material:
    """A case's public id and every secret-bearing byte string stored for it."""

    public_id: str
    narrative_canary: str
    field_canary: str
    ciphertexts: list[bytes] = field(default_factory=list)  # inline, notes, layers
    blob_ciphertexts: list[bytes] = field(default_factory=list)
    wraps: list[bytes] = field(default_factory=list)
    # The hashes the database stores (sealed objects'; the receipt signs them).
    stored_hashes: list[str] = field(default_factory=list)
    blob_paths: list[str] = field(default_factory=list)
    narrative_ciphertext: bytes = b""

    def needles(self) -> list[tuple[str, bytes]]:
        """What must not survive: canaries, ciphertext hashes (hex) and raw windows."""
        found: list[tuple[str, bytes]] = [("narrative canary", self.narrative_canary.encode()),
                                          ("field canary", self.field_canary.encode())]
        for index, blob in enumerate([*self.ciphertexts, *self.wraps,
                                      *self.blob_ciphertexts]):
            found.append((f"sha256 of ciphertext {index}",
                          hashlib.sha256(blob).hexdigest().encode()))
            middle = len(blob) // 2
            # A window from the payload (past age's header, which has fixed text).
            found.append((f"bytes of ciphertext {index}", blob[middle - 24:middle + 24]))
        return found

    def stored_needles(self) -> list[tuple[str, bytes]]:
        """The part of :meth:`needles` that is in the database before deletion."""
        return ([(f"stored hash {h}", h.encode()) for h in self.stored_hashes]
                + [(f"stored bytes {index}", blob[len(blob) // 2 - 24:len(blob) // 2 + 24])
                   for index, blob in enumerate([*self.ciphertexts, *self.wraps])])


def file_worked_case(db: Session, org: Any, blobs: BlobStore, tag: str) -> Material:
    """A case with a canary in its narrative and a sealed field, an audio
    attachment, a note, a redaction version and a cluster link."""
    narrative_canary, field_canary = f"NarrCanary{tag}Qz7", f"FieldCanary{tag}Wx3"
    with IntakeSubmission(db, org.members[Role.INTERVIEWER], blobs, AGE_SEALER) as submission:
        submission.add_attachment("audio", "a.wav", "application/octet-stream",
                                  io.BytesIO(wav_bytes()))
        receipt = submission.store(IntakeAnswers(
            values={"sector": "logging", "consent_scopes": ["internal_only"],
                    "source_connection": "witnessed", "name_dprk": field_canary},
            narrative=f"The witness said {narrative_canary}. " * 80, indicators={}),
            receipt_key(db))
    db.commit()
    case = db.scalars(select(Case).where(Case.public_id == receipt.case_id)).one()
    reviewer = org.members[Role.REVIEWER]
    cases.add_note(db, reviewer, case, f"a note {narrative_canary}")
    db.add(RedactionVersion(case_id=case.id, number=1, author_membership_id=reviewer.id,
                            event=LayerEvent.EDITED, ciphertext=crypto.seal(
                                f'{{"spans": "{field_canary}"}}'.encode(),
                                [crypto.parse_recipient(case.case_recipient)])))
    db.commit()
    create_cluster(db, reviewer, ClusterReason.SAME_SITE, case.public_id)
    db.commit()
    return capture(db, blobs, case, narrative_canary, field_canary)


def capture(db: Session, blobs: BlobStore, case: Case, narrative_canary: str,
            field_canary: str) -> Material:
    from app.models import CaseNote

    material = Material(case.public_id, narrative_canary, field_canary)
    for obj in db.scalars(select(SealedObject).where(SealedObject.case_id == case.id)):
        material.stored_hashes.append(obj.sha256)
        if obj.inline_ciphertext:
            material.ciphertexts.append(obj.inline_ciphertext)
            if obj.kind.value == "narrative":
                material.narrative_ciphertext = obj.inline_ciphertext
        if obj.blob_path:
            material.blob_paths.append(obj.blob_path)
            with blobs.open(obj.blob_path) as handle:
                material.blob_ciphertexts.append(handle.read())
    material.ciphertexts += [note.ciphertext for note in db.scalars(
        select(CaseNote).where(CaseNote.case_id == case.id))]
    material.ciphertexts += [version.ciphertext for version in db.scalars(
        select(RedactionVersion).where(RedactionVersion.case_id == case.id))]
    material.wraps = [wrap.wrapped_key for wrap in db.scalars(
        select(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id))]
    assert material.narrative_ciphertext
    assert material.blob_paths
    assert len(material.wraps) >= 3
    return material


def files_holding(paths: Iterable[Path], needles: list[tuple[str, bytes]]) -> list[str]:
    """``what in file`` for every needle found in every existing file."""
    hits = []
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        hits += [f"{what} in {path.name}" for what, needle in needles if needle in data]
    return hits


def sqlite_files(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + suffix)
                        for suffix in ("-wal", "-journal", "-shm"))]


def postgres_relations_holding(db: Session, needles: list[tuple[str, bytes]]) -> list[str]:
    """Needles in the raw files of every table, its TOAST table and its
    indexes (pg_read_binary_file: the suite connects as a superuser)."""
    db.execute(text("CHECKPOINT"))
    relations = db.execute(text(
        "select c.relname, pg_relation_filepath(c.oid) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname in ('public', 'pg_toast') and c.relkind in ('r', 't', 'i') "
        "and pg_relation_filepath(c.oid) is not null")).all()
    hits = []
    for name, path in relations:
        data = db.execute(text("select pg_read_binary_file(CAST(:p AS text))"),
                          {"p": path}).scalar_one()
        if not data:
            continue
        hits += [f"{what} in {name}" for what, needle in needles if needle in bytes(data)]
    return hits


def postgres_columns_holding(db: Session, needles: list[tuple[str, bytes]]) -> list[str]:
    """Needles in any text, JSON or bytea value of any row (what SQL sees)."""
    columns = db.execute(text(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'public' and data_type in "
        "('text', 'character varying', 'json', 'jsonb', 'bytea')")).all()
    hits = []
    for table, column, data_type in columns:
        value = (f'"{column}"' if data_type == "bytea"
                 else f'convert_to("{column}"::text, \'UTF8\')')
        for what, needle in needles:
            # Names come from information_schema, not from input.
            found = db.execute(text(f'select count(*) from "{table}" '  # noqa: S608
                                    f"where position(:n in {value}) > 0"),
                               {"n": needle}).scalar_one()
            if found:
                hits.append(f"{what} in {table}.{column}")
    return hits
