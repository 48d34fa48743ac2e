"""What the Excel and CSV pages show: the templates a user may download, and their files."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from dxmonitor.accounts.permissions import ENTER, grants
from dxmonitor.collection.datasets import window
from dxmonitor.collection.models import DataSet
from dxmonitor.collection.periods import Period
from dxmonitor.common.errors import NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.queries import get_unit
from dxmonitor.workflow.queries import active_datasets, get_dataset, period_of, recent_periods

from .template import build_template, template_name, template_scope


def template_for(
    *, user: AnyUser, dataset: str, period: str, unit_id: int | None = None
) -> tuple[bytes, str]:
    """The template workbook and its file name; unknown data set, period or unit: NotFound."""
    found = get_dataset(dataset)
    parsed = period_of(found, period)
    within = None
    if unit_id is not None:
        within = get_unit(unit_id)
        if within is None:
            raise NotFound(f"no unit {unit_id}", f"Không có đơn vị {unit_id}", field="unit")
    scope = template_scope(dataset=found, period=parsed, user=user, within=within)
    return build_template(scope), template_name(scope)


@dataclass
class TemplateChoice:
    """A data set with the periods a user is offered templates for."""

    dataset: DataSet
    periods: list[tuple[Period, str]]  # (period, entry state)


def template_choices(user: AnyUser, *, today: datetime.date | None = None) -> list[TemplateChoice]:
    """Active data sets and their recent periods, for a user with a data-entry role."""
    found = grants(user)
    if not (found.everything or found.paths(ENTER)):
        return []
    today = today or timezone.localdate()
    choices = []
    for dataset in active_datasets():
        periods = [(p, window(dataset, p).state(today)) for p in recent_periods(dataset.period_type, today)]
        choices.append(TemplateChoice(dataset, periods))
    return choices
