"""The intake schema: one declaration of every field, its tier and its choices.

This module drives both the form (app.intake.forms) and storage
(app.intake.service, through :func:`split_answers`). A field's tier decides
where its value goes:

* ``CODED`` — non-identifying coded answers, stored in plaintext columns so
  queues, filters and statistics work without decrypting. Only fixed choices,
  booleans and small bounded numbers may be coded; free text never is.
* ``QUASI`` / ``DIRECT`` — sealed: encrypted to the case key. The split tells
  exports how to treat the value (brief: quasi-identifiers are generalised,
  direct identifiers never leave).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


class Tier(enum.StrEnum):
    CODED = "coded"
    QUASI = "quasi"
    DIRECT = "direct"

    @property
    def sealed(self) -> bool:
        return self is not Tier.CODED


class Kind(enum.StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    BOOLEAN = "boolean"
    NUMBER = "number"
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"


Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    tier: Tier
    kind: Kind
    section: str
    choices: Choices = ()
    required: bool = False
    # For NUMBER fields: an inclusive sanity range.
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    # For sealed NUMBER fields whose exact value identifies (a personal wage):
    # the lower bounds of the bands whose label is also kept in the coded tier,
    # so statistics work without the exact figure ever being stored in the clear.
    bands: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # The invariant the whole design leans on: free text is never coded.
        if self.tier is Tier.CODED and self.kind in {Kind.TEXT, Kind.LONG_TEXT, Kind.DATE}:
            raise ValueError(f"{self.name}: free text and dates cannot be coded")
        if self.kind in {Kind.CHOICE, Kind.MULTI} and not self.choices:
            raise ValueError(f"{self.name}: a choice field needs choices")
        if self.bands and (self.kind is not Kind.NUMBER or not self.tier.sealed
                           or list(self.bands) != sorted(set(self.bands))):
            raise ValueError(f"{self.name}: bands are for sealed numbers, in rising order")

    @property
    def band_field(self) -> str:
        """Where the coded band of a banded sealed number is stored."""
        return f"{self.name}_band"


def band(spec: FieldSpec, value: int) -> str:
    """The coded band of ``value``: "500-999", or "2000+" for the top one."""
    lower = [bound for bound in spec.bands if bound <= value]
    if not lower:
        raise ValueError(f"{spec.name}: {value} is below the lowest band")
    index = spec.bands.index(lower[-1])
    if index + 1 == len(spec.bands):
        return f"{spec.bands[index]}+"
    return f"{spec.bands[index]}-{spec.bands[index + 1] - 1}"


def _c(*pairs: tuple[str, str]) -> Choices:
    """Choices as (stored code, words a person uses); the labels are written
    out, never generated from the codes ("Share un" reads as nonsense)."""
    return tuple(pairs)


# Monthly amounts in USD; lower bounds of the coded bands.
WAGE_BANDS = (0, 50, 100, 200, 500, 1000, 2000)

PRESENCE = _c(("yes", "Yes"), ("no", "No"), ("unknown", "Not known"),
              ("declined", "Witness preferred not to say"))
BASIS = _c(("experienced", "Lived it"), ("witnessed", "Saw it happen"),
           ("heard", "Heard about it"))
FREQUENCY = _c(("once", "Once"), ("sometimes", "Sometimes"), ("often", "Often"),
               ("constant", "All the time"))
# A reviewer's judgement of the testimony as a whole (coded, set after intake).
RELIABILITY: Choices = (
    ("corroborated", "Corroborated by other sources"),
    ("consistent", "Consistent and plausible, not corroborated"),
    ("partly_consistent", "Partly consistent"),
    ("doubtful", "Doubtful"),
    ("not_assessed", "Not yet assessed"),
)

CONSENT_SCOPES = _c(
    ("internal_only", "Use inside the organisation only"),
    ("aggregate_stats", "Count in anonymous statistics"),
    ("anonymised_quotes", "Quote without anything that identifies"),
    ("share_un", "Share with the UN"),
    ("share_prosecutors", "Share with prosecutors and courts"),
    ("named_publication", "Publish with the witness's name"),
)
SOURCE_CONNECTIONS = _c(
    ("experienced", "Lived it themselves"),
    ("witnessed", "Saw it happen to others"),
    ("heard_from_co_worker", "Heard it from a co-worker"),
    ("hearsay", "Heard it second-hand"),
    ("document", "From a document"),
)
SECTORS = _c(
    ("construction", "Construction"), ("logging", "Logging and timber"),
    ("agriculture", "Farming"), ("fishing_seafood", "Fishing and seafood processing"),
    ("shipbuilding", "Shipbuilding"), ("garment", "Garment factory"),
    ("it", "IT and programming"), ("restaurant_service", "Restaurants and services"),
    ("other", "Other work"),
)
RECRUITMENT = _c(
    ("state_assigned", "Assigned by the state"), ("applied", "Applied to go"),
    ("bribed_selection", "Paid a bribe to be selected"), ("coerced", "Forced to go"),
    ("unknown", "Not known"),
)
CONTRACT = _c(
    ("none_seen", "Never saw a contract"), ("seen_not_kept", "Saw one but could not keep it"),
    ("copy_kept", "Kept a copy"), ("unknown", "Not known"),
)
SEX = _c(("female", "Female"), ("male", "Male"), ("other", "Other"),
         ("declined", "Preferred not to say"))
CURRENT_STATUS = _c(
    ("in_rok", "In South Korea"), ("in_third_country", "In a third country"),
    ("in_russia", "Still in Russia"), ("returned_dprk", "Returned to the DPRK"),
    ("unknown", "Not known"),
)
PAID_ON_RETURN = _c(("yes", "Yes, in full"), ("partly", "Partly"), ("no", "Not at all"),
                    ("not_returned", "Has not gone back"), ("unknown", "Not known"))
PASSPORT_HELD_BY = _c(
    ("self", "The worker"), ("security_official", "A state security official"),
    ("manager", "The team's manager"), ("employer", "The Russian employer"),
    ("unknown", "Not known"),
)
ACCOMMODATION = _c(
    ("container", "Shipping container"), ("unfinished_building", "Unfinished building"),
    ("dormitory", "Dormitory"), ("on_site", "At the work site"), ("other", "Somewhere else"),
)
MOVEMENT_RULE = _c(
    ("none", "Free to go out"), ("group_only", "Only in a group"),
    ("permission_only", "Only with permission"), ("confined", "Never allowed out"),
)
PERPETRATOR_ROLE = _c(
    ("security_official", "State security official"), ("manager", "Team manager"),
    ("co_worker", "Co-worker"), ("employer", "Russian employer"), ("police", "Police"),
    ("other", "Someone else"),
)
THREATS_USED = _c(
    ("repatriation", "Being sent back to the DPRK"),
    ("family_reprisal", "Punishment of family at home"), ("violence", "Violence"),
    ("wage_loss", "Losing wages"), ("other", "Other threats"), ("none", "No threats"),
)

ILO_INDICATORS: Choices = (
    ("abuse_of_vulnerability", "Abuse of vulnerability"),
    ("deception", "Deception"),
    ("restriction_of_movement", "Restriction of movement"),
    ("isolation", "Isolation"),
    ("physical_sexual_violence", "Physical and sexual violence"),
    ("intimidation_threats", "Intimidation and threats"),
    ("retention_of_documents", "Retention of identity documents"),
    ("withholding_of_wages", "Withholding of wages"),
    ("debt_bondage", "Debt bondage"),
    ("abusive_conditions", "Abusive working and living conditions"),
    ("excessive_overtime", "Excessive overtime"),
)

C, Q, D = Tier.CODED, Tier.QUASI, Tier.DIRECT

FIELDS: tuple[FieldSpec, ...] = (
    # Case
    FieldSpec("interview_date", "Date of the interview", Q, Kind.DATE, "case", required=True),
    FieldSpec("interview_place", "Where the interview took place", Q, Kind.TEXT, "case",
              help="A city or region is enough."),
    FieldSpec("interviewer_name", "Interviewer's name", D, Kind.TEXT, "case"),
    FieldSpec("interpreter_name", "Interpreter's name", D, Kind.TEXT, "case"),
    FieldSpec("consent_scopes", "The witness agreed to", C, Kind.MULTI, "case",
              CONSENT_SCOPES, required=True, help="Tick everything the witness said yes to."),
    FieldSpec("recontact_allowed", "The witness may be contacted again", C, Kind.BOOLEAN, "case"),
    FieldSpec("recontact_channel", "How to contact them again", D, Kind.TEXT, "case"),
    FieldSpec("source_connection", "How the witness knows what they tell", C, Kind.CHOICE,
              "case", SOURCE_CONNECTIONS, required=True),
    # Witness
    FieldSpec("name_dprk", "Name used in the DPRK", D, Kind.TEXT, "witness"),
    FieldSpec("name_rok", "Name used in South Korea", D, Kind.TEXT, "witness"),
    FieldSpec("aliases", "Aliases and nicknames", D, Kind.TEXT, "witness"),
    FieldSpec("contacts", "Contacts (phone, messenger, e-mail)", D, Kind.LONG_TEXT, "witness"),
    FieldSpec("id_numbers", "ID numbers", D, Kind.LONG_TEXT, "witness"),
    FieldSpec("birth_year", "Year of birth", Q, Kind.NUMBER, "witness", minimum=1930, maximum=2015),
    FieldSpec("sex", "Sex", Q, Kind.CHOICE, "witness", SEX),
    FieldSpec("hometown_province", "DPRK hometown: province", Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_city", "DPRK hometown: city", Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_county", "DPRK hometown: county", Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_ri", "DPRK hometown: ri / dong", Q, Kind.TEXT, "witness"),
    FieldSpec("pre_dispatch_job", "Job or unit before dispatch", Q, Kind.TEXT, "witness"),
    FieldSpec("party_military_posts", "Party or military posts", Q, Kind.TEXT, "witness"),
    FieldSpec("family_in_dprk", "Family in the DPRK", D, Kind.LONG_TEXT, "witness"),
    FieldSpec("current_status", "Where the witness is now", Q, Kind.CHOICE, "witness",
              CURRENT_STATUS),
    FieldSpec("exit_date", "Date they left", D, Kind.DATE, "witness"),
    FieldSpec("exit_route", "Route they took to leave", D, Kind.LONG_TEXT, "witness"),
    FieldSpec("exit_helpers", "People who helped them leave", D, Kind.LONG_TEXT, "witness"),
    # Deployment
    FieldSpec("dispatch_start", "Sent abroad on", Q, Kind.DATE, "deployment"),
    FieldSpec("dispatch_end", "Came back or left the work on", Q, Kind.DATE, "deployment"),
    FieldSpec("russian_location", "Where in Russia they worked", Q, Kind.TEXT, "deployment"),
    FieldSpec("sector", "Kind of work", C, Kind.CHOICE, "deployment", SECTORS, required=True),
    FieldSpec("dispatching_entity", "Who sent them (company or unit)", Q, Kind.TEXT, "deployment"),
    FieldSpec("employer", "Employer in Russia", Q, Kind.TEXT, "deployment"),
    FieldSpec("recruitment", "How they came to be sent", C, Kind.CHOICE, "deployment", RECRUITMENT),
    FieldSpec("contract", "Contract", C, Kind.CHOICE, "deployment", CONTRACT),
    FieldSpec("team_size", "People in their team", Q, Kind.NUMBER, "deployment", minimum=1,
              maximum=5000),
    # Conditions (coded sub-fields, binned on export)
    FieldSpec("daily_hours", "Working hours per day", C, Kind.NUMBER, "conditions",
              minimum=0, maximum=24),
    FieldSpec("days_off_per_year", "Days off per year", C, Kind.NUMBER, "conditions",
              minimum=0, maximum=366),
    # Exact personal amounts identify (brief: quasi-identifiers): sealed, banded.
    FieldSpec("loyalty_fee_per_month", "Loyalty fee per month (USD)", Q, Kind.NUMBER,
              "conditions", minimum=0, maximum=100000, bands=WAGE_BANDS),
    FieldSpec("withheld_per_month", "Amount withheld per month (USD)", Q, Kind.NUMBER,
              "conditions", minimum=0, maximum=100000, bands=WAGE_BANDS),
    FieldSpec("paid_on_return", "Paid what was owed on return", C, Kind.CHOICE, "conditions",
              PAID_ON_RETURN),
    FieldSpec("passport_held_by", "Who held the passport", C, Kind.CHOICE, "conditions",
              PASSPORT_HELD_BY),
    FieldSpec("accommodation_type", "Where they slept", C, Kind.CHOICE, "conditions",
              ACCOMMODATION),
    FieldSpec("movement_rule", "Freedom to go out", C, Kind.CHOICE, "conditions",
              MOVEMENT_RULE),
    FieldSpec("phone_ban", "Phones were banned", C, Kind.BOOLEAN, "conditions"),
    FieldSpec("perpetrator_role", "Who mistreated them (role)", C, Kind.CHOICE, "conditions",
              PERPETRATOR_ROLE),
    FieldSpec("threats_used", "Threats used against them", C, Kind.CHOICE, "conditions",
              THREATS_USED),
    FieldSpec("injury", "They were injured", C, Kind.BOOLEAN, "conditions"),
    FieldSpec("medical_care_denied", "Medical care was refused", C, Kind.BOOLEAN, "conditions"),
)

# Where each coded field lives: its own column on Case, or the `conditions` JSON.
CASE_COLUMNS = frozenset({"consent_scopes", "recontact_allowed", "source_connection",
                          "sector", "recruitment", "contract"})

NARRATIVE_FIELD = "narrative"
ATTACHMENT_KINDS: Choices = (("audio", "Audio"), ("photo", "Photo"), ("document", "Document"))
ATTACHMENT_SLOTS = 5  # how many file inputs the no-JavaScript form offers

BY_NAME = {spec.name: spec for spec in FIELDS}
SECTIONS = ("case", "witness", "deployment", "conditions")
# Headings a person reads, on the form and on the case page.
SECTION_LABELS: Mapping[str, str] = MappingProxyType({
    "case": "The interview and consent",
    "witness": "The witness",
    "deployment": "The work abroad",
    "conditions": "Working and living conditions",
})


def coded_fields() -> tuple[FieldSpec, ...]:
    return tuple(spec for spec in FIELDS if spec.tier is Tier.CODED)


def sealed_fields() -> tuple[FieldSpec, ...]:
    return tuple(spec for spec in FIELDS if spec.tier.sealed)


@dataclass
class IntakeAnswers:
    """Validated form values by field name, the narrative, and the ILO indicator
    answers (``present``, ``basis``, ``frequency`` per indicator)."""

    values: dict[str, Any]
    narrative: str
    indicators: dict[str, dict[str, str | None]]


@dataclass(frozen=True)
class IndicatorAnswer:
    indicator: str
    present: str
    basis: str | None
    frequency: str | None


@dataclass(frozen=True)
class SplitAnswers:
    """Validated answers split by where they are stored.

    ``case_columns`` and ``conditions`` are the coded tier (plaintext: Case's
    own columns, and its ``conditions`` JSON, which also holds the bands of
    banded sealed numbers); ``sealed`` is everything encrypted into the case's
    sealed fields object; ``indicators`` are coded too.
    """

    case_columns: Mapping[str, Any]
    conditions: Mapping[str, Any]
    sealed: Mapping[str, Any]
    indicators: tuple[IndicatorAnswer, ...]
    narrative: str


def split_answers(answers: IntakeAnswers) -> SplitAnswers:
    """Decide, per field, which tier a validated answer is stored in."""
    case_columns: dict[str, Any] = {}
    conditions: dict[str, Any] = {}
    sealed: dict[str, Any] = {}
    for spec in FIELDS:
        value = answers.values.get(spec.name)
        if spec.tier.sealed:
            sealed[spec.name] = value
            if spec.bands and value is not None:
                # The exact figure is sealed; only its band is coded.
                conditions[spec.band_field] = band(spec, value)
        elif spec.name in CASE_COLUMNS:
            # An unticked checkbox is False, not unknown: the column is not nullable.
            case_columns[spec.name] = (value if value is not None or spec.kind is not
                                       Kind.BOOLEAN else False)
        elif value is not None:
            conditions[spec.name] = value
    indicators = tuple(
        IndicatorAnswer(indicator=name, present=answer["present"] or "unknown",
                        basis=answer.get("basis"), frequency=answer.get("frequency"))
        for name, answer in answers.indicators.items())
    return SplitAnswers(case_columns=MappingProxyType(case_columns),
                        conditions=MappingProxyType(conditions),
                        sealed=MappingProxyType(sealed), indicators=indicators,
                        narrative=answers.narrative)
