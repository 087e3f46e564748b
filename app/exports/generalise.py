"""Generalisation of sealed quasi-identifiers for redacted exports.

A redacted export (``cases.json`` / ``cases.csv``) may carry a sealed field
only in a coarser form that many witnesses share. :func:`generalise_fields`
turns one case's decrypted sealed fields into exactly the exportable columns
(:data:`EXPORTED_FIELDS`); nothing else passes. The publication rules:

* birth year: a 10-year band aligned on decades ("1980-1989");
* dispatch start / end: a 5-year band aligned on multiples of five
  ("2015-2019"): narrow enough to separate the pre- and post-2017 sanctions
  periods, wide enough that a dispatch date does not single anyone out;
* DPRK hometown: the first-level division only (province, capital or special
  city), and only when at least five cases of the same export share it
  (:func:`apply_province_threshold`, which the caller runs over the whole
  export); city, county and ri never leave;
* location in Russia: the federal district, never the city or the subject;
* loyalty fee / amount withheld: the schema's wage bands (:func:`schema.band`);
* current status: "in_russia" is never exported. It is pooled with "unknown"
  under :data:`STATUS_NOT_DISCLOSED`: a label used for "in_russia" alone would
  publish the very fact it hides.

Free-text fields are matched against gazetteers in ``app/exports/data`` (see
SOURCES.md there). Matching is deliberately conservative: when in doubt the
answer is ``None`` (not disclosed), never a guess.

Pure Python: no Flask, no SQLAlchemy, so it can run in a CLI export or a test.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from app.intake import schema

BIRTH_BAND_WIDTH = 10
DISPATCH_BAND_WIDTH = 5
PROVINCE_MINIMUM = 5

# The export columns generalise_fields returns, in order. Everything else in
# the sealed fields (names, ids, contacts, city/county/ri, employer, team
# size, exact dates and amounts, attachments) is dropped.
EXPORTED_FIELDS: tuple[str, ...] = (
    "birth_band",
    "sex",
    "hometown_province",
    "federal_district",
    "dispatch_start_band",
    "dispatch_end_band",
    "loyalty_fee_band",
    "withheld_band",
    "current_status",
)

STATUS_NOT_DISCLOSED = "not_disclosed"
# Statuses exported as STATUS_NOT_DISCLOSED. "unknown" is pooled with
# "in_russia" on purpose, so the label does not mean "still in Russia"; a
# witness who went back to the DPRK is the one most at risk if found, so
# "returned_dprk" is never exported either.
HIDDEN_STATUSES = frozenset({"in_russia", "unknown", "returned_dprk"})

# What federal_district returns for Ukrainian territory Russia claims (see
# SOURCES.md): it is never reported as a Russian federal district.
OCCUPIED_UKRAINE = "Occupied territory of Ukraine"

_DATA_PACKAGE = "app.exports"


# --- bands -------------------------------------------------------------------

def _year_of(value: object) -> int | None:
    """A calendar year from an int, a date, or an ISO string ("2016", "2016-03",
    "2016-03-01"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, date):
        return value.year
    if isinstance(value, int):
        year = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})(?:-\d{2}(?:-\d{2})?)?(?:[T ].*)?\s*", value)
        if match is None:
            return None
        year = int(match.group(1))
    else:
        return None
    return year if 1000 <= year <= 9999 else None


def _band_of_year(year: int, width: int) -> str:
    start = year - year % width
    return f"{start}-{start + width - 1}"


def birth_band(year: int | str | None) -> str | None:
    """The decade of a birth year: 1989 -> "1980-1989", 1990 -> "1990-1999"."""
    parsed = _year_of(year)
    return None if parsed is None else _band_of_year(parsed, BIRTH_BAND_WIDTH)


def year_band(value: date | str | None, width: int = DISPATCH_BAND_WIDTH) -> str | None:
    """The ``width``-year band of a date, aligned on multiples of ``width``:
    2017-06-01 -> "2015-2019" with the default width of five."""
    if width < 1:
        raise ValueError("a band is at least one year wide")
    parsed = _year_of(value)
    return None if parsed is None else _band_of_year(parsed, width)


def wage_band(field_name: str, value: object) -> str | None:
    """The schema band of a sealed monthly amount (int or digit string)."""
    spec = schema.BY_NAME[field_name]
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdecimal():
            return None
        value = int(value)
    if not isinstance(value, int) or value < spec.bands[0]:
        return None
    return schema.band(spec, value)


# --- text folding --------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘ʼʻ`´"), None)
_NOT_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Case, width, Latin accents, ё and punctuation folded away, words
    separated by single spaces: "P'yŏngan-namdo" -> "pyongan namdo",
    "Приморский край, г. Находка" -> "приморский край г находка"."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = text.replace("ё", "е")
    letters = []
    for char in text:
        if ord(char) > 127 and char.isalpha():
            base = unicodedata.normalize("NFD", char)[0]
            # Only Latin loses its marks (ŏ -> o); Cyrillic й and Hangul
            # (which NFD splits into jamo) stay as they are.
            if base.isascii():
                char = base
        letters.append(char)
    return _NOT_WORD.sub(" ", "".join(letters)).strip()


def _is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or \
        "\u3130" <= char <= "\u318f"


# --- DPRK provinces -------------------------------------------------------------

# Words that say "this is a province" and carry no name.
_PROVINCE_FILLER = frozenset({
    "province", "provinces", "prov", "do", "도", "city", "special", "directly", "governed",
    "провинция", "провинции", "пров", "город", "г", "особый", "dprk", "кндр", "북한",
})
_NORTH = frozenset({"n", "north", "northern", "nth"})
_SOUTH = frozenset({"s", "south", "southern", "sth"})


def _province_key(text: str) -> str:
    """One comparison key per spelling: filler words dropped, the direction
    word first ("Hamgyong North" = "North Hamgyong"), spaces and a trailing
    "do"/"도" removed ("Kangwon-do" = "Kangwondo" = "Kangwon")."""
    tokens = [token for token in _fold(text).split() if token not in _PROVINCE_FILLER]
    direction = []
    rest = []
    for token in tokens:
        if token in _NORTH or token.startswith("северн"):
            direction.append("north")
        elif token in _SOUTH or token.startswith("южн"):
            direction.append("south")
        else:
            rest.append(token)
    key = "".join(direction + rest)
    for suffix in ("do", "도"):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class _ProvinceGazetteer:
    by_key: Mapping[str, str]
    canonical: tuple[str, ...]


@cache
def _provinces() -> _ProvinceGazetteer:
    raw = json.loads(resources.files(_DATA_PACKAGE).joinpath("data", "dprk_provinces.json")
                     .read_text("utf-8"))
    by_key: dict[str, str] = {}
    for province in raw["provinces"]:
        for spelling in [province["en"], province["ko"], *province["spellings"]]:
            key = _province_key(spelling)
            if by_key.setdefault(key, province["en"]) != province["en"]:
                raise ValueError(f"dprk_provinces.json: {spelling!r} names two provinces")
    city_keys = frozenset(_province_key(name) for city in raw["not_provinces"]["cities"]
                          for name in city)
    clash = city_keys & by_key.keys()
    if clash:
        raise ValueError(f"dprk_provinces.json: cities spelled like provinces: {sorted(clash)}")
    # The city list only guards the data: a city spelled like a province
    # would let dprk_province publish a city.
    return _ProvinceGazetteer(by_key=by_key,
                              canonical=tuple(p["en"] for p in raw["provinces"]))


def dprk_provinces() -> tuple[str, ...]:
    """The canonical names of the DPRK's first-level divisions."""
    return _provinces().canonical


def dprk_province(text: str | None) -> str | None:
    """The canonical first-level division a typed province names, or None.

    The whole field must name one division (in English, Korean or Russian, any
    case, with or without "Province"/"-do"/"도"): "함북", "N. Hamgyong" and
    "Северный Хамгён" are all "North Hamgyong". Anything else is None: a city
    typed by mistake ("Chongjin"), a pre-1954 undivided province ("Hamgyong"),
    or a province with more text ("Chongjin, North Hamgyong"). We never guess,
    so a city can never reach an export through this field.
    """
    if not text:
        return None
    return _provinces().by_key.get(_province_key(text))


# --- Russian federal districts ----------------------------------------------------

# Russian names are matched in their case forms too ("во Владивостоке",
# "в Приморском крае", "Амурской области"): a word's nominative ending is cut
# off and any ending of the same kind (noun or adjective) may follow.
_ADJECTIVE_NOMINATIVE = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
_NOUN_NOMINATIVE = ("ия", "а", "я", "о", "е", "и", "ы", "у", "ь", "й")
_ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его",
                      "ому", "ему", "ым", "им", "ом", "ем", "ых", "их", "ую", "юю", "ыми",
                      "ими", "ей")
_NOUN_ENDINGS = ("а", "я", "у", "ю", "е", "и", "ы", "ь", "й", "о", "ом", "ем", "ой", "ей",
                 "ью", "ия", "ии", "ию", "ией", "ам", "ям", "ах", "ях", "ами", "ями")
_MINIMUM_STEM = 3
# Names matched only as written: "Кирова" is a street in most Russian cities,
# and "Коми" inflected would match "кому" ("to whom").
_UNINFLECTED = frozenset({"киров", "коми"})


def _is_cyrillic(word: str) -> bool:
    return all("\u0400" <= char <= "\u04ff" for char in word)


def _alternation(options: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(option) for option in options), key=len, reverse=True))


def _word_pattern(word: str) -> str:
    if not _is_cyrillic(word) or word in _UNINFLECTED:
        return re.escape(word)
    for nominative, endings in ((_ADJECTIVE_NOMINATIVE, _ADJECTIVE_ENDINGS),
                                (_NOUN_NOMINATIVE, _NOUN_ENDINGS)):
        for ending in nominative:
            stem = word[: -len(ending)]
            if word.endswith(ending) and len(stem) >= _MINIMUM_STEM:
                return f"{re.escape(stem)}(?:{_alternation(endings)})"
    if len(word) >= _MINIMUM_STEM:
        # A consonant ending: "Владивосток", "во Владивостоке".
        return f"{re.escape(word)}(?:{_alternation(_NOUN_ENDINGS)})?"
    return re.escape(word)


def _name_pattern(folded: str) -> str:
    body = " ".join(_word_pattern(word) for word in folded.split())
    # Korean particles follow a name without a space ("블라디보스토크에서"), so a
    # Hangul name needs a boundary only before it.
    after = "" if _is_hangul(folded[-1]) else r"(?!\w)"
    return rf"(?<!\w){body}{after}"


@dataclass(frozen=True)
class _RegionGazetteer:
    # One compiled pattern per answer (a district, or OCCUPIED_UKRAINE).
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    districts: tuple[str, ...]
    subjects: Mapping[str, str]  # subject's English name -> district


def _names_of(entry: Mapping[str, Any]) -> list[str]:
    names = [entry["en"], entry["ru"], *entry.get("aliases", [])]
    for city in entry.get("cities", []):
        names.extend(city)
    return names


@cache
def _regions() -> _RegionGazetteer:
    raw = json.loads(resources.files(_DATA_PACKAGE).joinpath("data", "russian_regions.json")
                     .read_text("utf-8"))
    district_name = {district["id"]: district["en"] for district in raw["districts"]}
    names: dict[str, set[str]] = {name: set() for name in district_name.values()}
    for district in raw["districts"]:
        names[district["en"]].update(_names_of(district))
    subjects: dict[str, str] = {}
    for subject in raw["subjects"]:
        district = district_name[subject["district"]]
        subjects[subject["en"]] = district
        names[district].update(_names_of(subject))
    occupied = raw["occupied_territories_of_ukraine"]
    names[OCCUPIED_UKRAINE] = {name for territory in occupied["territories"]
                               for name in _names_of(territory)}
    patterns = []
    for answer, spellings in names.items():
        folded = sorted({_fold(name) for name in spellings} - {""}, key=len, reverse=True)
        alternation = "|".join(_name_pattern(name) for name in folded)
        patterns.append((answer, re.compile(alternation)))
    return _RegionGazetteer(patterns=tuple(patterns),
                            districts=tuple(district_name.values()), subjects=subjects)


def federal_districts() -> tuple[str, ...]:
    """The eight federal districts' canonical English names."""
    return _regions().districts


def federal_subjects() -> Mapping[str, str]:
    """Every federal subject in the gazetteer (English name) and its district.
    The 83 internationally recognised subjects; see SOURCES.md for the rest."""
    return _regions().subjects


def federal_district(text: str | None) -> str | None:
    """The federal district a free-text location in Russia lies in, or None.

    Every known name (district, subject, city; English, Russian in its case
    forms, Korean) is looked for inside the text at word boundaries. Where
    names overlap the longest wins ("Nizhny Novgorod" is not "Novgorod"). If
    the names found lie in two districts the answer is None (ambiguous), and
    so it is when nothing is known. Ukrainian territory Russia claims gives
    :data:`OCCUPIED_UKRAINE`, never a federal district.
    """
    if not text:
        return None
    folded = _fold(text)
    found: list[tuple[int, int, str]] = []
    for answer, pattern in _regions().patterns:
        found.extend((match.start(), match.end(), answer) for match in pattern.finditer(folded))
    # Longest first; a match inside a longer one is part of that longer name.
    found.sort(key=lambda span: span[0] - span[1])
    kept: list[tuple[int, int, str]] = []
    for start, end, answer in found:
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in kept):
            kept.append((start, end, answer))
    answers = {answer for _, _, answer in kept}
    return answers.pop() if len(answers) == 1 else None


# --- one case, one export ----------------------------------------------------------

def _choice(field_name: str, value: object) -> str | None:
    codes = {code for code, _label in schema.BY_NAME[field_name].choices}
    return value if isinstance(value, str) and value in codes else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _date_or_text(value: object) -> date | str | None:
    return value if isinstance(value, date | str) else None


def current_status(value: object) -> str | None:
    """A status code as exported: "in_russia" (and "unknown") become
    :data:`STATUS_NOT_DISCLOSED`; codes outside the schema become None."""
    code = _choice("current_status", value)
    if code in HIDDEN_STATUSES:
        return STATUS_NOT_DISCLOSED
    return code


def generalise_fields(sealed: Mapping[str, Any]) -> dict[str, str | None]:
    """The exportable, generalised columns of one case's sealed fields.

    ``sealed`` is the decrypted sealed-fields object as intake stores it
    (numbers as int or digit strings, dates as ISO strings, missing answers
    None or absent). The result has exactly the keys of
    :data:`EXPORTED_FIELDS`. ``hometown_province`` is the canonical division
    before the export-wide threshold: run :func:`apply_province_threshold` over
    all rows before publishing.
    """
    return {
        "birth_band": birth_band(sealed.get("birth_year")),
        "sex": _choice("sex", sealed.get("sex")),
        "hometown_province": dprk_province(_text(sealed.get("hometown_province"))),
        "federal_district": federal_district(_text(sealed.get("russian_location"))),
        "dispatch_start_band": year_band(_date_or_text(sealed.get("dispatch_start"))),
        "dispatch_end_band": year_band(_date_or_text(sealed.get("dispatch_end"))),
        "loyalty_fee_band": wage_band("loyalty_fee_per_month",
                                      sealed.get("loyalty_fee_per_month")),
        "withheld_band": wage_band("withheld_per_month", sealed.get("withheld_per_month")),
        "current_status": current_status(sealed.get("current_status")),
    }


def apply_province_threshold(rows: list[dict[str, str | None]],
                             minimum: int = PROVINCE_MINIMUM) -> list[dict[str, str | None]]:
    """The rows with ``hometown_province`` set to None wherever fewer than
    ``minimum`` rows of this export share it.

    Pass every row of one export, after any filtering (consent, selection):
    the count that protects a witness is the count in what is published.
    Unknown provinces (None) count towards nothing and stay None, so a
    suppressed province reads exactly like an unknown one. The input rows are
    not changed; new dicts are returned.
    """
    counts = Counter(row.get("hometown_province") for row in rows)
    result = []
    for row in rows:
        province = row.get("hometown_province")
        keep = province is not None and counts[province] >= minimum
        result.append({**row, "hometown_province": province if keep else None})
    return result


def generalise_export(sealed_cases: Iterable[Mapping[str, Any]],
                      minimum: int = PROVINCE_MINIMUM) -> list[dict[str, str | None]]:
    """The generalised rows of a whole export, province threshold applied:
    :func:`generalise_fields` per case, then :func:`apply_province_threshold`."""
    return apply_province_threshold([generalise_fields(sealed) for sealed in sealed_cases],
                                    minimum)
