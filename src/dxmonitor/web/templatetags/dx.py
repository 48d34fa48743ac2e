"""Template filters that show numbers, values and periods as Vietnamese officials write them."""

from django import template

from dxmonitor.catalog.models import CHANNEL_LABELS
from dxmonitor.collection.periods import PeriodError, parse_period
from dxmonitor.common.display import format_ratio, format_value, unit_label
from dxmonitor.common.language import current_language
from dxmonitor.common.numbers import format_number
from dxmonitor.geo.models import UnitType

register = template.Library()


@register.filter
def num(value, decimals=None):
    if value is None or value == "":
        return ""
    return format_number(
        value, language=current_language(), decimals=None if decimals is None else int(decimals)
    )


@register.filter
def show_value(value):
    """A Value as it reads: "trên 97%", "4.306 chứng thư số"."""
    return format_value(
        value.value,
        comparator=value.comparator,
        measure_unit=value.indicator.measure_unit,
        language=current_language(),
    )


@register.filter
def show_target(number, indicator):
    return format_value(number, measure_unit=indicator.measure_unit, language=current_language())


@register.filter
def in_unit(number, measure_unit):
    return format_value(number, measure_unit=measure_unit, language=current_language())


@register.filter
def ratio(value):
    return format_ratio(value.numerator, value.denominator, language=current_language())


@register.filter
def period_label(code):
    try:
        return parse_period(code or "").label(current_language())
    except PeriodError:
        return code


@register.filter
def name_of(obj):
    """The name of an indicator or a group in the page's language."""
    if hasattr(obj, "name_vi"):
        return obj.name_en if current_language().startswith("en") else obj.name_vi
    return str(obj)


_TYPE_EN = {
    "tinh": "province",
    "thanh_pho_tw": "centrally-run city",
    "huyen": "rural district",
    "quan": "urban district",
    "thi_xa": "town",
    "thanh_pho": "provincial city",
    "xa": "commune",
    "phuong": "ward",
    "thi_tran": "township",
    "dac_khu": "special zone",
    "thon": "village",
    "ban": "hamlet",
    "to_dan_pho": "residential group",
    "xom": "hamlet",
    "ap": "hamlet",
    "khu_pho": "quarter",
    "buon": "village",
    "lang": "village",
}


@register.filter
def type_label(unit_type):
    """Vietnamese type names are terms of law; English pages gloss them."""
    label = UnitType(unit_type).label if unit_type in UnitType.values else unit_type
    if current_language().startswith("en") and unit_type in _TYPE_EN:
        return f"{label} ({_TYPE_EN[unit_type]})"
    return label


@register.filter
def channel_label(channel):
    return CHANNEL_LABELS.get(channel, channel)


@register.filter
def measure(measure_unit):
    return unit_label(measure_unit, current_language())
