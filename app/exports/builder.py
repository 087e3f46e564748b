"""Building a bundle: open each included case once, write the bag, check for leaks.

Cases are read one at a time and let go (memory stays flat in the number of
cases): the first pass writes each case's redacted record to a working file
and keeps only its coded values for the statistics and a hash of each
masked string for the leak check; the second pass, once the export-wide
province counts are known, writes cases.json and cases.csv from that file.
The working directory is removed whatever happens, and a bundle that fails
the leak check is never packed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.audit.service import Action
from app.cases import service as cases
from app.exports import disclosure, generalise, tables
from app.exports.bag import BagWriter, pack
from app.exports.leaks import Leak, MaskedIndex
from app.exports.pdf import ReportContent, ReportQuote, pdf_text, render_pdf
from app.exports.selection import EXCLUSION_LABELS, PURPOSE_LABELS, ExportScope, Selection
from app.intake import schema
from app.models import (
    AuditEvent,
    Case,
    ExportPurpose,
    Membership,
    RedactionVersion,
    SealedKind,
    Storage,
    User,
)
from app.review import layers
from app.storage import BlobStore
from crypto.minisign import MinisignSecretKey

QUOTE_PURPOSES = frozenset({ExportPurpose.ANONYMISED_QUOTES, ExportPurpose.SHARE_UN,
                            ExportPurpose.SHARE_PROSECUTORS})
# Record-level files (redacted narratives with generalised fields) go only to
# named recipients; anonymised quotes get the narratives without the fields.
RECORD_PURPOSES = frozenset({ExportPurpose.SHARE_UN, ExportPurpose.SHARE_PROSECUTORS})
# Places published only when at least five cases of the export share them:
# the rule for provinces, applied to federal districts too (one case from
# the Far East is as findable as one from a province).
SMALL_GROUP_FIELDS = ("hometown_province", "federal_district")
QUOTES_IN_REPORT = 200
QUOTE_CHARACTERS = 700
CHUNK = 1 << 16

Progress = Callable[[int, int], None]


class LeakFound(Exception):
    """The leak check refused the bundle; the message names case and category only."""

    def __init__(self, leak: Leak) -> None:
        super().__init__(f"a string masked in case {leak.case_reference} "
                         f"(category {leak.category}) appears in {leak.file}")
        self.leak = leak


@dataclass(frozen=True)
class BuildInput:
    public_id: str
    organisation_name: str
    purpose: ExportPurpose
    scope: ExportScope
    selection: Selection
    created_at: datetime
    software_version: str
    prosecutor: crypto.Recipient | None = None
    encrypt_to: crypto.Recipient | None = None


@dataclass
class Built:
    path: Path
    sha256: str
    size: int
    files: list[str] = field(default_factory=list)


def _reference(purpose: ExportPurpose, case: Case, number: int) -> str:
    # Prosecutors need the case's own id to tie the package to its receipts;
    # everyone else gets a number that means nothing outside this bundle.
    return case.public_id if purpose is ExportPurpose.SHARE_PROSECUTORS else f"C{number:05d}"


def _approved_layer(session: Session, case: Case, case_key: crypto.CaseKey) -> layers.Layer:
    version = session.scalars(select(RedactionVersion).where(
        RedactionVersion.case_id == case.id).order_by(RedactionVersion.number.desc())
        .limit(1)).first()
    if version is None:
        return layers.Layer()
    layer = layers.Layer.from_json(crypto.open_sealed(version.ciphertext, [case_key.identity]))
    session.expunge(version)  # one case at a time: nothing of it stays in the session
    return layer


class _Builder:
    def __init__(self, session: Session, builder: Membership, identity: crypto.Identity,
                 blobs: BlobStore, spec: BuildInput, work: Path,
                 progress: Progress | None) -> None:
        self.session = session
        self.builder = builder
        self.identity = identity
        self.blobs = blobs
        self.spec = spec
        self.work = work
        self.progress = progress
        self.masked = MaskedIndex()
        self.records: list[dict[str, str]] = []
        # How many cases of the export share each province and federal district.
        self.shared: Counter[tuple[str, str]] = Counter()
        self.records_file = work / "records.jsonl"
        self.bag_dir = work / f"witnessbox-export-{spec.public_id}"
        self.bag = BagWriter(self.bag_dir, self._info())
        self.text_files: list[tuple[str, Callable[[], Iterator[str]]]] = []

    def _info(self) -> dict[str, str]:
        spec = self.spec
        info = {
            "Source-Organization": spec.organisation_name,
            "External-Identifier": spec.public_id,
            "Witnessbox-Purpose": spec.purpose.value,
            "Witnessbox-Scope": spec.scope.describe(),
            "Witnessbox-Cases-Included": str(len(spec.selection.case_ids)),
            "Witnessbox-Software-Version": spec.software_version,
            "Witnessbox-Export-Time": spec.created_at.isoformat(),
        }
        for reason, count in spec.selection.excluded_counts.items():
            info[f"Witnessbox-Cases-Excluded-{reason.replace('_', '-').title()}"] = str(count)
        return info

    # -- pass 1: every case once --------------------------------------------
    def read_cases(self) -> None:
        total = len(self.spec.selection.case_ids)
        with self.records_file.open("w", encoding="utf-8") as out:
            for number, case_id in enumerate(self.spec.selection.case_ids, start=1):
                case = self.session.get(Case, case_id)
                assert case is not None
                out.write(json.dumps(self._read_case(case, number), ensure_ascii=False) + "\n")
                self.session.expunge(case)
                if self.progress is not None:
                    self.progress(number, total)

    def _read_case(self, case: Case, number: int) -> dict[str, Any]:
        reference = _reference(self.spec.purpose, case, number)
        case_key = cases.unlock_case_key(self.session, self.builder, case, self.identity,
                                         audit_opening=False)
        sealed = cases.read_sealed_fields(case, case_key)
        texts = layers.case_texts(cases.read_narrative(case, case_key), sealed)
        layer = _approved_layer(self.session, case, case_key)
        for span in layer.spans:
            if span.masks and span.field in texts:
                self.masked.add(reference, span.category, texts[span.field][span.start:span.end])
        general = generalise.generalise_fields(sealed)
        indicators = {row.indicator: row.present for row in case.indicators}
        self.records.append(tables.record(case.sector, indicators,
                                          general.get("dispatch_start_band")))
        for name in SMALL_GROUP_FIELDS:
            if general.get(name):
                self.shared[name, str(general[name])] += 1
        if self.spec.purpose is ExportPurpose.SHARE_PROSECUTORS:
            self._add_evidence(case, case_key, reference, layer)
        narrative = texts.get(schema.NARRATIVE_FIELD, "")
        return {
            "reference": reference,
            "sector": case.sector, "recruitment": case.recruitment, "contract": case.contract,
            "source_connection": case.source_connection, "reliability": case.reliability,
            "indicators": {row.indicator: {"present": row.present, "basis": row.basis,
                                           "frequency": row.frequency}
                           for row in sorted(case.indicators, key=lambda r: r.indicator)},
            **general,
            "narrative": layers.pseudonymised(
                narrative, [s for s in layer.spans if s.field == schema.NARRATIVE_FIELD]),
        }

    # -- evidence for prosecutors -------------------------------------------
    def _add_evidence(self, case: Case, case_key: crypto.CaseKey, reference: str,
                      layer: layers.Layer) -> None:
        assert self.spec.prosecutor is not None
        folder = f"evidence/{reference}"
        # The sealed originals, byte for byte: their hashes are the receipt's.
        objects = []
        for index, obj in enumerate(sorted(case.sealed_objects, key=lambda o: o.id)):
            name = (f"{obj.kind.value}.age" if obj.kind is not SealedKind.ATTACHMENT
                    else f"attachment-{index}.age")
            if obj.storage is Storage.INLINE:
                self.bag.add_file(f"{folder}/{name}", [obj.inline_ciphertext or b""])
            else:
                with self.blobs.open(obj.blob_path or "") as handle:
                    self.bag.add_file(f"{folder}/{name}", iter(lambda: handle.read(CHUNK), b""))
            objects.append({"file": name, "kind": obj.kind.value, "object_id": obj.id,
                            "sha256": obj.sha256, "size": obj.size})
        # Only the prosecutor's identity opens the case key, and with it the originals.
        self.bag.add_file(f"{folder}/case-key.age", [case_key.wrap([self.spec.prosecutor])])
        receipt = {"case": case.public_id, "case_recipient": case.case_recipient,
                   "receipt_signature": case.receipt_signature, "objects": objects}
        self._add_text(f"{folder}/receipt.json", json.dumps(receipt, indent=2) + "\n")
        self._add_text(f"{folder}/redaction-log.csv", self._redaction_log(case, layer))
        self._add_text(f"{folder}/custody-log.csv", self._custody_log(case))

    def _redaction_log(self, case: Case, layer: layers.Layer) -> str:
        rows: list[list[str]] = [["what", "when", "who", "detail"]]
        history = self.session.scalars(select(RedactionVersion).where(
            RedactionVersion.case_id == case.id).order_by(RedactionVersion.number))
        for version in history:
            author = (self.session.get(Membership, version.author_membership_id)
                      if version.author_membership_id else None)
            rows.append([f"version {version.number} {version.event.value}",
                         version.created_at.isoformat(), author.user.email if author else "",
                         f"added {version.added_count}, accepted {version.accepted_count}, "
                         f"rejected {version.rejected_count}, swept {version.swept_count}"])
        for event in self._events(case, Action.APPROVAL):
            rows.append([f"approval {event.details.get('event', '')}",
                         event.created_at.isoformat(), self._email(event.actor_user_id),
                         f"version {event.details.get('version', '')}"])
        removed = Counter(span.category for span in layer.spans if span.masks)
        for category, count in sorted(removed.items()):
            rows.append(["removed", "", "", f"{category}: {count}"])
        return _csv(rows)

    def _custody_log(self, case: Case) -> str:
        rows: list[list[str]] = [["sequence", "time", "action", "who", "detail"]]
        for event in self._events(case, None):
            rows.append([str(event.id), event.created_at.isoformat(), event.action,
                         self._email(event.actor_user_id),
                         json.dumps(event.details, sort_keys=True)])
        return _csv(rows)

    def _events(self, case: Case, action: Action | None) -> Sequence[AuditEvent]:
        query = select(AuditEvent).where(AuditEvent.organisation_id == case.organisation_id,
                                         AuditEvent.target == case.public_id)
        if action is not None:
            query = query.where(AuditEvent.action == action.value)
        return self.session.scalars(query.order_by(AuditEvent.id)).all()

    def _email(self, user_id: int | None) -> str:
        user = self.session.get(User, user_id) if user_id else None
        return user.email if user else ""

    def _add_text(self, path: str, text: str) -> None:
        self.bag.add_file(path, [text.encode("utf-8")])
        self.text_files.append((path, lambda: iter(text.splitlines())))

    # -- statistics and pass 2 ----------------------------------------------
    def write_statistics(self) -> disclosure.Publication:
        publication = disclosure.protect(self.records, tables.specs(self.records),
                                         quasi_identifiers=tables.QUASI_IDENTIFIERS)
        self._add_text("statistics.csv", disclosure.statistics_csv(publication))
        self._add_text("suppression-log.csv", disclosure.suppression_log_csv(publication))
        return publication

    def _generalised_records(self) -> Iterator[dict[str, Any]]:
        with self.records_file.open(encoding="utf-8") as source:
            for line in source:
                row = json.loads(line)
                for name in SMALL_GROUP_FIELDS:
                    value = row.get(name)
                    if value and self.shared[name, value] < generalise.PROVINCE_MINIMUM:
                        row[name] = None
                yield row

    def write_cases(self) -> list[ReportQuote]:
        """cases.json and cases.csv, and the report's quotes; statistics-only
        exports get none of them (no record-level data at all)."""
        quotes: list[ReportQuote] = []
        if self.spec.purpose not in QUOTE_PURPOSES:
            return quotes
        with_fields = self.spec.purpose in RECORD_PURPOSES
        json_path = self.work / "cases.json"
        csv_path = self.work / "cases.csv"
        with json_path.open("w", encoding="utf-8") as as_json, \
                csv_path.open("w", encoding="utf-8", newline="") as as_csv:
            writer: csv.DictWriter[str] | None = None
            as_json.write("[\n")
            for index, row in enumerate(self._generalised_records()):
                if not with_fields:
                    row = {"reference": row["reference"], "narrative": row["narrative"]}
                as_json.write(("," if index else "") + json.dumps(row, ensure_ascii=False)
                              + "\n")
                flat = {key: (json.dumps(value, sort_keys=True) if isinstance(value, dict)
                              else value) for key, value in row.items()}
                if writer is None:
                    writer = csv.DictWriter(as_csv, fieldnames=list(flat))
                    writer.writeheader()
                writer.writerow(flat)
                if len(quotes) < QUOTES_IN_REPORT and row["narrative"].strip():
                    text = row["narrative"].strip()
                    if len(text) > QUOTE_CHARACTERS:
                        text = text[:QUOTE_CHARACTERS].rsplit(" ", 1)[0] + " …"
                    quotes.append(ReportQuote(row["reference"], text))
            as_json.write("]\n")
        for name, path in (("cases.json", json_path), ("cases.csv", csv_path)):
            with path.open("rb") as handle:
                self.bag.add_file(name, iter(lambda: handle.read(CHUNK), b""))
        self.text_files.append(("cases.json", lambda: _json_values(json_path)))
        self.text_files.append(("cases.csv", lambda: _lines(csv_path)))
        return quotes

    def write_report(self, publication: disclosure.Publication,
                     quotes: list[ReportQuote]) -> None:
        spec = self.spec
        excluded = spec.selection.excluded_counts
        summary = [
            f"{PURPOSE_LABELS[spec.purpose]}. Scope: {spec.scope.describe()}.",
            f"{len(spec.selection.case_ids)} case(s) included: every one with an approved "
            "redaction and the witness's consent to this purpose.",
        ]
        if excluded:
            summary.append("Left out: " + "; ".join(
                f"{count} ({EXCLUSION_LABELS[reason]})" for reason, count in excluded.items())
                + ".")
        summary.append("Statistics follow the organisation's disclosure rules: cells under 5 "
                       "(under 10 when crossed with a year band) are suppressed, with further "
                       "cells suppressed so that none can be worked out from totals; counts "
                       "are rounded to the nearest 5.")
        charts = [chart for chart in (
            tables.indicator_chart(publication, "", "Cases with each ILO indicator present"),
            tables.indicator_chart(publication, "year_band",
                                   "Cases with each ILO indicator present, by dispatch years"),
        ) if chart is not None]
        content = ReportContent(
            title="Witnessbox report", organisation=spec.organisation_name,
            purpose=PURPOSE_LABELS[spec.purpose], generated_at=spec.created_at,
            summary=summary,
            tables=[tables.report_table(table) for table in publication.tables],
            charts=charts, quotes=quotes if spec.purpose in QUOTE_PURPOSES else [],
            software_version=spec.software_version)
        pdf = render_pdf(content)
        self.bag.add_file("report.pdf", [pdf])
        self.text_files.append(("report.pdf", lambda: iter(pdf_text(pdf).splitlines())))

    # -- the leak check, then seal ------------------------------------------
    def check_leaks(self) -> None:
        info_lines = [f"{key}: {value}" for key, value in self._info().items()]
        sources: list[tuple[str, Callable[[], Iterator[str]]]] = [
            ("bag-info.txt", lambda: iter(info_lines)), *self.text_files]
        for name, lines in sources:
            leak = self.masked.scan(name, lines())
            if leak is not None:
                raise LeakFound(leak)

    def finish(self, key: MinisignSecretKey, out_dir: Path) -> Built:
        self.bag.finish(key, f"witnessbox export {self.spec.public_id} "
                             f"purpose={self.spec.purpose.value} "
                             f"cases={len(self.spec.selection.case_ids)} "
                             f"time={self.spec.created_at.isoformat()}")
        name = f"witnessbox-export-{self.spec.public_id}.tar"
        tar_path = self.work / name
        with tar_path.open("wb") as handle:
            pack(self.bag_dir, handle)
        if self.spec.encrypt_to is not None:
            sealed_path = self.work / f"{name}.age"
            with tar_path.open("rb") as source, sealed_path.open("wb") as sink:
                crypto.seal_stream(source, sink, [self.spec.encrypt_to])
            tar_path.unlink()
            tar_path, name = sealed_path, f"{name}.age"
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        final = out_dir / name
        shutil.move(tar_path, final)
        final.chmod(0o600)
        return Built(final, _sha256(final), final.stat().st_size)


def build(session: Session, builder: Membership, identity: crypto.Identity, blobs: BlobStore,
          spec: BuildInput, *, out_dir: Path, key: MinisignSecretKey,
          progress: Progress | None = None) -> Built:
    """Build, leak-check, sign and pack the bundle into ``out_dir``.

    Raises LeakFound (nothing is kept) if any masked string appears in any output.
    """
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=out_dir))
    try:
        job = _Builder(session, builder, identity, blobs, spec, work, progress)
        job.read_cases()
        publication = job.write_statistics()
        quotes = job.write_cases()
        job.write_report(publication, quotes)
        job.check_leaks()
        return job.finish(key, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        yield from handle


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_values(path: Path) -> Iterator[str]:
    """cases.json's strings as the recipient reads them (JSON escapes undone)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip().lstrip(",")
            if line.startswith("{"):
                yield from _strings(json.loads(line))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
