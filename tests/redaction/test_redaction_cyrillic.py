"""Cyrillic grammar (app/redaction/cyrillic.py): each class on sentences written for
these tests (invented people, places and numbers; no evaluation-set text)."""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import cyrillic, cyrillic_names
from app.redaction.detector import Detector


def test_passport_series_and_number_one_span(detector: Detector) -> None:
    text = (
        "Документ: паспорт гражданина КНДР серия 612 № 3307158.\n"
        "Паспорт РФ серия 45 17 № 902311 выдан в 2019 году."
    )
    spans = detector.detect(text)
    assert covers(text, spans, "серия 612 № 3307158")
    assert covers(text, spans, "серия 45 17 № 902311")


def test_police_registers_and_document_numbers(detector: Detector) -> None:
    text = (
        "Заявление зарегистрировано в КУСП № 40517 от 03.03.2025.\n"
        "Трудовой договор № 42/24-ПМ заключён с бригадой.\n"
        "Анкета клиента ВЛ-2025/207 хранится у координатора."
    )
    spans = detector.detect(text)
    for part in ("КУСП № 40517", "№ 42/24-ПМ", "ВЛ-2025/207"):
        assert covers(text, spans, part), part


def test_law_numbers_stay_readable() -> None:
    text = "Согласно Федеральному закону № 109-ФЗ и статье 18.8 КоАП он обязан встать на учёт."
    spans = cyrillic.find(text)
    assert not touches(text, spans, "109-ФЗ")
    assert not touches(text, spans, "18.8")


def test_masked_bank_card(detector: Detector) -> None:
    text = "Зарплата шла на карту 5469 38** **** 2270, а также на 2202 **** **** 0194."
    spans = detector.detect(text)
    assert covers(text, spans, "5469 38** **** 2270")
    assert covers(text, spans, "2202 **** **** 0194")


def test_full_russian_address_one_span(detector: Detector) -> None:
    text = (
        "Проживает: Амурская область, Свободненский район, с. Новоберёзовка, ул. Полевая, д. 14, "
        "кв. 2.\nОфис фонда: ул. Льва Толстого 18, оф. 305 (второй этаж)."
    )
    spans = detector.detect(text)
    assert covers(
        text, spans,
        "Амурская область, Свободненский район, с. Новоберёзовка, ул. Полевая, д. 14, кв. 2",
    )
    assert covers(text, spans, "ул. Льва Толстого 18, оф. 305")


def test_partial_dates_with_time_of_day_season_and_birth_year(detector: Detector) -> None:
    text = (
        "Он 1991 года рождения, сестра 1994 г.р. Осенью 2022 года их перевели на другой объект, "
        "а утром 14.01.2025 он ушёл."
    )
    spans = detector.detect(text)
    for part in ("1991 года рождения", "1994 г.р.", "Осенью 2022 года", "утром 14.01.2025"):
        assert covers(text, spans, part), part


def test_counts_and_sums(detector: Detector) -> None:
    text = (
        "На стройке было человек 40. За год пришло 9 платежей, потом 7 переводов на общую сумму "
        "31 500 рублей; брату он отправил 450 долларов США и 3 тыс. юаней."
    )
    spans = detector.detect(text)
    for part in (
        "человек 40", "9 платежей", "7 переводов на общую сумму 31 500 рублей",
        "450 долларов США", "3 тыс. юаней",
    ):
        assert covers(text, spans, part), part


def test_pay_ranges_are_general_practice() -> None:
    text = "Обычно всем оставляют 150–250 долларов в месяц."
    assert not touches(text, cyrillic.find(text), "250 долларов")


def test_detention_centres_hospitals_and_dotted_media(detector: Detector) -> None:
    text = (
        "Сейчас его держат в СУВСИГ по Амурской области. Раньше его привезли в районную больницу. "
        "Об этом писал портал Байкал.Новости."
    )
    spans = detector.detect(text)
    for part in ("СУВСИГ по Амурской области", "районную больницу", "Байкал.Новости"):
        assert covers(text, spans, part), part


def test_forum_handles_in_headers_and_after_user_words(detector: Detector) -> None:
    text = (
        "Пост #3 | Админ_Светик | 02.02.2026, 10:14\n"
        "Комментарий пользователя tigraKat скрыт. Ещё писал ник ЗеленыйЧай."
    )
    spans = detector.detect(text)
    for part in ("Админ_Светик", "tigraKat", "ЗеленыйЧай"):
        assert covers(text, spans, part), part


def test_hashtags_are_no_handles() -> None:
    text = "Пост с тегом #помощь_рядом набрал много ответов."
    assert not touches(text, cyrillic.find(text), "помощь_рядом")


def test_given_names_and_diminutives_in_other_languages(detector: Detector) -> None:
    text = (
        "통역 메모: 교회에서 \"Тоня\" 라는 분이 도와줌. 다음 주에 Гриша 씨를 다시 만남.\n"
        "He left with a trucker the workers called Tolya; later Zhenya drove him to the station."
    )
    spans = detector.detect(text)
    for part in ("Тоня", "Гриша", "Tolya", "Zhenya"):
        assert covers(text, spans, part), part


def test_common_words_that_can_be_names_are_not_taken() -> None:
    text = "Вера в справедливость и Надежда на суд: Слава труду!"
    spans = cyrillic.find(text)
    for part in ("Вера", "Слава"):
        assert not touches(text, spans, part), part


def test_korean_name_with_latin_echo(detector: Detector) -> None:
    text = "Заявитель: Рим Сон Дык (RIM SONG DUK), 1988 г.р."
    spans = detector.detect(text)
    assert covers(text, spans, "Рим Сон Дык")
    assert covers(text, spans, "RIM SONG DUK")


def test_korean_address_terms_in_cyrillic(detector: Detector) -> None:
    text = "За нами следил человек, которого все звали «Чхве-дончжи»; переводила Ли-сонсэнним."
    spans = detector.detect(text)
    assert covers(text, spans, "Чхве-дончжи")
    assert covers(text, spans, "Ли-сонсэнним")


def test_street_names_of_several_shapes(detector: Detector) -> None:
    text = (
        "Жили: г. Находка, ул. Пак Ен Ира, д. 9, кв. 31. Склад: ул. 50 лет Октября, 4. "
        "Контора: Океанская ул., д. 112, оф. 6."
    )
    spans = detector.detect(text)
    for part in ("г. Находка, ул. Пак Ен Ира, д. 9, кв. 31", "ул. 50 лет Октября, 4",
                 "Океанская ул., д. 112, оф. 6"):
        assert covers(text, spans, part), part


def test_given_names_inside_and_at_start_of_sentences() -> None:
    text = "Потом пришла Света с мужем. Дима сказал, что Айгуль уехала. Роман лежал на столе."
    spans = cyrillic.find(text)
    for part in ("Света", "Дима", "Айгуль"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "Роман")


def test_latin_words_with_russian_endings_need_the_dictionary() -> None:
    text = "We drove past Alaska with Sasha, ate Mocha cake, and Vanya bought Baltika beer."
    spans = cyrillic.find(text)
    assert covers(text, spans, "Sasha")
    assert covers(text, spans, "Vanya")
    for part in ("Alaska", "Mocha", "Baltika"):
        assert not touches(text, spans, part), part


def test_day_and_year_spans_and_ordinal_years(detector: Detector) -> None:
    text = (
        "Смены шли с 3 по 9 апреля 2024 года; в 2016–2018 годах он был в Чите, "
        "а в 2020-м году дома."
    )
    spans = detector.detect(text)
    for part in ("с 3 по 9 апреля 2024 года", "2016–2018 годах", "2020-м году"):
        assert covers(text, spans, part), part


def test_group_sizes_in_number_words(detector: Detector) -> None:
    text = (
        "Привезли тридцать два рабочих, жили около пятнадцати человек в бараке, "
        "а строителей восемь."
    )
    spans = detector.detect(text)
    for part in ("тридцать два рабочих", "пятнадцати человек", "строителей восемь"):
        assert covers(text, spans, part), part


def test_register_marks_and_patent_series(detector: Detector) -> None:
    text = "Материал проверки № 207пр-25, КУСП-4418; патент серии 25 № 1800234561. Дом № 7а."
    spans = detector.detect(text)
    for part in ("№ 207пр-25", "КУСП-4418", "серии 25 № 1800234561"):
        assert covers(text, spans, part), part
    assert not touches(text, cyrillic.find(text), "7а")


def test_quoted_nicknames_after_naming_verbs() -> None:
    text = (
        "С ними ездил третий, его все называют «товарищ завхоз». Бригадира, которого "
        "кличут «Лось», боятся. Это у них называют «план», его сдают каждый месяц."
    )
    spans = cyrillic.find(text)
    assert covers(text, spans, "товарищ завхоз")
    assert covers(text, spans, "Лось")
    assert not touches(text, spans, "план")


def test_courts_stay_readable_and_names_stop_at_line_breaks(detector: Detector) -> None:
    text = (
        "Дело № 2-87/2026, Находкинский городской суд Приморского края\n"
        "Представитель: адвокат Кравец Инна Олеговна, в реестре адвокатов Амурской области\n"
        "Ответчик: ООО «Береговой Монтаж»"
    )
    spans = detector.detect(text)
    assert not touches(text, spans, "Находкинский городской суд")
    assert not touches(text, spans, "Ответчик")
    assert covers(text, spans, "Кравец Инна Олеговна")
    assert covers(text, spans, "2-87/2026")


def test_letter_registers_bare_thousands_and_separated_counts() -> None:
    text = (
        "Исх. № 63 от 04.04.2026. Платили «на руки 8 тысяч в месяц». Лесорубов там сорок. "
        "Дорога заняла 3 тысячи километров."
    )
    spans = cyrillic.find(text)
    for part in ("№ 63", "8 тысяч в месяц", "сорок"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "3 тысячи")


def test_grouped_pay_without_currency_and_signs_after_figures() -> None:
    text = "Зарплата была 38 000 в месяц, потом давали 250$ и 1500 ₽. Прошли 1 200 км пешком."
    spans = cyrillic.find(text)
    for part in ("38 000 в месяц", "250$", "1500 ₽"):
        assert covers(text, spans, part), part
    assert not touches(text, spans, "1 200")


def test_names_in_capitals_and_echoes_with_dzh_and_eu(detector: Detector) -> None:
    text = (
        "ЗАЯВИТЕЛЬ: ТКАЧЕНКО ИРИНА СЕМЁНОВНА. СЛУЖЕБНАЯ ЗАПИСКА.\n"
        "Свидетель: Чон Ын Джин (JONG UN JIN), сотрудница НКО."
    )
    spans = detector.detect(text)
    assert covers(text, spans, "ТКАЧЕНКО ИРИНА СЕМЁНОВНА")
    assert covers(text, spans, "JONG UN JIN")
    assert not touches(text, spans, "СЛУЖЕБНАЯ ЗАПИСКА")
    assert not touches(text, spans, "ЗАЯВИТЕЛЬ")


def test_chat_headers_with_qualifiers_are_whole_names(detector: Detector) -> None:
    text = (
        "Захар 2 этаж, 18:05\nКто ставит машину у подъезда?\n\n"
        "Старшая по дому В.К., 18:10\nПрошу не ставить.\n\n"
        "Семёнова кв.7, 18:12\nЭто не моя.\n\n"
        "Захар 2 этаж, 18:20\nПонял.\n"
    )
    spans = detector.detect(text)
    assert covers(text, spans, "Захар 2 этаж")
    assert covers(text, spans, "Старшая по дому В.К.")
    assert covers(text, spans, "Семёнова кв.7")


def test_programme_times_are_no_chat_headers() -> None:
    text = "Регистрация, 9:00\nОткрытие, 10:00\nОбед, 13:00\nПерерыв, 15:30\n"
    assert not [s for s in cyrillic_names.find(text) if s.category == "PERSON"]


def test_surname_with_one_initial() -> None:
    text = "Перевязку сделала м/с Воронина Т.\nНа следующий день пришёл Голубев П., 12:00."
    got = {text[s.start : s.end] for s in cyrillic_names.find(text)}
    assert {"Воронина Т.", "Голубев П."} <= got


def test_unidentified_person_as_a_record_name() -> None:
    text = "Поступил: неизвестный мужчина № 12. Пациент: Неизвестная женщина, 40 лет."
    got = {text[s.start : s.end] for s in cyrillic_names.find(text)}
    assert {"неизвестный мужчина № 12", "Неизвестная женщина"} <= got
    # Without a number or a field, a description stays a description.
    text = "Подошёл неизвестный мужчина и спросил дорогу."
    assert not any("неизвестный" in text[s.start : s.end] for s in cyrillic_names.find(text))


def test_slash_abbreviations_and_stamp_place_are_no_names(detector: Detector) -> None:
    text = "Осмотрен в 10:00. М/с Кравцова\nДиректор ___ Петров А. И.\nМ. П."
    spans = detector.detect(text)
    assert not touches(text, spans, "М/с")
    assert not touches(text, spans, "М. П.")
    assert covers(text, spans, "Кравцова")


def test_lowercase_name_with_a_rare_gerund_reading_spreads(detector: Detector) -> None:
    from app.redaction.russian import lowercase_is_only_a_name

    assert lowercase_is_only_a_name("женя")
    # A common noun reading still keeps the lowercase word a word.
    assert not lowercase_is_only_a_name("роза")
    text = "Приходил Женя с соседнего объекта. потом женя ушёл домой."
    assert covers(text, detector.detect(text), "женя")


def test_comment_authors_below_a_comments_header() -> None:
    text = "Пост.\n\nКомментарии:\n\nНАСТЮША 🌼\nЯ видела его.\n\nСпасибо\nвсем.\n\nИтог\n"
    got = {text[s.start : s.end] for s in cyrillic_names.find(text) if s.category == "PERSON"}
    assert "НАСТЮША" in got
    assert "Спасибо" not in got
    assert "Итог" not in got
