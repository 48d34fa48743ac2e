"""The `dxmonitor` command, run as an operator runs it."""

import io
import sys

import pytest

from dxmonitor.cli import main

pytestmark = pytest.mark.django_db


def test_units_load_reports_unchanged_on_a_second_run(capsys):
    assert main(["units", "load"]) == 0
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 14149 unchanged" in out


def test_units_load_from_a_missing_source_fails_clearly(capsys, tmp_path):
    assert main(["units", "load", "--source", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert "error: units source not found" in err and "lỗi: Không tìm thấy" in err


def test_catalog_load_reports_every_problem_of_a_bad_file(capsys, tmp_path):
    bad = tmp_path / "catalog.csv"
    bad.write_text("code,name_vi\nX,Y\n", encoding="utf-8")
    assert main(["catalog", "load", "--file", str(bad)]) == 1
    assert "missing columns" in capsys.readouterr().err
    assert main(["catalog", "load"]) == 0
    assert "0 created, 0 updated, 66 unchanged" in capsys.readouterr().out


def test_seeds_load(capsys):
    assert main(["seeds", "load"]) == 0
    out = capsys.readouterr().out
    assert "5 documents, 45 facts (45 created" in out and "2 dated from their article" in out


def test_user_and_token(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-rat-dai\n"))
    assert main(["user", "create", "sokhcn", "--admin", "--password-stdin"]) == 0
    assert "user sokhcn created (administrator)" in capsys.readouterr().out
    from django.contrib.auth import authenticate

    assert authenticate(username="sokhcn", password="mat-khau-rat-dai").is_staff
    assert main(["token", "create", "sokhcn", "may-chu-tich-hop"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("dxm_")
    from dxmonitor.accounts.queries import user_for_token

    assert user_for_token(token)[0].username == "sokhcn"
    assert main(["token", "create", "nobody", "x"]) == 1


def test_token_list_and_revoke(capsys):
    from dxmonitor.accounts.actions import create_token, ensure_user
    from dxmonitor.accounts.queries import user_for_token

    user, _ = ensure_user(username="maychu", password="mat-khau-rat-dai")
    token, plain = create_token(user=user, name="dong-bo-tinh")
    assert main(["token", "list"]) == 0
    assert f"{token.prefix}…" in capsys.readouterr().out
    assert main(["token", "revoke", token.prefix]) == 0
    assert user_for_token(plain) is None
    assert main(["token", "revoke", token.prefix]) == 1


def test_villages_from_a_file(capsys, tmp_path):
    from dxmonitor.geo.models import Level, Unit

    csv_file = tmp_path / "thon.csv"
    csv_file.write_text(
        "commune_code,name,type\n03632,Nà Khương,ban\n03632,Mường Thàng,thon\n", encoding="utf-8-sig"
    )
    assert main(["units", "villages", str(csv_file), "--as-of", "2024-06-30", "--dry-run"]) == 0
    assert "dry run, nothing saved: villages: 2 added" in capsys.readouterr().out
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()
    assert main(["units", "villages", str(csv_file), "--as-of", "2024-06-30"]) == 0
    assert {u.parent.name for u in Unit.objects.filter(level=Level.VILLAGE)} == {"Xã Hua Nà"}
    assert main(["units", "villages", str(csv_file)]) == 1  # 03632 is not a commune code since 2025
    assert "no commune with code '03632'" in capsys.readouterr().err
