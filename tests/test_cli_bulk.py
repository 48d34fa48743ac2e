"""`dxmonitor dhis2 mappings load` and `dxmonitor bench import`, run as an operator runs them."""

import json

import pytest

from dxmonitor.cli import main

pytestmark = pytest.mark.django_db

MAPPINGS = """kind,dhis2_id,category_option_combo,unit_code,indicator,part,value_kind
org_unit,DiszpKrYNg8,,098,,,
data_element,DE_VILLAGES,,,CTX.VILLAGES,value,actual
data_element,DE_CDT_NUM,,,AWR.CDT_VILLAGE_COVERAGE,numerator,actual
data_element,DE_CDT_DEN,,,AWR.CDT_VILLAGE_COVERAGE,denominator,actual
"""


def test_dhis2_mappings_load(capsys, tmp_path):
    from dxmonitor.collection.models import Dhis2Mapping

    path = tmp_path / "mappings.csv"
    path.write_text(MAPPINGS, encoding="utf-8")
    assert main(["dhis2", "mappings", "load", str(path), "--as-of", "2024-06-30", "--dry-run"]) == 0
    assert "dry run, nothing saved: DHIS2 mappings: 4 created" in capsys.readouterr().out
    assert not Dhis2Mapping.objects.exists()
    assert main(["dhis2", "mappings", "load", str(path), "--as-of", "2024-06-30"]) == 0
    assert "4 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert Dhis2Mapping.objects.get(kind="org_unit").unit.name == "Huyện Tủa Chùa"
    assert main(["dhis2", "mappings", "load", str(path), "--as-of", "2024-06-30"]) == 0
    assert "0 created, 0 updated, 4 unchanged" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text(MAPPINGS + "org_unit,X,,99999,,,\ndata_element,Y,,,CTX.NOPE,,\n", encoding="utf-8")
    assert main(["dhis2", "mappings", "load", str(bad), "--as-of", "2024-06-30"]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err and "row 7: indicator: no indicator 'CTX.NOPE'" in err
    assert "lỗi:" in err and Dhis2Mapping.objects.count() == 4


def test_bench_import_prints_its_figures_last_and_leaves_nothing(capsys):
    from dxmonitor.collection.models import RuleViolation, Value, ValueChange

    before = (Value.objects.count(), ValueChange.objects.count(), RuleViolation.objects.count())
    assert main(["bench", "import", "--values", "400", "--sample", "20"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert list(figures)[:5] == ["bench", "values", "values_per_s", "baseline_values_per_s", "peak_rss_mb"]
    assert figures["checks_s"] >= 0 and figures["overall_values_per_s"] <= figures["values_per_s"]
    assert figures["bench"] == "import" and figures["values"] == 400
    assert figures["values_per_s"] > 0 and figures["baseline_values_per_s"] > 0 and figures["peak_rss_mb"] > 0
    assert any("400 created" in line for line in lines)
    assert any("removed what the bench wrote: 420 values" in line for line in lines)
    assert (Value.objects.count(), ValueChange.objects.count(), RuleViolation.objects.count()) == before


def _admin():
    from dxmonitor.accounts.actions import ensure_user

    return ensure_user(username="quantri", password="mat-khau-dai-123", is_admin=True)[0]


def test_import_reads_our_json_and_dhis2_files(capsys, tmp_path):
    from dxmonitor.collection.models import Value

    _admin()
    ours = tmp_path / "values.json"
    ours.write_text(
        json.dumps(
            {
                "values": [
                    {"unit": "098", "indicator": "CTX.VILLAGES", "period": "2013", "value": 119},
                    {"unit": "098", "indicator": "CTX.HOUSEHOLDS", "period": "2013", "value": "21.400"},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert main(["import", str(ours), "--user", "quantri", "--dry-run"]) == 0
    assert (
        "dry run, nothing written: values.json (json): 2 values would give 2 created"
        in capsys.readouterr().out
    )
    assert main(["import", str(ours), "--user", "quantri"]) == 0
    assert "values.json (json): 2 values, 2 created" in capsys.readouterr().out
    assert Value.objects.get(indicator__code="CTX.HOUSEHOLDS", period="2013").value == 21400

    mappings = tmp_path / "mappings.csv"
    mappings.write_text(MAPPINGS, encoding="utf-8")
    assert main(["dhis2", "mappings", "load", str(mappings), "--as-of", "2024-06-30"]) == 0
    dhis2 = tmp_path / "dvs.json"
    dhis2.write_text(
        json.dumps({"period": "2012", "orgUnit": "DiszpKrYNg8", "dataValues": [
            {"dataElement": "DE_CDT_NUM", "value": "60"}, {"dataElement": "DE_CDT_DEN", "value": "120"}]}),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["import", str(dhis2), "--user", "quantri"]) == 0
    assert "dvs.json (dhis2-json): 1 value, 1 created" in capsys.readouterr().out
    assert Value.objects.get(indicator__code="AWR.CDT_VILLAGE_COVERAGE", period="2012").value == 50

    table = tmp_path / "dvs.csv"
    table.write_text(
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value\nDE_VILLAGES,2011,DiszpKrYNg8,,,117\n"
        "DE_UNKNOWN,2011,DiszpKrYNg8,,,1\n",
        encoding="utf-8",
    )
    assert main(["import", str(table), "--user", "quantri"]) == 1
    out = capsys.readouterr().out
    assert "Data element DE_UNKNOWN is not mapped" in out and "nothing written" in out
    assert not Value.objects.filter(period="2011").exists(), "a file is all or nothing"


def test_web_upload_sends_json_files_to_the_api(db):
    from dxmonitor.common.errors import DomainError
    from dxmonitor.files.actions import check_upload

    data = json.dumps(
        {"values": [{"unit": "098", "indicator": "CTX.VILLAGES", "period": "2013", "value": 1}]}
    )
    with pytest.raises(DomainError, match="POST /api/v1/dataValueSets"):
        check_upload(data=data.encode(), file_name="values.json", user=_admin())
