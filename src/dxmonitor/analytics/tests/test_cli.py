"""`dxmonitor analytics refresh` and `status` as an operator runs them."""

import datetime

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.cli import main
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import SourceType
from dxmonitor.geo.queries import unit_for_code

pytestmark = pytest.mark.django_db


def test_refresh_rebuilds_then_takes_in_only_the_changes(analytics, capsys):
    commune = unit_for_code(code="12", on=datetime.date(2025, 8, 1)).children.order_by("code").first()
    households = Indicator.objects.get(code="CTX.HOUSEHOLDS")
    provenance = Provenance(source_type=SourceType.FORM)
    record_value(unit=commune, indicator=households, period="2025", value=300, provenance=provenance)
    assert main(["analytics", "refresh", "--full"]) == 0
    out = capsys.readouterr().out
    assert "analytics store rebuilt: 1 values" in out and "years: 2025" in out
    record_value(unit=commune, indicator=households, period="2025", value=320, provenance=provenance)
    assert main(["analytics", "status"]) == 0
    assert "1 changes since" in capsys.readouterr().out
    assert main(["analytics", "refresh"]) == 0
    assert "analytics store refreshed: 1 values" in capsys.readouterr().out
    assert main(["analytics", "status"]) == 0
    status = capsys.readouterr().out
    assert "0 changes since" in status and "holds 1 values" in status
