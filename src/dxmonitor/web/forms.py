"""HTML forms. They only parse text into the shared contracts; the actions validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dxmonitor.catalog.models import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorGroup,
    Kind,
    PeriodAggregation,
)
from dxmonitor.catalog.schemas import IndicatorIn, TargetIn
from dxmonitor.common.errors import DomainError
from dxmonitor.common.numbers import NumberFormatError, parse_number
from dxmonitor.geo.models import LEVEL_OF_TYPE, Level, UnitType


class VillageForm(forms.Form):
    unit_type = forms.ChoiceField(
        label=_("Type"),
        choices=[(t, UnitType(t).label) for t, level in LEVEL_OF_TYPE.items() if level == Level.VILLAGE],
    )
    name = forms.CharField(label=_("Village name"), max_length=160)


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=IndicatorGroup.objects.all(), to_field_name="code"
    )
    name_vi = forms.CharField(label=_("Name (Vietnamese)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300)
    measure_unit = forms.CharField(
        label=_("Unit of measure"), max_length=32, help_text=_('"percent", "household", "team"…')
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Aggregation.choices)
    period_aggregation = forms.ChoiceField(
        label=_("Over time"), choices=PeriodAggregation.choices, initial=PeriodAggregation.END, required=False
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    numerator_label = forms.CharField(label=_("Numerator"), required=False, max_length=200)
    denominator_label = forms.CharField(label=_("Denominator"), required=False, max_length=200)
    denominator_indicator = forms.ModelChoiceField(
        label=_("Denominator indicator"),
        required=False,
        to_field_name="code",
        queryset=Indicator.objects.filter(group__code="CTX"),
    )
    phrasings = forms.CharField(
        label=_("Phrasings (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    targets = forms.CharField(
        label=_("National targets (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            '"2025 80", or with a level: "2025 commune 60"; '
            'add the source after a bar: "2025 80 | QĐ 749/QĐ-TTg"'
        ),
    )
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs) -> None:
        if indicator is not None and not args[0]:
            kwargs["initial"] = {
                "code": indicator.code,
                "group": indicator.group.code,
                "name_vi": indicator.name_vi,
                "name_en": indicator.name_en,
                "measure_unit": indicator.measure_unit,
                "kind": indicator.kind,
                "aggregation": indicator.aggregation,
                "period_aggregation": indicator.period_aggregation,
                "direction": indicator.direction,
                "numerator_label": indicator.numerator_label,
                "denominator_label": indicator.denominator_label,
                "denominator_indicator": indicator.denominator_indicator.code
                if indicator.denominator_indicator
                else None,
                "phrasings": "\n".join(indicator.phrasings),
                "targets": "\n".join(
                    " ".join(p for p in (str(t.year), t.level, f"{t.value:g}") if p)
                    + (f" | {t.source}" if t.source else "")
                    for t in indicator.targets.filter(scope_unit__isnull=True)
                ),
                "definition": indicator.definition,
                "is_active": indicator.is_active,
            }
        super().__init__(*args, **kwargs)
        if indicator is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
            self._code = indicator.code
        else:
            self._code = None

    def clean_targets(self) -> list[TargetIn]:
        targets = []
        for number, line in enumerate((self.cleaned_data.get("targets") or "").splitlines(), start=1):
            if not line.strip():
                continue
            main, _bar, source = line.partition("|")
            parts = main.split()
            try:
                if len(parts) == 2:
                    targets.append(
                        TargetIn(year=int(parts[0]), value=parse_number(parts[1]), source=source.strip())
                    )
                elif len(parts) == 3:
                    targets.append(
                        TargetIn(
                            year=int(parts[0]),
                            level=parts[1],
                            value=parse_number(parts[2]),
                            source=source.strip(),
                        )
                    )
                else:
                    raise ValueError(line)
            except (ValueError, NumberFormatError) as exc:
                raise forms.ValidationError(
                    _("Line %(number)s: write “year value” or “year level value”.") % {"number": number}
                ) from exc
        return targets

    def to_input(self) -> IndicatorIn:
        data = self.cleaned_data
        return IndicatorIn(
            code=self._code or data["code"].strip(),
            group=data["group"].code,
            name_vi=data["name_vi"],
            name_en=data["name_en"],
            measure_unit=data["measure_unit"],
            kind=data["kind"],
            aggregation=data["aggregation"],
            period_aggregation=data.get("period_aggregation") or PeriodAggregation.END,
            direction=data["direction"],
            numerator_label=data["numerator_label"],
            denominator_label=data["denominator_label"],
            denominator_indicator=data["denominator_indicator"].code
            if data["denominator_indicator"]
            else None,
            phrasings=[p.strip() for p in data["phrasings"].splitlines() if p.strip()],
            targets=data["targets"],
            definition=data["definition"],
            is_active=data["is_active"],
        )

    def add_domain_error(self, error: DomainError, language: str) -> None:
        for problem in error.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message(language))
