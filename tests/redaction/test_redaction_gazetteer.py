"""Gazetteers and the allow-list, in Latin, Hangul and Cyrillic (with case forms)."""

from __future__ import annotations

import pytest

from app.redaction import gazetteer
from app.redaction.spans import PLACE


def _places(text: str) -> list[str]:
    spans, _ = gazetteer.find(text)
    assert all(s.category == PLACE for s in spans)
    return [text[s.start : s.end] for s in spans]


def _protected(text: str) -> list[str]:
    _, prot = gazetteer.find(text)
    return [text[s:e] for s, e in prot]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("born in Chongjin, North Hamgyong", "Chongjin"),
        ("from Hoeryong", "Hoeryong"),
        ("уроженец г. Хамхын провинции", "Хамхын"),
        ("Обе остались в Мусане.", "Мусане"),
        ("на стройке в Хабаровске", "Хабаровске"),
        ("함경북도 청진시 포항구역", "청진시"),
        ("a broker in Yanji passed", "Yanji"),
        ("틴다에서 트럭으로", "틴다"),
    ],
)
def test_quasi_places_all_scripts(text: str, place: str) -> None:
    assert place in _places(text)


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("born in Chongjin, North Hamgyong", "North Hamgyong"),
        ("провинции Хамгён-Намдо.", "Хамгён-Намдо"),
        ("просит переправить его в Южную Корею.", "Южную Корею"),
        ("о встрече с Путиным во", "Путиным"),
        ("about Kim Jong Un and", "Kim Jong Un"),
        ("김정은 사진은", "김정은"),
        ("went to Pyongyang", "Pyongyang"),
    ],
)
def test_allow_list_all_scripts(text: str, public: str) -> None:
    assert public in _protected(text)
    assert public not in _places(text)


def test_lowercase_word_is_not_a_place() -> None:
    # "Orang" and "Anak" are counties; "orang"/"anak" in running text are not.
    assert _places("the orang said anak") == []


def test_short_native_hangul_needs_a_suffix() -> None:
    # 온천 is a county but also "hot spring"; only 온천군 is the county.
    assert _places("온천에 갔다") == []
    assert _places("온천군에서 왔다") == ["온천군"]


def test_is_public() -> None:
    assert gazetteer.is_public("Putin")
    assert gazetteer.is_public("Путину")
    assert not gazetteer.is_public("Chongjin")
