"""Which places a text names, and which place each figure is about: sentences written for these tests."""

import pytest

from dxmonitor.extraction.engine import extract
from dxmonitor.extraction.places import find_places, province_names
from dxmonitor.extraction.terms import catalogue_from_csv

CATALOGUE = catalogue_from_csv()
pytestmark = pytest.mark.django_db


def places_in(text: str) -> list[str]:
    return [m.place.locality for m in find_places(text, province_names()) if not m.generic]


def facts_of(text: str) -> list[tuple]:
    found = extract(text, catalogue=CATALOGUE, provinces=province_names())
    return [(f.locality, f.indicator, f.value) for f in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A level word and a name the product holds, on the same line.
        ("Đoàn công tác làm việc với huyện Mường Khương.", ["huyện Mường Khương"]),
        ("TP.Huế và TP.HCM dẫn đầu.", ["thành phố Huế", "thành phố Hồ Chí Minh"]),
        ("TP. Hồ Chí Minh đạt.", ["thành phố Hồ Chí Minh"]),
        # Words after a level word that name no unit are not places.
        ("Trao đổi với thành phố Thứ tư vừa qua.", []),
        ("25/63 tỉnh, thành phố\nĐánh giá chung cho thấy", []),
        ("thành lập 4 tổ công nghệ cộng đồng thôn\nChiều ngày 29.3 đã họp", []),
        # Villages: the level word is enough, the product does not hold every name.
        ("Tổ công nghệ số cộng đồng ấp Trung Bình được kiện toàn", ["ấp Trung Bình"]),
        ("Về thôn Nà Hẩu, xóm Bãi Vàng", ["thôn Nà Hẩu", "xóm Bãi Vàng"]),
        # The country is a subject where a sentence starts with it, not where it is a ranking's field.
        ("Cả nước có 10.500 xã.", ["Việt Nam"]),
        ("Tỉnh xếp thứ 58 trong cả nước.", []),
        ("Yên Bái xếp hạng 25/63 tỉnh, thành phố cả nước.", ["tỉnh Yên Bái"]),
    ],
)
def test_places_named(text, expected):
    assert places_in(text) == expected


def test_a_generic_village_word_is_the_village_named_before():
    text = (
        "Xã Hoằng Châu chọn thôn Giang Hải làm thôn thông minh.\n"
        "Toàn thôn có 412 hộ gia đình, với hơn 1.600 nhân khẩu."
    )
    assert facts_of(text) == [
        ("thôn Giang Hải", "CTX.HOUSEHOLDS", 412),
        ("thôn Giang Hải", "CTX.POPULATION", 1600),
    ]


def test_a_rank_in_the_whole_country_stays_with_the_province():
    text = "Năm 2022, chỉ số chuyển đổi số của tỉnh Gia Lai đạt 0,41 điểm, xếp thứ 52 trong cả nước."
    assert facts_of(text) == [("tỉnh Gia Lai", "DTI.SCORE", 0.41), ("tỉnh Gia Lai", "DTI.RANK", 52)]
