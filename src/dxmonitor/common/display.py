"""How values read on a page: "trên 97%", "khoảng 1.400 hộ", "over 97%"."""

from .numbers import format_number

_COMPARATOR_WORDS = {
    "vi": {"eq": "", "gt": "trên", "lt": "dưới", "approx": "khoảng"},
    "en": {"eq": "", "gt": "over", "lt": "under", "approx": "about"},
}
COMPARATOR_SYMBOLS = {"eq": "", "gt": ">", "lt": "<", "approx": "≈"}

# Measure units of the catalogue, as a page names them. Units an administrator adds
# later show their code until a label is added here.
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "percent": ("%", "%"),
    "person": ("người", "people"),
    "household": ("hộ", "households"),
    "village": ("thôn, bản", "villages"),
    "commune": ("xã", "communes"),
    "enterprise": ("doanh nghiệp", "enterprises"),
    "team": ("tổ", "teams"),
    "station": ("trạm", "stations"),
    "subscription": ("thuê bao", "subscriptions"),
    "certificate": ("chứng thư số", "certificates"),
    "service": ("dịch vụ", "services"),
    "dossier": ("hồ sơ", "dossiers"),
    "account": ("tài khoản", "accounts"),
    "product": ("sản phẩm", "products"),
    "invoice": ("hóa đơn", "invoices"),
    "score": ("điểm", "points"),
    "rank": ("hạng", "rank"),
    "per100": ("/100 dân", "per 100 people"),
}


def unit_label(measure_unit: str, language: str = "vi") -> str:
    labels = UNIT_LABELS.get(measure_unit)
    if labels is None:
        return measure_unit
    return labels[1] if language.startswith("en") else labels[0]


def format_value(
    value: float | None,
    *,
    comparator: str = "eq",
    measure_unit: str = "",
    language: str = "vi",
    with_unit: bool = True,
) -> str:
    if value is None:
        return ""
    lang = "en" if language.startswith("en") else "vi"
    number = format_number(value, language=lang)
    if measure_unit == "score":
        number = format_number(value, language=lang, decimals=None if value == int(value) else 4)
    word = _COMPARATOR_WORDS[lang].get(comparator, "")
    if with_unit and measure_unit == "percent":
        text = f"{number}%"
    elif with_unit and measure_unit == "rank":
        text = f"hạng {number}" if lang == "vi" else f"rank {number}"
    elif with_unit and measure_unit and measure_unit != "score":
        text = f"{number} {unit_label(measure_unit, lang)}"
    else:
        text = number
    return f"{word} {text}".strip()


def format_ratio(numerator: float | None, denominator: float | None, *, language: str = "vi") -> str:
    if numerator is None and denominator is None:
        return ""
    top = format_number(numerator, language=language) if numerator is not None else "?"
    bottom = format_number(denominator, language=language) if denominator is not None else "?"
    return f"{top}/{bottom}"
