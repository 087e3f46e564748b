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

from app.i18n import N_


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

PRESENCE = _c(("yes", N_("Yes")), ("no", N_("No")), ("unknown", N_("Not known")),
              ("declined", N_("Witness preferred not to say")))
BASIS = _c(("experienced", N_("Lived it")), ("witnessed", N_("Saw it happen")),
           ("heard", N_("Heard about it")))
FREQUENCY = _c(("once", N_("Once")), ("sometimes", N_("Sometimes")), ("often", N_("Often")),
               ("constant", N_("All the time")))
# A reviewer's judgement of the testimony as a whole (coded, set after intake).
RELIABILITY: Choices = (
    ("corroborated", N_("Corroborated by other sources")),
    ("consistent", N_("Consistent and plausible, not corroborated")),
    ("partly_consistent", N_("Partly consistent")),
    ("doubtful", N_("Doubtful")),
    ("not_assessed", N_("Not yet assessed")),
)

CONSENT_SCOPES = _c(
    ("internal_only", N_("Use inside the organisation only")),
    ("aggregate_stats", N_("Count in anonymous statistics")),
    ("anonymised_quotes", N_("Quote without anything that identifies")),
    ("share_un", N_("Share with the UN")),
    ("share_prosecutors", N_("Share with prosecutors and courts")),
    ("named_publication", N_("Publish with the witness's name")),
)
SOURCE_CONNECTIONS = _c(
    ("experienced", N_("Lived it themselves")),
    ("witnessed", N_("Saw it happen to others")),
    ("heard_from_co_worker", N_("Heard it from a co-worker")),
    ("hearsay", N_("Heard it second-hand")),
    ("document", N_("From a document")),
)
SECTORS = _c(
    ("construction", N_("Construction")), ("logging", N_("Logging and timber")),
    ("agriculture", N_("Farming")), ("fishing_seafood", N_("Fishing and seafood processing")),
    ("shipbuilding", N_("Shipbuilding")), ("garment", N_("Garment factory")),
    ("it", N_("IT and programming")), ("restaurant_service", N_("Restaurants and services")),
    ("other", N_("Other work")),
)
RECRUITMENT = _c(
    ("state_assigned", N_("Assigned by the state")), ("applied", N_("Applied to go")),
    ("bribed_selection", N_("Paid a bribe to be selected")), ("coerced", N_("Forced to go")),
    ("unknown", N_("Not known")),
)
CONTRACT = _c(
    ("none_seen", N_("Never saw a contract")),
    ("seen_not_kept", N_("Saw one but could not keep it")),
    ("copy_kept", N_("Kept a copy")), ("unknown", N_("Not known")),
)
SEX = _c(("female", N_("Female")), ("male", N_("Male")), ("other", N_("Other")),
         ("declined", N_("Preferred not to say")))
CURRENT_STATUS = _c(
    ("in_rok", N_("In South Korea")), ("in_third_country", N_("In a third country")),
    ("in_russia", N_("Still in Russia")), ("returned_dprk", N_("Returned to the DPRK")),
    ("unknown", N_("Not known")),
)
PAID_ON_RETURN = _c(("yes", N_("Yes, in full")), ("partly", N_("Partly")), ("no", N_("Not at all")),
                    ("not_returned", N_("Has not gone back")), ("unknown", N_("Not known")))
PASSPORT_HELD_BY = _c(
    ("self", N_("The worker")), ("security_official", N_("A state security official")),
    ("manager", N_("The team's manager")), ("employer", N_("The Russian employer")),
    ("unknown", N_("Not known")),
)
ACCOMMODATION = _c(
    ("container", N_("Shipping container")), ("unfinished_building", N_("Unfinished building")),
    ("dormitory", N_("Dormitory")), ("on_site", N_("At the work site")),
    ("other", N_("Somewhere else")),
)
MOVEMENT_RULE = _c(
    ("none", N_("Free to go out")), ("group_only", N_("Only in a group")),
    ("permission_only", N_("Only with permission")), ("confined", N_("Never allowed out")),
)
PERPETRATOR_ROLE = _c(
    ("security_official", N_("State security official")), ("manager", N_("Team manager")),
    ("co_worker", N_("Co-worker")), ("employer", N_("Russian employer")), ("police", N_("Police")),
    ("other", N_("Someone else")),
)
THREATS_USED = _c(
    ("repatriation", N_("Being sent back to the DPRK")),
    ("family_reprisal", N_("Punishment of family at home")), ("violence", N_("Violence")),
    ("wage_loss", N_("Losing wages")), ("other", N_("Other threats")), ("none", N_("No threats")),
)

ILO_INDICATORS: Choices = (
    ("abuse_of_vulnerability", N_("Abuse of vulnerability")),
    ("deception", N_("Deception")),
    ("restriction_of_movement", N_("Restriction of movement")),
    ("isolation", N_("Isolation")),
    ("physical_sexual_violence", N_("Physical and sexual violence")),
    ("intimidation_threats", N_("Intimidation and threats")),
    ("retention_of_documents", N_("Retention of identity documents")),
    ("withholding_of_wages", N_("Withholding of wages")),
    ("debt_bondage", N_("Debt bondage")),
    ("abusive_conditions", N_("Abusive working and living conditions")),
    ("excessive_overtime", N_("Excessive overtime")),
)

C, Q, D = Tier.CODED, Tier.QUASI, Tier.DIRECT

FIELDS: tuple[FieldSpec, ...] = (
    # Case
    FieldSpec("interview_date", N_("Date of the interview"), Q, Kind.DATE, "case", required=True),
    FieldSpec("interview_place", N_("Where the interview took place"), Q, Kind.TEXT, "case",
              help=N_("A city or region is enough.")),
    FieldSpec("interviewer_name", N_("Interviewer's name"), D, Kind.TEXT, "case"),
    FieldSpec("interpreter_name", N_("Interpreter's name"), D, Kind.TEXT, "case"),
    FieldSpec("consent_scopes", N_("The witness agreed to"), C, Kind.MULTI, "case",
              CONSENT_SCOPES, required=True, help=N_("Tick everything the witness said yes to.")),
    FieldSpec("recontact_allowed", N_("The witness may be contacted again"), C, Kind.BOOLEAN,
              "case"),
    FieldSpec("recontact_channel", N_("How to contact them again"), D, Kind.TEXT, "case"),
    FieldSpec("source_connection", N_("How the witness knows what they tell"), C, Kind.CHOICE,
              "case", SOURCE_CONNECTIONS, required=True),
    # Witness
    FieldSpec("name_dprk", N_("Name used in the DPRK"), D, Kind.TEXT, "witness"),
    FieldSpec("name_rok", N_("Name used in South Korea"), D, Kind.TEXT, "witness"),
    FieldSpec("aliases", N_("Aliases and nicknames"), D, Kind.TEXT, "witness"),
    FieldSpec("contacts", N_("Contacts (phone, messenger, e-mail)"), D, Kind.LONG_TEXT, "witness"),
    FieldSpec("id_numbers", N_("ID numbers"), D, Kind.LONG_TEXT, "witness"),
    FieldSpec("birth_year", N_("Year of birth"), Q, Kind.NUMBER, "witness", minimum=1930,
              maximum=2015),
    FieldSpec("sex", N_("Sex"), Q, Kind.CHOICE, "witness", SEX),
    FieldSpec("hometown_province", N_("DPRK hometown: province"), Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_city", N_("DPRK hometown: city"), Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_county", N_("DPRK hometown: county"), Q, Kind.TEXT, "witness"),
    FieldSpec("hometown_ri", N_("DPRK hometown: ri / dong"), Q, Kind.TEXT, "witness"),
    FieldSpec("pre_dispatch_job", N_("Job or unit before dispatch"), Q, Kind.TEXT, "witness"),
    FieldSpec("party_military_posts", N_("Party or military posts"), Q, Kind.TEXT, "witness"),
    FieldSpec("family_in_dprk", N_("Family in the DPRK"), D, Kind.LONG_TEXT, "witness"),
    FieldSpec("current_status", N_("Where the witness is now"), Q, Kind.CHOICE, "witness",
              CURRENT_STATUS),
    FieldSpec("exit_date", N_("Date they left"), D, Kind.DATE, "witness"),
    FieldSpec("exit_route", N_("Route they took to leave"), D, Kind.LONG_TEXT, "witness"),
    FieldSpec("exit_helpers", N_("People who helped them leave"), D, Kind.LONG_TEXT, "witness"),
    # Deployment
    FieldSpec("dispatch_start", N_("Sent abroad on"), Q, Kind.DATE, "deployment"),
    FieldSpec("dispatch_end", N_("Came back or left the work on"), Q, Kind.DATE, "deployment"),
    FieldSpec("russian_location", N_("Where in Russia they worked"), Q, Kind.TEXT, "deployment"),
    FieldSpec("sector", N_("Kind of work"), C, Kind.CHOICE, "deployment", SECTORS, required=True),
    FieldSpec("dispatching_entity", N_("Who sent them (company or unit)"), Q, Kind.TEXT,
              "deployment"),
    FieldSpec("employer", N_("Employer in Russia"), Q, Kind.TEXT, "deployment"),
    FieldSpec("recruitment", N_("How they came to be sent"), C, Kind.CHOICE, "deployment",
              RECRUITMENT),
    FieldSpec("contract", N_("Contract"), C, Kind.CHOICE, "deployment", CONTRACT),
    FieldSpec("team_size", N_("People in their team"), Q, Kind.NUMBER, "deployment", minimum=1,
              maximum=5000),
    # Conditions (coded sub-fields, binned on export)
    FieldSpec("daily_hours", N_("Working hours per day"), C, Kind.NUMBER, "conditions",
              minimum=0, maximum=24),
    FieldSpec("days_off_per_year", N_("Days off per year"), C, Kind.NUMBER, "conditions",
              minimum=0, maximum=366),
    # Exact personal amounts identify (brief: quasi-identifiers): sealed, banded.
    FieldSpec("loyalty_fee_per_month", N_("Loyalty fee per month (USD)"), Q, Kind.NUMBER,
              "conditions", minimum=0, maximum=100000, bands=WAGE_BANDS),
    FieldSpec("withheld_per_month", N_("Amount withheld per month (USD)"), Q, Kind.NUMBER,
              "conditions", minimum=0, maximum=100000, bands=WAGE_BANDS),
    FieldSpec("paid_on_return", N_("Paid what was owed on return"), C, Kind.CHOICE, "conditions",
              PAID_ON_RETURN),
    FieldSpec("passport_held_by", N_("Who held the passport"), C, Kind.CHOICE, "conditions",
              PASSPORT_HELD_BY),
    FieldSpec("accommodation_type", N_("Where they slept"), C, Kind.CHOICE, "conditions",
              ACCOMMODATION),
    FieldSpec("movement_rule", N_("Freedom to go out"), C, Kind.CHOICE, "conditions",
              MOVEMENT_RULE),
    FieldSpec("phone_ban", N_("Phones were banned"), C, Kind.BOOLEAN, "conditions"),
    FieldSpec("perpetrator_role", N_("Who mistreated them (role)"), C, Kind.CHOICE, "conditions",
              PERPETRATOR_ROLE),
    FieldSpec("threats_used", N_("Threats used against them"), C, Kind.CHOICE, "conditions",
              THREATS_USED),
    FieldSpec("injury", N_("They were injured"), C, Kind.BOOLEAN, "conditions"),
    FieldSpec("medical_care_denied", N_("Medical care was refused"), C, Kind.BOOLEAN, "conditions"),
)

# Where each coded field lives: its own column on Case, or the `conditions` JSON.
CASE_COLUMNS = frozenset({"consent_scopes", "recontact_allowed", "source_connection",
                          "sector", "recruitment", "contract"})

NARRATIVE_FIELD = "narrative"
ATTACHMENT_KINDS: Choices = (("audio", N_("Audio")), ("photo", N_("Photo")),
                             ("document", N_("Document")))
ATTACHMENT_SLOTS = 5  # how many file inputs the no-JavaScript form offers

BY_NAME = {spec.name: spec for spec in FIELDS}
SECTIONS = ("case", "witness", "deployment", "conditions")
# Headings a person reads, on the form and on the case page.
SECTION_LABELS: Mapping[str, str] = MappingProxyType({
    "case": N_("The interview and consent"),
    "witness": N_("The witness"),
    "deployment": N_("The work abroad"),
    "conditions": N_("Working and living conditions"),
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
