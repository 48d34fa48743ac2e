"""`dxmonitor import FILE --user USERNAME [--dry-run]`: the user's permissions, problems printed, exit 1."""

import pytest

from dxmonitor.cli import main
from dxmonitor.collection.models import Value

from .books import fill

pytestmark = pytest.mark.django_db


def test_import_checks_then_writes(capsys, tmp_path, clerk, template, commune):
    path = tmp_path / "quy.xlsx"
    path.write_bytes(fill(template, {"CTX.VILLAGES": 7, "HR.DX_TRAINEES": 30}))
    assert main(["import", str(path), "--user", clerk.username, "--dry-run"]) == 0
    assert "dry run, nothing written" in capsys.readouterr().out
    assert not Value.objects.filter(unit=commune).exists()
    assert main(["import", str(path), "--user", clerk.username]) == 0
    out = capsys.readouterr().out
    assert "quy.xlsx (xlsx, sheet Số liệu, data set XA_FILE" in out and "2 values, 2 created" in out
    assert Value.objects.filter(unit=commune, source_file="quy.xlsx").count() == 2
    assert main(["import", str(path), "--user", clerk.username]) == 0
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_import_prints_every_problem_and_fails(
    capsys, tmp_path, clerk, other_commune, quarterly, current_quarter
):
    path = tmp_path / "xa-khac.csv"
    path.write_text(
        f"unit_code,indicator,period,value\n{other_commune.code},CTX.VILLAGES,{current_quarter.code},4\n"
        f"{other_commune.code},CTX.HOUSEHOLDS,{current_quarter.code},mot nghin\n",
        encoding="utf-8",
    )
    assert main(["import", str(path), "--user", clerk.username]) == 1
    out = capsys.readouterr().out
    assert "A2: Xã Tân Uyên is outside the units you may enter figures for" in out
    assert "nằm ngoài các đơn vị bạn được nhập số liệu" in out
    assert "D3: Value: “mot nghin” is not a number" in out
    assert "2 problems; nothing written" in out
    assert not Value.objects.filter(unit=other_commune).exists()


def test_import_refuses_what_is_not_a_table(capsys, tmp_path, clerk):
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(b"%PDF-1.4\n")
    assert main(["import", str(path), "--user", clerk.username]) == 1
    err = capsys.readouterr().err
    assert "error: the file is PDF" in err and "lỗi: Tệp là PDF" in err
    assert main(["import", str(path), "--user", "khong-co-ai"]) == 1
