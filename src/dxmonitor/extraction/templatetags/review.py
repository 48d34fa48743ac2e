"""How a proposed fact reads on the review page."""

from django import template
from django.utils.translation import get_language

from dxmonitor.common.display import format_value

register = template.Library()


@register.filter
def fact_value(fact):
    """ "trên 50%", "4.306 chứng thư số": as the value will read once accepted."""
    measure_unit = fact.indicator.measure_unit if fact.indicator else ""
    return format_value(
        fact.value, comparator=fact.comparator, measure_unit=measure_unit, language=get_language() or "vi"
    )
