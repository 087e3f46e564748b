"""Public authorities and legal citations: text that must stay readable.

The annotation conventions make state bodies, courts and UN organs NO_MASK
(they are the evidence's setting, not who the witness is), and so are the
dates and numbers of laws and resolutions ("Федеральный закон от 25.07.2002
№ 115-ФЗ"). These are grammars of how such names are built in each
language (head noun of an authority, its genitive or "по ..." tail up to a
country or region word), not lists of particular bodies. The
abbreviations are the standard ones of the Russian Interior Ministry's
migration service and are general knowledge.
"""

from __future__ import annotations

import re

# Russian: "Управление по вопросам миграции ГУ МВД России по Приморскому
# краю", "Отдел по вопросам миграции ОМВД России" (a city after "по г." is
# where the witness is, and stays outside),
# "Государственная инспекция труда в Хабаровском крае".
_RU_HEAD = (
    r"(?:(?:Главн|Федеральн|Государственн|Районн|Краев|Областн|Пограничн|Межрайонн)\w*\s+)?"
    # the adjectives of an investigative office: "Комсомольского межрайонного
    # следственного отдела" (seat, reach, field, in any case)
    r"(?:(?:[А-ЯЁ][а-яё]+(?:ого|ий|ый|ом|ому|ым)\s+)?(?:межрайонн|районн|городск)\w*\s+)?"
    r"(?:(?:следственн|оперативн)\w*\s+)?"
    r"(?:управлени|отдел|министерств|инспекци|прокуратур|служб|департамент|комитет|"
    r"комисси|суд|администраци|пограничн\w*\s+управлени)\w*"
)
_RU_ABBR = (
    r"(?:Гострудинспекц\w*|Роструд\w*|ГИТ|ГУ\s+МВД|ГУВМ|УМВД|ОМВД|МВД|УФМС|ФМС|ФСБ|ОВМ|УВМ|"
    # the Investigative Committee and its regional offices: "СУ СК России по ... краю"
    r"(?:ГСУ|СУ)\s+СКР?|СКР?(?=\s+(?:России|РФ))|"
    r"ГИБДД|ФНС|ПФР|ООН|МОТ|МИД)"
)
_RU_TAIL = (
    r"(?:\s+(?:по|при|в|во|на|и)?\s*(?:вопросам\s+\w+|труда|миграции|делам\s+\w+|"
    r"Российской\s+Федерации|России|РФ|{abbr}|"
    r"[А-ЯЁ]?[а-яё]+(?:ому|ой|ом|ем)\s+(?:краю|крае|области|району|районе|округу)|"
    # a body's seat in the genitive: "прокуратура Тамбовского района"
    r"[А-ЯЁ][а-яё]+(?:ого|его|ой)\s+(?:района|края|области|округа)|"
    # "ОМВД России по г. Находке": the city a police office serves is part
    # of the office's name (annotated NO_MASK with it)
    r"г\.\s*[А-ЯЁ][а-яё-]+(?:у|е|и|ю)|"
    # a district's city in the genitive: "по Ленинскому району г. Владивостока"
    r"(?<=район[уе]\s)г\.\s*[А-ЯЁ][а-яё-]+(?:а|я|и|ы)|"
    r"(?:Хабаровск|Приморск|Амурск|Сахалинск)\w*\s+кра\w+))"
)
RU_BODY = re.compile(
    rf"(?<!\w)(?:{_RU_HEAD}|{_RU_ABBR})(?:{_RU_TAIL.format(abbr=_RU_ABBR)}){{0,6}}(?!\w)",
    re.IGNORECASE,
)
_CITY_TAIL = re.compile(r"\s+по\s+г\.\s*[А-ЯЁ][а-яё-]+$", re.IGNORECASE)
# A head noun alone ("суд", "отдел") is an ordinary word: only a body with a
# tail or an abbreviation counts.
_RU_BARE_HEAD = re.compile(rf"(?:{_RU_HEAD})", re.IGNORECASE)

# UN organs and the like: "Группа экспертов ООН", "Совет Безопасности ООН".
RU_UN = re.compile(
    r"(?<!\w)(?:[А-ЯЁ][а-яё]+\s+){1,3}(?:[а-яё]+\s+)?(?:[А-ЯЁ]{3,6}\s+)?ООН(?!\w)"
    r"|(?<!\w)(?:[А-ЯЁ]{3,6}\s+)?ООН(?!\w)"
)

# English: tribunals, ministries, offices of state, UN organs.
EN_BODY = re.compile(
    r"\b(?:the\s+)?(?:"
    r"(?:First-tier|Upper)\s+Tribunal(?:\s+\((?:Immigration\s+and\s+Asylum\s+Chamber)\))?"
    r"|Secretary\s+of\s+State\s+for\s+the\s+(?:[A-Z][a-z]+\s+){0,2}(?:Department|Office|Affairs)"
    r"|Home\s+Office(?:\s+Presenting\s+Officer)?|Home\s+Department|Foreign\s+Office"
    # a state's ministries and missions: "the Russian Foreign Ministry", "the
    # North Korean consulate", "the Chinese embassy in X"
    r"|(?:[A-Z][a-z]+\s+){0,2}(?:Foreign|Interior|Justice|Defen[cs]e|Labou?r|Emergencies)\s+Ministry"
    r"|(?:[A-Z][a-z]+\s+){1,2}(?:consulate|embassy|Consulate|Embassy)(?:\s+General)?"
    r"|(?:UN\s+|United\s+Nations\s+)?Security\s+Council"
    r"|(?:UN\s+)?Panel\s+of\s+Experts"
    r"|United\s+Nations(?:\s+[A-Z][a-z]+){0,3}"
    r"|(?:Ministry|Department)\s+of\s+(?:[A-Z][a-z]+\s*(?:and\s+)?){1,3}"
    # UN organs and mandates by how their names are built
    r"|Human\s+Rights\s+(?:Council|Committee|Commission)|General\s+Assembly"
    r"|(?:Office\s+of\s+the\s+)?(?:UN\s+|United\s+Nations\s+)?High\s+Commissioner\s+for\s+"
    r"(?:Human\s+Rights|Refugees)"
    r"|(?:UN\s+)?Special\s+Rapporteurs?(?:\s+on\s+(?:the\s+)?[a-z][a-z ,'’-]{3,90}?"
    r"(?:Democratic\s+People's\s+Republic\s+of\s+Korea|DPRK|consequences|detention|"
    r"trafficking|migrants|torture|slavery|defenders))?"
    r"|Working\s+Group\s+on\s+(?:Arbitrary\s+Detention|Enforced\s+or\s+Involuntary\s+Disappearances|"
    r"[A-Z]?[a-z]+\s+[a-z]+)"
    r"|Commission\s+of\s+Inquiry(?:\s+on\s+[A-Z][\w ]{3,60}?(?=[.,;\n]))?"
    r"|Committee\s+(?:against\s+Torture|on\s+the\s+[A-Z][a-z]+(?:\s+[a-z]+){0,3}\s+[A-Z][a-z]+)"
    r"|International\s+(?:Labour\s+Organi[sz]ation|Organi[sz]ation\s+for\s+Migration|"
    r"Committee\s+of\s+the\s+Red\s+Cross|Criminal\s+Court)"
    # local authorities: "Kingston Council", "Leeds City Council"
    r"|[A-Z][a-z]+(?:\s+(?:City|County|Borough|District|Town|Village))?\s+Council"
    r"|(?:City|County|Town|Province|State)\s+of\s+[A-Z][a-z]+(?=\s+[A-Z][a-z]+\s+[A-Z])"
    r")"
)

# Korean: courts, prosecution, police, immigration, ministries.
KO_BODY = re.compile(
    r"(?:[가-힣]+(?:고등법원|지방법원|가정법원|행정법원|법원|검찰청|지방검찰청|지검|경찰서|경찰청|"
    r"출입국관리사무소|출입국·외국인청|출입국외국인청)(?:\s+[가-힣]+지원)?"
    r"|대법원|헌법재판소|통일부|외교부|법무부|국가정보원|국정원|경찰청|하나원"
    # a state's missions: "주러시아 대한민국 대사관", "주X 총영사관", "러시아 대사관"
    # (a city before a consulate without 주 is where the witness went: "X 총영사관으로";
    # a country before it is the state's mission: the states of this corpus' setting,
    # general knowledge)
    r"|(?:주[가-힣]{2,10}\s?)?(?:대한민국\s?|(?:러시아|중국|북한|한국|일본|미국|몽골|영국)\s)?"
    r"(?:대사관|총영사관|영사관)"
    # the National Assembly and its standing committees: "국회 외교통일위원회"
    r"|국회(?:\s[가-힣]{2,10}위원회)?)"
)

# Russian courts named by their seat and level: "Артёмовский городской суд Приморского
# края", "в Центральном районном суде г. Хабаровска", "Арбитражный суд Амурской области".
RU_COURT = re.compile(
    r"(?<!\w)(?:[А-ЯЁ][а-яё-]+(?:ий|ый|ой|ом|ого|ому|ым|ем|его)\s+(?:городск|районн|межрайонн|"
    r"краев|областн|гарнизонн\w*\s+военн)\w*|[Аа]рбитражн\w*|[Вв]ерховн\w*|[Кк]онституционн\w*)"
    r"\s+суд\w*(?:\s+(?:г\.\s*[А-ЯЁ][а-яё-]+|[А-ЯЁ][а-яё-]+(?:ого|его|ой)\s+(?:края|области|"
    r"республики|автономного\s+округа)|Российской\s+Федерации|РФ|Республики\s+[А-ЯЁ][а-яё-]+))?"
)

# A state by its formal name: "Республики Узбекистан", "Republic of Kazakhstan".
RU_REPUBLIC = re.compile(
    # "Корейской Народно-Демократической Республики": hyphenated adjectives, several
    r"(?<!\w)(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)*(?:ой|ая|ую)\s+){1,3}Республик[аиуе](?!\w)|"
    r"(?<!\w)Республик[аиуе]\s+(?:Корея|Кореи|[А-ЯЁ][а-яё]+стан\w*|[А-ЯЁ][а-яё]+ия|[А-ЯЁ][а-яё]+ии)"
    r"(?!\w)"
)
# A ministry by its field and the region it serves: "Министерство образования
# Амурской области", "Министерство труда и социальной защиты РФ"; a state's
# missions: "Генеральное консульство Республики X во Y", "Посольство Японии".
RU_MINISTRY = re.compile(
    r"(?<!\w)Министерств[оауеом]+\s+(?:[а-яё]+(?:ой|ых|его|ого)\s+)?[а-яё]+"
    r"(?:\s+и\s+(?:[а-яё]+(?:ой|ых)\s+)?[а-яё]+)?"
    r"(?:\s+(?:[А-ЯЁ][а-яё]+(?:ого|ой|его)\s+(?:края|области|республики)|Российской\s+Федерации|"
    r"России|РФ))?"
    r"|(?<!\w)(?:[Гг]енеральн\w+\s+)?(?:[Кк]онсульств|[Пп]осольств)\w*\s+(?:Республики\s+Корея|"
    r"КНДР|[А-ЯЁ][а-яё]+(?:ии|ии|ы|а|и))(?:\s+(?:в|во)\s+[А-ЯЁ][а-яё-]+)?"
)
# National agencies by their head: "the Japan Coast Guard", "State Border Guard";
# territorial police forces ("Thames Valley Police", "Police Scotland", "X
# Constabulary"), the national health services, statutory safeguarding bodies
# ("X Multi-Agency Safeguarding Hub", "Local Safeguarding Children Board") and
# national agencies named "function + country" ("Immigration New Zealand",
# "Statistics Canada"): public services, the setting of a report (general
# knowledge of how such bodies are named).
EN_AGENCY = re.compile(
    r"\b(?:[A-Z][a-z]+\s+){0,2}(?:Coast|Border)\s+Guard\b"
    r"|\b(?:[A-Z][a-z]+\s+){1,3}(?:Police(?:\s+Service)?|Constabulary)\b(?!\s+(?:[Ss]tation|[Oo]fficer))"
    r"|\bPolice\s+(?:Scotland|Service\s+of\s+Northern\s+Ireland)\b"
    r"|\bNHS(?:\s+(?:England|Scotland|Wales|111|Digital))?\b(?!\s+(?:[A-Z][a-z]+\s+)*Trust)"
    r"|\b(?:[A-Z][a-z]+\s+)?(?:Multi-Agency\s+)?Safeguarding\s+(?:Hub|Board|Partnership)\b"
    r"|\bLocal\s+Safeguarding\s+(?:Children|Adults)\s+(?:Board|Partnership)\b"
    r"|\b(?:Immigration|Police|Customs|Statistics|Health|Service|Revenue|Employment|Education)\s+"
    r"(?:New\s+Zealand|Canada|Australia|Scotland|Ireland|Wales)\b"
)
# Korean public corporations and services by how their names are built
# ("국민연금공단", "한국산업인력공단", "대한법률구조공단"): national state services.
# (A regional resettlement centre, "X하나센터", locates the witness and is left.)
KO_AGENCY = re.compile(
    r"(?:[가-힣]*(?:복지|구조|보험|연금|인력|안전보건|관리|진흥))공단|"
    r"(?:[가-힣]*(?:진흥|평가))원(?=[은는이가을를의에,\s]|$)"
)
# A parliamentary record ("국회 ... 회의록"): the members and officials who speak
# in it ("○ 홍길동 위원:", "○ 위원장 홍길동:", "○ 장관 홍길동:") and its
# sitting date are public; witnesses and testifiers (참고인, 증인) are not.
KO_RECORD = re.compile(r"국회[\s\S]{0,200}?(?:회의록|국정감사|속기록)")
KO_SPEAKER = re.compile(
    r"^○\s*(?:(?:위원장|장관|차관|의원|위원)\s+)?([가-힣]{2,4})(?:\s*(?:위원장|위원|의원|장관|차관))?\s*:",
    re.MULTILINE,
)
KO_SITTING = re.compile(r"일시\s*:\s*[^/\n]{4,30}")
# Laws and resolutions: their dates and numbers are public.
LAW_CITATION = re.compile(
    r"(?:закон\w*|кодекс\w*|постановлени\w*|указ\w*|приказ\w*|резолюци\w*)"
    r"(?:\s+[А-ЯЁа-яё]+){0,3}\s+от\s+\d{1,2}\.\d{2}\.\d{4}(?:\s*г\.)?\s*№\s*[\w-]+"
    r"|\bresolutions?\s+\d{1,4}(?:/\d+)?(?:\s*\(\d{4}\))?"
    r"(?:\s+of\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4})?"
    r"(?:,?\s+adopted\s+(?:on\s+)?\d{1,2}\s+[A-Z][a-z]+\s+\d{4})?"
    r"|\b(?:Act|Regulations|Rules)\s+(?:of\s+)?\d{4}"
    # a resolution's adoption date and a UN organ's session dates are public
    r"|\b\d{1,3}(?:st|nd|rd|th)\s+session,?\s+\d{1,2}\s+[A-Z][a-z]+"
    r"(?:\s*[–-]\s*\d{1,2}\s+[A-Z][a-z]+)?\s+\d{4}",
    re.IGNORECASE,
)


# A letterhead: the line right after an authority's name that is an address
# ("692519, Приморский край, г. Уссурийск, ул. Тимирязева, д. 29") is the
# authority's own address, public like its name.
LETTERHEAD_ADDRESS = re.compile(
    r"\n[ \t]*((?:\d{6},\s*)?[^\n]{0,80}?(?:ул\.|улица|пр\.|проспект|пер\.|наб\.|шоссе)"
    r"[^\n]{0,60})"
)


def find(text: str) -> list[tuple[int, int]]:
    """Offsets of public bodies and legal citations in ``text``."""
    out: list[tuple[int, int]] = []
    for m in RU_BODY.finditer(text):
        if _RU_BARE_HEAD.fullmatch(m.group(0)):
            continue
        end = m.end()
        # In running text the city an office serves is part of its name
        # ("задержан сотрудниками ОМВД России по г. Находке"); in a letterhead
        # line the city stays outside, as the older sets annotate it.
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip():
            city = _CITY_TAIL.search(m.group(0))
            if city:
                end = m.start() + city.start()
        out.append((m.start(), end))
        line_end = text.find("\n", m.end())
        # Only when the name (and the place it serves, "по г. Уссурийску")
        # fills its line, as in a letterhead.
        rest = text[m.end() : line_end] if line_end >= 0 else "."
        rest = re.sub(r"(?<!\w)(?:г|гор|пос|с|п)\.", "", rest)
        if line_end >= 0 and len(rest) <= 40 and not re.search(r"[.;:!?](?:\s|$)", rest):
            head = LETTERHEAD_ADDRESS.match(text, line_end)
            if head:
                out.append((head.start(1), head.end(1)))
    for rx in (RU_UN, RU_COURT, EN_BODY, KO_BODY, LAW_CITATION, RU_REPUBLIC, RU_MINISTRY,
               EN_AGENCY, KO_AGENCY):
        out += [(m.start(), m.end()) for m in rx.finditer(text) if not local_police(text, m)]
    if KO_RECORD.search(text):
        out += _parliament(text)
    return out


# A Korean police station is public where it investigates ("X경찰서 수사과에
#출석"), but the station that protects a resettled defector, or its local box
# ("X경찰서 Y지구대"), says where the witness lives: the older sets mark those
# QUASI, and ``orgs.KO_POLICE`` finds them.
KO_LOCAL_POLICE_CUE = re.compile(r"신변보호|보호담당관|보호관|접수관서|관할")


def local_police(text: str, m: re.Match[str]) -> bool:
    if not m.group(0).endswith("경찰서"):
        return False
    if re.match(r"\s?[가-힣]+(?:지구대|파출소)", text[m.end() : m.end() + 12]):
        return True
    near = text[max(0, m.start() - 25) : m.end() + 20]
    return bool(KO_LOCAL_POLICE_CUE.search(near))


def _parliament(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    names = set()
    for m in KO_SPEAKER.finditer(text):
        before = text[m.start() : m.start(1)]
        if "참고인" in before or "증인" in before:
            continue
        names.add(m.group(1))
    for name in names:
        out += [(m.start(), m.end()) for m in re.finditer(rf"(?<![가-힣]){name}", text)]
    out += [(m.start(), m.end()) for m in KO_SITTING.finditer(text)]
    return out
