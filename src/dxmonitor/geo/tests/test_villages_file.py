"""`dxmonitor units villages FILE`: time in proportion to the file, names bounded and clean."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dxmonitor.cli import main
from dxmonitor.geo.models import Level, Unit

pytestmark = pytest.mark.django_db

HEADER = "commune_code,name,type\n"


def villages_file(tmp_path, count: int, *, start: int = 0):
    path = tmp_path / f"thon-{start}-{count}.csv"
    path.write_text(
        HEADER + "".join(f"03632,Bản số {n},ban\n" for n in range(start, start + count)), encoding="utf-8"
    )
    return path


def imported_queries(path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert main(["units", "villages", str(path), "--as-of", "2024-06-30"]) == 0
    return len(captured.captured_queries)


def test_villages_cost_the_same_per_row_however_many_the_commune_has(tmp_path, capsys):
    small = imported_queries(villages_file(tmp_path, 100))
    # Four times as many, into a commune that now holds 100 already: four times the work, not sixteen.
    large = imported_queries(villages_file(tmp_path, 400, start=100))
    assert large <= 4 * small + 20, (small, large)
    started = time.monotonic()
    assert (
        main(["units", "villages", str(villages_file(tmp_path, 800, start=500)), "--as-of", "2024-06-30"])
        == 0
    )
    assert time.monotonic() - started < 15
    assert "800 added" in capsys.readouterr().out
    assert Unit.objects.filter(level=Level.VILLAGE, parent__code="03632").count() == 1_300
    # The same file again adds nothing.
    assert main(["units", "villages", str(villages_file(tmp_path, 100)), "--as-of", "2024-06-30"]) == 0
    assert "0 added, 100 already there" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "words"),
    [("x" * 100_000, "at most 120 characters (100,000 given)"), ("Bản\x00Nà", "control character (U+0000)")],
)
def test_a_name_too_long_or_with_control_characters_is_refused_at_its_line(tmp_path, capsys, name, words):
    path = tmp_path / "thon.csv"
    path.write_text(f"{HEADER}03632,Nà Khương,ban\n03632,{name},ban\n", encoding="utf-8")
    assert main(["units", "villages", str(path), "--as-of", "2024-06-30"]) == 1
    err = capsys.readouterr().err
    assert words in err and "(row 3)" in err and "(dòng 3)" in err
    assert not Unit.objects.filter(level=Level.VILLAGE).exists()
