"""`dxmonitor rules load` and `dxmonitor rules check`, run as an operator runs them."""

import pytest

from dxmonitor.catalog.models import Indicator
from dxmonitor.cli import main
from dxmonitor.collection.actions import Provenance, record_value
from dxmonitor.collection.models import RuleViolation, SourceType, ValidationRule

pytestmark = pytest.mark.django_db


def test_rules_load_reports_unchanged_and_refuses_a_bad_file(capsys, tmp_path):
    shipped = ValidationRule.objects.count()
    assert main(["rules", "load"]) == 0
    assert f"rules: 0 created, 0 updated, {shipped} unchanged" in capsys.readouterr().out
    bad = tmp_path / "rules.csv"
    bad.write_text(
        "code,name_vi,name_en,rule,severity\nX.A,A,A,CTX.VILLAGES <=,error\nX.B,B,B,CTX.NOPE > 1,error\n",
        encoding="utf-8",
    )
    assert main(["rules", "load", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "error: 2 problems" in err and "lỗi: 2 lỗi" in err and "row 3: rule: CTX.NOPE" in err
    assert ValidationRule.objects.count() == shipped


def test_rules_check_prints_the_violations_of_a_subtree(capsys):
    import datetime

    from dxmonitor.geo.queries import resolve_unit

    commune = resolve_unit(name="xã Hua Nà", as_of=datetime.date(2024, 6, 30))
    for code, number in (("CTX.VILLAGES", 10), ("INF.VILLAGES_WITHOUT_MOBILE", 13)):
        record_value(
            unit=commune,
            indicator=Indicator.objects.get(code=code),
            period="2024",
            value=number,
            provenance=Provenance(source_type=SourceType.CLI),
        )
    RuleViolation.objects.all().delete()
    assert (
        main(["rules", "check", "--unit-code", commune.code, "--as-of", "2024-06-30", "--period", "2024"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Xã Hua Nà" in out and "1 violations (1 new" in out
    assert "INF.NO_MOBILE_LE_VILLAGES" in out and "(13 vs 10)" in out
    assert main(["rules", "check", "--period", "2023"]) == 0
    assert "0 violations" in capsys.readouterr().out
    assert main(["rules", "check", "--unit-code", commune.code, "--as-of", "30/06/2024"]) == 1
    assert "is not a date" in capsys.readouterr().err
    assert main(["rules", "check", "--unit-code", "99999"]) == 1
