"""How a proposed fact reads on the review page."""

from django import template

from dxmonitor.common.display import format_value
from dxmonitor.common.language import current_language
from dxmonitor.common.numbers import format_number

register = template.Library()


@register.filter
def fact_value(fact):
    """ "trên 50%", "4.306 chứng thư số": as the value will read once accepted."""
    measure_unit = fact.indicator.measure_unit if fact.indicator else ""
    return format_value(
        fact.value, comparator=fact.comparator, measure_unit=measure_unit, language=current_language()
    )


@register.filter
def number_input(value) -> str:
    """A number for a form field, in the Vietnamese format the form reads back ("1.234.567",
    "95,25"), with every decimal it has: a correction must not round what it leaves alone."""
    if value is None or value == "":
        return ""
    number = float(value)
    fraction = f"{number:.6f}".rstrip("0").partition(".")[2]
    return format_number(number, language="vi", decimals=len(fraction))
