"""Describing phrases found by their slot (DEM); sentences written for these tests."""

from __future__ import annotations

from app.redaction import slots


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in slots.find(text)]


def test_english_worked_as_takes_any_noun_phrase() -> None:
    assert "cement mixer driver" in _found("She worked as a cement mixer driver for a firm.")


def test_english_predicate_and_apposition_need_an_agentive_head() -> None:
    assert "pipe layer" in _found("Mr. Pak is a pipe layer who came late.")
    text = "He is in his forties, a crane signal operator from Kimchaek."
    assert "crane signal operator" in _found(text)
    assert _found("He was a good man who helped.") == []
    assert _found("Kim Yong, holder of passport no. 1.") == []


def test_english_present_relative_after_a_name() -> None:
    text = "Olga Kim, who runs a bakery near the station, said"
    assert "who runs a bakery near the station" in _found(text)


def test_english_table_cell_with_a_job() -> None:
    assert "welder, night shift" in _found("| 12 | Kim | welder, night shift | Omsk |")


def test_korean_job_in_the_slot_of_working() -> None:
    assert "탄광 굴진공" in _found("그는 탄광 굴진공으로 일했습니다")
    assert "통신병" in _found("저는 군대에서 통신병으로 5년 복무했어요")
    assert "용접공" in _found("공장에서 6년간 용접공으로 일했다")


def test_korean_separate_head_with_its_compound() -> None:
    assert "화물 트럭 기사" in _found("그분은 화물 트럭 기사이신데")
    assert _found("차 타면 휴대폰 전원 끄고") == []
    assert _found("이 일은 김민수 상담원과 합의.") == []


def test_korean_work_named_by_activity() -> None:
    assert "공장 보일러 운전" in _found("공장 보일러 운전을 했어요")


def test_russian_instrumental_after_a_verb_of_working() -> None:
    assert "подсобником" in _found("Он работал подсобником на базе.")
    assert "грузчиком на овощной базе" in _found("Он работал грузчиком на овощной базе.")
    assert _found("работа в тёмное время суток") == []


def test_russian_participle_and_duty() -> None:
    got = _found("её сын, работающий на стройке в Хабаровске, звонил")
    assert "сын, работающий на стройке" in got
    assert "старший по складу" in _found("Ли, старший по складу, молчал")
    assert _found("предупреждён об ответственности по статье") == []


def test_korean_compound_before_a_head_and_service() -> None:
    assert "창고관리센터 굴착기 운전원" in _found("직    업: 창고관리센터 굴착기 운전원")
    assert "냉동창고 지게차 운전" in _found("저는 냉동창고 지게차 운전을 했어요")
    assert _found("작년에 거기서 통역 봉사했어요") == ["통역 봉사"]


def test_korean_name_shaped_modifier_is_dropped_not_the_job() -> None:
    assert "택시 기사" in _found("도운 분이 고려인 택시 기사이신데")


def test_english_relative_described_by_a_relative_clause() -> None:
    got = _found("My father and my elder brother, who is a miner in Musan. No news.")
    assert "elder brother, who is a miner in Musan" in got
