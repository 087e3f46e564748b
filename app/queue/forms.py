"""The queue's filter form (GET, no state changed) and its small POST forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Optional

from app.cases.workflow import REASON_LABELS, STATUS_LABELS
from app.i18n import N_
from app.intake.schema import ILO_INDICATORS, SECTORS
from app.models import Priority
from app.queue.service import STATUS_ORDER, Sort

# The intake form's own words, so a filter reads as the question was asked.
SECTOR_LABELS: dict[str, str] = dict(SECTORS)
INDICATOR_LABELS: dict[str, str] = dict(ILO_INDICATORS)
PRIORITY_LABELS: dict[Priority, str] = {
    Priority.LOW: N_("Low"),
    Priority.NORMAL: N_("Normal"),
    Priority.HIGH: N_("High"),
    Priority.URGENT: N_("Urgent"),
}
SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: N_("Newest filed first"),
    Sort.OLDEST: N_("Oldest filed first"),
    Sort.PRIORITY: N_("Highest priority first"),
    Sort.STATUS: N_("By status, in workflow order"),
}
ASSIGNEE_ANYONE, ASSIGNEE_ME, ASSIGNEE_NOBODY = "", "me", "nobody"


def _any(label: str) -> list[SelectChoice]:
    return [SelectChoice("", _l(label))]


class QueueFilterForm(FlaskForm):
    """Read from the query string; a filter changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=_any(N_("Any status")) + [
        SelectChoice(status.value, _l(STATUS_LABELS[status])) for status in STATUS_ORDER],
        validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=_any(N_("Any sector")) + [
        SelectChoice(code, _l(label)) for code, label in SECTOR_LABELS.items()],
        validators=[Optional()])
    indicator = SelectMultipleField(
        _l("ILO indicators present (any of those chosen)"),
        choices=[SelectChoice(code, _l(label)) for code, label in INDICATOR_LABELS.items()],
        validators=[Optional()])
    # Choices per request: the organisation's reviewers and admins.
    assignee = SelectField(_l("Assigned to"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=_any(N_("Any priority")) + [
        SelectChoice(str(int(p)), _l(label)) for p, label in PRIORITY_LABELS.items()],
        validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=[
        SelectChoice(sort.value, _l(label)) for sort, label in SORT_LABELS.items()],
        default=Sort.NEWEST.value, validators=[Optional()])


class AssignForm(FlaskForm):
    # A membership id, or empty for nobody; choices are checked by the service.
    assignee = SelectField(_l("Assign to"), validate_choice=False)
    next = HiddenField()


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), choices=[
        SelectChoice(str(int(p)), _l(label)) for p, label in PRIORITY_LABELS.items()],
        validators=[DataRequired()])
    next = HiddenField()


class StatusForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    # Required by the workflow for moves back; the service refuses without it.
    reason = SelectField(_l("Reason"), choices=_any(N_("Choose a reason")) + [
        SelectChoice(reason.value, _l(label)) for reason, label in REASON_LABELS.items()],
        validators=[Optional()])
    next = HiddenField()
