"""The manifest of a case sealed in the browser, and the coded answers beside it.

What the page sends with its ciphertext (app.intake.presealed): which part is
the narrative, the fields, each attachment (its id, detected kind and the
browser's metadata report) and each key wrap (its recipient), with every
stated size; the coded answers, checked with the intake form's own
validators; and the bands of sealed wages. Also what the page needs to build
its plaintexts the way the server does (:func:`sealing_schema`).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import crypto
from app.intake import schema
from app.intake.forms import LONG_TEXT_LIMIT, NARRATIVE_LIMIT, TEXT_LIMIT, IntakeForm
from app.intake.media import NONE_FOUND, NOT_REMOVED, REMOVED
from app.intake.schema import IntakeAnswers, Kind

# What the receipt and the case view say for a file the server never saw in
# the clear: the browser's report, marked as such (fits the 16-character column).
BROWSER_REMOVED = "browser: removed"
BROWSER_NONE_FOUND = "browser: none"
BROWSER_OUTCOMES = {REMOVED: BROWSER_REMOVED, NONE_FOUND: BROWSER_NONE_FOUND,
                    NOT_REMOVED: NOT_REMOVED}
MEDIA_KINDS = frozenset({"photo", "audio", "document", "other"})

# A sealed narrative of NARRATIVE_LIMIT characters in UTF-8, and every sealed
# field at its limit, fit easily; age adds 16 bytes per 64 KiB and a header.
MAX_INLINE_CIPHERTEXT = 4 * 1024 * 1024
MAX_WRAP = 1024
MAX_ATTACHMENTS = 50
_PART = re.compile(r"[a-z]+_\d{1,3}")
_MANIFEST_KEYS = {"version", "case_recipient", "objects", "wraps", "bands"}


class Refused(ValueError):
    """The browser's submission cannot be stored; the message says why, for a person."""


class CodedForm(IntakeForm):
    """The intake form's coded fields and indicators with the same validators;
    the sealed fields and the narrative arrive sealed and are not here."""


CodedForm.narrative = None  # type: ignore[assignment]
for _spec in schema.sealed_fields():
    setattr(CodedForm, _spec.name, None)


def coded_answers(form: CodedForm) -> IntakeAnswers:
    """Like IntakeForm.answers, for the coded tier only (sealed values: None)."""
    values: dict[str, Any] = {spec.name: None for spec in schema.FIELDS}
    for spec in schema.coded_fields():
        value = form[spec.name].data
        if isinstance(value, str):
            value = value.strip() or None
        values[spec.name] = value
    indicators = {name: {part: (form[f"ilo_{name}_{part}"].data or None)
                         for part in ("present", "basis", "frequency")}
                  for name, _label in schema.ILO_INDICATORS}
    return IntakeAnswers(values=values, narrative="", indicators=indicators)


def band_labels(spec: schema.FieldSpec) -> set[str]:
    return {schema.band(spec, bound) for bound in spec.bands}


@dataclass
class Expected:
    part: str
    kind: str  # narrative, fields, attachment, wrap
    size: int
    object_id: str = ""
    media_kind: str | None = None
    metadata: str | None = None
    recipient: str = ""


@dataclass
class Manifest:
    case_recipient: str
    parts: list[Expected]
    bands: dict[str, str] = field(default_factory=dict)


def _int(value: object, what: str) -> int:
    if type(value) is not int or value < 0:
        raise Refused(f"The {what} is not a byte count.")
    return value


def parse_manifest(text: str | None) -> Manifest:
    """The manifest's shape; sizes, kinds and ids checked, nothing else yet."""
    if not text:
        raise Refused("The sealed case has no manifest.")
    try:
        data = json.loads(text)
    except ValueError:
        raise Refused("The sealed case's manifest is not JSON.") from None
    if not isinstance(data, dict) or set(data) - _MANIFEST_KEYS or data.get("version") != 1:
        raise Refused("The sealed case's manifest is not one this server reads (version 1).")
    try:
        case_recipient = str(crypto.parse_recipient(str(data.get("case_recipient", ""))))
    except crypto.CryptoError:
        raise Refused("The case key's public half is not an age X25519 recipient.") from None
    objects, wraps = data.get("objects"), data.get("wraps")
    if not isinstance(objects, list) or not isinstance(wraps, list):
        raise Refused("The sealed case's manifest lists no objects or no wraps.")
    parts: list[Expected] = []
    kinds: list[str] = []
    ids: set[str] = set()
    for entry in objects:
        if not isinstance(entry, dict):
            raise Refused("A sealed object in the manifest is malformed.")
        kind = entry.get("kind")
        if kind not in ("narrative", "fields", "attachment"):
            raise Refused("A sealed object in the manifest has an unknown kind.")
        expected = Expected(part=str(entry.get("part", "")), kind=kind,
                             size=_int(entry.get("size"), "stated size of a sealed object"))
        if kind == "attachment":
            try:
                object_id = str(uuid.UUID(str(entry.get("object_id", ""))))
            except ValueError:
                raise Refused("An attachment's id is not a UUID.") from None
            if object_id in ids:
                raise Refused("Two attachments have the same id.")
            ids.add(object_id)
            expected.object_id = object_id
            if entry.get("media_kind") not in MEDIA_KINDS:
                raise Refused("An attachment's kind is not photo, audio, document or other.")
            if entry.get("metadata") not in BROWSER_OUTCOMES:
                raise Refused("An attachment's metadata outcome is not one the server knows.")
            expected.media_kind = str(entry["media_kind"])
            expected.metadata = BROWSER_OUTCOMES[str(entry["metadata"])]
        else:
            expected.object_id = str(uuid.uuid4())
        kinds.append(kind)
        parts.append(expected)
    if kinds.count("narrative") != 1 or kinds.count("fields") != 1:
        raise Refused("A sealed case needs exactly one sealed narrative and one sealed "
                      "fields object.")
    if kinds.count("attachment") > MAX_ATTACHMENTS:
        raise Refused(f"At most {MAX_ATTACHMENTS} attachments can be sent at once.")
    for entry in wraps:
        if not isinstance(entry, dict):
            raise Refused("A key wrap in the manifest is malformed.")
        parts.append(Expected(part=str(entry.get("part", "")), kind="wrap",
                               size=_int(entry.get("size"), "stated size of a key wrap"),
                               recipient=str(entry.get("recipient", ""))))
    names = [p.part for p in parts]
    if len(set(names)) != len(names) or not all(_PART.fullmatch(n) for n in names):
        raise Refused("The manifest's part names are malformed or repeated.")
    bands = data.get("bands") or {}
    if not isinstance(bands, dict) or not all(isinstance(v, str) for v in bands.values()):
        raise Refused("The manifest's coded bands are malformed.")
    return Manifest(case_recipient, parts, dict(bands))


def sealing_schema() -> dict[str, Any]:
    """What the browser needs to build the sealed plaintexts exactly as the
    server-sealed path does (app.intake.forms.IntakeForm.answers, then
    app.intake.service): sealed fields in schema order, their kinds and
    limits, and the bands of sealed wages."""
    fields = []
    for spec in schema.sealed_fields():
        entry: dict[str, Any] = {"name": spec.name, "kind": spec.kind.value,
                                 "required": spec.required}
        if spec.kind in (Kind.TEXT, Kind.LONG_TEXT):
            entry["limit"] = LONG_TEXT_LIMIT if spec.kind is Kind.LONG_TEXT else TEXT_LIMIT
        if spec.kind is Kind.NUMBER:
            entry["minimum"], entry["maximum"] = spec.minimum, spec.maximum
        if spec.kind is Kind.CHOICE:
            entry["choices"] = [value for value, _label in spec.choices]
        if spec.bands:
            entry["band_field"] = spec.band_field
            entry["bands"] = list(spec.bands)
        fields.append(entry)
    return {"sealed_fields": fields, "narrative_field": schema.NARRATIVE_FIELD,
            # Checked in the page too: a checkbox group has no HTML "required".
            "coded_required": [spec.name for spec in schema.coded_fields() if spec.required],
            "narrative_limit": NARRATIVE_LIMIT,
            "attachment_kinds": [value for value, _label in schema.ATTACHMENT_KINDS]}
