"""Round five: mark noun phrases, superlatives of age in a group, ages in fields.

Every text is invented for these tests (no evaluation record).
"""

from __future__ import annotations

from app.redaction import traits


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in traits.find(text)]


def test_mark_as_whole_noun_phrase() -> None:
    got = _found("She has a faint burn scar across the neck. He said nothing.")
    assert "a faint burn scar across the neck" in got
    got = _found("Tattoo of a rose and the letter K on the left wrist; limps.")
    assert "Tattoo of a rose and the letter K on the left wrist" in got
    got = _found("He wore a plaster cast on her right arm for weeks.")
    assert any(g.startswith("a plaster cast on her right arm") for g in got)


def test_bare_mark_word_without_complement_is_left() -> None:
    assert _found("The scar was old. They cast a net. Tattoos are common.") == []


def test_superlative_in_a_group() -> None:
    got = _found("He was the eldest of the kitchen crew and quiet.")
    assert "the eldest of the kitchen crew" in got
    assert "the boat's youngest, 17" in _found('One of them, the boat\'s youngest, 17, stayed.')


def test_ages_in_fields_and_reports() -> None:
    assert _found("Female, gives age 31. Cleaner.") == ["31"]
    assert _found("She said she's 27, from Kanggye.") == ["27"]
    assert _found("Возраст: 38 лет") == ["38 лет"]
    assert _found("아버지는 올해 예순셋이고 고향에 계신다.") == ["올해 예순셋"]


def test_public_agencies_stay_readable() -> None:
    from app.redaction import authorities

    def bodies(text: str) -> list[str]:
        return [text[a:b] for a, b in authorities.find(text)]

    assert "Министерство образования Амурской области" in bodies(
        "Министерство образования Амурской области ответило."
    )
    assert "Генеральное консульство Японии в Находке" in bodies(
        "Он пошёл в Генеральное консульство Японии в Находке."
    )
    assert "Узбекской Республики" in bodies("гражданин Узбекской Республики")
    assert "Japan Coast Guard" in bodies("picked up by the Japan Coast Guard at dawn")
    assert "국민연금공단" in bodies("국민연금공단에 문의했다.")
    assert bodies("인천 남동공단에서 일했다.") == []
    assert bodies("경기북부하나센터에서 상담했다.") == []


def test_months_seasons_and_weekdays_alone() -> None:
    def dates(text: str) -> list[str]:
        return [text[s.start : s.end] for s in traits.find(text) if s.category == "DATE"]

    assert dates("He stopped writing in November. Since last winter nothing.") == [
        "November",
        "last winter",
    ]
    assert dates("On Thursday the foreman came.") == ["Thursday"]
    assert dates("Её увезли в ноябре, а с осени он молчит.") == ["ноябре", "осени"]
    got = dates("작년 가을에 떠났고 금요일에 전화했다. 매주 금요일 예배.")
    assert got == ["작년 가을", "금요일"]
    # a month with its day is a full date, found by the date layers
    assert dates("in March 3, 2021") == []


def test_sums_in_number_words() -> None:
    def sums(text: str) -> list[str]:
        return [text[s.start : s.end] for s in traits.find(text) if s.category == "QUANTITY"]

    assert sums("They kept twenty-six thousand roubles of his forty thousand.") == [
        "twenty-six thousand roubles",
        "forty thousand",
    ]
    assert sums("I am one hundred percent sure; a thousand thanks.") == []
    assert sums("usually they keep a hundred, three hundred dollars") == []


def test_ages_by_their_slot_round_six() -> None:
    # the bracket after a date of birth is the age it comes to
    assert "52" in _found("DOB / age: May 9, 1974 (52)")
    assert "만 39세" in _found("생년월일: 1987년 2월 3일 (만 39세)")
    # a number word alone after a subject and the copula, ending the clause
    assert "forty-four" in _found("Sunhee is forty-four. She sews.")
    # a person noun "of" a number, whatever adjectives come first
    assert "29" in _found("a shy, gentle woman of 29 who")
    assert "the oldest, 61" in _found("he is the oldest, 61, and the cook")
    assert "45-49" in _found("Sex/age band: F / 45-49")
    assert "50대 초반 추정" in _found("운전자: 남, 50대 초반 추정, 신원 미상")
    assert "46 лет" in _found("возраст со слов 46 лет")
    assert "his daughter, now four" in _found("his wife and his daughter, now four, stay")
    assert "7" in _found("Household: herself and daughter Bo-ra, 7; parents in Hyesan")


def test_age_slots_leave_other_numbers() -> None:
    assert _found("It is twenty. The fee was forty. Chapter 3 (12) pages.") == []
    assert _found("a group of 30 people waited; a man of 40 workers") == []
    assert _found("Born in 1990 (approx.) in Hamhung.") == []


def test_capitalised_mark_modifier() -> None:
    assert any(g.startswith("Burn scar on left shin") for g in _found("Burn scar on left shin."))


def test_decade_age_with_a_hedge() -> None:
    assert "60대쯤" in _found("그분은 60대쯤, 키가 컸다")
