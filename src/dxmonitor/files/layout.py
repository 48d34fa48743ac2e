"""The columns of a value table, as the template writes them and as uploads may name them.

Uploads find their columns by header, never by position: a machine key (`unit_code`), the
Vietnamese header of the template ("Mã đơn vị") or its English twin, with or without
diacritics, in any order. The template carries the machine keys in a hidden second header
row, so a column an officer renames or moves still imports.
"""

from dataclasses import dataclass

from dxmonitor.common.text import fold

DATA_SHEET = "Số liệu"
LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"
META_SHEET = "_dxm"
TEMPLATE_MARK = "dxmonitor-template"
TEMPLATE_VERSION = "1"
UNIT_LIST = "ds_don_vi"
INDICATOR_LIST = "ds_chi_tieu"


@dataclass(frozen=True)
class Column:
    key: str
    title_vi: str
    title_en: str
    width: float
    aliases: tuple[str, ...] = ()
    entry: bool = False  # filled in by officers (unlocked in the template)


COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "Mã đơn vị", "Unit code", 13, ("ma dvhc", "ma don vi hanh chinh", "unit")),
    Column("unit_name", "Tên đơn vị", "Unit name", 32),
    Column("indicator", "Mã chỉ tiêu", "Indicator code", 30, ("indicator code", "chi tieu")),
    Column("indicator_name", "Tên chỉ tiêu", "Indicator name", 56),
    Column("measure_unit", "Đơn vị tính", "Unit of measure", 13, ("dvt",)),
    Column("period", "Kỳ", "Period", 10, ("ky bao cao", "reporting period")),
    Column("value", "Giá trị", "Value", 14, ("so lieu",), entry=True),
    Column("numerator", "Tử số", "Numerator", 12, entry=True),
    Column("denominator", "Mẫu số", "Denominator", 12, entry=True),
    Column("note", "Ghi chú", "Note", 36, ("notes",), entry=True),
)
# Columns a CSV (or an edited sheet) may add; the template leaves them out.
EXTRA_COLUMNS: tuple[Column, ...] = (
    Column("kind", "Loại số liệu", "Kind", 12, ("loai",)),
    Column("comparator", "So sánh", "Comparator", 10, ("phep so sanh",)),
)
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
BY_KEY = {c.key: c for c in ALL_COLUMNS}
KEYS = tuple(c.key for c in ALL_COLUMNS)
NUMBER_KEYS = ("value", "numerator", "denominator")


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in ALL_COLUMNS:
        for name in (column.title_vi, column.title_en, *column.aliases):
            names[fold(name).replace("_", " ")] = column.key
    for column in ALL_COLUMNS:  # a machine key always means its own column
        names[fold(column.key).replace("_", " ")] = column.key
    return names


_NAMES = _names()


def key_of(header: object) -> str | None:
    """The column a header names, or None: "Mã  đơn vị", "ma don vi", "unit_code", "Unit code"."""
    if header is None:
        return None
    text = fold(str(header)).replace("_", " ").strip(" *:")
    return _NAMES.get(text)


def is_key_row(cells: list) -> bool:
    """Whether a row is the hidden row of machine keys the template writes under its headers."""
    keys = [str(c).strip() for c in cells if c not in (None, "")]
    return len(keys) >= 3 and all(k in BY_KEY for k in keys)


# What a kind or a comparator may be written as, besides its code.
KIND_WORDS = {
    "": "actual",
    "thuc hien": "actual",
    "thuc te": "actual",
    "actual": "actual",
    "muc tieu": "target",
    "ke hoach": "target",
    "chi tieu": "target",
    "target": "target",
}
COMPARATOR_WORDS = {
    "": "eq",
    "=": "eq",
    ">": "gt",
    "<": "lt",
    "≈": "approx",
    "~": "approx",
    "tren": "gt",
    "hon": "gt",
    "duoi": "lt",
    "khoang": "approx",
    "gan": "approx",
}


def kind_code(text: str) -> str:
    if not text:
        return "actual"
    folded = fold(text)
    return KIND_WORDS.get(folded, text.strip())


def comparator_code(text: str) -> str:
    if not text:
        return "eq"
    stripped = text.strip()
    return COMPARATOR_WORDS.get(stripped) or COMPARATOR_WORDS.get(fold(stripped), stripped)


def letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
