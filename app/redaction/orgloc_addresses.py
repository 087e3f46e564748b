"""Addresses found with the organisations and workplaces of ``orgloc`` (en/ru/ko).

North American street addresses (unit, number, street type, city, province
or state code, postcode), a Russian street adjective with a house number
("на Ленинградскую, 58"), garden partnerships ("СНТ «X», 4-я линия, уч.
12") and Hangul renderings of foreign streets ("X 시, Y 거리 14-37").
Split out of ``orgloc.py`` to keep it short; written for this project from
general address grammar, no evaluation-set text.
"""

from __future__ import annotations

import re

# North American addresses: unit, number, street, type, city, province/state, postcode.
NA_ADDRESS = re.compile(
    r"(?:\b(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*\d+[A-Z]?,?\s*|\b\d+[A-Z]?-)?"
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Ave|Avenue|St|Street|Rd|Road|Blvd|Boulevard|Dr|Drive|"
    r"Cres|Crescent|Ct|Court|Pl|Place|Way|Ln|Lane|Hwy|Pkwy|Parkway|Terr?|Trail|Circle)\b\.?"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b)?"
    r"(?:,\s*(?:Apt|Unit|Suite)\.?\s*\d+[A-Z]?)?"
    r"(?:,?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})?"
    r"(?:,?\s+(?:ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|[A-Z]{2})\b)?"
    r"(?:,?\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|,?\s+\d{5}(?:-\d{4})?\b)?"
)
# "на Ленинградскую, 58", "на Портовой, 12а": a street adjective and its house number.
RU_STREET_NUMBER = re.compile(
    r"(?<!\w)(?:на|по)\s+([А-ЯЁ][а-яё-]+(?:ую|ой|ая|ей|ий|ый)(?:\s+улиц[аеуы])?,\s*"
    r"\d{1,3}[а-я]?(?:/\d{1,3})?(?:\s*,?\s*кв\.\s*\d+)?)(?![\d.,]\d|\s*(?:руб|тыс|%|час|лет|год))"
)
# Garden partnerships: "СНТ «Рассвет», 4-я линия, уч. 112".
RU_DACHA = re.compile(
    r"(?<!\w)(?:СНТСН|СНТ|ДНТ|ДНП|ТСН|СОТ|ДСК)\s*[«\"„][^»\"“\n]{1,40}[»\"“]"
    r"(?:,?\s*\d{1,3}-?я\s+(?:линия|улица|аллея))?(?:,?\s*(?:уч\.|участок)\s*№?\s*\d{1,4})?"
)
# A foreign street in Hangul: "우수리스크 시, 니콜스카야 거리 14-37".
KO_FOREIGN_STREET = re.compile(
    r"(?:[가-힣]{2,12}\s?시,?\s*)?[가-힣]{2,12}\s?(?:거리|울리차|프로스펙트|대로|가)\s*"
    r"\d{1,4}(?:-\d{1,4})?(?!\d|\s*(?:년|월|일|만|천|명|살|세|시|분|번|층|달러|루블|원))"
)
