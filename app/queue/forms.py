"""The queue's filter form (GET, no state changed) and its small POST forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3
from wtforms.validators import DataRequired, Optional

from app.cases.workflow import REASON_LABELS, STATUS_LABELS
from app.intake.schema import ILO_INDICATORS, SECTORS
from app.models import Priority
from app.queue.service import STATUS_ORDER, Sort

# The intake form's own words, so a filter reads as the question was asked.
SECTOR_LABELS: dict[str, str] = dict(SECTORS)
INDICATOR_LABELS: dict[str, str] = dict(ILO_INDICATORS)
PRIORITY_LABELS: dict[Priority, str] = {
    Priority.LOW: "Low",
    Priority.NORMAL: "Normal",
    Priority.HIGH: "High",
    Priority.URGENT: "Urgent",
}
SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: "Newest filed first",
    Sort.OLDEST: "Oldest filed first",
    Sort.PRIORITY: "Highest priority first",
    Sort.STATUS: "By status, in workflow order",
}
ASSIGNEE_ANYONE, ASSIGNEE_ME, ASSIGNEE_NOBODY = "", "me", "nobody"


def _any(label: str) -> list[SelectChoice]:
    return [SelectChoice("", label)]


class QueueFilterForm(FlaskForm):
    """Read from the query string; a filter changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=_any("Any status") + [
        SelectChoice(status.value, STATUS_LABELS[status]) for status in STATUS_ORDER],
        validators=[Optional()])
    sector = SelectField("Sector", choices=_any("Any sector") + [
        SelectChoice(code, label) for code, label in SECTOR_LABELS.items()],
        validators=[Optional()])
    indicator = SelectMultipleField(
        "ILO indicators present (any of those chosen)",
        choices=[SelectChoice(code, label) for code, label in INDICATOR_LABELS.items()],
        validators=[Optional()])
    # Choices per request: the organisation's reviewers and admins.
    assignee = SelectField("Assigned to", validators=[Optional()])
    priority = SelectField("Priority", choices=_any("Any priority") + [
        SelectChoice(str(int(p)), label) for p, label in PRIORITY_LABELS.items()],
        validators=[Optional()])
    sort = SelectField("Sort", choices=[
        SelectChoice(sort.value, label) for sort, label in SORT_LABELS.items()],
        default=Sort.NEWEST.value, validators=[Optional()])


class AssignForm(FlaskForm):
    # A membership id, or empty for nobody; choices are checked by the service.
    assignee = SelectField("Assign to", validate_choice=False)
    next = HiddenField()


class PriorityForm(FlaskForm):
    priority = SelectField("Priority", choices=[
        SelectChoice(str(int(p)), label) for p, label in PRIORITY_LABELS.items()],
        validators=[DataRequired()])
    next = HiddenField()


class StatusForm(FlaskForm):
    target = HiddenField(validators=[DataRequired()])
    # Required by the workflow for moves back; the service refuses without it.
    reason = SelectField("Reason", choices=_any("Choose a reason") + [
        SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[Optional()])
    next = HiddenField()
