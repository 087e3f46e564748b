"""Entities a case shares with the other cases of its clusters.

Testimonies of one team or one site name the same people and places; a
name masked in one case and left in another identifies them together. For
the case being edited, the other cases of its clusters that the member can
open (their current key holds a wrap of the case key) are decrypted with
the member's identity through app.cases.service (which checks each case's
receipt), the process's detector is run on their texts (through its span
cache), and every detected entity whose normalised surface occurs in this
case's texts and in at least one other case is returned, with whether this
case's layer already masks it everywhere.

Related cases the member cannot open are not opened, only counted. The
other cases' texts stay in this call's local variables: nothing of them is
returned (only this case's surfaces, categories, counts and public ids),
stored, logged or audited. Opening a case is a decryption: the caller
decides, per case, whether this request records its DECRYPT event (the
editor audits once per visit).

Normalising a surface: whitespace runs become one space and the surface is
case-folded, except a surface holding Hangul or Cyrillic letters, which is
compared as it is (only its whitespace collapsed). A match must not sit
inside a longer word, except for Hangul, where particles attach to a name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from app.cases import service as cases
from app.cases.access import readable_case_ids
from app.clusters.service import cluster_case_ids
from app.models import Case, CaseCluster, CaseClusterMember, Membership
from app.redaction.spans import Span
from app.review import layers
from app.review.layers import ACCEPTED, MANUAL, Layer, LayerSpan

# Shorter surfaces (initials, "Li") match too much to be worth listing.
MIN_SURFACE = 2
_SPACE = re.compile(r"\s+")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")

Spot = tuple[str, int, int]


def _as_is(surface: str) -> bool:
    return bool(_HANGUL.search(surface) or _CYRILLIC.search(surface))


def normalise(surface: str) -> str:
    collapsed = _SPACE.sub(" ", surface).strip()
    return collapsed if _as_is(collapsed) else collapsed.casefold()


def _pattern(norm: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in norm.split(" "))
    if _HANGUL.search(norm):
        return re.compile(body)
    flags = 0 if _as_is(norm) else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


def find(texts: Mapping[str, str], norm: str) -> list[Spot]:
    """Every (field, start, end) whose text normalises to ``norm``."""
    pattern = _pattern(norm)
    return [(name, match.start(), match.end())
            for name, text in texts.items() for match in pattern.finditer(text)
            if normalise(match.group()) == norm]


def entity_id(norm: str) -> str:
    """A short id for an entity in forms (the surface itself is shown, not posted)."""
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SharedEntity:
    id: str
    norm: str
    surface: str                  # as it first occurs in this case
    category: str
    id_type: str
    case_ids: tuple[str, ...]     # public ids of the cluster's cases naming it, this one first
    spots: tuple[Spot, ...]       # where it occurs in this case
    masked: bool                  # every occurrence here under an accepted span

    @property
    def case_count(self) -> int:
        return len(self.case_ids)


@dataclass(frozen=True)
class ClusterLink:
    public_id: str
    reason_label: str


@dataclass(frozen=True)
class SharedView:
    clusters: list[ClusterLink]
    entities: list[SharedEntity]
    compared: int                 # other cases opened and compared
    unreadable: int               # related cases the member cannot open
    opened: list[str]             # public ids opened in this call (for the visit record)


def clusters_of(session: Session, case: Case) -> list[CaseCluster]:
    """The clusters ``case`` is in (its organisation's only: clusters never cross)."""
    return list(session.scalars(
        select(CaseCluster).join(CaseClusterMember, CaseClusterMember.cluster_id == CaseCluster.id)
        .where(CaseClusterMember.case_id == case.id,
               CaseCluster.organisation_id == case.organisation_id)
        .order_by(CaseCluster.created_at, CaseCluster.id)))


def covered(layer: Layer, spot: Spot) -> bool:
    name, start, end = spot
    return any(s.field == name and s.start <= start and end <= s.end and s.decision == ACCEPTED
               for s in layer.spans)


def _candidates(texts: Mapping[str, str], found: layers.Found
                ) -> Iterable[tuple[str, str, str]]:
    """(normalised surface, category, identifier type) of every detected span."""
    for name, spans in found.items():
        text = texts[name]
        for span in spans:
            norm = normalise(text[span.start:span.end])
            if len(norm) >= MIN_SURFACE:
                yield norm, span.category, str(span.identifier_type)


def shared(session: Session, membership: Membership, case: Case, texts: Mapping[str, str],
           found: layers.Found, layer: Layer, identity: crypto.Identity,
           detect: Callable[[str], list[Span]], audit_opening: Callable[[str], bool]
           ) -> SharedView | None:
    """The entities ``case`` shares with its clusters' other cases (None: in no cluster).

    ``texts``, ``found`` and ``layer`` are this case's, as the editor loaded
    them (the member's access to it was checked there). ``audit_opening(public_id)``
    says whether opening that case in this request records DECRYPT.
    """
    clusters = clusters_of(session, case)
    if not clusters:
        return None
    links = [ClusterLink(c.public_id, c.reason.label) for c in clusters]
    other_ids = cluster_case_ids(session, case.id)
    readable = readable_case_ids(session, membership, other_ids)
    others = list(session.scalars(select(Case).where(
        Case.id.in_(readable), Case.organisation_id == membership.organisation_id)
        .order_by(Case.id))) if readable else []

    # Where each candidate came from first: this case's detection wins.
    kinds: dict[str, tuple[str, str]] = {}
    for norm, category, id_type in _candidates(texts, found):
        kinds.setdefault(norm, (category, id_type))
    other_texts: list[tuple[str, dict[str, str]]] = []
    opened: list[str] = []
    for other in others:
        key = cases.unlock_case_key(session, membership, other, identity,
                                    audit_opening=audit_opening(other.public_id))
        opened.append(other.public_id)
        theirs = layers.case_texts(cases.read_narrative(other, key),
                                   cases.read_sealed_fields(other, key))
        for norm, category, id_type in _candidates(theirs, layers.suggest(theirs, detect)):
            kinds.setdefault(norm, (category, id_type))
        other_texts.append((other.public_id, theirs))

    entities: list[SharedEntity] = []
    for norm, (category, id_type) in kinds.items():
        here = find(texts, norm)
        if not here:
            continue
        elsewhere = tuple(public_id for public_id, theirs in other_texts if find(theirs, norm))
        if not elsewhere:
            continue
        name, start, end = here[0]
        entities.append(SharedEntity(
            entity_id(norm), norm, texts[name][start:end], category, id_type,
            (case.public_id, *elsewhere), tuple(here), all(covered(layer, s) for s in here)))
    order = list(texts)
    entities.sort(key=lambda e: (e.masked, -e.case_count, order.index(e.spots[0][0]),
                                 e.spots[0][1]))
    return SharedView(links, entities, len(others), len(other_ids) - len(others), opened)


def mask(layer: Layer, entities: Iterable[SharedEntity]) -> tuple[Layer, int]:
    """``layer`` with every occurrence of ``entities`` in this case masked.

    A span already at an occurrence is accepted; an occurrence no accepted
    span covers gets an accepted span added by hand, as a typed phrase
    would. Returns the new layer and how many occurrences changed.
    """
    out = layer.copy()
    changed = 0
    for entity in entities:
        for spot in entity.spots:
            if covered(out, spot):
                continue
            name, start, end = spot
            key = layers.key_of(name, start, end)
            existing = [i for i, s in enumerate(out.spans) if s.key == key]
            if existing:
                out.spans[existing[0]] = replace(out.spans[existing[0]], decision=ACCEPTED)
            else:
                out.spans.append(LayerSpan(name, start, end, entity.category, entity.id_type,
                                           ACCEPTED, "", MANUAL))
            changed += 1
    return out, changed
