"""What the entry form keeps on an officer's device to work without a connection.

The bundle lists the forms of `/collect/` (the periods that take figures first), and for their
units and periods the figures the declared rules name, the last approved figure of each
indicator (shown beside the input), the catalogue entries of the forms, the rules as parsed
trees (the device evaluates them exactly as `expressions.py` does, without parsing) and the
single-value checks' messages, so that a figure typed offline gets the server's messages.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.datasets import LATE, OPEN, REOPENED
from dxmonitor.collection.expressions import Binary, Negative, Node, Number, Ref, parse_expression
from dxmonitor.collection.models import Comparator, ValidationRule, Value, ValueKind
from dxmonitor.collection.periods import parse_period
from dxmonitor.common.display import format_value
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Level, Unit

from .queries import active_datasets, dataset_overview, entry_communes, members_of, reporting_communes

# The communes of one page of /collect/ per data set, as the page shows them.
COMMUNES = 20
MAX_FORMS = 80
ACCEPTING = (OPEN, LATE, REOPENED)
_USABLE = (Comparator.EQ, Comparator.APPROX)

# The single-value checks of a form cell, as the server words them (workflow.actions._parse and
# collection.schemas.check_value; a test holds them equal). As on the form, a problem of the
# numerator or denominator hides the problems of the value it makes. {label} is the part's name, {text}
# what was typed, {number}, {top} and {bottom} numbers as Python's "g" format writes them.
CHECKS = {
    "nan": (
        "{label}: “{text}” is not a number (write 1.234,5 or 24,3%)",
        "{label}: “{text}” không phải là số (viết như 1.234,5 hoặc 24,3%)",
    ),
    "both": (
        "give both the numerator and the denominator, or only the rate",
        "Cần nhập cả tử số và mẫu số, hoặc chỉ nhập tỷ lệ",
    ),
    "denominator": ("the denominator must be greater than zero", "Mẫu số phải lớn hơn 0"),
    "numerator": ("the numerator cannot be negative", "Tử số không được âm"),
    "over": ("numerator {top} is larger than denominator {bottom}", "Tử số {top} lớn hơn mẫu số {bottom}"),
    "required": (
        "a value (or a numerator and a denominator) is required",
        "Cần nhập giá trị (hoặc tử số và mẫu số)",
    ),
    "negative": ("value {number} cannot be negative", "Giá trị {number} không được âm"),
    "percent": (
        "a percentage cannot exceed 100 ({number})",
        "Tỷ lệ phần trăm không được vượt quá 100 ({number})",
    ),
}
LABELS = {"v": ("value", "Giá trị"), "n": ("numerator", "Tử số"), "d": ("denominator", "Mẫu số")}


def checks_out(language: str) -> dict:
    index = 0 if language.startswith("en") else 1
    return {
        "messages": {key: pair[index] for key, pair in CHECKS.items()},
        "labels": {key: pair[index] for key, pair in LABELS.items()},
    }


@dataclass(frozen=True)
class OfflineForm:
    dataset: str
    unit_id: int
    period: str
    state: str
    status: str
    units: list[int]  # the units whose figures the form holds: the commune, or its villages


def _tree(node: Node) -> list:
    """A rule's expression as nested lists: ["n", 1.5], ["r", code, part], ["-", x], [op, a, b]."""
    if isinstance(node, Number):
        return ["n", node.value]
    if isinstance(node, Ref):
        return ["r", node.code, node.part]
    if isinstance(node, Negative):
        return ["-", _tree(node.operand)]
    assert isinstance(node, Binary)
    return [node.op, _tree(node.left), _tree(node.right)]


def rules_out(language: str) -> list[dict]:
    rules = []
    for rule in ValidationRule.objects.filter(is_active=True).order_by("code"):
        left, right = parse_expression(rule.left, field="left"), parse_expression(rule.right, field="right")
        rules.append(
            {
                "code": rule.code,
                "name": rule.name_en if language.startswith("en") else rule.name_vi,
                "severity": rule.severity,
                "left": _tree(left.node),
                "operator": rule.operator,
                "right": _tree(right.node),
                "codes": sorted(left.codes | right.codes),
            }
        )
    return rules


def offline_forms(user: AnyUser, *, today: datetime.date) -> list[OfflineForm]:
    """The forms /collect/ lists for the user (first page per data set), open ones first."""
    communes = entry_communes(user, today=today)
    forms: list[OfflineForm] = []
    for dataset in active_datasets():
        units = list(reporting_communes(dataset, communes, today=today)[:COMMUNES])
        overview = dataset_overview(dataset, units, count=len(units), today=today)
        villages: dict[int, list[int]] = {}
        if dataset.level == Level.VILLAGE:
            for pk, parent in Unit.objects.filter(parent__in=units, level=Level.VILLAGE).values_list(
                "pk", "parent_id"
            ):
                villages.setdefault(parent, []).append(pk)
        for row in overview.rows:
            for cell in row.cells:
                if cell is None:
                    continue
                held = villages.get(row.unit.pk, []) if dataset.level == Level.VILLAGE else [row.unit.pk]
                forms.append(
                    OfflineForm(dataset.code, row.unit.pk, cell.period.code, cell.state, cell.status, held)
                )
    forms.sort(key=lambda f: (f.state not in ACCEPTING or f.status != "draft", f.dataset, f.period))
    return forms[:MAX_FORMS]


def _form_url(form: OfflineForm) -> str:
    return reverse("web:entry_form", args=[form.dataset, form.unit_id, form.period])


def bundle(user: AnyUser, *, today: datetime.date, language: str) -> dict:
    forms = offline_forms(user, today=today)
    rules = rules_out(language)
    datasets = {d.code: d for d in active_datasets()}
    codes = {c for r in rules for c in r["codes"]}
    indicator_ids: set[int] = set()
    for code in {f.dataset for f in forms}:
        indicator_ids |= {m.indicator_id for m in members_of(datasets[code])}
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(pk__in=indicator_ids) | Indicator.objects.filter(code__in=codes)
    }
    unit_ids = sorted({u for f in forms for u in [f.unit_id, *f.units]})
    periods = sorted({f.period for f in forms})
    figures: dict[str, dict[str, list]] = {}
    for unit_id, period, indicator_id, number, top, bottom in Value.objects.filter(
        unit_id__in=unit_ids,
        period__in=periods,
        indicator__code__in=codes,
        kind=ValueKind.ACTUAL,
        is_deleted=False,
        comparator__in=_USABLE,
    ).values_list("unit_id", "period", "indicator_id", "value", "numerator", "denominator"):
        code = indicators[indicator_id].code if indicator_id in indicators else None
        if code:
            figures.setdefault(f"{unit_id}|{period}", {})[code] = [number, top, bottom]
    return {
        "user": user.get_username(),
        "language": language,
        "as_of": today,
        "forms": [
            {
                "url": _form_url(f),
                "dataset": f.dataset,
                "unit_id": f.unit_id,
                "period": f.period,
                "state": f.state,
                "status": f.status,
                "units": f.units,
            }
            for f in forms
        ],
        "rules": rules,
        "checks": checks_out(language),
        "figures": figures,
        "approved": last_approved(unit_ids, sorted(indicator_ids), language=language, indicators=indicators),
        "catalogue": {
            i.code: {
                "name": i.name(language),
                "measure_unit": i.measure_unit,
                "kind": i.kind,
                "is_percent": i.is_percent,
            }
            for i in indicators.values()
            if i.pk in indicator_ids
        },
        "pages": [reverse("web:collect"), *[_form_url(f) for f in forms]],
    }


def last_approved(unit_ids: list[int], indicator_ids: list[int], *, language: str, indicators: dict) -> dict:
    """unit id → indicator code → the latest published figure (period, value, display)."""
    found: dict[str, dict[str, dict]] = {}
    rows = (
        Value.objects.filter(
            unit_id__in=unit_ids,
            indicator_id__in=indicator_ids,
            kind=ValueKind.ACTUAL,
            is_deleted=False,
            is_published=True,
        )
        .order_by("unit_id", "indicator_id", "-period_end")
        .values_list("unit_id", "indicator_id", "period", "value", "comparator")
    )
    for unit_id, indicator_id, period, number, comparator in rows:
        indicator = indicators[indicator_id]
        per_unit = found.setdefault(str(unit_id), {})
        if indicator.code in per_unit:
            continue
        per_unit[indicator.code] = {
            "period": period,
            "label": parse_period(period).label(language),
            "value": number,
            "display": format_value(
                number, comparator=comparator, measure_unit=indicator.measure_unit, language=language
            ),
        }
    return found
