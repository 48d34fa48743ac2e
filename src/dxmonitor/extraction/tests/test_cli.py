"""`dxmonitor extract` and `dxmonitor bench extract`, run as an operator runs them."""

import json

import pytest

from dxmonitor.cli import main

pytestmark = pytest.mark.django_db

REPORT = (
    "Huyện Mường Tè đẩy mạnh chuyển đổi số\n"
    "Đến nay huyện có 85% thôn, bản được phủ sóng điện thoại di động; hơn 3.000 hòm thư điện tử công vụ "
    "đã được cấp. Huyện phấn đấu đến năm 2025 có 60% hộ gia đình kết nối internet băng rộng."
)


def test_extract_jsonl_in_the_evaluation_format(capsys, tmp_path):
    path = tmp_path / "baocao.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert main(["extract", str(path), "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    keys = {"doc", "locality", "indicator", "value", "comparator", "kind", "period", "numerator"}
    assert all(keys | {"denominator", "start", "end"} <= set(line) for line in lines)
    assert [(f["indicator"], f["value"], f["comparator"], f["kind"], f["period"]) for f in lines] == [
        ("INF.MOBILE_VILLAGE_COVERAGE", 85, "eq", "actual", None),
        ("GOV.OFFICIAL_EMAIL_ACCOUNTS", 3000, "gt", "actual", None),
        ("INF.HOUSEHOLD_FIXED_BB", 60, "eq", "target", "2025"),
    ]
    assert {f["doc"] for f in lines} == {"baocao.txt"}
    assert {f["locality"] for f in lines} == {"huyện Mường Tè"}
    first = lines[0]
    assert REPORT[first["start"] : first["end"]] == first["evidence"]


def test_extract_reads_the_good_files_and_reports_the_bad(capsys, tmp_path):
    good, empty = tmp_path / "tot.txt", tmp_path / "rong.txt"
    good.write_text(REPORT, encoding="utf-8")
    empty.write_bytes(b"")
    assert main(["extract", str(empty), str(good), str(tmp_path / "khong-co.txt")]) == 1
    captured = capsys.readouterr()
    assert "rong.txt is empty" in captured.err and "khong-co.txt: no such file" in captured.err
    assert captured.out.count("tot.txt\t") == 3


def test_extract_save_fills_the_review_queue(capsys, tmp_path):
    from dxmonitor.extraction.models import ProposedFact

    path = tmp_path / "baocao.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert main(["extract", str(path), "--save", "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == ProposedFact.objects.count() == 3
    assert all(line["status"] == "pending" and line["unit_id"] for line in lines)


def test_bench_extract_ends_with_json(capsys):
    assert main(["bench", "extract", "--articles", "20", "--size", "8000"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["bench"] == "extract" and last["articles"] == 20
    assert last["articles_per_s"] > 0 and last["facts"] > 0
