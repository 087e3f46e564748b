"""Round four: organisations, workplaces, addresses, counts and partial dates.

Every text is invented for these tests (no evaluation record): each checks a
grammar (a head noun, a slot, an address form), not a sentence.
"""

from __future__ import annotations

from redaction_helpers import covers, touches

from app.redaction import counts, orgloc
from app.redaction.detector import Detector


def _found(module_find: object, text: str) -> list[str]:
    return [text[s.start : s.end] for s in module_find(text)]  # type: ignore[operator]


def test_ngo_and_firm_names_by_head_noun() -> None:
    text = (
        "Copied to Riverside Legal Aid. BLUE LAKE SETTLEMENT SERVICES — NOTE\n"
        "The Pine Coast Migrant Rights Network (PCMRN) said so; PCMRN asks more.\n"
        "Filed by Green Valley Tenant Collective; Green Valley Tenant replied."
    )
    got = _found(orgloc.find, text)
    for part in ("Riverside Legal Aid", "BLUE LAKE SETTLEMENT SERVICES", "PCMRN",
                 "Pine Coast Migrant Rights Network", "Green Valley Tenant"):
        assert part in got, part


def test_kinds_and_states_are_no_organisation() -> None:
    text = "He reached the Russian Federation. The European Union and Human Rights Watch spoke."
    assert _found(orgloc.find, text) == []


def test_facilities_workplaces_and_lodgings() -> None:
    text = (
        "She met us at the Amga bus station at 7. He poured concrete at a port "
        "construction site in Vanino. The women lived in three metal containers "
        "behind the old barn. He slept in a basement."
    )
    got = _found(orgloc.find, text)
    assert "Amga bus station" in got
    assert "port construction site in Vanino" in got
    assert "three metal containers behind the old barn" in got
    assert "a basement" not in got


def test_russian_workplaces_and_lodgings() -> None:
    text = (
        "Они жили в вагончиках за складом на ул. Лесной. Мыла посуду на рыбокомбинате. "
        "Работал на строительстве жилого комплекса. Я работал на стройке, как все."
    )
    got = _found(orgloc.find, text)
    assert "вагончиках за складом на ул. Лесной" in got
    assert "рыбокомбинате" in got
    assert "строительстве жилого комплекса" in got
    assert "стройке" not in got


def test_korean_compound_workplaces() -> None:
    text = "나는 지금 경기도 화성의 자동차 부품 공장에서 일한다. 그 공장에서 일했다."
    got = _found(orgloc.find, text)
    assert "자동차 부품 공장" in got
    assert not any(g.startswith("그") for g in got)
    assert _found(orgloc.find, "여권은 공장 지배인이 가져갔다. 러시아 건설 현장에서.") == []


def test_addresses_in_three_scripts() -> None:
    text = (
        "Address: Apt 22, 118 Birch Ave, Scarborough ON M1K 2B3\n"
        "Отвезу на Садовую, 14 завтра. Дача в СНТ «Заря», 2-я линия, уч. 45, под городом.\n"
        "지금은 (하바롭스크 시, 레닌스카야 거리 12-5)에 산다."
    )
    got = _found(orgloc.find, text)
    for part in ("Apt 22, 118 Birch Ave, Scarborough ON M1K 2B3", "Садовую, 14",
                 "СНТ «Заря», 2-я линия, уч. 45", "하바롭스크 시, 레닌스카야 거리 12-5"):
        assert part in got, part


def test_counts_and_sums_in_many_shapes() -> None:
    text = (
        "Штраф 3 000 (трёх тысяч) рублей. He paid RUB 12,400. He went with 12 others, "
        "in a crew of 31. Сказали ещё трое работников. 남성 서른두 명과 함께. "
        "He owed 27,500. So. Я перевожу тебе 3000 на еду. Получал тысячи две рублей."
    )
    got = _found(counts.find, text)
    for part in ("3 000 (трёх тысяч) рублей", "RUB 12,400", "12 others", "31",
                 "ещё трое работников", "서른두 명", "27,500", "3000", "тысячи две рублей"):
        assert part in got, part


def test_partial_dates() -> None:
    text = (
        "Around mid-August 2025, between April and June 2025, on the night of 3 to 4 May 2025; "
        "report for Q2 2025 (April–June), sent 10:00 GMT, Friday 4 December 2026. "
        "they took my phone in april. every march we plant.\n"
        "2025년 3월 4일(화) 면담. 2023년 추석 다음 날 떠났다.\n"
        "За март–апрель 2025 г. В среду 12-го он ушёл, обещал до двадцатого. Позавчера вечером."
    )
    got = _found(counts.find, text)
    for part in ("mid-August 2025", "between April and June 2025", "the night of 3 to 4 May 2025",
                 "Q2 2025 (April–June)", "10:00 GMT, Friday 4 December 2026", "in april",
                 "4일(화)", "2023년 추석 다음 날", "март–апрель 2025 г.", "В среду 12-го",
                 "до двадцатого", "Позавчера вечером"):
        assert part in got, part
    assert "march" not in " ".join(got)


def test_hedges_join_the_sum(detector: Detector) -> None:
    text = "비용이 약 4천 달러 정도 든다. Он задолжал свыше 200 000 рублей."
    spans = detector.detect(text)
    assert covers(text, spans, "약 4천 달러 정도")
    assert covers(text, spans, "свыше 200 000 рублей")


def test_police_office_with_its_city_and_assembly_are_public(detector: Detector) -> None:
    text = (
        "Его задержали сотрудники ОМВД России по г. Артёму. Материалы направлены в прокуратуру "
        "Кировского района.\n장소: 국회 본관. 국회 외교통일위원회 회의."
    )
    spans = detector.detect(text)
    for part in ("Артёму", "Кировского района", "국회"):
        assert not touches(text, spans, part), part


def test_named_stops_farms_hospitals_and_quoted_businesses() -> None:
    text = (
        "Ждали на автобусной остановке «Речной вокзал». Проверено крестьянское (фермерское) "
        "хозяйство; акт в отношении Крестьянского (фермерского) хозяйства «Светлый луг». "
        "Увезли в ГКБ им. Пирогова. Проживали вместе с бригадой в вагон-домиках лесного участка.\n"
        "The sign says \"Amur Needle\" upstairs. He worked in Olginka district.\n"
        "2020년 '청류 식당' 접대원으로 일했다. '북극성-3호' 선원."
    )
    got = _found(orgloc.find, text)
    for part in ("автобусной остановке «Речной вокзал»",
                 "Крестьянского (фермерского) хозяйства «Светлый луг»", "ГКБ им. Пирогова",
                 "вагон-домиках лесного участка", "Amur Needle", "Olginka district",
                 "청류 식당", "북극성-3호"):
        assert part in got, part


def test_russian_spans_of_days_tied_to_an_event() -> None:
    text = "Через девять дней вышел на работу; денег не видел два года. Работают по 12 часов."
    got = _found(counts.find, text)
    assert "девять дней" in got
    assert "два года" in got
    assert not any("12" in g for g in got)


def test_ministries_missions_resolutions_republics_and_parliament_are_public() -> None:
    from app.redaction import authorities

    text = (
        "The Chinese Foreign Ministry declined; an officer of the Laotian embassy came. "
        "Under resolution 2375, adopted on 11 September 2017, states must act. "
        "At its 95th session, 3 May–7 May 2025, the group met. "
        "Свидетель — гражданин Республики Таджикистан.\n"
        "국회 보건복지위원회 회의록\n일시: 2025년 4월 1일 / 장소: 국회\n"
        "○ 한여름 위원: 질문합니다.\n○ 참고인 강겨울: 답합니다.\n"
    )
    got = [text[a:b] for a, b in authorities.find(text)]
    for part in ("The Chinese Foreign Ministry", "Laotian embassy",
                 "resolution 2375, adopted on 11 September 2017",
                 "95th session, 3 May–7 May 2025", "Республики Таджикистан", "한여름"):
        assert any(part in g for g in got), part
    assert "강겨울" not in got


def test_korean_org_takes_its_place_words_masked_firms_and_estates(detector: Detector) -> None:
    text = (
        "연해주 한빛선교회 기도편지. 현재 시화공단 ○○전자에서 근무 중. "
        "러시아 이주노동자 인권센터 카톡."
    )
    spans = detector.detect(text)
    for part in ("연해주 한빛선교회", "시화공단", "○○전자", "러시아 이주노동자 인권센터"):
        assert covers(text, spans, part), part


def test_received_ranges_and_whose_pay(detector: Detector) -> None:
    text = (
        "본인이 받은 돈은 월 40~50달러. 받은 건 한 달에 5천 루블 정도래요.\n"
        "He said all but 3,000 roubles of his monthly pay was withheld."
    )
    spans = detector.detect(text)
    for part in ("40~50달러", "한 달에 5천 루블 정도", "all but 3,000 roubles of his monthly pay"):
        assert covers(text, spans, part), part


def test_korean_workplace_before_a_job_is_one_describing_phrase() -> None:
    text = "북한에서 목재사업소 선별공으로 일했다. 제대 후 벽돌 공장 기계수리공으로 일했다."
    got = _found(orgloc.find, text)
    assert "목재사업소 선별공" in got
    assert "벽돌 공장 기계수리공" in got


def test_everyday_services_and_schedules_are_no_organisation() -> None:
    text = (
        "Customer Service was closed. Family Support Team came. "
        "On Monday Night Shift Team 3 worked."
    )
    assert _found(orgloc.find, text) == []
    assert _found(orgloc.find, "우리 회사 공장에서 일했다.") == []


def test_korean_construction_and_extraction_sites_are_workplace_heads() -> None:
    text = "그는 하바롭스크 강변 주차장 공사장에서 일했고 형은 채석장에서 돌을 캤다."
    got = _found(orgloc.find, text)
    assert any(g.endswith("공사장") and " " in g for g in got)


def test_record_dates_round_six() -> None:
    got = _found(counts.find, "면담일: 2025. 4. 7.(월) / 면담자")
    assert "2025. 4. 7.(월)" in got
    assert "2019. 8." in _found(counts.find, "그는 2019. 8. 입국하였다.")
    assert "2025-06-14 04:30경" in _found(counts.find, "발생일시: 2025-06-14 04:30경")
    assert "Mar 3" in _found(counts.find, "Olga B. · Mar 3, 7:02 AM\nhello")
    assert "2024년 2월부터 5월까지" in _found(counts.find, "2024년 2월부터 5월까지 일했다")
    assert "2023년 설날" in _found(counts.find, "2023년 설날 찍은 사진")
    assert "the evening of 3 May 2025" in _found(counts.find, "on the evening of 3 May 2025 he")
    assert "в начале марта" in _found(counts.find, "видела его в начале марта у магазина")
    # a clock time after a dotted date stays outside; a date alone is not doubled
    assert "2025. 4. 7. 10:00" not in _found(counts.find, "일시: 2025. 4. 7. 10:00 장소")
    assert _found(counts.find, "Mar 3 was cold. May 5 2020") == []


def test_sums_with_what_they_are_per_round_six(detector: Detector) -> None:
    text = "The room was £640 per calendar month; tiling 900 rub per m2; a gift of NZ$2,500."
    spans = detector.detect(text)
    for needle in ("£640 per calendar month", "900 rub per m2", "NZ$2,500"):
        assert covers(text, spans, needle), needle
    text = "제 손에 쥔 돈은 한 달 50~70달러 정도였다."
    assert covers(text, detector.detect(text), "한 달 50~70달러 정도")
    text = "Send a deposit 15 000 to my card."
    assert covers(text, detector.detect(text), "15 000")
    text = "работал с 2 марта 2021 года по 5 мая 2022 года на складе"
    assert covers(text, detector.detect(text), "2 марта 2021 года по 5 мая 2022 года")


def test_russian_counts_in_more_slots_round_six() -> None:
    got = _found(counts.find, "Человек 12, все в касках. В вагоне жили четверо. Все четверо ушли.")
    assert got.count("четверо") == 2
    assert "12" in got
    assert "два месяца" in _found(counts.find, "за последние два месяца ничего")
    assert _found(counts.find, "Человек хороший. Все мы ушли.") == []


def test_firms_by_legal_form_banks_and_headers_round_six(detector: Detector) -> None:
    text = (
        "2024년부터 (주)한솔기공에서 일하다가 (사)희망동행 도움으로 법무법인 푸른숲에 상담했다. "
        "우리은행 계좌"
    )
    spans = detector.detect(text)
    for needle in ("(주)한솔기공", "(사)희망동행", "법무법인 푸른숲", "우리은행"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "상담했다")
    text = "ELMWOOD VALLEY COMMUNITY FOOD BANK - VISIT LOG\nSee Harlow & Nwosu LLP."
    spans = detector.detect(text)
    assert covers(text, spans, "ELMWOOD VALLEY COMMUNITY FOOD BANK")
    assert covers(text, spans, "Harlow & Nwosu LLP")
    assert not touches(text, spans, "VISIT LOG")
    text = "Reverend Amos Pike of Holy Cross parish, and Redbrook Joinery."
    spans = detector.detect(text)
    assert covers(text, spans, "Holy Cross parish")
    assert covers(text, spans, "Redbrook Joinery")


def test_capital_headings_are_no_firm() -> None:
    from app.redaction import orgs

    text = "THE FACTS AND THE LAW\nPROCEDURE BEFORE THE COURT"
    assert [text[s.start : s.end] for s in orgs.find(text)] == []


def test_korean_local_police_are_masked_investigators_public(detector: Detector) -> None:
    text = "신변보호담당관: 부평경찰서 오 경위\n접수: 남동경찰서 구월지구대"
    spans = detector.detect(text)
    assert covers(text, spans, "부평경찰서")
    assert covers(text, spans, "남동경찰서 구월지구대")
    text = "진술인은 2025. 3. 2. 부평경찰서 수사과에 출석하였다."
    assert not touches(text, detector.detect(text), "부평경찰서")


def test_public_bodies_round_six(detector: Detector) -> None:
    for text, public in [
        ("Referred by Thames Valley Police to the Oxford Multi-Agency Safeguarding Hub.",
         ["Thames Valley Police", "Oxford Multi-Agency Safeguarding Hub"]),
        ("He is registered with the NHS and wrote to Immigration New Zealand.",
         ["NHS", "Immigration New Zealand"]),
        ("주몽골 대한민국 대사관에 연락했다.", ["주몽골 대한민국 대사관"]),
        ("обратился в ОМВД России по Кировскому району г. Хабаровска вчера",
         ["ОМВД России по Кировскому району г. Хабаровска"]),
        ("следователь Вяземского межрайонного следственного отдела СУ СК России по "
         "Хабаровскому краю", ["Вяземского межрайонного следственного отдела СУ СК России"]),
        ("в Представительстве УВКБ ООН в Москве", ["Представительстве УВКБ ООН"]),
        ("гражданин Корейской Народно-Демократической Республики ЛИ ЧОЛ", [
            "Корейской Народно-Демократической Республики"]),
    ]:
        spans = detector.detect(text)
        for p in public:
            assert not touches(text, spans, p), (text, p)
    text = "гражданин Корейской Народно-Демократической Республики ЛИ ЧОЛ"
    assert covers(text, detector.detect(text), "ЛИ ЧОЛ")
    # a police station and a consulate named by the place of the witness stay masked
    text = "He went to Kowon Police station. 그는 하바롭스크 총영사관으로 들어갔다."
    spans = detector.detect(text)
    assert touches(text, spans, "Kowon")
    assert covers(text, spans, "하바롭스크")


def test_day_month_tied_to_an_event_round_six() -> None:
    assert "03.11" in _found(counts.find, "Прочее. 03.11 вечером он ушёл.")
    assert "18.09" in _found(counts.find, "Жду ответа. Петров, 18.09\n")
    assert "21.04" in _found(counts.find, "(согласие подписано 21.04)")
    # a decimal or a price is no date
    assert _found(counts.find, "Температура 38.05 и цена 12.05 руб.") == []


def test_korean_workplaces_ships_wards_and_quoted_shops_round_six(detector: Detector) -> None:
    text = (
        "지금은 청주 비닐하우스에서 일하고, 주말에는 장안동 반찬가게에서 돕는다. "
        "소속: 오산 제1공장 검사팀"
    )
    spans = detector.detect(text)
    for needle in ("청주 비닐하우스", "장안동 반찬가게", "오산 제1공장 검사팀"):
        assert covers(text, spans, needle), needle
    assert not touches(text, spans, "지금은")
    text = "He crewed a longline boat out of Korsakov, the Polar-Star 12. Ward: 4 North."
    spans = detector.detect(text)
    assert covers(text, spans, "Polar-Star 12")
    assert covers(text, spans, "4 North")
    text = "Его перевели в палату 215, потом отвезли в аптеку «Здоровье»."
    spans = detector.detect(text)
    assert covers(text, spans, "палату 215")
    assert covers(text, spans, "«Здоровье»")
    text = "работал на тепличном комплексе в с. Ивановка до весны"
    assert covers(text, detector.detect(text), "тепличном комплексе в с. Ивановка")


def test_dotted_year_month_stays_on_its_line() -> None:
    got = _found(counts.find, "met her at the airport in 2023.\n5. The practice")
    assert not any("\n" in g for g in got)


def test_spelled_dates_genitive_counts_and_quoted_korean_kinds_round_six() -> None:
    text = "Пятнадцатое марта две тысячи двадцать пятого года"
    assert text in _found(counts.find, text)
    got = _found(counts.find, "бригада из тридцати двух граждан КНДР")
    assert "тридцати двух граждан КНДР" in got
    from app.redaction import orgs

    def org(text: str) -> list[str]:
        return [text[s.start : s.end] for s in orgs.find(text)]

    assert "'새싹나눔' 동아리" in org("교내 '새싹나눔' 동아리의 총무")
    assert "'금강산' 식당" in org("하바롭스크의 '금강산' 식당에서 일했다")
    assert "다리잇기" in org("인권 단체 '다리잇기'에서 일한다")
    # a quoted word without a kind is a quotation, not a name
    assert org("그는 '좋아요'라고 말했다.") == []


def test_header_dates_night_spans_month_lists_and_year_ranges_round_six() -> None:
    assert "3 нояб." in _found(counts.find, "Ирина Лось · 3 нояб. в 10:15")
    assert "Ср, 2 дек. 2026, 14:05" in _found(counts.find, "Дата: Ср, 2 дек. 2026, 14:05\n")
    assert "3 на 4 марта 2025" in _found(counts.find, "в ночь с 3 на 4 марта 2025 г. он")
    assert "11.03 и 19.03" in _found(counts.find, "звонил дважды (11.03 и 19.03) и")
    got = _found(counts.find, "За май, июнь и июль 2025 года не заплатили.")
    assert "май, июнь и июль 2025 года" in got
    assert "Wed 4/11/2026" in _found(counts.find, "Date of visit: Wed 4/11/2026  Visit")
    assert "morning of the 12th" in _found(counts.find, "on the morning of the 12th he")
    assert "2015년부터 2018년까지" in _found(counts.find, "그는 2015년부터 2018년까지 일했다")
    # a short word that is no month abbreviation stays
    assert _found(counts.find, "в 3 мар ке") == []


def test_ampersand_firms_round_six() -> None:
    from app.redaction import orgs

    text = "a supplier to Pemberton & Vale, the retailer"
    assert "Pemberton & Vale" in [text[s.start : s.end] for s in orgs.find(text)]
    text = "Q & A session"
    assert [text[s.start : s.end] for s in orgs.find(text)] == []


def test_record_dates_split_by_script_match_as_the_whole() -> None:
    text = (
        "상담일: 2026. 4. 7.(화) 2024년 2월부터 5월까지; в конце мая, 3 нояб.; "
        "Olga · Mar 3, 7:02 AM; 2025-01-02 10:00; the night of 4 May 2025"
    )
    whole = {m.span() for m in counts.RECORD_DATES.finditer(text)}
    split = {m.span() for rx, _ in counts.RECORD_DATES_BY_SCRIPT for m in rx.finditer(text)}
    assert whole == split
    assert len(whole) >= 6
