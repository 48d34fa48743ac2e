import datetime

import pytest

from dxmonitor.collection.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2024", "2024", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
        ("2024Q3", "2024Q3", datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)),
        ("2024q1", "2024Q1", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        ("Q4/2023", "2023Q4", datetime.date(2023, 10, 1), datetime.date(2023, 12, 31)),
        ("202409", "202409", datetime.date(2024, 9, 1), datetime.date(2024, 9, 30)),
        ("2024-02", "202402", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        ("9/2024", "202409", datetime.date(2024, 9, 1), datetime.date(2024, 9, 30)),
        (2025, "2025", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    ],
)
def test_periods_officials_write(text, code, start, end):
    period = parse_period(text)
    assert (period.code, period.start, period.end) == (code, start, end)


def test_undated():
    period = parse_period("")
    assert period.code == "" and period.start is None
    assert period.label("vi") == "Không rõ thời điểm" and period.label("en") == "undated"


def test_labels_as_officials_write_them():
    assert parse_period("2024").label("vi") == "Năm 2024"
    assert parse_period("2024Q3").label("vi") == "Quý III/2024"
    assert parse_period("202409").label("vi") == "Tháng 9/2024"
    assert parse_period("2024Q3").label("en") == "Q3 2024"
    assert parse_period("202409").label("en") == "September 2024"


@pytest.mark.parametrize(
    "text", ["2024Q5", "202413", "24", "năm ngoái", "2024-13", "3000", "2024Q0", "2024/2025"]
)
def test_unknown_periods_are_refused_in_both_languages(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert caught.value.message_en and "Kỳ báo cáo" in caught.value.message_vi
