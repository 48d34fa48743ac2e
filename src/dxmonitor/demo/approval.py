"""Reports waiting in the demo approver's inbox: two communes of Lai Châu have submitted their
quarterly report (synthetic figures, flagged as such), and the demo accounts get signing keys
from the demo's own certification authority. Running it again changes nothing."""

from dataclasses import dataclass

from django.utils import timezone

from dxmonitor.catalog.models import Indicator
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.datasets import window
from dxmonitor.collection.models import DataSet, SourceType
from dxmonitor.geo.models import Level
from dxmonitor.workflow.actions import submit_report
from dxmonitor.workflow.models import Report
from dxmonitor.workflow.queries import period_containing, previous_period

from .entry import _unit

SUBMITTING = {"Mường Than": (9, 1320), "Tân Uyên": (12, 1850)}
SYNTHETIC = Provenance(source_type=SourceType.SYNTHETIC)


@dataclass
class ApprovalDemoReport:
    submitted: int = 0
    waiting: int = 0
    period: str = ""
    keys: int = 0


def _figures(villages: int, households: int) -> dict[str, dict]:
    return {
        "CTX.VILLAGES": {"value": villages},
        "CTX.HOUSEHOLDS": {"value": households},
        "AWR.CDT_TEAMS_VILLAGE": {"value": villages},
        "AWR.CDT_MEMBERS": {"value": villages * 4},
        "AWR.CDT_VILLAGE_COVERAGE": {"value": None, "numerator": villages, "denominator": villages},
        "INF.FIBRE_VILLAGE_COVERAGE": {"value": None, "numerator": villages - 2, "denominator": villages},
        "INF.HOUSEHOLD_FIXED_BB": {
            "value": None,
            "numerator": round(households * 0.41),
            "denominator": households,
        },
        "INF.VILLAGES_WITHOUT_MOBILE": {"value": 1},
        "GOV.ONLINE_DOSSIER_RATE": {"value": None, "numerator": 312, "denominator": 405},
        "GOV.LATE_DOSSIERS": {"value": 2},
        "HR.DX_TRAINEES": {"value": 140},
    }


def load_approval_demo(*, admin) -> ApprovalDemoReport:
    from dxmonitor.signing.demo import create_demo_signing_keys

    report = ApprovalDemoReport()
    dataset = DataSet.objects.get(code="XA_QUY")
    today = timezone.localdate()
    period = previous_period(period_containing("Q", today))
    if not window(dataset, period).accepts(today):
        period = period_containing("Q", today)
    report.period = period.code
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=_figures(1, 1))}
    for name, (villages, households) in SUBMITTING.items():
        commune = _unit(Level.COMMUNE, name)
        existing = Report.objects.filter(dataset=dataset, unit=commune, period=period.code).first()
        if existing is not None and existing.status != "draft":
            report.waiting += existing.status == "submitted"
            continue
        for code, figure in _figures(villages, households).items():
            record_value(
                unit=commune,
                indicator=indicators[code],
                period=period.code,
                is_synthetic=True,
                provenance=SYNTHETIC,
                **figure,
            )
        submit_report(dataset=dataset, unit=commune, period=period, user=admin, today=today)
        report.submitted += 1
        report.waiting += 1
    report.keys = len(create_demo_signing_keys().keys)
    return report
